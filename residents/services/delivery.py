"""Card delivery by courier (网上申领、快递送达): the applicant's choice, then printed > handed
to the courier > delivered | returned, moved by public security staff or by the courier's
signed callback, each step a history row and a notice to the applicant."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.errors import InvalidInput, NotEligible, NotFound, TransitionNotAllowed
from portal.notices.services import notify_after_commit
from portal.workflow.models import Status
from residents import selectors
from residents.models import (
    CardDelivery,
    CardDeliveryEvent,
    CourierNonce,
    DeliveryChoice,
    DeliveryMethod,
    DeliverySource,
    DeliveryStatus,
)
from residents.services.permits import EDITABLE


def choose_delivery(
    *, actor: User, application_id: int, method: str, address: str = "", phone: str = ""
) -> DeliveryChoice:
    """Record how the applicant wants the card: pick-up, or courier to an address and phone.

    Changeable while the application is a draft or returned; every missing item named at once.
    """
    with transaction.atomic():
        application = (
            selectors.permit_applications_of(actor)
            .select_for_update(of=("self",))
            .filter(pk=application_id)
            .first()
        )
        if application is None:
            raise NotFound()
        if application.case.status not in EDITABLE:
            raise TransitionNotAllowed(
                _("The way to receive the card can only change before the application is sent.")
            )
        address, phone = address.strip(), phone.strip()
        problems: dict[str, list[str]] = {}
        if method not in DeliveryMethod.values:
            problems["method"] = [_("Choose pick-up or delivery by courier.")]
        elif method == DeliveryMethod.COURIER:
            if not address:
                problems["address"] = [_("Enter the address the courier delivers to.")]
            if not phone:
                problems["phone"] = [_("Enter a phone number the courier can call.")]
        if problems:
            raise InvalidInput(_("Please correct the delivery details."), fields=problems)
        if method == DeliveryMethod.PICKUP:
            address = phone = ""
        choice, _created = DeliveryChoice.objects.update_or_create(
            application=application,
            defaults={"method": method, "address": address, "phone": phone},
        )
        return choice


def _notify(delivery: CardDelivery, status: str, waybill: str) -> None:
    applicant = delivery.application.case.applicant
    reference = delivery.application.case.reference
    link = reverse("residents:permit", args=[delivery.permit_id])

    def message() -> tuple[str, str]:
        label = DeliveryStatus(status).label
        body = _("Card of %(reference)s: %(status)s.") % {"reference": reference, "status": label}
        if waybill:
            body += " " + _("Waybill: %(waybill)s") % {"waybill": waybill}
        return _("Residence permit card: %(status)s") % {"status": label}, body

    notify_after_commit(applicant, message, link=link)


def _record(
    delivery: CardDelivery,
    *,
    from_status: str,
    actor: User | None,
    source: str,
    reason: str,
    at: dt.datetime,
) -> None:
    CardDeliveryEvent.objects.create(
        delivery=delivery,
        from_status=from_status,
        to_status=delivery.status,
        source=source,
        actor=actor,
        waybill=delivery.waybill,
        reason=reason,
        at=at,
    )
    _notify(delivery, delivery.status, delivery.waybill)


def start_card_delivery(*, actor: User, permit_id: int) -> CardDelivery:
    """Public security of the permit's district records the card printed for a courier delivery.

    Only for an approved application whose applicant chose the courier; once per application.
    """
    with transaction.atomic():
        permit = selectors.permits_for_delivery_by(actor).filter(pk=permit_id).first()
        if permit is None:
            raise NotFound()
        application = permit.application
        choice = DeliveryChoice.objects.filter(application=application).first()
        if choice is None or choice.method != DeliveryMethod.COURIER:
            raise NotEligible(_("The applicant chose to pick the card up at the counter."))
        if application.case.status != Status.APPROVED:
            raise TransitionNotAllowed(_("Only the card of an approved application is sent."))
        try:
            with transaction.atomic():
                delivery = CardDelivery.objects.create(
                    application=application,
                    permit=permit,
                    status=DeliveryStatus.PRINTED,
                    address=choice.address,
                    phone=choice.phone,
                )
        except IntegrityError:
            raise TransitionNotAllowed(_("This card's delivery has already started.")) from None
        _record(
            delivery,
            from_status="",
            actor=actor,
            source=DeliverySource.STAFF,
            reason="",
            at=timezone.now(),
        )
        return delivery


def _move(
    delivery: CardDelivery,
    *,
    to_status: str,
    waybill: str,
    reason: str,
    actor: User | None,
    source: str,
    at: dt.datetime,
) -> CardDelivery:
    if to_status not in DeliveryStatus.values or not delivery.can_move_to(to_status):
        raise TransitionNotAllowed(
            _("A delivery that is “%(status)s” cannot become “%(to)s”.")
            % {
                "status": DeliveryStatus(delivery.status).label,
                "to": DeliveryStatus(to_status).label
                if to_status in DeliveryStatus.values
                else to_status,
            }
        )
    waybill, reason = waybill.strip(), reason.strip()
    problems: dict[str, list[str]] = {}
    if to_status == DeliveryStatus.HANDED_OVER and not waybill:
        problems["waybill"] = [_("Enter the courier's waybill number.")]
    if to_status == DeliveryStatus.RETURNED and not reason:
        problems["reason"] = [_("Say why the card came back.")]
    if problems:
        raise InvalidInput(_("Please correct the delivery step."), fields=problems)
    if (
        to_status == DeliveryStatus.HANDED_OVER
        and CardDelivery.objects.filter(waybill=waybill).exclude(pk=delivery.pk).exists()
    ):
        raise InvalidInput(
            _("Please correct the delivery step."),
            fields={"waybill": [_("This waybill number is already used for another card.")]},
        )
    from_status = delivery.status
    delivery.status = to_status
    if waybill:
        delivery.waybill = waybill
    delivery.save(update_fields=["status", "waybill", "updated_at"])
    _record(delivery, from_status=from_status, actor=actor, source=source, reason=reason, at=at)
    return delivery


def move_card_delivery(
    *, actor: User, delivery_id: int, to_status: str, waybill: str = "", reason: str = ""
) -> CardDelivery:
    """Staff of the permit's district move the delivery one step (handing over needs the waybill;
    a return needs its reason)."""
    with transaction.atomic():
        delivery = (
            selectors.deliveries_managed_by(actor)
            .select_for_update(of=("self",))
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            raise NotFound()
        return _move(
            delivery,
            to_status=to_status,
            waybill=waybill,
            reason=reason,
            actor=actor,
            source=DeliverySource.STAFF,
            at=timezone.now(),
        )


def record_courier_update(*, waybill: str, to_status: str, reason: str, nonce: str) -> CardDelivery:
    """A courier's signed callback (checked by the caller: residents.courier_signing) moves the
    delivery with this waybill to delivered or returned. A nonce seen before is a replay: refused,
    and nothing is written."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                CourierNonce.objects.create(nonce=nonce, received_at=timezone.now())
        except IntegrityError:
            raise TransitionNotAllowed(
                _("This callback was already received (replay)."), code="replay"
            ) from None
        delivery = (
            CardDelivery.objects.select_for_update()
            .select_related("application__case")
            .filter(waybill=waybill.strip())
            .first()
            if waybill.strip()
            else None
        )
        if delivery is None:
            raise NotFound(_("No card is on its way with this waybill number."))
        if to_status not in (DeliveryStatus.DELIVERED, DeliveryStatus.RETURNED):
            raise InvalidInput(
                _("A courier reports a card delivered or returned."),
                fields={"status": [_("Use delivered or returned.")]},
            )
        return _move(
            delivery,
            to_status=to_status,
            waybill="",
            reason=reason,
            actor=None,
            source=DeliverySource.COURIER,
            at=timezone.now(),
        )
