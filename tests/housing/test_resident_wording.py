"""Affordable-housing pages read as housing pages: a receipt after applying, their own headings,
and the lottery seed explained in plain words."""

from __future__ import annotations

from django.utils.formats import date_format

from housing import services
from tests.housing.conftest import apply


def test_submitting_leads_to_a_receipt_with_the_reference_and_the_promised_date(
    client, resident, applicant, housing_round
):
    application = apply(resident, housing_round)
    client.force_login(resident)

    response = client.post(
        f"/housing/affordable/applications/{application.pk}/", {"action": "submit"}
    )

    receipt_url = f"/housing/affordable/applications/{application.pk}/receipt/"
    assert response["Location"] == receipt_url
    application.refresh_from_db()
    page = client.get(receipt_url).content.decode()
    assert application.case.reference in page
    assert application.case.due_date.strftime("%Y-%m-%d") in page
    assert date_format(housing_round.closes_on, "Y-m-d") in page


def test_a_draft_has_no_receipt_and_another_resident_gets_404(
    client, resident, applicant, housing_round, other_resident
):
    application = apply(resident, housing_round)
    url = f"/housing/affordable/applications/{application.pk}/receipt/"
    client.force_login(resident)
    assert client.get(url)["Location"] == f"/housing/affordable/applications/{application.pk}/"
    services.submit_housing_application(actor=resident, application_id=application.pk)
    client.force_login(other_resident)
    assert client.get(url).status_code == 404


def test_housing_pages_have_housing_headings_not_school_ones(client, resident, housing_round):
    client.force_login(resident)
    guide = client.get("/housing/affordable/").content.decode()
    assert "房源如何分配" in guide
    assert "学位如何分配" not in guide
    offers = client.get("/housing/affordable/offers/").content.decode()
    assert "我的配租通知" in offers
    assert "录取" not in offers


def test_the_lottery_fingerprint_is_explained_with_how_to_check_it(client, resident, housing_round):
    client.force_login(resident)
    guide = client.get("/housing/affordable/").content.decode()
    explained = guide[guide.index("data-lottery-explained") :]
    assert housing_round.seed_hash in explained
    assert "指纹" in explained
    assert "公布" in explained
