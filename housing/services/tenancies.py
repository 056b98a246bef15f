"""Tenancy declarations (以房管人: 人来申报、人走注销): landlords declare tenants moving in and out.

Rules (docs/domain.md "Registration duties"): a landlord declares a non-local tenant's arrival and
departure (within 7 days in Shenzhen's rule). The declaration registers the tenant's residence
at the home's address with source "landlord" (housing.services.residence), and puts a
verification task on the list of the grid's officers. Only a home whose safety check was
approved can be let; its registered occupants may not exceed its maximum; a person has one
current tenancy and tenancies of one person never overlap.

Concurrency: the home row is locked for every declaration in it, so two declarations at once
are counted one after the other against the maximum; the person row is locked too, so two
landlords declaring one person at once cannot both succeed.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import to_python as parse_phone

from housing import selectors
from housing.models import RentalHome, Tenancy
from housing.services import homes, residence
from portal.accounts.models import User
from portal.calendar.selectors import add_working_days
from portal.errors import InvalidInput, NotEligible, NotFound, TransitionNotAllowed
from portal.notices.services import notify_after_commit
from portal.workflow.models import Status
from residents import services as resident_services
from residents.models import Registration, TaskKind

VERIFY_WITHIN_DAYS = 7  # working days


def _clean_phone(phone: str) -> object:
    phone = (phone or "").strip()
    if not phone:
        return ""
    number = parse_phone(phone, region="CN")
    if number is None or not getattr(number, "is_valid", lambda: False)():
        message = _("Please enter a valid mobile number.")
        raise InvalidInput(message, fields={"phone": [message]})
    return number


def declare_tenant(
    *,
    actor: User,
    home_id: int,
    name: str,
    id_number: str,
    start_date: dt.date,
    phone: str = "",
) -> Tenancy:
    """The landlord declares a tenant who moved in on `start_date` (人来申报).

    Refused, with nothing written: a home not the landlord's (not found); a home whose safety
    check is not approved or that left the register; a tenant with a current tenancy or whose
    earlier tenancy ends after `start_date`; more registered occupants than the home's maximum;
    an invalid ID number, a name that does not match the registry, a date in the future.
    """
    clean_name, parsed = resident_services.check_declared_person(name=name, id_number=id_number)
    clean_phone = _clean_phone(phone)
    today = timezone.localdate()
    with transaction.atomic():
        home = (
            RentalHome.objects.select_for_update(of=("self",))
            .select_related("case", "address")
            .filter(pk=home_id, landlord=actor)
            .first()
            if actor.is_authenticated
            else None
        )
        if home is None:
            raise NotFound()
        if not home.is_active or home.case.status != Status.APPROVED:
            raise NotEligible(
                _(
                    "This home is not registered for letting: tenants can be declared once its "
                    "safety check is approved."
                ),
                code="home_not_registered",
            )
        person = resident_services.declared_person(
            name=clean_name, parsed=parsed, phone=clean_phone
        )
        current = (
            Tenancy.objects.select_related("home__address")
            .filter(person=person, end_date__isnull=True)
            .first()
        )
        if current is not None:
            message = _(
                "%(name)s already has a current tenancy (from %(date)s). The earlier tenancy "
                "must be ended first."
            ) % {"name": person.name, "date": date_format(current.start_date)}
            raise InvalidInput(message, code="tenancy_overlap", fields={"id_number": [message]})
        last_end = Tenancy.objects.filter(person=person).aggregate(last=Max("end_date"))["last"]
        if last_end is not None and start_date < last_end:
            message = _(
                "%(name)s had a tenancy until %(date)s: the move-in date cannot be earlier."
            ) % {"name": person.name, "date": date_format(last_end)}
            raise InvalidInput(message, code="tenancy_overlap", fields={"start_date": [message]})
        already_here = Registration.objects.filter(
            person=person, address=home.address, end_date__isnull=True
        ).exists()
        occupants = selectors.current_occupants(home.address_id) + (0 if already_here else 1)
        limit = selectors.occupancy_limit(home, on=today)
        if occupants > limit:
            message = _(
                "This home may house at most %(max)s people by its floor area and rooms, and "
                "%(count)s are already registered there."
            ) % {"max": limit, "count": occupants - 1}
            raise InvalidInput(message, code="over_capacity", fields={"home": [message]})
        registration = residence.register_tenant(
            actor=actor, person=person, address=home.address, start_date=start_date
        )
        try:
            with transaction.atomic():
                tenancy = Tenancy.objects.create(
                    home=home,
                    person=person,
                    registration=registration,
                    phone=clean_phone,
                    start_date=start_date,
                    declared_by=actor,
                    declared_at=timezone.now(),
                )
        except IntegrityError:
            raise TransitionNotAllowed(
                _("This person's tenancy changed at the same time. Please try again.")
            ) from None
        resident_services.raise_field_task(
            kind=TaskKind.VERIFY_DECLARATION,
            address=home.address,
            person=person,
            due_date=add_working_days(today, VERIFY_WITHIN_DAYS),
            source=selectors.FIELD_SOURCE,
            source_ref=selectors.tenancy_task_ref(tenancy.pk),
            note=_("The landlord declared %(name)s as a tenant from %(date)s. Please verify.")
            % {"name": person.name, "date": date_format(start_date)},
        )
        if person.user_id:
            address = home.address.text
            notify_after_commit(
                person.user,
                lambda: (
                    _("Your landlord declared your tenancy"),
                    _(
                        "You are registered at %(address)s from %(date)s. Please check and "
                        "confirm the tenancy."
                    )
                    % {"address": address, "date": date_format(start_date)},
                ),
                link=reverse("housing:my_tenancies"),
            )
        return tenancy


def end_tenancy(*, actor: User, tenancy_id: int, end_date: dt.date, reason: str = "") -> Tenancy:
    """The landlord declares that a tenant left on `end_date` (人走注销).

    The tenant's registration at the home ends the same day (and with it their residence
    permit, which rests on a current registration). Ending a tenancy twice is refused.
    """
    today = timezone.localdate()
    with transaction.atomic():
        tenancy = (
            selectors.tenancies_of_landlord(actor)
            .select_for_update(of=("self",))
            .filter(pk=tenancy_id)
            .first()
        )
        if tenancy is None:
            raise NotFound()
        if tenancy.end_date is not None:
            raise TransitionNotAllowed(_("This tenancy has already ended."))
        if end_date > today:
            message = _("The move-out date cannot be in the future.")
            raise InvalidInput(message, fields={"end_date": [message]})
        if end_date < tenancy.start_date:
            message = _("The move-out date cannot be before the move-in date (%(date)s).") % {
                "date": date_format(tenancy.start_date)
            }
            raise InvalidInput(message, fields={"end_date": [message]})
        tenancy.end_date = end_date
        tenancy.ended_by = actor
        tenancy.ended_at = timezone.now()
        tenancy.save(update_fields=["end_date", "ended_by", "ended_at"])
        residence.end_tenant_registration(
            actor=actor,
            registration=tenancy.registration,
            end_date=end_date,
            reason=(reason or "").strip() or _("Departure declared by the landlord."),
        )
        home = RentalHome.objects.select_for_update().get(pk=tenancy.home_id)
        homes.check_occupancy(home=home)
        person = tenancy.person
        if person.user_id:
            address = tenancy.home.address.text
            notify_after_commit(
                person.user,
                lambda: (
                    _("Tenancy ended"),
                    _("Your landlord declared that you moved out of %(address)s on %(date)s.")
                    % {"address": address, "date": date_format(end_date)},
                ),
                link=reverse("housing:my_tenancies"),
            )
        return tenancy


def confirm_tenancy(*, actor: User, tenancy_id: int) -> Tenancy:
    """The tenant confirms the tenancy their landlord declared. Confirming again changes nothing."""
    with transaction.atomic():
        tenancy = (
            selectors.tenancies_of_tenant(actor)
            .select_for_update(of=("self",))
            .filter(pk=tenancy_id)
            .first()
        )
        if tenancy is None:
            raise NotFound()
        if tenancy.confirmed_at is None:
            tenancy.confirmed_at = timezone.now()
            tenancy.save(update_fields=["confirmed_at"])
        return tenancy
