"""The housing pages for each role, driven through the test client, scoping tested from outside."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from housing import services
from housing.models import HousingApplication, Offer, OfferStatus, RentalHome, Tenancy
from portal.workflow.models import Status
from residents import services as resident_services
from residents.models import Registration, Source
from tests.housing.conftest import apply, declare, give_points, tenant_id

TODAY = timezone.localdate


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def test_a_landlord_registers_a_home_and_sends_it_for_the_safety_check(signed_in, landlord, grid_a):
    client = signed_in(landlord)
    assert client.get("/housing/homes/new/").status_code == 200
    response = client.post(
        "/housing/homes/new/",
        {
            "grid": grid_a.pk,
            "road": "学院路",
            "number": "8",
            "room": "301",
            "owner_name": "陈建国",
            "property_certificate": "浙(2020)0012345",
            "rooms": "2",
            "floor_area": "60",
            "max_occupants": "3",
        },
    )
    home = RentalHome.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/housing/homes/{home.pk}/"
    page = client.get(f"/housing/homes/{home.pk}/").content.decode()
    assert "学院路8号301室" in page
    client.post(f"/housing/homes/{home.pk}/", {"action": "submit"})
    home.refresh_from_db()
    assert home.case.status == Status.SUBMITTED
    assert "学院路8号301室" in client.get("/housing/homes/").content.decode()


def test_the_home_form_lists_every_problem_at_the_top(signed_in, landlord, grid_a):
    response = signed_in(landlord).post("/housing/homes/new/", {"grid": grid_a.pk})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in page
    assert 'href="#id_road"' in page
    assert not RentalHome.objects.exists()


def test_a_landlord_declares_a_tenant_on_the_home_page(signed_in, home, landlord):
    client = signed_in(landlord)
    form = client.get(f"/housing/homes/{home.pk}/").content.decode()
    assert f'value="{TODAY().isoformat()}"' in form
    response = client.post(
        f"/housing/homes/{home.pk}/",
        {
            "name": "赵磊",
            "id_number": tenant_id(51),
            "phone": "",
            "start_date": (TODAY() - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 302
    tenancy = Tenancy.objects.get()
    assert tenancy.registration.source == Source.LANDLORD
    assert "赵磊" in client.get(f"/housing/homes/{home.pk}/").content.decode()


def test_a_refused_declaration_is_shown_on_the_form(signed_in, draft_home, landlord, housing_a):
    services.submit_rental_home(actor=landlord, home_id=draft_home.pk)
    services.approve_rental_home(actor=housing_a, home_id=draft_home.pk)
    client = signed_in(landlord)
    declare(landlord, draft_home, seq=51)
    response = client.post(
        f"/housing/homes/{draft_home.pk}/",
        {"name": "钱多", "id_number": tenant_id(51), "start_date": TODAY().isoformat()},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in page
    assert Tenancy.objects.count() == 1


def test_a_landlord_records_a_departure(signed_in, home, landlord):
    tenancy = declare(landlord, home, seq=51)
    client = signed_in(landlord)
    response = client.post(
        f"/housing/tenancies/{tenancy.pk}/end/", {"end_date": TODAY().isoformat()}
    )
    assert response.status_code == 302
    assert Registration.objects.get(pk=tenancy.registration_id).end_date == TODAY()


def test_landlord_pages_are_scoped(signed_in, home, landlord, other_landlord, resident):
    tenancy = declare(landlord, home, seq=51)
    outsider = signed_in(other_landlord)
    assert outsider.get(f"/housing/homes/{home.pk}/").status_code == 404
    assert outsider.get(f"/housing/tenancies/{tenancy.pk}/end/").status_code == 404
    assert "学院路" not in outsider.get("/housing/homes/").content.decode()
    assert signed_in(resident).get("/housing/homes/").status_code == 403


def test_the_tenant_confirms_their_tenancy_and_others_get_404(
    signed_in, home, landlord, resident, other_resident
):
    resident_services.create_own_person(
        actor=resident, name="赵磊", id_number=tenant_id(51), phone=""
    )
    tenancy = declare(landlord, home, seq=51)
    outsider = signed_in(other_resident)
    assert home.address.text not in outsider.get("/housing/tenancy/").content.decode()
    assert outsider.post(f"/housing/tenancy/{tenancy.pk}/confirm/").status_code == 404
    client = signed_in(resident)
    assert home.address.text in client.get("/housing/tenancy/").content.decode()
    assert client.post(f"/housing/tenancy/{tenancy.pk}/confirm/").status_code == 302
    tenancy.refresh_from_db()
    assert tenancy.confirmed_at is not None


def test_the_reviewer_approves_the_safety_check_on_its_page(
    signed_in, draft_home, landlord, housing_a, housing_b
):
    services.submit_rental_home(actor=landlord, home_id=draft_home.pk)
    url = f"/housing/review/homes/{draft_home.case_id}/"
    assert signed_in(housing_b).get(url).status_code == 404
    client = signed_in(housing_a)
    assert draft_home.property_certificate in client.get(url).content.decode()
    assert client.post(url, {"action": "approve", "reason": ""}).status_code == 302
    draft_home.refresh_from_db()
    assert draft_home.case.status == Status.APPROVED


def test_a_rejection_without_a_reason_is_shown_and_changes_nothing(
    signed_in, draft_home, landlord, housing_a
):
    services.submit_rental_home(actor=landlord, home_id=draft_home.pk)
    response = signed_in(housing_a).post(
        f"/housing/review/homes/{draft_home.case_id}/", {"action": "reject", "reason": ""}
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    draft_home.refresh_from_db()
    assert draft_home.case.status == Status.SUBMITTED


def test_an_applicant_applies_checks_and_submits(signed_in, resident, applicant, housing_round):
    client = signed_in(resident)
    guide = client.get("/housing/affordable/").content.decode()
    assert housing_round.seed_hash in guide
    response = client.post(
        f"/housing/affordable/rounds/{housing_round.pk}/apply/",
        {"unit_type": "one_bedroom", "owns_no_home": "on"},
    )
    application = HousingApplication.objects.get()
    assert response["Location"] == f"/housing/affordable/applications/{application.pk}/"
    client.post(response["Location"], {"action": "submit"})
    application.refresh_from_db()
    assert application.case.status == Status.SUBMITTED


def test_applying_without_a_permit_shows_why(signed_in, other_resident, housing_round):
    resident_services.create_own_person(
        actor=other_resident, name="王芳", id_number=tenant_id(71), phone=""
    )
    response = signed_in(other_resident).post(
        f"/housing/affordable/rounds/{housing_round.pk}/apply/",
        {"unit_type": "one_bedroom", "household_size": "1", "owns_no_home": "on"},
    )
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    assert not HousingApplication.objects.exists()


def test_another_applicant_gets_404_for_the_application(
    signed_in, resident, applicant, housing_round, other_resident
):
    application = apply(resident, housing_round)
    assert (
        signed_in(other_resident)
        .get(f"/housing/affordable/applications/{application.pk}/")
        .status_code
        == 404
    )


def test_ranking_then_offer_then_accept_through_the_pages(
    signed_in, client, resident, applicant, housing_round, housing_a, police_a, rules_in_force
):
    give_points(applicant, rules_in_force, "40")
    application = apply(resident, housing_round)
    services.submit_housing_application(actor=resident, application_id=application.pk)
    staff = signed_in(housing_a)
    review = f"/housing/review/applications/{application.case_id}/"
    assert staff.post(review, {"action": "approve", "reason": ""}).status_code == 302
    assert signed_in(police_a).get("/housing/review/rounds/").status_code == 403
    staff = signed_in(housing_a)
    assert housing_round.name in staff.get("/housing/review/rounds/").content.decode()
    ranked = services.rank_round(
        actor=housing_a, round_id=housing_round.pk, now=timezone.now() + dt.timedelta(days=40)
    )
    with time_machine.travel(ranked.objection_until + dt.timedelta(days=1)):
        staff.post("/housing/review/rounds/", {"round": housing_round.pk, "action": "allocate"})
    offer = Offer.objects.get()
    client.logout()
    ranking = client.get(f"/housing/affordable/rounds/{housing_round.pk}/ranking/")
    assert ranking.status_code == 200
    assert "孙*" in ranking.content.decode()
    assert "孙悦" not in ranking.content.decode()
    owner = signed_in(resident)
    assert offer.unit.label in owner.get("/housing/affordable/offers/").content.decode()
    owner.post("/housing/affordable/offers/", {"offer": offer.pk, "action": "accept"})
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED
