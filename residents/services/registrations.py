"""Residence registration (居住登记): declaring an address (人来申报), moving house, departure (人走注销).

A person has at most one current registration (a partial unique constraint). Registrations
of one person never overlap: a move ends the old registration on the new start date, in the
same transaction, so the periods touch and continuous residence is unbroken.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.accounts.models import Role, User
from portal.areas.models import Address
from portal.errors import InvalidInput, NotFound, TransitionNotAllowed
from portal.notices.services import notify_after_commit
from residents import selectors
from residents.models import Person, Reason, Registration, RegistrationVerification, Source
from residents.services import permits


def _lock_person_for_registration(actor: User, person_id: int) -> tuple[Person, str]:
    """The person, locked, and the source the actor registers them as; not found outside scope.

    A resident registers themselves and their dependants (source: self). A grid officer
    registers persons not registered anywhere or registered in their grids (source: grid officer).
    """
    person = (
        selectors.household_of(actor).select_for_update(of=("self",)).filter(pk=person_id).first()
    )
    if person is not None:
        return person, Source.SELF
    if actor.is_authenticated and actor.has_role(Role.GRID_OFFICER):
        person = Person.objects.select_for_update().filter(pk=person_id).first()
        if person is not None:
            current = Registration.objects.filter(person=person, end_date__isnull=True).first()
            if current is None or actor.grids.filter(pk=current.address.grid_id).exists():
                return person, Source.GRID_OFFICER
    raise NotFound()


def _date_and_reason_errors(
    person: Person, start_date: dt.date, reason: str, today: dt.date
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if start_date > today:
        errors["start_date"] = [_("The start date cannot be in the future.")]
    elif start_date < person.birth_date:
        errors["start_date"] = [_("The start date cannot be before the person's birth.")]
    if reason not in Reason.values:
        errors["reason"] = [_("Please choose a reason from the list.")]
    return errors


def _record(
    *,
    actor: User,
    person: Person,
    address: Address,
    start_date: dt.date,
    reason: str,
    source: str,
    moving: bool,
    today: dt.date,
) -> Registration:
    """Write a registration for the locked `person` under the rules every path shares.

    Refused: a second current registration when not moving; a move to the current address or
    one that does not start after the current registration; a start inside an earlier period.
    A move ends the current registration on `start_date`.
    A start date older than the declarer's window (RegistrationPolicy) is a late declaration:
    accepted, and counted for continuous residence from `today` until verified. A move from a
    current registration is never late in this sense: the person was registered here all
    along, so the run of residence it continues is not broken.
    """
    current = (
        Registration.objects.select_for_update()
        .select_related("address")
        .filter(person=person, end_date__isnull=True)
        .first()
    )
    late = current is None and start_date < selectors.declaration_window_start(source, on=today)
    if current is not None and not moving:
        message = _(
            "%(name)s is already registered at %(address)s since %(date)s. "
            "To move house, declare the new address as a move."
        ) % {
            "name": person.name,
            "address": current.address.text,
            "date": date_format(current.start_date),
        }
        raise InvalidInput(message, code="already_registered", fields={"address": [message]})
    if current is not None:
        if current.address_id == address.pk:
            message = _("This is already the current registered address.")
            raise InvalidInput(message, code="same_address", fields={"address": [message]})
        if start_date <= current.start_date:
            message = _("A move must start after the current registration (from %(date)s).") % {
                "date": date_format(current.start_date)
            }
            raise InvalidInput(message, fields={"start_date": [message]})
    last_end = Registration.objects.filter(person=person, end_date__isnull=False).aggregate(
        last=Max("end_date")
    )["last"]
    if last_end is not None and start_date < last_end:
        message = _("The start date falls inside an earlier registration (until %(date)s).") % {
            "date": date_format(last_end)
        }
        raise InvalidInput(message, fields={"start_date": [message]})

    if current is not None:
        current.end_date = start_date
        current.save(update_fields=["end_date"])
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                person=person,
                address=address,
                start_date=start_date,
                reason=reason,
                source=source,
                registered_by=actor,
                counted_from=today if late else None,
            )
    except IntegrityError:
        raise TransitionNotAllowed(
            _("This person's registration changed at the same time. Please try again.")
        ) from None

    if person.user_id and person.user_id != actor.pk:
        notify_after_commit(
            person.user,
            lambda: (
                _("Residence registered"),
                _("You are registered at %(address)s from %(date)s.")
                % {"address": address.text, "date": date_format(start_date)},
            ),
            link=reverse("residents:registrations"),
        )
    return registration


def register_residence(
    *,
    actor: User,
    person_id: int,
    address_id: int,
    start_date: dt.date,
    reason: str,
    moving: bool = False,
) -> Registration:
    """Declare where a person lives from `start_date` (居住登记), or declare a move (`moving=True`).

    Refused: a start date in the future or before the person's birth; a reason not in the
    list; a second current registration when not moving; a move that does not start after the
    current registration; a start inside an earlier registration period. A start older than
    the declaration window is accepted as late (Registration.is_late).
    Concurrency: the person row is locked, so two declarations for one person run one after
    the other and the second sees the first.
    """
    today = timezone.localdate()
    with transaction.atomic():
        person, source = _lock_person_for_registration(actor, person_id)
        errors = _date_and_reason_errors(person, start_date, reason, today)
        address = Address.objects.select_related("grid").filter(pk=address_id).first()
        if address is None:
            errors["address"] = [_("Please choose a standard address from the list.")]
        elif source == Source.GRID_OFFICER and not actor.grids.filter(pk=address.grid_id).exists():
            errors["address"] = [_("You can only register addresses in your own grids.")]
        if errors:
            raise InvalidInput(fields=errors)
        return _record(
            actor=actor,
            person=person,
            address=address,
            start_date=start_date,
            reason=reason,
            source=source,
            moving=moving,
            today=today,
        )


def record_declared_residence(
    *,
    actor: User,
    person_id: int,
    address: Address,
    start_date: dt.date,
    reason: str,
    source: str,
) -> Registration:
    """A declaration by whoever houses the person (以房管人): a landlord, an employer's dormitory.

    The calling service has already checked the declarer's right to declare at `address` (the
    landlord's approved home). The rules are register_residence's; a current registration at
    the same address is kept as it is, and one elsewhere ends on `start_date` (a move).
    """
    today = timezone.localdate()
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person_id)
        errors = _date_and_reason_errors(person, start_date, reason, today)
        if errors:
            raise InvalidInput(fields=errors)
        current = Registration.objects.filter(
            person=person, address=address, end_date__isnull=True
        ).first()
        if current is not None:
            return current
        return _record(
            actor=actor,
            person=person,
            address=address,
            start_date=start_date,
            reason=reason,
            source=source,
            moving=True,
            today=today,
        )


def end_declared_residence(
    *, actor: User, registration_id: int, end_date: dt.date, reason: str
) -> Registration:
    """The declarer records the departure (人走注销) of a registration it declared.

    The calling service has checked the declarer's right (the landlord's own tenancy). A
    registration that already ended (the person moved on) is left as it is; otherwise it ends
    on `end_date` and the person's valid permit is cancelled in the same transaction.
    """
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update()
            .select_related("person")
            .get(pk=registration_id)
        )
        if registration.end_date is not None:
            return registration
        registration.end_date = end_date
        registration.save(update_fields=["end_date"])
        permits.cancel_permits_of(
            person=registration.person, actor=actor, on=end_date, reason=reason
        )
        return registration


def end_registration(
    *, actor: User, registration_id: int, end_date: dt.date, reason: str = ""
) -> Registration:
    """Departure (人走注销): end the current registration on `end_date`.

    The person's valid residence permit is cancelled in the same transaction: a permit rests
    on a current registration (居住证暂行条例 art. 2). Ending a registration twice is refused.
    A resident departs themselves and their dependants; a grid officer departs persons
    registered in their grids.
    """
    today = timezone.localdate()
    with transaction.atomic():
        registration = (
            selectors.registrations_managed_by(actor)
            .select_for_update(of=("self",))
            .select_related("person__user")
            .filter(pk=registration_id)
            .first()
        )
        if registration is None:
            raise NotFound()
        if registration.end_date is not None:
            raise TransitionNotAllowed(_("This registration has already ended."))
        if end_date > today:
            message = _("The end date cannot be in the future.")
            raise InvalidInput(message, fields={"end_date": [message]})
        if end_date < registration.start_date:
            message = _("The end date cannot be before the registration started (%(date)s).") % {
                "date": date_format(registration.start_date)
            }
            raise InvalidInput(message, fields={"end_date": [message]})
        registration.end_date = end_date
        registration.save(update_fields=["end_date"])
        permits.cancel_permits_of(
            person=registration.person,
            actor=actor,
            on=end_date,
            reason=reason.strip() or _("Departure: residence registration ended."),
        )
        person = registration.person
        if person.user_id and person.user_id != actor.pk:
            notify_after_commit(
                person.user,
                lambda: (
                    _("Residence registration ended"),
                    _("Your registration at %(address)s ended on %(date)s.")
                    % {"address": registration.address.text, "date": date_format(end_date)},
                ),
                link=reverse("residents:registrations"),
            )
        return registration


def verify_registration_start(*, actor: User, registration_id: int, evidence: str) -> Registration:
    """Staff or a grid officer confirm a late declaration's start date with evidence.

    From then on continuous residence counts from the start date; the verification (who,
    when, the evidence, the date counted before) is kept as a history row. Refused: no
    evidence; a registration that is not an unverified late declaration. Outside the
    verifier's grids or districts: not found. Concurrency: the registration row is locked.
    """
    with transaction.atomic():
        registration = (
            selectors.registrations_verifiable_by(actor)
            .select_for_update(of=("self",))
            .filter(pk=registration_id)
            .first()
        )
        if registration is None:
            raise NotFound()
        if not registration.is_late:
            raise TransitionNotAllowed(_("This registration already counts from its start date."))
        evidence = (evidence or "").strip()
        if not evidence:
            message = _("Please describe the evidence of the earlier start date.")
            raise InvalidInput(message, fields={"evidence": [message]})
        RegistrationVerification.objects.create(
            registration=registration,
            counted_from_before=registration.counted_from,
            evidence=evidence,
            verified_by=actor,
            at=timezone.now(),
        )
        registration.counted_from = None
        registration.save(update_fields=["counted_from"])
        person = registration.person
        if person.user_id and person.user_id != actor.pk:
            notify_after_commit(
                person.user,
                lambda: (
                    _("Registration start date verified"),
                    _("Your residence at %(address)s now counts from %(date)s.")
                    % {
                        "address": registration.address.text,
                        "date": date_format(registration.start_date),
                    },
                ),
                link=reverse("residents:registrations"),
            )
        return registration
