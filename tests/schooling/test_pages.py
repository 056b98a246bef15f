"""The schooling pages: guide, application, schools, check and receipt, offers, review, results."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from django.urls import NoReverseMatch, reverse

from portal import navigation
from portal.workflow.models import Status
from schooling import eligibility, services
from schooling.models import EnrolmentApplication, Offer, OfferStatus, RoundStatus, Tenure
from tests.schooling.conftest import PDF, after, attach_materials, enter, upload


@pytest.fixture(autouse=True)
def menu_of_mounted_pages(monkeypatch):
    """The menu without entries of apps this test urlconf does not mount (their pages are theirs)."""
    mounted = {}
    for key, item in navigation._items.items():
        try:
            reverse(item.url_name)
        except NoReverseMatch:
            continue
        mounted[key] = item
    monkeypatch.setattr(navigation, "_items", mounted)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pages_need_a_sign_in(enrolment_round):
    response = Client().get("/school/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_guide_shows_the_conditions_and_who_can_apply(enrolment_round, family):
    user, _guardian, child = family

    page = signed_in(user).get("/school/").content.decode()

    assert enrolment_round.name in page
    assert child.name in page
    assert f"/school/rounds/{enrolment_round.pk}/apply/" in page
    assert str(enrolment_round.points_threshold) in page


def test_the_family_applies_through_the_pages(enrolment_round, family, schools):
    user, _guardian, child = family
    client = signed_in(user)

    form = client.get(f"/school/rounds/{enrolment_round.pk}/apply/")
    assert form.status_code == 200
    invalid = client.post(f"/school/rounds/{enrolment_round.pk}/apply/", {"child": child.pk})
    assert invalid.status_code == 400
    assert "error-summary" in invalid.content.decode()

    started = client.post(
        f"/school/rounds/{enrolment_round.pk}/apply/", {"child": child.pk, "tenure": Tenure.RENTED}
    )
    application = EnrolmentApplication.objects.get(child=child)
    assert started.status_code == 302
    assert started["Location"] == f"/school/applications/{application.pk}/"

    check = client.get(f"/school/applications/{application.pk}/check/").content.decode()
    assert "预防接种证明" in check  # missing materials listed at once

    for kind, name in (("vaccination", "v.pdf"), ("household", "h.pdf"), ("housing", "l.pdf")):
        uploaded = client.post(
            f"/school/applications/{application.pk}/materials/",
            {"kind": kind, "file": upload(name, PDF)},
        )
        assert uploaded.status_code == 302
    bad = client.post(
        f"/school/applications/{application.pk}/materials/",
        {"kind": "vaccination", "file": upload("x.pdf", b"GIF89a" + b"\x00" * 20)},
    )
    assert bad.status_code == 400

    submitted = client.post(f"/school/applications/{application.pk}/check/")
    assert submitted["Location"] == f"/school/applications/{application.pk}/receipt/"
    receipt = client.get(submitted["Location"]).content.decode()
    assert application.case.reference in receipt

    ranked = client.post(
        f"/school/applications/{application.pk}/schools/",
        {"choice_1": schools["X"].pk, "choice_2": schools["Y"].pk},
    )
    assert ranked.status_code == 302
    assert list(application.preferences.values_list("school__code", "category")) == [
        ("X", 2),
        ("Y", 3),
    ]
    twice = client.post(
        f"/school/applications/{application.pk}/schools/",
        {"choice_1": schools["X"].pk, "choice_2": schools["X"].pk},
    )
    assert twice.status_code == 400


def test_another_family_gets_not_found(enrolment_round, family, other_resident):
    user, _guardian, child = family
    application = services.create_application(
        actor=user, round_id=enrolment_round.pk, child_id=child.pk, tenure=Tenure.OTHER
    )
    stranger = signed_in(other_resident)

    assert stranger.get(f"/school/applications/{application.pk}/").status_code == 404
    assert stranger.get(f"/school/applications/{application.pk}/schools/").status_code == 404


def test_the_family_removes_files_only_before_submitting(enrolment_round, family, education_a):
    user, _guardian, child = family
    application = services.create_application(
        actor=user, round_id=enrolment_round.pk, child_id=child.pk, tenure=Tenure.RENTED
    )
    attach_materials(user, application)
    material = application.materials.first()
    remove = f"/school/materials/{material.pk}/remove/"
    download = f"/school/materials/{material.pk}/"
    page = signed_in(user).get(f"/school/applications/{application.pk}/").content.decode()
    assert download in page
    assert remove in page
    assert f"/school/applications/{application.pk}/materials/" in page

    services.submit_application(actor=user, application_id=application.pk)
    page = signed_in(user).get(f"/school/applications/{application.pk}/").content.decode()
    review = signed_in(education_a).get(f"/review/school/{application.case_id}/").content.decode()
    for body in (page, review):
        assert download in body
        assert remove not in body
        assert f"/school/applications/{application.pk}/materials/" not in body


def test_the_education_reviewer_decides_on_the_review_page(
    enrolment_round, family, education_a, education_b
):
    user, _guardian, child = family
    application = services.create_application(
        actor=user, round_id=enrolment_round.pk, child_id=child.pk, tenure=Tenure.RENTED
    )
    attach_materials(user, application)
    services.submit_application(actor=user, application_id=application.pk)
    url = f"/review/school/{application.case_id}/"

    assert signed_in(education_b).get(url).status_code == 404
    reviewer = signed_in(education_a)
    assert reviewer.get(url).status_code == 200
    no_reason = reviewer.post(url, {"action": "return", "reason": ""})
    assert no_reason.status_code == 400
    approved = reviewer.post(url, {"action": "approve", "reason": ""})

    assert approved.status_code == 302
    application.case.refresh_from_db()
    assert application.case.status == Status.APPROVED


def test_the_review_page_shows_the_age_rule_outcome_not_the_birth_date(
    enrolment_round, family, education_a
):
    user, _guardian, child = family
    application = services.create_application(
        actor=user, round_id=enrolment_round.pk, child_id=child.pk, tenure=Tenure.RENTED
    )
    attach_materials(user, application)
    services.submit_application(actor=user, application_id=application.pk)

    page = signed_in(education_a).get(f"/review/school/{application.case_id}/")

    text = page.content.decode()
    birth = child.birth_date
    assert birth.isoformat() not in text
    assert f"{birth:%Y%m%d}" not in text
    assert child.id_number not in text
    age = eligibility.age_on(birth, enrolment_round.age_reference_date)
    reference = enrolment_round.age_reference_date.isoformat()
    assert f"{age}" in text
    assert reference in text
    own = signed_in(user).get(f"/school/applications/{application.pk}/")
    assert own.status_code == 200
    assert birth.isoformat() in own.content.decode()  # the family still sees their own child's


@pytest.fixture
def drawn_pages(enrolment_round, schools, address_a, police_a, education_a, education_all):
    common = {"address": address_a, "police": police_a, "reviewer": education_a}
    families = {
        "rented": enter(
            enrolment_round, username="rented", choices=[schools["X"], schools["Y"]], **common
        ),
        "top": enter(
            enrolment_round,
            username="top",
            choices=[schools["X"], schools["Y"]],
            tenure=Tenure.OTHER,
            points={"insurance_years": 10},
            **common,
        ),
    }
    manager = signed_in(education_all)
    url = f"/staff/school-rounds/{enrolment_round.pk}/"
    assert manager.post(url, {"action": "commit_seed", "seed": "page-seed"}).status_code == 302
    with time_machine.travel(after(enrolment_round.preference_closes), tick=False):
        assert manager.post(url, {"action": "draw"}).status_code == 302
        yield families


def test_the_manager_runs_the_draw_and_sees_the_results(
    drawn_pages, enrolment_round, education_all
):
    enrolment_round.refresh_from_db()
    page = (
        signed_in(education_all).get(f"/staff/school-rounds/{enrolment_round.pk}/").content.decode()
    )

    assert enrolment_round.status == RoundStatus.ALLOCATED
    assert "100%" in page  # both children placed
    assert "page-seed" in page
    assert "X小学" in page


def test_the_reviewer_of_one_district_sees_only_its_schools(
    drawn_pages, enrolment_round, education_b
):
    page = (
        signed_in(education_b).get(f"/staff/school-rounds/{enrolment_round.pk}/").content.decode()
    )
    assert "Z小学" in page
    assert "X小学" not in page
    refused = signed_in(education_b).post(
        f"/staff/school-rounds/{enrolment_round.pk}/", {"action": "second_round"}
    )
    assert refused.status_code == 404


def test_residents_cannot_open_the_staff_pages(drawn_pages, enrolment_round):
    user = drawn_pages["top"][0]
    assert signed_in(user).get("/staff/school-rounds/").status_code == 403


def test_other_reviewers_see_the_rounds_but_not_the_draw(drawn_pages, enrolment_round, police_a):
    police = signed_in(police_a)

    listing = police.get("/staff/school-rounds/").content.decode()

    assert f"/school/rounds/{enrolment_round.pk}/" in listing
    assert f"/staff/school-rounds/{enrolment_round.pk}/" not in listing
    assert police.get(f"/staff/school-rounds/{enrolment_round.pk}/").status_code == 403


def test_the_family_sees_why_and_accepts_the_offer(drawn_pages, enrolment_round):
    user, application = drawn_pages["top"]
    client = signed_in(user)

    page = client.get(f"/school/applications/{application.pk}/").content.decode()
    assert "outcome-below_cutoff" in page
    assert "outcome-placed" in page
    round_page = client.get(f"/school/rounds/{enrolment_round.pk}/").content.decode()
    assert "page-seed" in round_page

    offer = Offer.objects.get(application=application)
    offers_page = client.get("/school/offers/").content.decode()
    assert f"/school/offers/{offer.pk}/answer/" in offers_page
    answered = client.post(f"/school/offers/{offer.pk}/answer/", {"action": "accept"})

    assert answered.status_code == 302
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED
    other = drawn_pages["rented"][0]
    assert (
        signed_in(other)
        .post(f"/school/offers/{offer.pk}/answer/", {"action": "decline"})
        .status_code
        == 404
    )
