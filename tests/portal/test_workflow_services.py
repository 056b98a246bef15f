"""The one application lifecycle: transitions, history, scoping, hooks and concurrency."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import timezone

from portal.calendar.selectors import add_working_days
from portal.errors import InvalidInput, NotEligible, NotFound, TransitionNotAllowed
from portal.workflow import services
from portal.workflow.models import Case, Status, Transition
from tests.portal.kinds import approved_cases
from tests.reasons import BLANK_REASONS, assert_service_wants_a_reason


@pytest.fixture
def draft(resident, district_a):
    return services.create_case(
        kind="test_kind", applicant=resident, district=district_a, actor=resident
    )


def test_create_case_gives_a_reference_and_a_draft(draft):
    assert draft.status == Status.DRAFT
    assert draft.reference.startswith("TST-")
    assert draft.department.code == "public_security"


def test_references_are_unique_and_sequential(resident, district_a):
    a = services.create_case(
        kind="test_kind", applicant=resident, district=district_a, actor=resident
    )
    b = services.create_case(
        kind="test_kind", applicant=resident, district=district_a, actor=resident
    )
    assert int(b.reference.rsplit("-", 1)[1]) == int(a.reference.rsplit("-", 1)[1]) + 1


def test_submit_sets_dates_and_records_history(draft, resident):
    case = services.submit_case(case_id=draft.pk, actor=resident)
    assert case.status == Status.SUBMITTED
    assert case.submitted_at is not None
    assert case.due_date == add_working_days(timezone.localdate(case.submitted_at), 10)
    steps = list(
        Transition.objects.filter(case=case).values_list("from_status", "to_status", "actor")
    )
    assert steps[-1] == (Status.DRAFT, Status.SUBMITTED, resident.pk)


def test_submit_hook_can_refuse_and_nothing_changes(resident, district_a):
    case = services.create_case(
        kind="test_kind",
        applicant=resident,
        district=district_a,
        subject="ineligible",
        actor=resident,
    )
    with pytest.raises(NotEligible):
        services.submit_case(case_id=case.pk, actor=resident)
    case.refresh_from_db()
    assert case.status == Status.DRAFT
    assert case.transitions.count() == 1


def test_reviewer_approves_and_hook_runs(draft, resident, police_a):
    services.submit_case(case_id=draft.pk, actor=resident)
    case = services.approve_case(case_id=draft.pk, actor=police_a)
    assert case.status == Status.APPROVED
    assert draft.pk in approved_cases
    # deciding a submitted case takes it up first: two history rows
    tos = list(case.transitions.values_list("to_status", flat=True))
    assert tos[-2:] == [Status.IN_REVIEW, Status.APPROVED]


def test_return_needs_a_reason_and_the_applicant_can_resubmit(draft, resident, police_a):
    services.submit_case(case_id=draft.pk, actor=resident)
    with pytest.raises(InvalidInput):
        services.return_case(case_id=draft.pk, actor=police_a, reason="  ")
    assert Case.objects.get(pk=draft.pk).status == Status.SUBMITTED
    services.return_case(case_id=draft.pk, actor=police_a, reason="照片不清晰")
    case = services.submit_case(case_id=draft.pk, actor=resident)
    assert case.status == Status.SUBMITTED
    assert case.last_reason == "照片不清晰"


@pytest.mark.parametrize("reason", BLANK_REASONS)
@pytest.mark.parametrize("decide", [services.reject_case, services.return_case])
def test_reject_and_return_refuse_a_blank_reason_and_change_nothing(
    draft, resident, police_a, decide, reason
):
    services.submit_case(case_id=draft.pk, actor=resident)
    assert_service_wants_a_reason(lambda: decide(case_id=draft.pk, actor=police_a, reason=reason))
    case = Case.objects.get(pk=draft.pk)
    assert (case.status, case.reviewer_id) == (Status.SUBMITTED, None)
    steps = list(case.transitions.order_by("at", "id").values_list("to_status", flat=True))
    assert steps == [Status.DRAFT, Status.SUBMITTED]


def test_reject_without_reason_is_impossible_in_the_database(draft):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=draft.pk).update(status=Status.REJECTED, last_reason="")


def test_reviewer_of_another_district_gets_not_found(draft, resident, police_b):
    services.submit_case(case_id=draft.pk, actor=resident)
    with pytest.raises(NotFound):
        services.approve_case(case_id=draft.pk, actor=police_b)


def test_reviewer_of_another_department_gets_not_found(draft, resident, housing_a):
    services.submit_case(case_id=draft.pk, actor=resident)
    with pytest.raises(NotFound):
        services.approve_case(case_id=draft.pk, actor=housing_a)


def test_another_resident_cannot_submit_or_withdraw(draft, other_resident):
    with pytest.raises(NotFound):
        services.submit_case(case_id=draft.pk, actor=other_resident)
    with pytest.raises(NotFound):
        services.withdraw_case(case_id=draft.pk, actor=other_resident)


def test_decided_case_cannot_be_decided_again(draft, resident, police_a):
    services.submit_case(case_id=draft.pk, actor=resident)
    services.reject_case(case_id=draft.pk, actor=police_a, reason="不符合条件")
    with pytest.raises(TransitionNotAllowed):
        services.approve_case(case_id=draft.pk, actor=police_a)


# The lifecycle as docs/architecture.md states it; every other pair is refused.
ALLOWED_MOVES = [
    ("draft", "submitted"),
    ("draft", "withdrawn"),
    ("submitted", "in_review"),
    ("submitted", "withdrawn"),
    ("in_review", "approved"),
    ("in_review", "rejected"),
    ("in_review", "returned"),
    ("returned", "submitted"),
    ("returned", "withdrawn"),
]


@pytest.mark.parametrize("source", list(Status))
@pytest.mark.parametrize("target", list(Status))
def test_transition_table(source, target):
    case = Case(status=source)
    assert case.can_move_to(target) == ((source, target) in ALLOWED_MOVES)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_reviewers_deciding_at_once_one_wins_the_other_gets_conflict(city, resident):
    from tests import factories

    district = city["districts"][0]
    first = factories.reviewer(department="public_security", districts=[district], username="p1")
    second = factories.reviewer(department="public_security", districts=[district], username="p2")
    case = services.create_case(
        kind="test_kind", applicant=resident, district=district, actor=resident
    )
    services.submit_case(case_id=case.pk, actor=resident)

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(actor, action):
        try:
            barrier.wait()
            if action == "approve":
                services.approve_case(case_id=case.pk, actor=actor)
            else:
                services.reject_case(case_id=case.pk, actor=actor, reason="材料不全")
            outcomes.append("ok")
        except TransitionNotAllowed:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(first, "approve")),
        threading.Thread(target=decide, args=(second, "reject")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["conflict", "ok"]
    case.refresh_from_db()
    assert case.status in (Status.APPROVED, Status.REJECTED)
    decisions = case.transitions.filter(to_status__in=[Status.APPROVED, Status.REJECTED])
    assert decisions.count() == 1
