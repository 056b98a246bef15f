"""Residence registration (居住登记): declaring an address (人来申报), moving house, departure (人走注销).

A person has at most one current registration (a partial unique constraint). Registrations
of one person never overlap: a move ends the old registration on the new start date, in the
same transaction, so the periods touch and continuous residence is unbroken.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal import rowupdates
from portal.accounts.models import Role, User
from portal.areas.models import Address
from portal.errors import ApplicationError, InvalidInput, NotFound, TransitionNotAllowed
from portal.notices.services import notify_after_commit
from residents import selectors
from residents.models import Person, Reason, Registration, RegistrationVerification, Source
from residents.services import permits


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


@dataclass(frozen=True)
class Residence:
    """One registration of a batch (record_residences): who declares whom where, from when.

    `moving`: a current registration elsewhere ends on `start_date` (a move). `across_grids`:
    a grid officer found the person at an address of their grids while registered in a grid
    they do not serve; that registration ends on `start_date` and the new one is declared
    afresh (a start older than the window is late). `prefix` names the row's errors
    (`visits.3.arrivals.0.`); an address error is named `address` whatever the prefix.
    `source`: a declarer whose right to declare at the address the calling service checked
    (a landlord, an employer); the actor's scope is then not asked.
    """

    actor: User
    person_id: int
    address_id: int
    start_date: dt.date
    reason: str
    moving: bool = False
    across_grids: bool = False
    prefix: str = ""
    source: str = ""


@dataclass(frozen=True)
class Ending:
    """One departure of a batch (end_registrations): a registration to end on `end_date`."""

    actor: User
    registration_id: int
    end_date: dt.date
    reason: str = ""
    prefix: str = ""


def _named(prefix: str, fields: dict[str, list[str]]) -> dict[str, list[str]]:
    return {(key if key == "address" else f"{prefix}{key}"): value for key, value in fields.items()}


def _refuse(problems: list[tuple[str, ApplicationError]]) -> None:
    """Raise the batch's problems: one row's as it is (its fields named), several at once."""
    if not problems:
        return
    if len(problems) == 1:
        prefix, error = problems[0]
        raise type(error)(error.message, code=error.code, fields=_named(prefix, error.fields))
    fields: dict[str, list[str]] = {}
    for prefix, error in problems:
        named = _named(prefix, error.fields) or {f"{prefix}registration": [error.message]}
        for key, messages in named.items():
            fields.setdefault(key, []).extend(messages)
    raise type(problems[0][1])(code=problems[0][1].code, fields=fields)


def _households_of(rows_by_actor: dict[int, tuple[User, set[int]]]) -> dict[int, set[int]]:
    """Of the persons each actor names, those of the actor's household (one query per actor)."""
    return {
        actor_pk: set(selectors.household_of(actor).filter(pk__in=ids).values_list("pk", flat=True))
        for actor_pk, (actor, ids) in rows_by_actor.items()
    }


