"""Applications for a school place: age, eligibility, materials, review, preferences and categories."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils.formats import date_format

from portal.errors import InvalidInput, NotEligible, NotFound, TransitionNotAllowed
from portal.periods import add_months
from portal.workflow.models import Status
from residents import services as resident_services
from schooling import services
from schooling.models import EnrolmentApplication, MaterialKind, Tenure
from tests.reasons import BLANK_REASONS, assert_service_wants_a_reason
from tests.schooling.conftest import (
    attach_materials,
    build_round,
    make_guardian,
    today,
    upload,
)


def start(user, enrolment_round, child, tenure=Tenure.RENTED):
    return services.create_application(
        actor=user, round_id=enrolment_round.pk, child_id=child.pk, tenure=tenure
    )


def submitted(user, enrolment_round, child, tenure=Tenure.RENTED):
    application = start(user, enrolment_round, child, tenure)
    attach_materials(user, application, housing=tenure != Tenure.OTHER)
    return services.submit_application(actor=user, application_id=application.pk)


# --- age ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth_offset_days", "allowed"),
    [(0, True), (1, False)],
    ids=["six-on-31-august", "six-on-1-september"],
)
def test_a_child_must_be_six_by_31_august(
    enrolment_round, address_a, police_a, birth_offset_days, allowed
):
    reference = enrolment_round.age_reference_date
    birth = reference.replace(year=reference.year - 6) + dt.timedelta(days=birth_offset_days)
    user, _guardian, child = make_guardian(
        username="young", address=address_a, police=police_a, child_birth=birth
    )

    if allowed:
        application = start(user, enrolment_round, child)
        assert application.child == child
    else:
        with pytest.raises(NotEligible) as refused:
            start(user, enrolment_round, child)
        assert refused.value.code == "age"
        assert "child" in refused.value.fields


def test_junior_middle_needs_twelve(schools, education_all, address_a, police_a):
    for school in schools.values():
        school.stage = "junior_middle"
        school.save(update_fields=["stage"])
    middle = build_round(
        schools=schools, seats={"X": 1}, actor=education_all, stage="junior_middle", min_age=12
    )
    user, _guardian, child = make_guardian(username="m", address=address_a, police=police_a)

    with pytest.raises(NotEligible):
        start(user, middle, child)


# --- eligibility ------------------------------------------------------------------------------------


def test_submission_reads_points_permit_and_residence_months(enrolment_round, family):
    user, _guardian, child = family

    application = submitted(user, enrolment_round, child)

    application.refresh_from_db()
    assert application.case.status == Status.SUBMITTED
    assert application.points == Decimal("80.00")
    assert application.sub_scores["quality"] == "80.00"
    assert application.permit_months == 14
    assert application.residence_months == 22


def test_a_permit_held_too_briefly_is_refused_with_every_problem_at_once(
    enrolment_round, address_a, police_a
):
    user, _guardian, child = make_guardian(
        username="new", address=address_a, police=police_a, permit_months=7
    )
    application = start(user, enrolment_round, child)

    with pytest.raises(NotEligible) as refused:
        services.submit_application(actor=user, application_id=application.pk)

    assert refused.value.code == "incomplete"
    assert set(refused.value.fields) == {"permit", "materials"}
    assert len(refused.value.fields["materials"]) == 3  # vaccination, household, housing
    assert EnrolmentApplication.objects.get(pk=application.pk).case.status == Status.DRAFT
    # the guardian is told the day the permit has been held for the round's 12 months
    held_since = _guardian.permits.get().issued_on
    assert date_format(add_months(held_since, 12)) in refused.value.fields["permit"][0]


def test_a_guardian_without_a_permit_is_told_when_the_condition_can_be_met(
    enrolment_round, address_a, police_a
):
    from schooling import eligibility

    _user, guardian, _child = make_guardian(
        username="noperm", address=address_a, police=police_a, permit_months=7
    )
    permit = guardian.permits.get()
    resident_services.cancel_permits_of(person=guardian, actor=police_a, on=today(), reason="test")
    problems = eligibility.guardian_problems(enrolment_round, guardian, on=today())
    # registered 15 months ago (verified), so a permit can be applied for today; then 12 months
    assert date_format(add_months(today(), 12)) in problems["permit"][0]
    assert permit.pk


def test_points_below_the_threshold_are_refused(enrolment_round, address_a, police_a):
    user, _guardian, child = make_guardian(
        username="low", address=address_a, police=police_a, points={"education": "none"}
    )
    application = start(user, enrolment_round, child)
    attach_materials(user, application)

    with pytest.raises(NotEligible) as refused:
        services.submit_application(actor=user, application_id=application.pk)

    assert set(refused.value.fields) == {"points"}


def test_the_round_threshold_decides(schools, education_all, family):
    user, _guardian, child = family
    strict = build_round(
        schools=schools, seats={"X": 1}, actor=education_all, points_threshold=Decimal("80.01")
    )
    application = start(user, strict, child)
    attach_materials(user, application)

    with pytest.raises(NotEligible) as refused:
        services.submit_application(actor=user, application_id=application.pk)

    assert "80.01" in refused.value.fields["points"][0]


def test_no_housing_proof_is_needed_without_an_owned_or_rented_home(enrolment_round, family):
    user, _guardian, child = family

    application = submitted(user, enrolment_round, child, tenure=Tenure.OTHER)

    assert application.case.status == Status.SUBMITTED


def test_applications_are_taken_only_in_the_window(enrolment_round, family):
    user, _guardian, child = family
    with (
        time_machine.travel(enrolment_round.application_closes + dt.timedelta(days=1)),
        pytest.raises(NotEligible) as refused,
    ):
        start(user, enrolment_round, child)
    assert refused.value.code == "window_closed"


def test_one_active_application_per_child_and_round(enrolment_round, family):
    user, _guardian, child = family
    first = start(user, enrolment_round, child)

    with pytest.raises(NotEligible) as refused:
        start(user, enrolment_round, child)
    assert refused.value.code == "duplicate"

    services.withdraw_application(actor=user, application_id=first.pk)
    again = start(user, enrolment_round, child)
    assert again.pk != first.pk


def test_only_the_guardian_can_apply_for_the_child(enrolment_round, family, other_resident):
    _user, _guardian, child = family
    with pytest.raises(NotFound):
        start(other_resident, enrolment_round, child)


def test_materials_are_checked_by_content(enrolment_round, family):
    user, _guardian, child = family
    application = start(user, enrolment_round, child)

    with pytest.raises(InvalidInput) as refused:
        services.add_material(
            actor=user,
            application_id=application.pk,
            kind=MaterialKind.VACCINATION,
            upload=upload("vaccination.pdf", b"GIF89a" + b"\x00" * 50),
        )
    assert "file" in refused.value.fields
    assert not application.materials.exists()


# --- review ---------------------------------------------------------------------------------------------


def test_the_education_reviewer_of_the_district_decides(
    enrolment_round, family, education_a, education_b, police_a
):
    user, _guardian, child = family
    application = submitted(user, enrolment_round, child)

    for outsider in (education_b, police_a):
        with pytest.raises(NotFound):
            services.approve_application(actor=outsider, application_id=application.pk)
    approved = services.approve_application(actor=education_a, application_id=application.pk)

    assert approved.case.status == Status.APPROVED
    assert approved.case.department.code == "education"


def test_a_rejected_application_frees_the_child_for_a_new_one(enrolment_round, family, education_a):
    user, _guardian, child = family
    application = submitted(user, enrolment_round, child)

    services.reject_application(actor=education_a, application_id=application.pk, reason="材料不实")

    application.refresh_from_db()
    assert application.active is False
    assert start(user, enrolment_round, child).active is True


def test_a_returned_application_can_be_corrected_and_resubmitted(
    enrolment_round, family, education_a
):
    user, _guardian, child = family
    application = submitted(user, enrolment_round, child)
    services.return_application(
        actor=education_a, application_id=application.pk, reason="请补充房屋租赁登记备案证明"
    )

    services.update_application(actor=user, application_id=application.pk, tenure=Tenure.OWNED)
    again = services.submit_application(actor=user, application_id=application.pk)

    assert again.case.status == Status.SUBMITTED
    assert again.tenure == Tenure.OWNED


# --- preferences and categories ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tenure", "categories"),
    [
        (Tenure.OWNED, {"X": 1, "Y": 3}),  # owned, X's catchment holds the home
        (Tenure.RENTED, {"X": 2, "Y": 3}),
        (Tenure.OTHER, {"X": 3, "Y": 3}),
    ],
)
def test_each_preference_records_the_category_at_that_school(
    enrolment_round, family, schools, tenure, categories
):
    user, _guardian, child = family
    application = start(user, enrolment_round, child, tenure)

    saved = services.save_preferences(
        actor=user,
        application_id=application.pk,
        school_ids=[schools["Y"].pk, schools["X"].pk],
    )

    assert [(p.rank, p.school_id) for p in saved] == [(1, schools["Y"].pk), (2, schools["X"].pk)]
    assert {p.school.code: p.category for p in application.preferences.all()} == categories


def test_changing_the_housing_moves_the_categories(enrolment_round, family, schools):
    user, _guardian, child = family
    application = start(user, enrolment_round, child, Tenure.OTHER)
    services.save_preferences(
        actor=user, application_id=application.pk, school_ids=[schools["X"].pk]
    )

    services.update_application(actor=user, application_id=application.pk, tenure=Tenure.OWNED)

    assert application.preferences.get().category == 1


def test_preferences_are_checked(enrolment_round, family, schools):
    user, _guardian, child = family
    application = start(user, enrolment_round, child)
    x = schools["X"].pk

    for school_ids in ([], [x, x], [x, 999_999], [x] * 6):
        with pytest.raises(InvalidInput):
            services.save_preferences(
                actor=user, application_id=application.pk, school_ids=school_ids
            )


def test_preferences_only_in_their_window(enrolment_round, family, schools):
    user, _guardian, child = family
    application = start(user, enrolment_round, child)

    with (
        time_machine.travel(enrolment_round.preference_closes + dt.timedelta(days=1)),
        pytest.raises(NotEligible),
    ):
        services.save_preferences(
            actor=user, application_id=application.pk, school_ids=[schools["X"].pk]
        )


def test_another_family_cannot_touch_the_preferences(
    enrolment_round, family, schools, other_resident
):
    user, _guardian, child = family
    application = start(user, enrolment_round, child)

    with pytest.raises(NotFound):
        services.save_preferences(
            actor=other_resident, application_id=application.pk, school_ids=[schools["X"].pk]
        )


def test_a_rejected_application_cannot_rank_schools(enrolment_round, family, schools, education_a):
    user, _guardian, child = family
    application = submitted(user, enrolment_round, child)
    services.reject_application(actor=education_a, application_id=application.pk, reason="不符合")

    with pytest.raises(TransitionNotAllowed):
        services.save_preferences(
            actor=user, application_id=application.pk, school_ids=[schools["X"].pk]
        )


def test_the_round_is_invisible_while_being_prepared(schools, education_all, family):
    from schooling.models import EnrolmentRound

    user, _guardian, child = family
    hidden = EnrolmentRound.objects.create(
        name="筹备中",
        year=today().year,
        stage="primary",
        min_age=6,
        age_reference_date=dt.date(today().year, 8, 31),
        application_opens=today(),
        application_closes=today(),
        preference_opens=today(),
        preference_closes=today(),
        offer_deadline=today(),
    )
    with pytest.raises(NotFound):
        start(user, hidden, child)


@pytest.mark.parametrize("reason", BLANK_REASONS)
@pytest.mark.parametrize("decide", [services.reject_application, services.return_application])
def test_an_application_is_not_rejected_or_returned_without_a_reason(
    enrolment_round, family, education_a, decide, reason
):
    user, _guardian, child = family
    application = submitted(user, enrolment_round, child)
    assert_service_wants_a_reason(
        lambda: decide(actor=education_a, application_id=application.pk, reason=reason)
    )
    application.case.refresh_from_db()
    assert application.case.status == Status.SUBMITTED
