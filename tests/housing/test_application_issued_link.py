"""The applicant's case page of an approved affordable-housing application links to their
page of it (rank and offers); nobody else sees either."""

from __future__ import annotations

from django.urls import reverse

from housing import services
from housing.services import applications
from portal.workflow.models import Case
from tests.housing.conftest import apply


def test_the_case_page_links_to_the_application_once_approved(
    resident, applicant, housing_round, housing_a, other_resident, client
):
    application = apply(resident, housing_round)
    services.submit_housing_application(actor=resident, application_id=application.pk)
    case_page = f"/work/mine/{application.case_id}/"
    target = reverse("housing:application", args=[application.pk])
    client.force_login(resident)
    before = client.get(case_page).content.decode()
    assert applications.issued_link(Case.objects.get(pk=application.case_id)) is None

    services.approve_housing_application(actor=housing_a, application_id=application.pk)

    assert f'href="{target}"' not in before
    after = client.get(case_page).content.decode()
    assert f'href="{target}"' in after
    assert "我的排名与配租结果" in after
    assert client.get(target).status_code == 200
    client.force_login(other_resident)
    assert client.get(case_page).status_code == 404
    assert client.get(target).status_code == 404