def record_residences(rows: Sequence[Residence]) -> list[Registration]:
    """Write a batch of registrations under the rules every path shares; return them in order.

    Scope, per row: a resident registers themselves and their dependants (source: self); a
    grid officer registers persons not registered anywhere or registered in their grids
    (source: grid officer), only at addresses of their grids; anyone else: not found.
    Refused: a start date in the future or before the person's birth; a reason not in the
    list; a second current registration when not moving; a move to the current address or
    one that does not start after the current registration; a start inside an earlier
    period. A move ends the current registration on the new start date.
    A start date older than the declarer's window (RegistrationPolicy) is a late declaration:
    accepted, and counted for continuous residence from today until verified. A move from a
    current registration is never late in this sense: the person was registered here all
    along, so the run of residence it continues is not broken.

    Every problem of every row is reported at once (first the input, then the registry's
    state) and nothing is written unless all of it is. Reads and writes are one query per kind
    of row for the whole batch: the persons, locked; their current registrations, locked;
    their last ended periods; one UPDATE ending the moves' registrations, one INSERT of the
    new ones. A person appears at most once in a batch. Concurrency: the person rows are
    locked, so two declarations for one person run one after the other.
    """
    rows = list(rows)
    if not rows:
        return []
    person_ids = [row.person_id for row in rows]
    if len(set(person_ids)) != len(person_ids):
        raise ValueError("A person appears at most once in a batch of registrations.")
    today = timezone.localdate()
    with transaction.atomic():
        persons = {
            p.pk: p
            for p in Person.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(pk__in=person_ids)
            .order_by("pk")
        }
        current = {
            r.person_id: r
            for r in Registration.objects.select_for_update(of=("self",))
            .select_related("address")
            .filter(person_id__in=person_ids, end_date__isnull=True)
            .order_by("pk")
        }
        named: dict[int, tuple[User, set[int]]] = {}
        for row in rows:
            if not row.source:
                named.setdefault(row.actor.pk, (row.actor, set()))[1].add(row.person_id)
        households = _households_of(named)
        grids = selectors.grid_ids_of([row.actor for row in rows])
        sources: list[str] = []
        for row in rows:
            if row.person_id not in persons:
                raise NotFound()
            if row.source:
                sources.append(row.source)
                continue
            if row.person_id in households.get(row.actor.pk, ()):
                sources.append(Source.SELF)
                continue
            mine = current.get(row.person_id)
            if (
                row.actor.is_authenticated
                and row.actor.has_role(Role.GRID_OFFICER)
                and (
                    mine is None or row.across_grids or mine.address.grid_id in grids[row.actor.pk]
                )
            ):
                sources.append(Source.GRID_OFFICER)
                continue
            raise NotFound()

        addresses = Address.objects.select_related("grid").in_bulk({row.address_id for row in rows})
        problems: list[tuple[str, ApplicationError]] = []
        for row, source in zip(rows, sources, strict=True):
            person = persons[row.person_id]
            mine = current.get(row.person_id)
            if row.across_grids and mine is not None and row.start_date <= mine.start_date:
                message = _("A move must start after the current registration (from %(date)s).") % {
                    "date": date_format(mine.start_date)
                }
                problems.append((row.prefix, InvalidInput(fields={"start_date": [message]})))
                continue
            errors = _date_and_reason_errors(person, row.start_date, row.reason, today)
            address = addresses.get(row.address_id)
            if address is None:
                errors["address"] = [_("Please choose a standard address from the list.")]
            elif source == Source.GRID_OFFICER and address.grid_id not in grids[row.actor.pk]:
                errors["address"] = [_("You can only register addresses in your own grids.")]
            if errors:
                problems.append((row.prefix, InvalidInput(fields=errors)))
        _refuse(problems)

        last_end = dict(
            Registration.objects.filter(person_id__in=person_ids, end_date__isnull=False)
            .values("person_id")
            .annotate(last=Max("end_date"))
            .values_list("person_id", "last")
        )
        windows: dict[str, dt.date] = {}
        ended: list[Registration] = []
        made: list[Registration] = []
        for row, source in zip(rows, sources, strict=True):
            person = persons[row.person_id]
            mine = current.get(row.person_id)
            last = last_end.get(row.person_id)
            if row.across_grids and mine is not None:
                ended.append(mine)
                last = row.start_date if last is None else max(last, row.start_date)
                mine = None
            problem = _registry_problem(row, person, mine, last)
            if problem is not None:
                problems.append((row.prefix, problem))
                continue
            late = False
            if mine is None:
                if source not in windows:
                    windows[source] = selectors.declaration_window_start(source, on=today)
                late = row.start_date < windows[source]
            else:
                ended.append(mine)
            made.append(
                Registration(
                    person=person,
                    address=addresses[row.address_id],
                    start_date=row.start_date,
                    reason=row.reason,
                    source=source,
                    registered_by=row.actor,
                    counted_from=today if late else None,
                )
            )
        _refuse(problems)

        by_person = {row.person_id: row for row in rows}
        for registration in ended:
            registration.end_date = by_person[registration.person_id].start_date
        rowupdates.update_rows(ended, ["end_date"])
        try:
            with transaction.atomic():
                Registration.objects.bulk_create(made)
        except IntegrityError:
            raise TransitionNotAllowed(
                _("This person's registration changed at the same time. Please try again.")
            ) from None

        for row, registration in zip(rows, made, strict=True):
            person = registration.person
            if person.user_id and person.user_id != row.actor.pk:
                notify_after_commit(
                    person.user,
                    lambda registration=registration: (
                        _("Residence registered"),
                        _("You are registered at %(address)s from %(date)s.")
                        % {
                            "address": registration.address.text,
                            "date": date_format(registration.start_date),
                        },
                    ),
                    link=reverse("residents:registrations"),
                )
        return made


