"""Landlords register rental homes; the housing department checks them on the shared lifecycle."""

from __future__ import annotations

import pytest
from django.urls import reverse

from housing import selectors, services
from housing.models import RentalHome
from portal.areas.models import Address
from portal.errors import InvalidInput, NotAllowed, NotFound
from portal.workflow.models import Case, Status
from tests.housing.conftest import approve_home, make_home
from tests.reasons import BLANK_REASONS, assert_service_wants_a_reason


def test_landlord_registers_a_home_as_a_draft_case_for_the_housing_department(
    draft_home, landlord, grid_a, district_a
):
    case = draft_home.case
    assert case.kind == "rental_home"
    assert case.status == Status.DRAFT
    assert case.department.code == "housing"
    assert case.district == district_a
    assert case.applicant == landlord
    assert draft_home.address.grid == grid_a
    assert draft_home.address.text == "学院路8号2幢1单元101室"
    assert draft_home.is_active


def test_only_landlords_register_homes(resident, grid_a):
    with pytest.raises(NotAllowed):
        make_home(resident, grid_a)
    assert not RentalHome.objects.exists()


def test_every_problem_of_the_details_is_listed_at_once_and_nothing_is_written(landlord, grid_a):
    with pytest.raises(InvalidInput) as refused:
        make_home(
            landlord,
            grid_a,
            owner_name=" ",
            property_certificate="",
            rooms=0,
            floor_area="abc",
            max_occupants="many",
        )
    assert set(refused.value.fields) == {
        "owner_name",
        "property_certificate",
        "rooms",
        "floor_area",
        "max_occupants",
    }
    assert not RentalHome.objects.exists()
    assert not Case.objects.exists()
    assert not Address.objects.exists()


def test_an_address_on_the_register_cannot_be_registered_again(draft_home, other_landlord, grid_a):
    with pytest.raises(InvalidInput) as refused:
        make_home(other_landlord, grid_a)
    assert refused.value.code == "already_registered"
    assert RentalHome.objects.count() == 1
    assert Case.objects.count() == 1


def test_the_housing_reviewer_of_the_district_approves_the_safety_check(
    draft_home, landlord, housing_a
):
    home = approve_home(draft_home, landlord, housing_a)
    assert home.case.status == Status.APPROVED
    assert list(selectors.homes_reviewable_by(housing_a)) == [home]


def test_a_reviewer_of_another_district_or_department_does_not_find_the_home(
    draft_home, landlord, housing_b, police_a
):
    services.submit_rental_home(actor=landlord, home_id=draft_home.pk)
    for outsider in (housing_b, police_a):
        with pytest.raises(NotFound):
            services.approve_rental_home(actor=outsider, home_id=draft_home.pk)
        assert not selectors.homes_reviewable_by(outsider).exists()
    assert Case.objects.get(pk=draft_home.case_id).status == Status.SUBMITTED


def test_another_landlord_cannot_submit_or_see_the_home(draft_home, other_landlord):
    with pytest.raises(NotFound):
        services.submit_rental_home(actor=other_landlord, home_id=draft_home.pk)
    assert not selectors.homes_of_landlord(other_landlord).exists()


def test_a_rejected_home_leaves_the_register_and_the_address_can_be_registered_again(
    draft_home, landlord, housing_a, grid_a
):
    services.submit_rental_home(actor=landlord, home_id=draft_home.pk)
    with pytest.raises(InvalidInput):
        services.reject_rental_home(actor=housing_a, home_id=draft_home.pk, reason=" ")
    services.reject_rental_home(actor=housing_a, home_id=draft_home.pk, reason="消防通道堵塞")
    draft_home.refresh_from_db()
    assert not draft_home.is_active
    assert draft_home.case.last_reason == "消防通道堵塞"
    again = make_home(landlord, grid_a)
    assert again.address_id == draft_home.address_id


def test_a_withdrawn_home_leaves_the_register(draft_home, landlord):
    services.submit_rental_home(actor=landlord, home_id=draft_home.pk)
    services.withdraw_rental_home(actor=landlord, home_id=draft_home.pk)
    draft_home.refresh_from_db()
    assert not draft_home.is_active
    assert draft_home.case.status == Status.WITHDRAWN


def test_a_returned_home_is_submitted_again(draft_home, landlord, housing_a):
    services.submit_rental_home(actor=landlord, home_id=draft_home.pk)
    services.return_rental_home(actor=housing_a, home_id=draft_home.pk, reason="请补充产权证照片")
    home = services.submit_rental_home(actor=landlord, home_id=draft_home.pk)
    assert home.case.status == Status.SUBMITTED
    assert home.is_active


@pytest.mark.parametrize("reason", BLANK_REASONS)
@pytest.mark.parametrize("decide", [services.reject_rental_home, services.return_rental_home])
def test_a_home_is_not_rejected_or_returned_without_a_reason(
    draft_home, landlord, housing_a, decide, reason
):
    services.submit_rental_home(actor=landlord, home_id=draft_home.pk)
    assert_service_wants_a_reason(
        lambda: decide(actor=housing_a, home_id=draft_home.pk, reason=reason)
    )
    assert Case.objects.get(pk=draft_home.case_id).status == Status.SUBMITTED


def test_the_landlords_case_page_links_to_the_home_once_approved(home, landlord, client):
    client.force_login(landlord)

    page = client.get(f"/work/mine/{home.case_id}/").content.decode()

    assert f'href="{reverse("housing:home", args=[home.pk])}"' in page
