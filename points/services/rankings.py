"""Ranking lists (公示): publishing a round's ranking, objections, making it final.

The points office (reviewers of human resources or the new-resident service centre) publishes
the ranking of a service's round: every complete application of that service accepted in the
round's window whose score is eligible, in points.ordering's order: total, then the service's
tie-breaks as the rule set declares them (sub-scores; the time of application only where the
rules name it); lines the rules cannot tell apart share a rank. Names and ID numbers are masked. The list
stays open to objections for the service's working days (5; public rental housing 20;
docs/domain.md "Ranking publication"); the person ranked may object in that window; the
office answers, and makes the list final once the window has passed and every objection is
answered.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from points import ordering, selectors, spec
from points.models import (
    ApplicationStatus,
    Objection,
    PointsApplication,
    RankingEntry,
    RankingList,
    RankingStatus,
    Score,
    ServiceRule,
)
from portal.accounts.models import User
from portal.calendar.selectors import add_working_days
from portal.errors import InvalidInput, NotAllowed, NotEligible, NotFound, TransitionNotAllowed
from residents import selectors as resident_selectors


def _require_office(actor: User) -> None:
    if not selectors.is_points_office(actor):
        raise NotAllowed()


def publish_ranking(
    *,
    actor: User,
    service: str,
    round_name: str,
    applications_from: dt.date,
    applications_until: dt.date,
) -> RankingList:
    """Publish the ranking of a round under the rules in force (see the module doc)."""
    _require_office(actor)
    round_name = round_name.strip()
    if not round_name:
        raise InvalidInput(fields={"round_name": [_("Please name the round.")]})
    if applications_until < applications_from:
        message = _("The window ends before it starts.")
        raise InvalidInput(message, fields={"applications_until": [message]})
    rule_set = selectors.rule_set_in_force()
    if rule_set is None:
        raise NotEligible(_("There are no points rules in force."), code="no_rules")
    service_rule = ServiceRule.objects.filter(rule_set=rule_set, service=service).first()
    if service_rule is None:
        message = _("The rules in force do not score this service.")
        raise InvalidInput(message, fields={"service": [message]})
    tie_break = spec.compiled(rule_set).service(service).tie_break
    now = timezone.now()
    with transaction.atomic():
        applications = PointsApplication.objects.filter(
            service=service,
            status=ApplicationStatus.COMPLETED,
            submitted_at__date__gte=applications_from,
            submitted_at__date__lte=applications_until,
        ).select_related("person")
        scores = {
            score.person_id: score
            for score in Score.objects.filter(
                rule_set=rule_set,
                is_current=True,
                person__in=[a.person_id for a in applications],
            )
        }
        candidates = []
        lines = {}
        for application in applications:
            score = scores.get(application.person_id)
            if score is None:
                continue
            row = score.data["services"].get(service)
            if row is None or not row[3]:  # not eligible
                continue
            tie = ordering.tie_values(score.data.get("sub"), tie_break)
            candidates.append(
                (
                    application.pk,
                    row[0],
                    tie,
                    ordering.applied_at_if_named(application.submitted_at, tie_break),
                    "",
                )
            )
            lines[application.pk] = (application, score, row[0], list(tie), row[4])
        try:
            with transaction.atomic():
                ranking = RankingList.objects.create(
                    rule_set=rule_set,
                    service=service,
                    round_name=round_name,
                    applications_from=applications_from,
                    applications_until=applications_until,
                    published_at=now,
                    objection_until=add_working_days(
                        timezone.localdate(now), service_rule.objection_working_days
                    ),
                    published_by=actor,
                )
        except IntegrityError:
            message = _("This round has already been published.")
            raise InvalidInput(
                message, code="duplicate", fields={"round_name": [message]}
            ) from None
        RankingEntry.objects.bulk_create(
            RankingEntry(
                ranking=ranking,
                rank=rank,
                person_id=application.person_id,
                application=application,
                score=score,
                name_masked=resident_selectors.mask_name(application.person.name),
                id_masked=application.person.id_masked,
                total=total,
                tie_keys=tie,
                applied_at=application.submitted_at,
                passed=passed,
            )
            for candidate, rank in ordering.ranks(candidates)
            for application, score, total, tie, passed in [lines[candidate[0]]]
        )
        return ranking


def raise_objection(*, actor: User, entry_id: int, text: str) -> Objection:
    """The person ranked objects to their line while the list is open to objections."""
    text = text.strip()
    if not text:
        message = _("Please say what is wrong.")
        raise InvalidInput(message, fields={"text": [message]})
    with transaction.atomic():
        entry = (
            selectors.own_ranking_entries(actor)
            .select_for_update(of=("self",))
            .filter(pk=entry_id)
            .first()
        )
        if entry is None:
            raise NotFound()
        ranking = entry.ranking
        if (
            ranking.status != RankingStatus.PUBLISHED
            or timezone.localdate() > ranking.objection_until
        ):
            raise TransitionNotAllowed(_("The time for objections has passed."))
        return Objection.objects.create(
            entry=entry, raised_by=actor, text=text, raised_at=timezone.now()
        )


def answer_objection(*, actor: User, objection_id: int, answer: str) -> Objection:
    """The points office answers an objection (once)."""
    _require_office(actor)
    answer = answer.strip()
    if not answer:
        message = _("Please write the answer.")
        raise InvalidInput(message, fields={"answer": [message]})
    with transaction.atomic():
        objection = Objection.objects.select_for_update().filter(pk=objection_id).first()
        if objection is None:
            raise NotFound()
        if objection.answered_at is not None:
            raise TransitionNotAllowed(_("This objection has already been answered."))
        objection.answer = answer
        objection.answered_by = actor
        objection.answered_at = timezone.now()
        objection.save(update_fields=["answer", "answered_by", "answered_at"])
        return objection


def finalise_ranking(*, actor: User, ranking_id: int) -> RankingList:
    """Make a list final once its objection window has passed and every objection is answered."""
    _require_office(actor)
    with transaction.atomic():
        ranking = RankingList.objects.select_for_update().filter(pk=ranking_id).first()
        if ranking is None:
            raise NotFound()
        if ranking.status != RankingStatus.PUBLISHED:
            raise TransitionNotAllowed(_("This list is already final."))
        if timezone.localdate() <= ranking.objection_until:
            raise TransitionNotAllowed(
                _("The list is open to objections until %(date)s.")
                % {"date": ranking.objection_until.isoformat()}
            )
        if Objection.objects.filter(entry__ranking=ranking, answered_at__isnull=True).exists():
            raise TransitionNotAllowed(_("Every objection must be answered first."))
        ranking.status = RankingStatus.FINAL
        ranking.finalised_at = timezone.now()
        ranking.save(update_fields=["status", "finalised_at"])
        return ranking