def _registry_problem(
    row: Residence, person: Person, current: Registration | None, last_end: dt.date | None
) -> InvalidInput | None:
    """What the registry's state refuses of one row, if anything (see record_residences)."""
    if current is not None and not row.moving:
        message = _(
            "%(name)s is already registered at %(address)s since %(date)s. "
            "To move house, declare the new address as a move."
        ) % {
            "name": person.name,
            "address": current.address.text,
            "date": date_format(current.start_date),
        }
        return InvalidInput(message, code="already_registered", fields={"address": [message]})
    if current is not None:
        if current.address_id == row.address_id:
            message = _("This is already the current registered address.")
            return InvalidInput(message, code="same_address", fields={"address": [message]})
        if row.start_date <= current.start_date:
            message = _("A move must start after the current registration (from %(date)s).") % {
                "date": date_format(current.start_date)
            }
            return InvalidInput(message, fields={"start_date": [message]})
    if last_end is not None and row.start_date < last_end:
        message = _("The start date falls inside an earlier registration (until %(date)s).") % {
            "date": date_format(last_end)
        }
        return InvalidInput(message, fields={"start_date": [message]})
    return None


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

    The rules are record_residences', applied to a batch of one. A start older than the
    declaration window is accepted as late (Registration.is_late).
    Concurrency: the person row is locked, so two declarations for one person run one after
    the other and the second sees the first.
    """
    row = Residence(
        actor=actor,
        person_id=person_id,
        address_id=address_id,
        start_date=start_date,
        reason=reason,
        moving=moving,
    )
    return record_residences([row])[0]


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
        row = Residence(
            actor=actor,
            person_id=person.pk,
            address_id=address.pk,
            start_date=start_date,
            reason=reason,
            moving=True,
            source=source,
        )
        return record_residences([row])[0]


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

    The rules are end_registrations', applied to a batch of one.
    """
    row = Ending(actor=actor, registration_id=registration_id, end_date=end_date, reason=reason)
    return end_registrations([row])[0]


def end_registrations(rows: Sequence[Ending]) -> list[Registration]:
    """Departures (人走注销) of a batch: end each current registration on its `end_date`.

    The person's valid residence permit is cancelled in the same transaction: a permit rests
    on a current registration (居住证暂行条例 art. 2). Ending a registration twice is refused.
    A resident departs themselves and their dependants; a grid officer departs persons
    registered in their grids; outside that scope a registration is not found. Every problem
    of every row is reported at once (first registrations ended already, then dates) and
    nothing is written unless all of it is. Reads and writes are one query per kind of row:
    the registrations, locked (one read per actor of the batch, scoped by
    selectors.registrations_managed_by); one UPDATE ending them; the persons' valid permits.
    """
    rows = list(rows)
    if not rows:
        return []
    today = timezone.localdate()
    with transaction.atomic():
        asked: dict[int, tuple[User, set[int]]] = {}
        for row in rows:
            asked.setdefault(row.actor.pk, (row.actor, set()))[1].add(row.registration_id)
        found: dict[tuple[int, int], Registration] = {}
        for actor_pk, (actor, ids) in asked.items():
            for registration in (
                selectors.registrations_managed_by(actor)
                .select_for_update(of=("self",))
                .select_related("person__user")
                .filter(pk__in=ids)
                .order_by("pk")
            ):
                found[actor_pk, registration.pk] = registration
        registrations: list[Registration] = []
        for row in rows:
            registration = found.get((row.actor.pk, row.registration_id))
            if registration is None:
                raise NotFound()
            registrations.append(registration)
        problems: list[tuple[str, ApplicationError]] = []
        ending: set[int] = set()
        for row, registration in zip(rows, registrations, strict=True):
            if registration.end_date is not None or registration.pk in ending:
                error = TransitionNotAllowed(_("This registration has already ended."))
                problems.append((row.prefix, error))
            ending.add(registration.pk)
        _refuse(problems)
        for row, registration in zip(rows, registrations, strict=True):
            if row.end_date > today:
                message = _("The end date cannot be in the future.")
                problems.append((row.prefix, InvalidInput(message, fields={"end_date": [message]})))
            elif row.end_date < registration.start_date:
                message = _(
                    "The end date cannot be before the registration started (%(date)s)."
                ) % {"date": date_format(registration.start_date)}
                problems.append((row.prefix, InvalidInput(message, fields={"end_date": [message]})))
        _refuse(problems)

        for row, registration in zip(rows, registrations, strict=True):
            registration.end_date = row.end_date
        rowupdates.update_rows(registrations, ["end_date"])
        permits.cancel_permits_of_persons(
            [
                permits.Cancellation(
                    person=registration.person,
                    actor=row.actor,
                    on=row.end_date,
                    reason=row.reason.strip() or _("Departure: residence registration ended."),
                )
                for row, registration in zip(rows, registrations, strict=True)
            ]
        )
        for row, registration in zip(rows, registrations, strict=True):
            person = registration.person
            if person.user_id and person.user_id != row.actor.pk:
                notify_after_commit(
                    person.user,
                    lambda registration=registration: (
                        _("Residence registration ended"),
                        _("Your registration at %(address)s ended on %(date)s.")
                        % {
                            "address": registration.address.text,
                            "date": date_format(registration.end_date),
                        },
                    ),
                    link=reverse("residents:registrations"),
                )
        return registrations


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
