"""Answering offers, and passing a seat given up to the next child on that school's waiting list.

A family accepts or declines an offer by its deadline. Accepting a seat gives up every other
seat the child holds (an earlier offer at a school ranked lower): each passes on. A declined,
lapsed or given-up seat passes, with its seat number, to the first child on the school's
waiting list (schooling.selectors.waiting_list): the school's order among the children who
listed it and hold nothing they ranked as high. If nobody is waiting the seat stays free for
the second round.

Concurrency: every answer locks the child's application row first, then the rows of the
schools whose seats move, in id order (FOR NO KEY UPDATE, which does not block the foreign-key
checks of new offers). Two answers for one child queue on the application; two seats passing
at one school queue on its row, and the second sees the first's offer. A seat is never held by
two live offers: the partial unique constraint offer_one_live_holder_per_seat is the last line
of defence.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.errors import NotFound, TransitionNotAllowed
from portal.notices.services import notify_after_commit
from schooling import selectors
from schooling.models import (
    EnrolmentApplication,
    Offer,
    OfferEvent,
    OfferPhase,
    OfferStatus,
    RoundSchool,
    RoundStatus,
)

ANSWERING_STATUSES = frozenset({RoundStatus.ALLOCATED, RoundStatus.COMPLETED})


def _offers_link() -> str:
    return reverse("schooling:offers")


def _move(offer: Offer, *, to: str, actor: User | None, reason: str = "") -> Offer:
    if not offer.can_move_to(to):
        raise TransitionNotAllowed(
            _("This offer is %(status)s and cannot be changed that way.")
            % {"status": offer.get_status_display()}
        )
    now = timezone.now()
    OfferEvent.objects.create(
        offer=offer, from_status=offer.status, to_status=to, actor=actor, reason=reason, at=now
    )
    offer.status = to
    if offer.answered_at is None:
        offer.answered_at = now
    offer.save(update_fields=["status", "answered_at"])
    return offer


def _lock_places(ids: set[int]) -> dict[int, RoundSchool]:
    places = (
        RoundSchool.objects.select_for_update(of=("self",), no_key=True)
        .select_related("round", "school")
        .filter(pk__in=sorted(ids))
        .order_by("pk")
    )
    return {p.pk: p for p in places}


def pass_on(place: RoundSchool, seat_no: int, *, today: dt.date) -> Offer | None:
    """Offer a freed seat to the first child on the school's waiting list; None if nobody waits.

    The caller holds the lock on `place`. The deadline is the round's offer deadline, or
    `answer_days` from today when that is later.
    """
    enrolment_round = place.round
    if enrolment_round.status not in ANSWERING_STATUSES:
        return None
    candidate = selectors.waiting_list(place, on=today).first()
    if candidate is None:
        return None
    deadline = max(
        enrolment_round.offer_deadline, today + dt.timedelta(days=enrolment_round.answer_days)
    )
    offer = Offer.objects.create(
        round=enrolment_round,
        application_id=candidate.application_id,
        place=place,
        seat_no=seat_no,
        phase=OfferPhase.WAITING_LIST,
        status=OfferStatus.OFFERED,
        offered_at=timezone.now(),
        deadline=deadline,
    )
    application = candidate.application
    school = place.school.display_name
    notify_after_commit(
        application.case.applicant,
        lambda: (
            _("A seat has become free: %(school)s") % {"school": school},
            _(
                "A seat at %(school)s, which you ranked number %(rank)s, is offered. Answer by %(date)s."
            )
            % {"school": school, "rank": candidate.rank, "date": date_format(deadline)},
        ),
        link=_offers_link(),
    )
    return offer


def _lock_offer(actor: User, offer_id: int) -> tuple[EnrolmentApplication, Offer]:
    offer = selectors.offers_of(actor).filter(pk=offer_id).first()
    if offer is None:
        raise NotFound()
    application = (
        EnrolmentApplication.objects.select_for_update(of=("self",), no_key=True)
        .select_related("case")
        .get(pk=offer.application_id)
    )
    offer = (
        Offer.objects.select_for_update(of=("self",), no_key=True)
        .select_related("round")
        .get(pk=offer_id)
    )
    if offer.round.status not in ANSWERING_STATUSES:
        raise TransitionNotAllowed(_("Offers of this round can no longer be answered."))
    return application, offer


def accept_offer(*, actor: User, offer_id: int) -> Offer:
    """Accept a seat by its deadline; any other seat the child holds is given up and passes on."""
    today = timezone.localdate()
    with transaction.atomic():
        application, offer = _lock_offer(actor, offer_id)
        if offer.status != OfferStatus.OFFERED:
            raise TransitionNotAllowed(
                _("This offer is %(status)s and cannot be accepted.")
                % {"status": offer.get_status_display()}
            )
        if today > offer.deadline:
            raise TransitionNotAllowed(
                _("The deadline to answer this offer was %(date)s.")
                % {"date": date_format(offer.deadline)}
            )
        others = list(
            Offer.objects.select_for_update(of=("self",), no_key=True)
            .filter(application=application, status__in=[OfferStatus.OFFERED, OfferStatus.ACCEPTED])
            .exclude(pk=offer.pk)
        )
        places = _lock_places({o.place_id for o in others})
        _move(offer, to=OfferStatus.ACCEPTED, actor=actor)
        for other in others:
            _move(other, to=OfferStatus.RELEASED, actor=actor, reason="accepted another seat")
            pass_on(places[other.place_id], other.seat_no, today=today)
        return offer


def decline_offer(*, actor: User, offer_id: int) -> Offer:
    """Decline an offered seat; it passes to the next child on the school's waiting list."""
    today = timezone.localdate()
    with transaction.atomic():
        _application, offer = _lock_offer(actor, offer_id)
        if offer.status != OfferStatus.OFFERED:
            raise TransitionNotAllowed(
                _("This offer is %(status)s and cannot be declined.")
                % {"status": offer.get_status_display()}
            )
        place = _lock_places({offer.place_id})[offer.place_id]
        _move(offer, to=OfferStatus.DECLINED, actor=actor)
        pass_on(place, offer.seat_no, today=today)
        return offer


