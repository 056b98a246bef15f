"""The residence-registry writes a landlord's declaration makes (以房管人: 人来申报、人走注销).

A tenant declared by a landlord is registered at the home's address with source "landlord";
a tenant who leaves has that registration ended. The rules are those of
residents.services.registrations (register_residence, end_registration): one current
registration per person, no start in the future or before birth, none inside an earlier
registration period, a move ends the old registration on the day the new one starts (so
residence stays continuous), and a departure cancels the person's residence permit.

Registrations go through residents' declared-residence services, which keep those rules in
one place; this module checks the tenant's details and finds or creates the person by the
keyed hash of their ID number.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.areas.models import Address
from portal.errors import InvalidInput
from residents import idnumber
from residents import services as resident_services
from residents.models import Person, Reason, Registration, Source


def check_tenant(*, name: str, id_number: str) -> tuple[str, idnumber.IdNumber | None]:
    """The tenant's name and parsed ID number, or InvalidInput listing every problem."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Please enter the name.")]
    elif len(name) > 50:
        errors["name"] = [_("A name has at most 50 characters.")]
    parsed = None
    try:
        parsed = idnumber.parse(id_number)
    except InvalidInput as exc:
        errors.update(exc.fields)
    if errors:
        raise InvalidInput(fields=errors)
    return name, parsed


def tenant_person(*, name: str, parsed: idnumber.IdNumber, phone: str = "") -> Person:
    """The tenant's registry entry, locked: found by ID number (the name must match), or created."""
    id_hash = idnumber.keyed_hash(parsed.number)
    person = Person.objects.select_for_update().filter(id_hash=id_hash).first()
    if person is None:
        try:
            with transaction.atomic():
                person = Person.objects.create(
                    name=name,
                    id_number=parsed.number,
                    id_hash=id_hash,
                    id_masked=parsed.masked,
                    birth_date=parsed.birth_date,
                    sex=parsed.sex,
                    phone=phone,
                )
        except IntegrityError:
            # Declared at the same moment by someone else: use their row.
            person = Person.objects.select_for_update().get(id_hash=id_hash)
    if person.name != name:
        message = _(
            "This ID number is registered under another name. Please check the name on the ID card."
        )
        raise InvalidInput(message, code="name_mismatch", fields={"name": [message]})
    return person


def register_tenant(
    *, actor: User, person: Person, address: Address, start_date: dt.date
) -> Registration:
    """Register the person at `address` from `start_date`, source landlord (the residents' rules)."""
    return resident_services.record_declared_residence(
        actor=actor,
        person_id=person.pk,
        address=address,
        start_date=start_date,
        reason=Reason.WORK,
        source=Source.LANDLORD,
    )


def end_tenant_registration(
    *, actor: User, registration: Registration, end_date: dt.date, reason: str
) -> None:
    """Departure: end the tenancy's registration on `end_date` and cancel the person's permit."""
    resident_services.end_declared_residence(
        actor=actor, registration_id=registration.pk, end_date=end_date, reason=reason
    )
