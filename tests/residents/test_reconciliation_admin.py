"""Admin screens of the reconciliation: upload a feed, follow its run, resume an interrupted one."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from residents import admin_reconciliation  # noqa: F401 - registers the screens
from residents.models import FeedUpload, ReconciliationRun, RunStatus
from residents.reconciliation import matching
from residents.reconciliation import services as reconciliation
from tests import factories
from tests.residents.test_reconciliation_api import csv_upload
from tests.residents.test_reconciliation_runs import insurance, write_feed


@pytest.fixture
def tenant(other_resident, address_a):
    from tests.residents.conftest import make_person, register

    person = make_person(other_resident, seq=25, name="王芳")
    register(other_resident, person, address_a)
    return person


def test_an_administrator_uploads_a_feed_and_lands_on_its_run(
    admin_client, tenant, django_capture_on_commit_callbacks
):
    upload = csv_upload("social_insurance", [insurance(tenant, status="停保")])
    upload = SimpleUploadedFile("社保.csv", upload.read().decode().encode("gb18030"))

    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(
            reverse("admin:residents_feedupload_add"),
            {"kind": "social_insurance", "file": upload, "encoding": ""},
        )

    run = ReconciliationRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:residents_reconciliationrun_change", args=[run.pk]
    )
    assert (run.feed.channel, run.feed.encoding) == ("admin", "gb18030")
    assert len(callbacks) == 1


def test_the_upload_page_lists_every_kind_and_its_columns(admin_client):
    response = admin_client.get(reverse("admin:residents_feedupload_add"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "缴费状态" in page
    assert "旅馆地址编码" in page


def test_an_upload_without_a_file_shows_the_error_summary(admin_client):
    response = admin_client.post(reverse("admin:residents_feedupload_add"), {"kind": "hotel"})

    assert response.status_code == 200
    assert 'class="errornote"' in response.content.decode()
    assert not FeedUpload.objects.exists()


def test_staff_without_the_permission_cannot_upload(client, db):
    staff = factories.UserFactory(username="clerk", is_staff=True, roles=[])
    staff.user_permissions.add(Permission.objects.get(codename="view_feedupload"))
    client.force_login(staff)

    response = client.get(reverse("admin:residents_feedupload_add"))

    assert response.status_code == 403


def test_the_run_page_shows_the_progress_bar_and_the_report(admin_client, tmp_path, tenant):
    path = write_feed(tmp_path, "social_insurance", [insurance(tenant, status="停保")])
    run = reconciliation.reconcile_file(path=path, kind="social_insurance")

    page = admin_client.get(reverse("admin:residents_reconciliationrun_change", args=[run.pk]))
    progress = admin_client.get(
        reverse("admin:residents_reconciliationrun_progress", args=[run.pk])
    ).json()

    assert page.status_code == 200
    html = page.content.decode()
    assert "<progress" in html
    assert 'data-active="false"' in html
    assert "js/reconciliation.js" in html
    assert progress == {
        "status": RunStatus.FINISHED,
        "progress": 100,
        "phase": str(RunStatus.FINISHED.label),
        "active": False,
    }


def test_an_interrupted_run_is_handed_back_to_a_worker(
    admin_client, tmp_path, tenant, monkeypatch, django_capture_on_commit_callbacks
):
    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(matching, "find", fail)
    path = write_feed(tmp_path, "social_insurance", [insurance(tenant, status="停保")])
    with pytest.raises(RuntimeError):
        reconciliation.reconcile_file(path=path, kind="social_insurance")
    run = ReconciliationRun.objects.get()

    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(
            reverse("admin:residents_reconciliationrun_changelist"),
            {"action": "resume", "_selected_action": [run.pk]},
        )

    assert response.status_code == 302
    assert len(callbacks) == 1
