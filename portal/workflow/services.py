"""The one application lifecycle: every state change of every kind goes through here.

Each transition locks the case row (select_for_update), checks that the move is in the
transition table and that the actor may make it, writes the new status and a history row,
runs the kind's hook inside the same transaction, and leaves side effects to on_commit.
Two reviewers deciding at once: the second waits for the first's lock, then finds the case
already decided and gets TransitionNotAllowed (409). Nothing is lost.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import Department, User
from portal.areas.models import Area
from portal.calendar.selectors import add_working_days
from portal.errors import InvalidInput, NotFound, TransitionNotAllowed
from portal.workflow import selectors
from portal.workflow.models import REASON_REQUIRED, Case, Counter, Status, Transition
from portal.workflow.registry import get_kind


def next_number(key: str) -> int:
    """Hand out the next number under `key`, gap-free and unique under concurrency.

    One upsert statement: concurrent callers queue on the counter row, each gets its own number.
    """
    table = Counter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, last) VALUES (%s, 1) "  # noqa: S608
            f"ON CONFLICT (key) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [key],
        )
        return cursor.fetchone()[0]


def create_case(
    *, kind: str, applicant: User, district: Area, subject: str = "", actor: User
) -> Case:
    """Open a draft case of a registered kind. Called by domain services inside their transaction."""
    spec = get_kind(kind)
    department = Department.objects.get(code=spec.department)
    now = timezone.now()
    year = timezone.localdate(now).year
    number = next_number(f"{spec.prefix}-{year}")
    case = Case.objects.create(
        kind=kind,
        reference=f"{spec.prefix}-{year}-{number:06d}",
        status=Status.DRAFT,
        department=department,
        district=district,
        applicant=applicant,
        subject=subject,
    )
    Transition.objects.create(
        case=case, from_status=Status.DRAFT, to_status=Status.DRAFT, actor=actor, at=now
    )
    return case


def _move(case: Case, *, to: str, actor: User | None, reason: str = "") -> Case:
    if not case.can_move_to(to):
        raise TransitionNotAllowed(
            _("This application is %(status)s and cannot be moved to %(target)s.")
            % {"status": case.get_status_display(), "target": Status(to).label}
        )
    reason = reason.strip()
    if to in REASON_REQUIRED and not reason:
        raise InvalidInput(
            _("Please give a reason."),
            code="reason_required",
            fields={"reason": [_("A reason is required.")]},
        )
    now = timezone.now()
    Transition.objects.create(
        case=case, from_status=case.status, to_status=to, actor=actor, reason=reason, at=now
    )
    case.status = to
    update = ["status"]
    if to == Status.SUBMITTED:
        case.submitted_at = now
        case.due_date = add_working_days(timezone.localdate(now), get_kind(case.kind).due_days)
        update += ["submitted_at", "due_date"]
    if to in (Status.APPROVED, Status.REJECTED, Status.RETURNED):
        case.decided_at = now
        update.append("decided_at")
    if reason:
        case.last_reason = reason
        update.append("last_reason")
    if to == Status.IN_REVIEW and actor is not None:
        case.reviewer = actor
        update.append("reviewer")
    case.save(update_fields=update)
    return case


def _lock_for_applicant(case_id: int, actor: User) -> Case:
    try:
        return selectors.cases_of_applicant(actor).select_for_update(of=("self",)).get(pk=case_id)
    except Case.DoesNotExist:
        raise NotFound() from None


def _lock_for_reviewer(case_id: int, actor: User) -> Case:
    try:
        return selectors.cases_reviewable_by(actor).select_for_update(of=("self",)).get(pk=case_id)
    except Case.DoesNotExist:
        raise NotFound() from None


def submit_case(*, case_id: int, actor: User) -> Case:
    """The applicant submits a draft, or resubmits a returned case with the missing material.

    The kind's on_submit hook checks eligibility and may refuse (NotEligible).
    """
    with transaction.atomic():
        case = _lock_for_applicant(case_id, actor)
        if not case.can_move_to(Status.SUBMITTED):
            raise TransitionNotAllowed()
        spec = get_kind(case.kind)
        if spec.on_submit:
            spec.on_submit(case=case, actor=actor)
        return _move(case, to=Status.SUBMITTED, actor=actor)


def withdraw_case(*, case_id: int, actor: User, reason: str = "") -> Case:
    """The applicant withdraws an application that has not been taken up for review."""
    with transaction.atomic():
        case = _lock_for_applicant(case_id, actor)
        case = _move(case, to=Status.WITHDRAWN, actor=actor, reason=reason)
        spec = get_kind(case.kind)
        if spec.on_withdraw:
            spec.on_withdraw(case=case, actor=actor)
        return case


def start_review(*, case_id: int, actor: User) -> Case:
    """A reviewer of the case's department and district takes it up (受理)."""
    with transaction.atomic():
        case = _lock_for_reviewer(case_id, actor)
        case = _move(case, to=Status.IN_REVIEW, actor=actor)
        spec = get_kind(case.kind)
        if spec.on_start_review:
            spec.on_start_review(case=case, actor=actor)
        return case


def _decide(case_id: int, *, actor: User, to: str, reason: str, hook_name: str) -> Case:
    with transaction.atomic():
        case = _lock_for_reviewer(case_id, actor)
        if case.status == Status.SUBMITTED:
            # Deciding a case nobody has taken up yet takes it up first: two history rows.
            _move(case, to=Status.IN_REVIEW, actor=actor)
        case = _move(case, to=to, actor=actor, reason=reason)
        hook = getattr(get_kind(case.kind), hook_name)
        if hook:
            hook(case=case, actor=actor)
        return case


def approve_case(*, case_id: int, actor: User, reason: str = "") -> Case:
    """Approve; the kind's on_approve hook does what approval means (issue the permit...)."""
    return _decide(case_id, actor=actor, to=Status.APPROVED, reason=reason, hook_name="on_approve")


def reject_case(*, case_id: int, actor: User, reason: str) -> Case:
    """Reject, with a reason the applicant will read."""
    return _decide(case_id, actor=actor, to=Status.REJECTED, reason=reason, hook_name="on_reject")


def return_case(*, case_id: int, actor: User, reason: str) -> Case:
    """Send back to the applicant, listing everything that is missing at once (一次性告知)."""
    return _decide(case_id, actor=actor, to=Status.RETURNED, reason=reason, hook_name="on_return")
