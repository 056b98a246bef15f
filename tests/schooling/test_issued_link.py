"""The family's case page of an approved school-place application links to their page of it
(schools ranked, the draw's result, the place offered); nobody else sees either."""

from __future__ import annotations

from django.urls import reverse

from portal.workflow.models import Case
from schooling import services
from schooling.services import applications
from tests.schooling.conftest import attach_materials


def test_the_case_page_links_to_the_application_once_approved(
    family, enrolment_round, education_a, other_resident, client
):
    user, _guardian, child = family
    application = services.create_application(
        actor=user, round_id=enrolment_round.pk, child_id=child.pk, tenure="rented"
    )
    attach_materials(user, application)
    services.submit_application(actor=user, application_id=application.pk)
    case_page = f"/work/mine/{application.case_id}/"
    target = reverse("schooling:application", args=[application.pk])
    client.force_login(user)
    before = client.get(case_page).content.decode()
    assert applications.issued_link(Case.objects.get(pk=application.case_id)) is None

    services.approve_application(actor=education_a, application_id=application.pk)

    assert f'href="{target}"' not in before
    after = client.get(case_page).content.decode()
    assert f'href="{target}"' in after
    assert "子女的志愿学校与入学结果" in after
    assert client.get(target).status_code == 200
    client.force_login(other_resident)
    assert client.get(case_page).status_code == 404
    assert client.get(target).status_code == 404
