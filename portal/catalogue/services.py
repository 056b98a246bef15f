"""Ratings of decided cases (好差评) and the rectification of poor ones."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.catalogue import selectors
from portal.catalogue.models import (
    POOR_RATINGS,
    Rating,
    RatingLevel,
    Rectification,
    RectificationStatus,
)
from portal.catalogue.rules import rectification_due
from portal.errors import InvalidInput, NotFound, TransitionNotAllowed

MAX_TEXT = 2000


def rate_case(*, actor: User, case_id: int, level: int, comment: str = "") -> Rating:
    """The applicant rates their decided case once, on five levels, with an optional comment.

    A rating of 不满意 or 非常不满意 opens a rectification task for the deciding department,
    due after the rating policy's days (portal.catalogue.rules.rectification_due). Someone else's
    case, or one not yet decided, is a 404. The case row is locked, so two ratings sent at once
    leave one; the second is refused (409).
    """
    problems: dict[str, list[str]] = {}
    if level not in RatingLevel.values:
        problems["level"] = [_("Please choose one of the five ratings.")]
    comment = comment.strip()
    if len(comment) > MAX_TEXT:
        problems["comment"] = [
            _("Please keep the comment to %(count)s characters.") % {"count": MAX_TEXT}
        ]
    if problems:
        raise InvalidInput(fields=problems)
    with transaction.atomic():
        case = (
            selectors.decided_case_of_applicant(actor, case_id)
            .select_for_update(of=("self",))
            .first()
        )
        if case is None:
            raise NotFound
        if Rating.objects.filter(case=case).exists():
            raise TransitionNotAllowed(_("You have already rated this application."))
        now = timezone.now()
        rating = Rating.objects.create(
            case=case,
            level=level,
            comment=comment,
            department_id=case.department_id,
            kind=case.kind,
            rated_by=actor,
            rated_at=now,
        )
        if level in POOR_RATINGS:
            Rectification.objects.create(
                rating=rating,
                department_id=case.department_id,
                due_date=rectification_due(timezone.localdate(now)),
            )
    return rating


def answer_rectification(*, actor: User, rectification_id: int, answer: str) -> Rectification:
    """The deciding department answers a poor rating; the applicant then sees the answer.

    Only a reviewer of that department reaches the task (404 otherwise); an answered task is
    not answered again (409). The row is locked so two answers at once leave one.
    """
    answer = answer.strip()
    if not answer:
        raise InvalidInput(fields={"answer": [_("Please write the answer to the applicant.")]})
    if len(answer) > MAX_TEXT:
        raise InvalidInput(
            fields={
                "answer": [
                    _("Please keep the answer to %(count)s characters.") % {"count": MAX_TEXT}
                ]
            }
        )
    with transaction.atomic():
        task = (
            selectors.rectifications_of_department(actor)
            .select_for_update(of=("self",))
            .filter(pk=rectification_id)
            .first()
        )
        if task is None:
            raise NotFound
        if task.status != RectificationStatus.OPEN:
            raise TransitionNotAllowed(_("This rating has already been answered."))
        task.status = RectificationStatus.ANSWERED
        task.answer = answer
        task.answered_by = actor
        task.answered_at = timezone.now()
        task.save(update_fields=["status", "answer", "answered_by", "answered_at"])
    return task