def expire_offer(*, offer_id: int, on: dt.date) -> Offer | None:
    """Let one unanswered offer past its deadline lapse and pass its seat on; None if answered since."""
    with transaction.atomic():
        offer = Offer.objects.filter(pk=offer_id).values("application_id").first()
        if offer is None:
            return None
        EnrolmentApplication.objects.select_for_update(of=("self",), no_key=True).filter(
            pk=offer["application_id"]
        ).first()
        offer = (
            Offer.objects.select_for_update(of=("self",), no_key=True)
            .select_related("round", "application__case", "place__school")
            .get(pk=offer_id)
        )
        if offer.status != OfferStatus.OFFERED or offer.deadline >= on:
            return None
        place = _lock_places({offer.place_id})[offer.place_id]
        _move(offer, to=OfferStatus.EXPIRED, actor=None, reason="deadline passed")
        school = offer.place.school.display_name
        notify_after_commit(
            offer.application.case.applicant,
            lambda: (
                _("Offer lapsed: %(school)s") % {"school": school},
                _("The seat was not accepted by the deadline and has passed to the waiting list."),
            ),
            link=_offers_link(),
        )
        pass_on(place, offer.seat_no, today=on)
        return offer


def expire_offers(*, on: dt.date | None = None) -> int:
    """Let every unanswered offer past its deadline lapse, one transaction each; safe to run twice."""
    day = on or timezone.localdate()
    due = list(
        Offer.objects.filter(
            status=OfferStatus.OFFERED,
            deadline__lt=day,
            round__status__in=sorted(ANSWERING_STATUSES),
        )
        .order_by("deadline", "id")
        .values_list("pk", flat=True)
    )
    return sum(1 for offer_id in due if expire_offer(offer_id=offer_id, on=day) is not None)
