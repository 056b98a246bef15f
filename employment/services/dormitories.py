"""Dormitories (集体宿舍): standard addresses where an employer houses its workers, with a capacity.

Occupancy is the number of current residence registrations at the address, whoever declared
them. Overcrowding is flagged as for rented homes (群租): more people registered than the
capacity sets `overcrowded_since` and puts a follow-up task on the list of the grid's
officers; the flag clears when the dormitory is within capacity again. (The housing app's
check works on its own RentalHome rows and the two apps sit side by side in one layer, so
neither imports the other: both use residents' field tasks for the follow-up.)
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from employment import selectors
from employment.models import Dormitory
from portal.accounts.models import User
from portal.areas.models import Address
from portal.errors import InvalidInput, NotEligible, NotFound
from portal.workflow.models import Status
from residents import services as resident_services
from residents.models import TaskKind

OVERCROWDING_CHECK_DAYS = 3
MAX_CAPACITY = 2000


def add_dormitory(*, actor: User, employer_id: int, address_id: int, capacity: object) -> Dormitory:
    """Mark a standard address as one of the verified employer's dormitories with `capacity` beds."""
    errors: dict[str, list[str]] = {}
    try:
        beds = int(capacity)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        beds = 0
    if not 1 <= beds <= MAX_CAPACITY:
        errors["capacity"] = [
            _("Please enter a whole number from 1 to %(most)s.") % {"most": MAX_CAPACITY}
        ]
    address = Address.objects.filter(pk=address_id).first()
    if address is None:
        errors["address"] = [_("Please choose a standard address.")]
    if errors:
        raise InvalidInput(fields=errors)
    taken = _("This address is already a dormitory.")
    with transaction.atomic():
        employer = (
            selectors.employers_of(actor)
            .select_for_update(of=("self",))
            .filter(pk=employer_id)
            .first()
        )
        if employer is None:
            raise NotFound()
        if not employer.is_active or employer.case.status != Status.APPROVED:
            raise NotEligible(
                _("Dormitories can be added once human resources have verified the enterprise."),
                code="employer_not_verified",
            )
        if Dormitory.objects.filter(address=address, is_active=True).exists():
            raise InvalidInput(taken, fields={"address": [taken]})
        try:
            with transaction.atomic():
                dormitory = Dormitory.objects.create(
                    employer=employer, address=address, capacity=beds
                )
        except IntegrityError:
            raise InvalidInput(taken, fields={"address": [taken]}) from None
        check_occupancy(dormitory=dormitory)
        return dormitory


def check_occupancy(*, dormitory: Dormitory, now: dt.datetime | None = None) -> bool:
    """Flag the dormitory when more people are registered at its address than its capacity, and
    put a follow-up task on the list of its grid's officers; clear the flag when it no longer
    is. Returns whether it is overcrowded. Raising the task again finds the open one."""
    now = now or timezone.now()
    occupants = selectors.occupancy(dormitory.address_id)
    if occupants > dormitory.capacity:
        if dormitory.overcrowded_since is None:
            dormitory.overcrowded_since = now
            dormitory.save(update_fields=["overcrowded_since"])
        resident_services.raise_field_task(
            kind=TaskKind.FOLLOW_UP,
            address=dormitory.address,
            due_date=timezone.localdate(now) + dt.timedelta(days=OVERCROWDING_CHECK_DAYS),
            source=selectors.FIELD_SOURCE,
            source_ref=selectors.overcrowding_task_ref(dormitory.pk),
            note=_(
                "Possible overcrowding: %(count)s people are registered at this dormitory, "
                "which has %(max)s beds (since %(date)s). Please check on site."
            )
            % {
                "count": occupants,
                "max": dormitory.capacity,
                "date": date_format(timezone.localdate(dormitory.overcrowded_since)),
            },
        )
        return True
    if dormitory.overcrowded_since is not None:
        dormitory.overcrowded_since = None
        dormitory.save(update_fields=["overcrowded_since"])
    return False


def flag_overcrowded_dormitories(*, now: dt.datetime | None = None) -> int:
    """Check every dormitory over capacity or flagged now; returns how many are overcrowded.
    Safe to run twice: flags and tasks are not repeated."""
    overcrowded = 0
    for dormitory in selectors.dormitories_to_check_for_overcrowding():
        with transaction.atomic():
            locked = (
                Dormitory.objects.select_related("address")
                .select_for_update(of=("self",))
                .get(pk=dormitory.pk)
            )
            overcrowded += check_occupancy(dormitory=locked, now=now)
    return overcrowded
