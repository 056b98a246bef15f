"""The residence-registry writes a landlord's declaration makes (以房管人: 人来申报、人走注销).

A tenant declared by a landlord is registered at the home's address with source "landlord";
a tenant who leaves has that registration ended. The rules are those of
residents.services.registrations (register_residence, end_registration): one current
registration per person, no start in the future or before birth, none inside an earlier
registration period, a move ends the old registration on the day the new one starts (so
residence stays continuous), and a departure cancels the person's residence permit.

Registrations go through residents' declared-residence services, which keep those rules in
one place; this module checks the tenant's details and finds or creates the person by the
keyed hash of their ID number (residents.services.check_declared_person, declared_person).
"""

from __future__ import annotations

import datetime as dt

from portal.accounts.models import User
from portal.areas.models import Address
from residents import services as resident_services
from residents.models import Person, Reason, Registration, Source


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
