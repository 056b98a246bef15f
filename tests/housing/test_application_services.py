"""Affordable-housing applications: eligibility at its boundaries, the lifecycle, scoping."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from housing import eligibility, selectors, services
from housing.models import HousingApplication, RoundStatus, UnitType, seed_hash
from points.services import ledger
from portal.errors import InvalidInput, NotAllowed, NotEligible, NotFound
from portal.workflow.models import Case, Status
from residents import services as resident_services
from residents.models import Permit
from tests.housing.conftest import (
    apply,
    give_points,
    holder,
    open_round,
    register_household,
    tenant_id,
)
from tests.reasons import BLANK_REASONS, assert_service_wants_a_reason


def problems(housing_round, person, *, on=None, unit_type=UnitType.ONE_BEDROOM, size=1, owns=False):
    found, _points = eligibility.eligibility_problems(
        housing_round,
        person,
        unit_type=unit_type,
        household_size=size,
        owns_home_in_city=owns,
        on=on or timezone.localdate(),
    )
    return found


def test_a_round_commits_to_its_lottery_seed_without_showing_it(housing_round):
    assert housing_round.status == RoundStatus.OPEN
    assert housing_round.seed_hash == seed_hash(housing_round.seed)
    assert housing_round.revealed_seed == ""


def test_only_housing_reviewers_of_the_projects_district_open_rounds(project, housing_b, resident):
    for outsider in (housing_b, resident):
        with pytest.raises(NotAllowed):
            open_round(project, outsider)


def test_a_permit_holder_who_fits_applies_as_a_draft_case_for_the_housing_department(
    resident, applicant, housing_round, district_a
):
    application = apply(resident, housing_round)
    assert application.case.kind == "affordable_housing"
    assert application.case.status == Status.DRAFT
    assert application.case.department.code == "housing"
    assert application.case.district == district_a
    assert application.person == applicant


def test_an_application_without_a_valid_permit_is_refused_and_nothing_is_written(
    other_resident, housing_round
):
    resident_services.create_own_person(
        actor=other_resident, name="王芳", id_number=tenant_id(71), phone=""
    )
    with pytest.raises(NotEligible) as refused:
        apply(other_resident, housing_round)
    assert "permit" in refused.value.fields
    assert not Case.objects.filter(kind="affordable_housing").exists()
    assert not HousingApplication.objects.exists()


def test_a_resident_not_in_the_registry_is_asked_to_enter_their_details(
    other_resident, housing_round
):
    with pytest.raises(NotAllowed) as refused:
        apply(other_resident, housing_round)
    assert refused.value.code == "no_person"


def test_the_permit_must_be_valid_on_the_day_up_to_its_last_valid_day(
    applicant, project, housing_a
):
    long_round = open_round(project, housing_a, days_open=800)
    last_day = Permit.objects.get(person=applicant).valid_until
    assert "permit" not in problems(long_round, applicant, on=last_day)
    assert "permit" in problems(long_round, applicant, on=last_day + dt.timedelta(days=1))


def test_a_household_owning_a_home_in_the_city_is_not_eligible(applicant, housing_round):
    assert "owns_home_in_city" in problems(housing_round, applicant, owns=True)
    assert problems(housing_round, applicant, owns=False) == {}


@pytest.mark.parametrize(
    ("unit_type", "size", "fits"),
    [
        (UnitType.ONE_BEDROOM, 1, True),
        (UnitType.ONE_BEDROOM, 2, True),
        (UnitType.ONE_BEDROOM, 3, False),
        (UnitType.TWO_BEDROOM, 1, False),
        (UnitType.TWO_BEDROOM, 2, True),
        (UnitType.TWO_BEDROOM, 4, True),
        (UnitType.TWO_BEDROOM, 5, False),
        (UnitType.STUDIO, 1, False),
    ],
)
def test_the_household_must_fit_the_unit_type(applicant, housing_round, unit_type, size, fits):
    found = problems(housing_round, applicant, unit_type=unit_type, size=size)
    assert (found == {}) is fits


@pytest.mark.parametrize(
    ("total", "eligible", "passes"),
    [("29.99", True, False), ("30.00", True, True), ("30.01", True, True), ("80", False, False)],
)
def test_a_round_with_minimum_points_needs_a_housing_score_that_reaches_it(
    applicant, project, housing_a, rules_in_force, total, eligible, passes
):
    points_round = open_round(project, housing_a, min_points="30")
    assert "points" in problems(points_round, applicant)
    give_points(applicant, rules_in_force, total, eligible=eligible)
    assert ("points" not in problems(points_round, applicant)) is passes


def test_a_closed_round_takes_no_applications(applicant, project, housing_a):
    closed = open_round(project, housing_a)
    closed.closes_on = timezone.localdate() - dt.timedelta(days=1)
    closed.opens_on = closed.closes_on
    closed.save()
    assert "round" in problems(closed, applicant)


def test_one_application_per_household_and_round(resident, applicant, housing_round):
    apply(resident, housing_round)
    with pytest.raises(InvalidInput) as refused:
        apply(resident, housing_round)
    assert refused.value.code == "already_applied"
    assert HousingApplication.objects.count() == 1


def test_submission_fixes_the_points_and_time_of_application(
    resident, applicant, housing_round, rules_in_force
):
    give_points(applicant, rules_in_force, "47.5")
    application = apply(resident, housing_round)
    assert application.points is None
    submitted = services.submit_housing_application(actor=resident, application_id=application.pk)
    assert submitted.case.status == Status.SUBMITTED
    assert str(submitted.points) == "47.50"
    assert submitted.applied_at is not None


def test_an_ineligible_change_is_refused_at_submission(resident, applicant, housing_round):
    application = apply(resident, housing_round)
    register_household(resident, 3)  # two children join the registered household
    services.update_housing_application(
        actor=resident,
        application_id=application.pk,
        unit_type=UnitType.ONE_BEDROOM,
        household_size=1,  # a typed number is ignored
        owns_home_in_city=False,
    )
    with pytest.raises(NotEligible) as refused:
        services.submit_housing_application(actor=resident, application_id=application.pk)
    assert "household_size" in refused.value.fields
    assert Case.objects.get(pk=application.case_id).status == Status.DRAFT


def test_the_housing_reviewer_of_the_district_decides_and_others_do_not_find_it(
    resident, applicant, housing_round, housing_a, housing_b, police_a, other_resident
):
    application = apply(resident, housing_round)
    services.submit_housing_application(actor=resident, application_id=application.pk)
    for outsider in (housing_b, police_a, other_resident):
        with pytest.raises(NotFound):
            services.approve_housing_application(actor=outsider, application_id=application.pk)
    assert not selectors.housing_applications_of(other_resident).exists()
    approved = services.approve_housing_application(actor=housing_a, application_id=application.pk)
    assert approved.case.status == Status.APPROVED


def test_a_reviewer_returns_with_a_reason_and_the_applicant_resubmits(
    resident, applicant, housing_round, housing_a
):
    application = apply(resident, housing_round)
    services.submit_housing_application(actor=resident, application_id=application.pk)
    services.return_housing_application(
        actor=housing_a, application_id=application.pk, reason="请说明家庭成员"
    )
    again = services.submit_housing_application(actor=resident, application_id=application.pk)
    assert again.case.status == Status.SUBMITTED


def test_holder_helper_gives_a_valid_permit(resident, address_a, police_a):
    person = holder(resident, seq=43, name="周到", address=address_a, police=police_a)
    assert Permit.objects.get(person=person).status == "valid"


def test_housing_points_come_from_the_ledger_entry_the_points_engine_wrote(
    applicant, rules_in_force
):
    today = timezone.localdate()
    sheet = ledger.write_fact_sheet(
        person=applicant,
        facts={
            "birth_date": applicant.birth_date.isoformat(),
            "has_permit": True,
            "work_years_city": 2,
            "education": ["bachelor"],
            "owns_home": False,
            "insured_locally_last_month": True,
        },
        reference_date=today,
        applied_at=timezone.now(),
        application=None,
    )
    score = ledger.score_sheet(sheet=sheet, rule_set=rules_in_force)
    points = eligibility.housing_points_of(applicant, on=today)
    assert points is not None
    assert points == Decimal(str(score.total("housing"))).quantize(Decimal("0.01"))
    assert points >= 80


def test_the_household_size_is_the_registered_households(resident, applicant, housing_round):
    register_household(resident, 2)
    application = services.create_housing_application(
        actor=resident,
        round_id=housing_round.pk,
        unit_type=UnitType.ONE_BEDROOM,
        household_size=7,
        owns_home_in_city=False,
    )
    assert application.household_size == 2


@pytest.mark.parametrize("reason", BLANK_REASONS)
@pytest.mark.parametrize(
    "decide", [services.reject_housing_application, services.return_housing_application]
)
def test_an_application_is_not_rejected_or_returned_without_a_reason(
    resident, applicant, housing_round, housing_a, decide, reason
):
    application = apply(resident, housing_round)
    services.submit_housing_application(actor=resident, application_id=application.pk)
    assert_service_wants_a_reason(
        lambda: decide(actor=housing_a, application_id=application.pk, reason=reason)
    )
    assert Case.objects.get(pk=application.case_id).status == Status.SUBMITTED
