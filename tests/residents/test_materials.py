"""Uploaded materials: type by content, size limit, storage outside the web root, who may download."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.errors import InvalidInput, NotFound, TransitionNotAllowed
from residents import services
from residents.models import Material
from tests.residents.conftest import GIF, JPEG, PDF, PNG, upload


@pytest.mark.parametrize(
    ("name", "content", "kind", "content_type"),
    [
        ("photo.jpg", JPEG, "photo", "image/jpeg"),
        ("PHOTO.JPEG", JPEG, "photo", "image/jpeg"),
        ("photo.png", PNG, "photo", "image/png"),
        ("contract.pdf", PDF, "proof", "application/pdf"),
        ("lease.png", PNG, "proof", "image/png"),
    ],
)
def test_accepted_files_are_stored_under_the_upload_root(
    resident, me, registered, upload_root, name, content, kind, content_type
):
    from tests.residents.conftest import make_application

    application = make_application(resident, me, materials=False)
    material = services.add_material(
        actor=resident, application_id=application.pk, kind=kind, upload=upload(name, content)
    )
    assert material.content_type == content_type
    assert material.size == len(content)
    stored = upload_root / material.path
    assert stored.read_bytes() == content
    assert name not in material.path  # stored under a random name


@pytest.mark.parametrize(
    ("name", "content", "kind", "code"),
    [
        ("anim.gif", GIF, "proof", "file_type"),
        ("script.jpg", b"<script>alert(1)</script>", "photo", "file_type"),
        ("photo.pdf", JPEG, "proof", "file_type_mismatch"),
        ("contract.jpg", PDF, "proof", "file_type_mismatch"),
        ("contract.pdf", PDF, "photo", "photo_type"),
        ("empty.jpg", b"", "photo", "empty_file"),
    ],
)
def test_wrong_files_are_refused_and_nothing_is_left_behind(
    draft, resident, upload_root, name, content, kind, code
):
    before = sorted(p.name for p in upload_root.rglob("*") if p.is_file())
    with pytest.raises(InvalidInput) as refused:
        services.add_material(
            actor=resident, application_id=draft.pk, kind=kind, upload=upload(name, content)
        )
    assert refused.value.code == code
    assert "file" in refused.value.fields
    assert draft.materials.count() == 2
    assert sorted(p.name for p in upload_root.rglob("*") if p.is_file()) == before


def test_a_file_over_the_limit_is_refused(draft, resident, settings):
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(InvalidInput) as refused:
        services.add_material(
            actor=resident, application_id=draft.pk, kind="photo", upload=upload("big.jpg", JPEG)
        )
    assert refused.value.code == "file_too_large"
    assert draft.materials.count() == 2


def test_materials_cannot_change_after_submission(submitted, resident):
    with pytest.raises(TransitionNotAllowed):
        services.add_material(
            actor=resident, application_id=submitted.pk, kind="photo", upload=upload("p.jpg", JPEG)
        )
    material = submitted.materials.first()
    with pytest.raises(TransitionNotAllowed):
        services.remove_material(actor=resident, material_id=material.pk)


def test_removing_a_material_deletes_its_file_after_commit(
    draft, resident, upload_root, django_capture_on_commit_callbacks
):
    material = draft.materials.first()
    path = upload_root / material.path
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_material(actor=resident, material_id=material.pk)
    assert not Material.objects.filter(pk=material.pk).exists()
    assert not path.exists()


def test_another_resident_cannot_upload_to_or_remove_from_an_application(draft, other_resident):
    with pytest.raises(NotFound):
        services.add_material(
            actor=other_resident,
            application_id=draft.pk,
            kind="photo",
            upload=upload("p.jpg", JPEG),
        )
    with pytest.raises(NotFound):
        services.remove_material(actor=other_resident, material_id=draft.materials.first().pk)


def test_files_are_served_to_the_applicant_and_the_districts_reviewers_only(
    client, submitted, resident, police_a, police_b, housing_a, other_resident
):
    material = submitted.materials.get(kind="photo")
    url = reverse("residents:material_file", args=[material.pk])
    for allowed in (resident, police_a):
        client.force_login(allowed)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert b"".join(response.streaming_content) == JPEG
    for outsider in (other_resident, police_b, housing_a):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page


def test_the_configured_upload_root_is_outside_the_served_directories():
    from pathlib import Path

    from portal import settings as configured

    root = Path(configured.UPLOAD_ROOT).resolve()
    for served in [*configured.STATICFILES_DIRS, configured.STATIC_ROOT]:
        assert not root.is_relative_to(Path(served).resolve())
