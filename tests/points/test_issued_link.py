"""The resident's case page of a verified points claim links to the claim on their points
application; nobody else sees either."""

from __future__ import annotations

from django.urls import reverse

from points.models import Claim
from points.services import claims
from portal.workflow.models import Case
from tests.points.conftest import give_permit, pdf


def test_the_case_page_links_to_the_claim_once_verified(
    zhongshan, me, resident, reviewers, other_resident, client
):
    give_permit(me)
    application = claims.start_application(actor=resident, service="school")
    for fact_type, value in (("work_years_city", 3), ("education", ["bachelor"])):
        claim = claims.add_claim(
            actor=resident, application_id=application.pk, fact_type=fact_type, value=value
        )
        claims.add_evidence(actor=resident, claim_id=claim.pk, upload=pdf())
    claims.submit_application(actor=resident, application_id=application.pk)
    case_page = f"/work/mine/{claim.case_id}/"
    target = reverse("points:application", args=[application.pk])
    client.force_login(resident)
    before = client.get(case_page).content.decode()
    assert claims.issued_link(Case.objects.get(pk=claim.case_id)) is None

    claims.verify_claim(actor=reviewers["education"], claim_id=claim.pk)

    assert Claim.objects.get(pk=claim.pk).case.status == "approved"
    assert target not in before
    after = client.get(case_page).content.decode()
    assert f'href="{target}#claim-{claim.pk}"' in after
    assert "积分申请中已核实的申报项" in after
    assert client.get(target).status_code == 200
    client.force_login(other_resident)
    assert client.get(case_page).status_code == 404
    assert client.get(target).status_code == 404
