"""Publishing an enrolment round, and telling families the result of its draw."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.errors import NotEligible, NotFound, TransitionNotAllowed
from portal.notices import services as notice_services
from schooling import selectors
from schooling.models import (
    EnrolmentApplication,
    EnrolmentRound,
    Offer,
    OfferPhase,
    RoundStatus,
    unknown_tie_breaks,
)


def open_round(*, actor: User, round_id: int) -> EnrolmentRound:
    """Publish a round prepared in the admin: families can see it and apply in its window.

    Needs at least one school with seats, schools of the round's stage only, and a tie-break
    chain the draw understands.
    """
    with transaction.atomic():
        enrolment_round = (
            selectors.rounds_managed_by(actor)
            .select_for_update(of=("self",))
            .filter(pk=round_id)
            .first()
        )
        if enrolment_round is None:
            raise NotFound()
        if not enrolment_round.can_move_to(RoundStatus.OPEN):
            raise TransitionNotAllowed(_("Only a round being prepared can be opened."))
        places = enrolment_round.schools.select_related("school")
        if not any(p.seats > 0 for p in places):
            raise NotEligible(_("Give at least one school seats before opening the round."))
        wrong = [p.school.name for p in places if p.school.stage != enrolment_round.stage]
        if wrong:
            raise NotEligible(
                _("These schools are not of the round's stage: %(names)s.")
                % {"names": "、".join(wrong)}
            )
        unknown = unknown_tie_breaks(list(enrolment_round.tie_breaks))
        if unknown:
            raise NotEligible(
                _("Unknown tie-breaks: %(names)s.") % {"names": ", ".join(unknown)},
                code="tie_breaks",
            )
        enrolment_round.status = RoundStatus.OPEN
        enrolment_round.save(update_fields=["status"])
        return enrolment_round


def send_round_results(*, round_id: int) -> int:
    """Tell every family of the draw where their child was placed, once (claimed by a timestamp).

    Returns how many notices were sent; a second run sends none.
    """
    claimed = EnrolmentRound.objects.filter(
        pk=round_id,
        results_notified_at__isnull=True,
        status__in=[RoundStatus.ALLOCATED, RoundStatus.COMPLETED, RoundStatus.CLOSED],
    ).update(results_notified_at=timezone.now())
    if not claimed:
        return 0
    enrolment_round = EnrolmentRound.objects.get(pk=round_id)
    placed = dict(
        Offer.objects.filter(round=enrolment_round, phase=OfferPhase.FIRST).values_list(
            "application_id", "place__school__name"
        )
    )
    sent = 0
    applications = (
        EnrolmentApplication.objects.filter(round=enrolment_round, draw__isnull=False)
        .select_related("case__applicant", "child")
        .order_by("pk")
    )
    with translation.override(settings.LANGUAGE_CODE):
        for application in applications.iterator(chunk_size=2000):
            school = placed.get(application.pk)
            if school:
                body = _(
                    "%(name)s has been offered a seat at %(school)s. Please answer the offer."
                ) % {
                    "name": application.child.name,
                    "school": school,
                }
            else:
                body = _(
                    "%(name)s could not be placed at the schools listed. The results page explains "
                    "why; a second round will offer remaining seats in your district."
                ) % {"name": application.child.name}
            notice_services.notify(
                user=application.case.applicant,
                title=_("School place results: %(round)s") % {"round": enrolment_round.name},
                body=body,
                link=reverse("schooling:application", args=[application.pk]),
            )
            sent += 1
    return sent
