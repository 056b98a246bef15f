"""Grid officers' field work (敲门行动): door-to-door visits and the field task list.

A visit at a standard address records, in one transaction: who was found living there, the
arrivals registered on the spot (人来申报), the departures (人走注销), a note and an outcome.
Nobody home raises a revisit task. Other parts of the portal raise verification tasks with
`raise_field_task` (a landlord's declaration to confirm, a reconciliation discrepancy); the
officers of the address's grid see them, and a visit closes them.

Registrations are written by the registration services (register_residence, end_registration),
so a visit follows the same rules as any other declaration.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.accounts.models import Role, User
from portal.areas.models import Address
from portal.calendar.selectors import add_working_days
from portal.errors import InvalidInput, NotAllowed, NotFound, TransitionNotAllowed
from residents import idnumber
from residents.models import (
    TASK_MOVES,
    FieldTask,
    Finding,
    Person,
    Reason,
    Registration,
    TaskKind,
    TaskStatus,
    Visit,
    VisitEntry,
    VisitOutcome,
)
from residents.services import persons, registrations

FIELD_SOURCE = "field"
REVISIT_AFTER_DAYS = 3  # working days
# A phone's clock may run a little ahead of the server's.
CLOCK_SKEW = dt.timedelta(minutes=10)
# Outcomes where someone came to the door: such a visit closes the tasks it settles.
ANSWERED = frozenset({VisitOutcome.DONE, VisitOutcome.REFUSED})

T = TypeVar("T")


@dataclass(frozen=True)
class Arrival:
    """A person found living at the address who is not registered there (人来申报)."""

    name: str
    id_number: str
    start_date: dt.date | None = None  # the visit's day when not given
    reason: str = Reason.WORK
    phone: str = ""


@dataclass(frozen=True)
class Departure:
    """A person registered at the address who has left (人走注销)."""

    person_id: int
    end_date: dt.date | None = None  # the visit's day when not given


def _officer_address(actor: User, address_id: int) -> Address:
    address = (
        Address.objects.select_related("grid")
        .filter(pk=address_id, grid__in=actor.grids.all())
        .first()
    )
    if address is None:
        raise NotFound()
    return address


def _replayed(visit: Visit, actor: User) -> Visit:
    """The visit already recorded under a client id, for the officer who recorded it."""
    if visit.officer_id != actor.pk:
        raise TransitionNotAllowed(
            _("This visit id was already used for another officer's visit."),
            code="client_id_used",
        )
    return visit


def _under(prefix: str, call: Callable[[], T]) -> T:
    """Run a registry service; file its field errors under `prefix` (`arrivals.0.start_date`)."""
    try:
        return call()
    except InvalidInput as exc:
        fields = {
            (key if key == "address" else f"{prefix}.{key}"): messages
            for key, messages in exc.fields.items()
        }
        raise InvalidInput(exc.message, code=exc.code, fields=fields) from None


def record_visit(
    *,
    actor: User,
    client_id: uuid.UUID,
    address_id: int,
    outcome: str,
    present: Sequence[int] = (),
    arrivals: Sequence[Arrival] = (),
    departures: Sequence[Departure] = (),
    task_ids: Sequence[int] = (),
    note: str = "",
    visited_at: dt.datetime | None = None,
    task_findings: Mapping[int, str] | None = None,
) -> tuple[Visit, bool]:
    """Record one door-to-door visit; return the visit and whether it was new.

    The visit records what was seen, nothing preset: the outcome must be chosen; a visit
    someone answered (`done`) must record something (who lives here, an arrival, a departure,
    a task's finding or a note), else it is refused as empty. A task is closed only with a
    finding for it (`task_findings`: task id -> what was found); a task listed in `task_ids`
    without a finding is refused.

    Rules: only a grid officer, only at an address in their grids (else not found). When
    someone was home (`done`) the officer confirms who lives there (`present`: persons
    registered at the address), registers arrivals (a new ID number creates the person; a
    known one must carry the registered name; a person registered elsewhere is moved here,
    their old registration ending the day the new one starts) and records departures (the
    registration ends; a departure cannot be dated before the arrival). Nobody home raises a
    revisit task. A visit someone answered (done or refused) closes the revisit task of the
    address and the tasks listed in `task_ids` (tasks already closed are left as they are).
    Every problem of the input is reported at once, and nothing is written unless all of it is.

    Idempotency: `client_id` is made by the officer's device. A visit sent again returns the
    visit first recorded, whatever the second copy says. Two copies sent at once: the second
    insert of the unique client id waits for the first transaction and then finds its visit.
    """
    if not actor.is_authenticated or not actor.has_role(Role.GRID_OFFICER):
        raise NotAllowed()
    existing = Visit.objects.filter(client_id=client_id).first()
    if existing is not None:
        return _replayed(existing, actor), False
    findings = {
        int(task_id): (text or "").strip() for task_id, text in (task_findings or {}).items()
    }
    try:
        with transaction.atomic():
            visit = _record(
                actor=actor,
                client_id=client_id,
                address_id=address_id,
                outcome=outcome,
                present=list(dict.fromkeys(present)),
                arrivals=list(arrivals),
                departures=list(departures),
                task_ids=list(dict.fromkeys([*task_ids, *findings])),
                findings=findings,
                note=(note or "").strip(),
                visited_at=visited_at,
            )
    except IntegrityError:
        existing = Visit.objects.filter(client_id=client_id).first()
        if existing is None:
            raise
        return _replayed(existing, actor), False
    return visit, True


def _record(
    *,
    actor: User,
    client_id: uuid.UUID,
    address_id: int,
    outcome: str,
    present: list[int],
    arrivals: list[Arrival],
    departures: list[Departure],
    task_ids: list[int],
    findings: dict[int, str],
    note: str,
    visited_at: dt.datetime | None,
) -> Visit:
    now = timezone.now()
    today = timezone.localdate(now)
    address = _officer_address(actor, address_id)
    errors: dict[str, list[str]] = {}
    if outcome not in VisitOutcome.values:
        errors["outcome"] = [_("Please choose the outcome of the visit.")]
    if visited_at is None:
        visited_at = now
    elif visited_at > now + CLOCK_SKEW:
        errors["visited_at"] = [_("The time of the visit cannot be in the future.")]
    if len(note) > 2000:
        errors["note"] = [_("At most 2000 characters.")]
    found_something = present or arrivals or departures or note or any(findings.values())
    if outcome == VisitOutcome.DONE and not found_something:
        errors["visit"] = [
            _(
                "The visit records nothing: mark who lives here, add an arrival or a departure, "
                "state a task's finding or write a note."
            )
        ]
    for task_id in task_ids:
        if not findings.get(task_id):
            errors[f"task_findings.{task_id}"] = [_("State what the visit found for this task.")]
        elif len(findings[task_id]) > 1000:
            errors[f"task_findings.{task_id}"] = [_("At most 1000 characters.")]
    if errors:
        raise InvalidInput(
            _("The visit is not recorded: please correct what is marked."), fields=errors
        )

    # The claim: the unique client id is the first row written, so a second copy of this
    # visit waits here until the first is committed or rolled back.
    visit = Visit.objects.create(
        client_id=client_id,
        address=address,
        officer=actor,
        visited_at=visited_at,
        outcome=outcome,
        note=note,
        recorded_at=now,
    )
    visit_day = min(timezone.localdate(visited_at), today)

    if outcome != VisitOutcome.DONE and (present or arrivals or departures):
        message = _("Residents can only be recorded when someone was at home.")
        raise InvalidInput(message, fields={"outcome": [message]})

    # Persons the officer names must be in their grids; the rest of the portal is not found.
    named = set(present) | {d.person_id for d in departures}
    in_grids = set(
        Registration.objects.filter(
            person_id__in=named, end_date__isnull=True, address__grid__in=actor.grids.all()
        ).values_list("person_id", flat=True)
    )
    if named - in_grids:
        raise NotFound()
    current = {
        r.person_id: r
        for r in Registration.objects.select_for_update(of=("self",))
        .select_related("person")
        .filter(person_id__in=named, end_date__isnull=True)
    }
    tasks = list(
        FieldTask.objects.select_for_update()
        .filter(pk__in=task_ids, address__grid__in=actor.grids.all())
        .order_by("pk")
    )
    if len(tasks) != len(task_ids):
        raise NotFound()

    for person_id in present:
        registration = current[person_id]
        if registration.address_id != address.pk:
            errors.setdefault("present", []).append(
                _("%(name)s is not registered at this address.")
                % {"name": registration.person.name}
            )
    departed_on: list[dt.date] = []
    for i, departure in enumerate(departures):
        registration = current[departure.person_id]
        end_date = departure.end_date or visit_day
        departed_on.append(end_date)
        if registration.address_id != address.pk:
            errors[f"departures.{i}.person"] = [
                _("%(name)s is not registered at this address.")
                % {"name": registration.person.name}
            ]
        elif departure.person_id in present:
            errors[f"departures.{i}.person"] = [
                _("%(name)s cannot be both present and departed.")
                % {"name": registration.person.name}
            ]
        elif any(d.person_id == departure.person_id for d in departures[:i]):
            errors[f"departures.{i}.person"] = [
                _("%(name)s is listed twice.") % {"name": registration.person.name}
            ]
        elif end_date > today:
            errors[f"departures.{i}.end_date"] = [_("The departure date cannot be in the future.")]
        elif end_date < registration.start_date:
            errors[f"departures.{i}.end_date"] = [
                _("The departure date cannot be before the arrival (%(date)s).")
                % {"date": date_format(registration.start_date)}
            ]
    numbers = _check_arrivals(arrivals, errors=errors, today=today, named=named)
    for task in tasks:
        if task.address_id != address.pk:
            errors.setdefault("tasks", []).append(
                _("A task of another address cannot be closed by this visit.")
            )
    if errors:
        raise InvalidInput(fields=errors)

    entries = [
        VisitEntry(
            visit=visit,
            person_id=person_id,
            finding=Finding.PRESENT,
            registration=current[person_id],
        )
        for person_id in present
    ]
    for i, departure in enumerate(departures):
        ended = _under(
            f"departures.{i}",
            lambda d=departure, day=departed_on[i]: registrations.end_registration(
                actor=actor,
                registration_id=current[d.person_id].pk,
                end_date=day,
                reason=_("Departure found at a door-to-door visit."),
            ),
        )
        entries.append(
            VisitEntry(
                visit=visit,
                person_id=departure.person_id,
                finding=Finding.DEPARTED,
                registration=ended,
            )
        )
    for i, (arrival, number) in enumerate(zip(arrivals, numbers, strict=True)):
        entries.append(
            _register_arrival(
                actor=actor,
                visit=visit,
                address=address,
                arrival=arrival,
                number=number,
                start_date=arrival.start_date or visit_day,
                prefix=f"arrivals.{i}",
            )
        )
    VisitEntry.objects.bulk_create(entries)

    if outcome in ANSWERED:
        revisits = FieldTask.objects.select_for_update().filter(
            address=address, kind=TaskKind.REVISIT, status=TaskStatus.OPEN
        )
        answered = str(VisitOutcome(outcome).label)
        for task in [*tasks, *revisits]:
            if TaskStatus.CLOSED in TASK_MOVES[task.status]:
                task.status = TaskStatus.CLOSED
                task.closed_at = now
                task.closed_by = visit
                task.finding = findings.get(task.pk) or answered
                task.save(update_fields=["status", "closed_at", "closed_by", "finding"])
    elif outcome == VisitOutcome.NOBODY_HOME:
        raise_field_task(
            kind=TaskKind.REVISIT,
            address=address,
            due_date=add_working_days(visit_day, REVISIT_AFTER_DAYS),
            source=FIELD_SOURCE,
            source_ref="",
        )
    return visit


def _check_arrivals(
    arrivals: list[Arrival], *, errors: dict[str, list[str]], today: dt.date, named: set[int]
) -> list[str]:
    """Check every arrival before anything is written; return their normalised ID numbers."""
    numbers: list[str] = []
    for i, arrival in enumerate(arrivals):
        prefix = f"arrivals.{i}"
        name = (arrival.name or "").strip()
        if not name:
            errors[f"{prefix}.name"] = [_("Please enter the name.")]
        elif len(name) > 50:
            errors[f"{prefix}.name"] = [_("A name has at most 50 characters.")]
        try:
            number = idnumber.parse(arrival.id_number).number
        except InvalidInput as exc:
            errors[f"{prefix}.id_number"] = exc.fields["id_number"]
            number = ""
        if number and number in numbers:
            errors[f"{prefix}.id_number"] = [_("This ID number is entered twice.")]
        numbers.append(number)
        if arrival.reason not in Reason.values:
            errors[f"{prefix}.reason"] = [_("Please choose a reason from the list.")]
        if arrival.start_date is not None and arrival.start_date > today:
            errors[f"{prefix}.start_date"] = [_("The start date cannot be in the future.")]
        if not number:
            continue
        known = Person.objects.filter(id_hash=idnumber.keyed_hash(number)).first()
        if known is None:
            continue
        if known.pk in named:
            errors[f"{prefix}.id_number"] = [
                _("%(name)s is already listed as present or departed.") % {"name": known.name}
            ]
        elif name and known.name != name:
            errors[f"{prefix}.name"] = [
                _(
                    "This ID number is registered under another name. "
                    "Please check the name on the ID card."
                )
            ]
    return numbers


def _register_arrival(
    *,
    actor: User,
    visit: Visit,
    address: Address,
    arrival: Arrival,
    number: str,
    start_date: dt.date,
    prefix: str,
) -> VisitEntry:
    """Register one arrival at the visited address: a new person, a person not registered
    anywhere, or a person moving here from another registered address."""
    person = Person.objects.select_for_update().filter(id_hash=idnumber.keyed_hash(number)).first()
    if person is None:
        person = _under(
            prefix,
            lambda: persons.create_person_in_field(
                actor=actor, name=arrival.name, id_number=number, phone=arrival.phone
            ),
        )
    current = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("address")
        .filter(person=person, end_date__isnull=True)
        .first()
    )
    if current is not None and current.address_id == address.pk:
        return VisitEntry(visit=visit, person=person, finding=Finding.PRESENT, registration=current)

    def register(*, moving: bool) -> Registration:
        return _under(
            prefix,
            lambda: registrations.register_residence(
                actor=actor,
                person_id=person.pk,
                address_id=address.pk,
                start_date=start_date,
                reason=arrival.reason,
                moving=moving,
            ),
        )

    if current is None:
        return VisitEntry(
            visit=visit, person=person, finding=Finding.ARRIVED, registration=register(moving=False)
        )
    if actor.grids.filter(pk=current.address.grid_id).exists():
        registration = register(moving=True)
    else:
        # Registered in a grid the officer does not serve: the move ends that registration
        # here, on the day the new one starts, so the person's residence stays continuous.
        if start_date <= current.start_date:
            raise InvalidInput(
                fields={
                    f"{prefix}.start_date": [
                        _("A move must start after the current registration (from %(date)s).")
                        % {"date": date_format(current.start_date)}
                    ]
                }
            )
        current.end_date = start_date
        current.save(update_fields=["end_date"])
        registration = register(moving=False)
    return VisitEntry(
        visit=visit,
        person=person,
        finding=Finding.MOVED_IN,
        registration=registration,
        moved_from=current,
    )


def raise_field_task(
    *,
    kind: str,
    address: Address,
    person: Person | None = None,
    due_date: dt.date,
    source: str,
    source_ref: str = "",
    note: str = "",
) -> FieldTask:
    """Put a task on the list of the officers of the address's grid; return it.

    For other parts of the portal: `source` names the raiser (`housing`, `reconciliation`)
    and `source_ref` its own reference (a declaration's id). At most one task is open per
    address, person, kind and reference (a partial unique constraint): raising it again
    returns the open task unchanged. Concurrency: of two identical raises at once, the second
    insert waits for the first and then returns its task.
    """
    errors: dict[str, list[str]] = {}
    if kind not in TaskKind.values:
        errors["kind"] = [_("Unknown kind of task.")]
    if not source or len(source) > 32:
        errors["source"] = [_("Say which part of the portal raises the task.")]
    if len(source_ref) > 64:
        errors["source_ref"] = [_("At most 64 characters.")]
    if errors:
        raise InvalidInput(fields=errors)
    open_task = FieldTask.objects.filter(
        address=address, person=person, kind=kind, source_ref=source_ref, status=TaskStatus.OPEN
    )
    found = open_task.first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return FieldTask.objects.create(
                kind=kind,
                address=address,
                person=person,
                due_date=due_date,
                source=source,
                source_ref=source_ref,
                note=(note or "").strip(),
                created_at=timezone.now(),
            )
    except IntegrityError:
        found = open_task.first()
        if found is None:
            raise
        return found
