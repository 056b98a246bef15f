"""Grid officers' field work (敲门行动): door-to-door visits and the field task list.

A visit at a standard address records, in one transaction: who was found living there, the
arrivals registered on the spot (人来申报), the departures (人走注销), a note and an outcome.
Nobody home raises a revisit task. Other parts of the portal raise verification tasks with
`raise_field_task` (a landlord's declaration to confirm, a reconciliation discrepancy); the
officers of the address's grid see them, and a visit closes them.

Registrations are written by the registration services (record_residences and
end_registrations, of which register_residence and end_registration are batches of one), so
a visit follows the same rules as any other declaration.
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

from portal import rowupdates
from portal.accounts.models import Role, User
from portal.areas.models import Address
from portal.calendar.selectors import add_working_days
from portal.errors import InvalidInput, NotAllowed, NotFound, TransitionNotAllowed
from residents import idnumber, selectors
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


@dataclass(frozen=True)
class VisitInput:
    """One visit of a batch (record_visits): who visited, where, and what they found."""

    actor: User
    client_id: uuid.UUID
    address_id: int
    outcome: str
    present: Sequence[int] = ()
    arrivals: Sequence[Arrival] = ()
    departures: Sequence[Departure] = ()
    task_ids: Sequence[int] = ()
    note: str = ""
    visited_at: dt.datetime | None = None
    task_findings: Mapping[int, str] | None = None


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

    The rules are record_visits', applied to a batch of one (its errors are named without
    the `visits.0.` prefix).
    """
    one = VisitInput(
        actor=actor,
        client_id=client_id,
        address_id=address_id,
        outcome=outcome,
        present=present,
        arrivals=arrivals,
        departures=departures,
        task_ids=task_ids,
        note=note,
        visited_at=visited_at,
        task_findings=task_findings,
    )
    return _record_batch([one], prefixed=False)[0]


def record_visits(visits: Sequence[VisitInput]) -> list[tuple[Visit, bool]]:
    """Record a batch of visits (a day's visits of several officers) set-based, in one
    transaction; return each visit and whether it was new, in the order given.

    Each visit follows record_visit's rules, checked against its own officer (their role,
    their grids: an address, person or task outside them is not found). Every problem of
    every visit is reported at once, named `visits.<i>.<field>`, and nothing is written
    unless all of it is. Reads and writes are one query per kind of row for the whole batch
    (visits, findings, tasks closed, revisits raised); registrations are ended and made by
    the registration services' batches (end_registrations, record_residences: one of each for
    the whole batch), so they follow the same rules as any other declaration.
    Departures of the whole batch are recorded before its arrivals (a person who left one
    address of the batch for another is moved, not refused). Visits sent again (a known
    client id) return the visit first recorded.
    """
    return _record_batch(list(visits), prefixed=True)


def _record_batch(visits: list[VisitInput], *, prefixed: bool) -> list[tuple[Visit, bool]]:
    for one in visits:
        if not one.actor.is_authenticated or not one.actor.has_role(Role.GRID_OFFICER):
            raise NotAllowed()
    try:
        return _record_batch_once(visits, prefixed=prefixed)
    except IntegrityError:
        # Another copy of one of these visits was recorded at the same time: it is now known,
        # so a second pass returns it as sent again (or fails for a reason of its own).
        known = Visit.objects.filter(client_id__in=[v.client_id for v in visits]).exists()
        if not known:
            raise
        return _record_batch_once(visits, prefixed=prefixed)


def _record_batch_once(visits: list[VisitInput], *, prefixed: bool) -> list[tuple[Visit, bool]]:
    existing = {
        v.client_id: v
        for v in Visit.objects.filter(client_id__in=[one.client_id for one in visits])
    }
    results: list[tuple[Visit, bool] | None] = [None] * len(visits)
    fresh: list[int] = []
    first_of: dict[uuid.UUID, int] = {}
    for i, one in enumerate(visits):
        known = existing.get(one.client_id)
        if known is not None:
            results[i] = (_replayed(known, one.actor), False)
        elif one.client_id in first_of:
            continue  # sent twice in the batch: the second copy returns the first's visit
        else:
            first_of[one.client_id] = i
            fresh.append(i)
    if fresh:
        with transaction.atomic():
            recorded = _record([_Clean.of(i, visits[i], prefixed=prefixed) for i in fresh])
        for i, visit in zip(fresh, recorded, strict=True):
            results[i] = (visit, True)
    for i, one in enumerate(visits):
        if results[i] is None:
            results[i] = (_replayed(results[first_of[one.client_id]][0], one.actor), False)
    return results  # type: ignore[return-value]


@dataclass
class _Clean:
    """One visit of a batch, its input trimmed, with where its errors are filed."""

    index: int
    prefix: str
    actor: User
    client_id: uuid.UUID
    address_id: int
    outcome: str
    present: list[int]
    arrivals: list[Arrival]
    departures: list[Departure]
    task_ids: list[int]
    findings: dict[int, str]
    note: str
    visited_at: dt.datetime | None

    @classmethod
    def of(cls, index: int, one: VisitInput, *, prefixed: bool) -> _Clean:
        findings = {
            int(task_id): (text or "").strip()
            for task_id, text in (one.task_findings or {}).items()
        }
        return cls(
            index=index,
            prefix=f"visits.{index}." if prefixed else "",
            actor=one.actor,
            client_id=one.client_id,
            address_id=one.address_id,
            outcome=one.outcome,
            present=list(dict.fromkeys(one.present)),
            arrivals=list(one.arrivals),
            departures=list(one.departures),
            task_ids=list(dict.fromkeys([*one.task_ids, *findings])),
            findings=findings,
            note=(one.note or "").strip(),
            visited_at=one.visited_at,
        )

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"


def _record(visits: list[_Clean]) -> list[Visit]:
    now = timezone.now()
    today = timezone.localdate(now)
    grids = selectors.grid_ids_of([v.actor for v in visits])
    addresses = Address.objects.select_related("grid").in_bulk({v.address_id for v in visits})
    for v in visits:
        address = addresses.get(v.address_id)
        if address is None or address.grid_id not in grids[v.actor.pk]:
            raise NotFound()
    errors: dict[str, list[str]] = {}
    for v in visits:
        if v.outcome not in VisitOutcome.values:
            errors[v.key("outcome")] = [_("Please choose the outcome of the visit.")]
        if v.visited_at is None:
            v.visited_at = now
        elif v.visited_at > now + CLOCK_SKEW:
            errors[v.key("visited_at")] = [_("The time of the visit cannot be in the future.")]
        if len(v.note) > 2000:
            errors[v.key("note")] = [_("At most 2000 characters.")]
        found_something = (
            v.present or v.arrivals or v.departures or v.note or any(v.findings.values())
        )
        if v.outcome == VisitOutcome.DONE and not found_something:
            errors[v.key("visit")] = [
                _(
                    "The visit records nothing: mark who lives here, add an arrival or a "
                    "departure, state a task's finding or write a note."
                )
            ]
        for task_id in v.task_ids:
            if not v.findings.get(task_id):
                errors[v.key(f"task_findings.{task_id}")] = [
                    _("State what the visit found for this task.")
                ]
            elif len(v.findings[task_id]) > 1000:
                errors[v.key(f"task_findings.{task_id}")] = [_("At most 1000 characters.")]
    if errors:
        raise InvalidInput(
            _("The visit is not recorded: please correct what is marked."), fields=errors
        )

    # The claim: the unique client ids are the first rows written, so a second copy of one of
    # these visits waits here until the first is committed or rolled back.
    visits_made = Visit.objects.bulk_create(
        Visit(
            client_id=v.client_id,
            address=addresses[v.address_id],
            officer=v.actor,
            visited_at=v.visited_at,
            outcome=v.outcome,
            note=v.note,
            recorded_at=now,
        )
        for v in visits
    )
    visit_day = {v.index: min(timezone.localdate(v.visited_at), today) for v in visits}

    message = _("Residents can only be recorded when someone was at home.")
    for v in visits:
        if v.outcome != VisitOutcome.DONE and (v.present or v.arrivals or v.departures):
            errors[v.key("outcome")] = [message]
    if errors:
        raise InvalidInput(message, fields=errors)

    # Persons the officers name must be in their grids; the rest of the portal is not found.
    named = {v.index: set(v.present) | {d.person_id for d in v.departures} for v in visits}
    everyone = set().union(*named.values())
    current = {
        r.person_id: r
        for r in Registration.objects.select_for_update(of=("self",))
        .select_related("person", "address")
        .filter(person_id__in=everyone, end_date__isnull=True)
        .order_by("person_id")
    }
    for v in visits:
        for person_id in named[v.index]:
            registration = current.get(person_id)
            if registration is None or registration.address.grid_id not in grids[v.actor.pk]:
                raise NotFound()
    all_task_ids = {task_id for v in visits for task_id in v.task_ids}
    tasks = {
        task.pk: task
        for task in FieldTask.objects.select_for_update(of=("self",))
        .select_related("address")
        .filter(pk__in=all_task_ids)
        .order_by("pk")
    }
    for v in visits:
        for task_id in v.task_ids:
            task = tasks.get(task_id)
            if task is None or task.address.grid_id not in grids[v.actor.pk]:
                raise NotFound()

    departed_on: dict[tuple[int, int], dt.date] = {}
    for v in visits:
        for person_id in v.present:
            registration = current[person_id]
            if registration.address_id != v.address_id:
                errors.setdefault(v.key("present"), []).append(
                    _("%(name)s is not registered at this address.")
                    % {"name": registration.person.name}
                )
        for i, departure in enumerate(v.departures):
            registration = current[departure.person_id]
            end_date = departure.end_date or visit_day[v.index]
            departed_on[v.index, i] = end_date
            key = v.key(f"departures.{i}.person")
            if registration.address_id != v.address_id:
                errors[key] = [
                    _("%(name)s is not registered at this address.")
                    % {"name": registration.person.name}
                ]
            elif departure.person_id in v.present:
                errors[key] = [
                    _("%(name)s cannot be both present and departed.")
                    % {"name": registration.person.name}
                ]
            elif any(d.person_id == departure.person_id for d in v.departures[:i]):
                errors[key] = [_("%(name)s is listed twice.") % {"name": registration.person.name}]
            elif end_date > today:
                errors[v.key(f"departures.{i}.end_date")] = [
                    _("The departure date cannot be in the future.")
                ]
            elif end_date < registration.start_date:
                errors[v.key(f"departures.{i}.end_date")] = [
                    _("The departure date cannot be before the arrival (%(date)s).")
                    % {"date": date_format(registration.start_date)}
                ]
        for task_id in v.task_ids:
            if tasks[task_id].address_id != v.address_id:
                errors.setdefault(v.key("tasks"), []).append(
                    _("A task of another address cannot be closed by this visit.")
                )
    numbers = _check_arrivals(visits, errors=errors, today=today, named=named)
    if errors:
        raise InvalidInput(fields=errors)

    visit_of = {v.index: made for v, made in zip(visits, visits_made, strict=True)}
    entries = [
        VisitEntry(
            visit=visit_of[v.index],
            person_id=person_id,
            finding=Finding.PRESENT,
            registration=current[person_id],
        )
        for v in visits
        for person_id in v.present
    ]
    # Departures first: a person who left one address of the batch for another is moved.
    leaving = [(v, i, d) for v in visits for i, d in enumerate(v.departures)]
    ended = registrations.end_registrations(
        [
            registrations.Ending(
                actor=v.actor,
                registration_id=current[d.person_id].pk,
                end_date=departed_on[v.index, i],
                reason=_("Departure found at a door-to-door visit."),
                prefix=v.key(f"departures.{i}."),
            )
            for v, i, d in leaving
        ]
    )
    entries.extend(
        VisitEntry(
            visit=visit_of[v.index],
            person_id=d.person_id,
            finding=Finding.DEPARTED,
            registration=registration,
        )
        for (v, _i, d), registration in zip(leaving, ended, strict=True)
    )
    entries.extend(
        _register_arrivals(
            [
                _ArrivalAt(
                    actor=v.actor,
                    visit=visit_of[v.index],
                    address=addresses[v.address_id],
                    arrival=arrival,
                    number=numbers[v.index][i],
                    start_date=arrival.start_date or visit_day[v.index],
                    prefix=v.key(f"arrivals.{i}"),
                )
                for v in visits
                for i, arrival in enumerate(v.arrivals)
            ],
            grids=grids,
        )
    )
    VisitEntry.objects.bulk_create(entries)
    _settle_tasks(visits, visit_of=visit_of, tasks=tasks, now=now, visit_day=visit_day)
    return visits_made


def _settle_tasks(
    visits: list[_Clean],
    *,
    visit_of: dict[int, Visit],
    tasks: dict[int, FieldTask],
    now: dt.datetime,
    visit_day: dict[int, dt.date],
) -> None:
    """Close the tasks the answered visits settle (one UPDATE) and raise a revisit where
    nobody was home and no later visit of the batch found someone (one INSERT)."""
    answered_at = {v.address_id for v in visits if v.outcome in ANSWERED}
    revisits: dict[int, list[FieldTask]] = {}
    for task in (
        FieldTask.objects.select_for_update()
        .filter(address_id__in=answered_at, kind=TaskKind.REVISIT, status=TaskStatus.OPEN)
        .order_by("pk")
    ):
        revisits.setdefault(task.address_id, []).append(task)
    closed: dict[int, FieldTask] = {}
    last_answered: dict[int, int] = {}
    for position, v in enumerate(visits):
        if v.outcome not in ANSWERED:
            continue
        last_answered[v.address_id] = position
        answered = str(VisitOutcome(v.outcome).label)
        for task in [*(tasks[t] for t in v.task_ids), *revisits.pop(v.address_id, [])]:
            if TaskStatus.CLOSED in TASK_MOVES[task.status] and task.pk not in closed:
                task.status = TaskStatus.CLOSED
                task.closed_at = now
                task.closed_by = visit_of[v.index]
                task.finding = v.findings.get(task.pk) or answered
                closed[task.pk] = task
    if closed:
        rowupdates.update_rows(
            list(closed.values()), ["status", "closed_at", "closed_by", "finding"]
        )
    due_after: dict[dt.date, dt.date] = {}
    raised = []
    for position, v in enumerate(visits):
        if v.outcome != VisitOutcome.NOBODY_HOME:
            continue
        if last_answered.get(v.address_id, -1) > position:
            continue  # someone was found at a later visit of the batch
        day = visit_day[v.index]
        if day not in due_after:
            due_after[day] = add_working_days(day, REVISIT_AFTER_DAYS)
        raised.append(
            FieldTask(
                kind=TaskKind.REVISIT,
                address_id=v.address_id,
                person=None,
                due_date=due_after[day],
                source=FIELD_SOURCE,
                source_ref="",
                created_at=now,
            )
        )
    # At most one open revisit per address (the open-task constraint): one already open stays.
    FieldTask.objects.bulk_create(raised, ignore_conflicts=True)


def _check_arrivals(
    visits: list[_Clean],
    *,
    errors: dict[str, list[str]],
    today: dt.date,
    named: dict[int, set[int]],
) -> dict[int, list[str]]:
    """Check every arrival of the batch before anything is written; return each visit's
    normalised ID numbers (visit index -> one per arrival)."""
    numbers: dict[int, list[str]] = {}
    for v in visits:
        mine: list[str] = []
        for i, arrival in enumerate(v.arrivals):
            prefix = v.key(f"arrivals.{i}")
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
            if number and number in mine:
                errors[f"{prefix}.id_number"] = [_("This ID number is entered twice.")]
            mine.append(number)
            if arrival.reason not in Reason.values:
                errors[f"{prefix}.reason"] = [_("Please choose a reason from the list.")]
            if arrival.start_date is not None and arrival.start_date > today:
                errors[f"{prefix}.start_date"] = [_("The start date cannot be in the future.")]
        numbers[v.index] = mine
    hashes = {
        number: idnumber.keyed_hash(number)
        for mine in numbers.values()
        for number in mine
        if number
    }
    known_by_hash = {p.id_hash: p for p in Person.objects.filter(id_hash__in=list(hashes.values()))}
    for v in visits:
        for i, (arrival, number) in enumerate(zip(v.arrivals, numbers[v.index], strict=True)):
            known = known_by_hash.get(hashes[number]) if number else None
            if known is None:
                continue
            prefix = v.key(f"arrivals.{i}")
            name = (arrival.name or "").strip()
            if known.pk in named[v.index]:
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


@dataclass(frozen=True)
class _ArrivalAt:
    """One arrival of a batch, checked, with the visit and address it was found at."""

    actor: User
    visit: Visit
    address: Address
    arrival: Arrival
    number: str
    start_date: dt.date
    prefix: str


def _register_arrivals(
    arrivals: list[_ArrivalAt], *, grids: dict[int, set[int]]
) -> list[VisitEntry]:
    """Register the batch's arrivals at their visited addresses: a new person, a person not
    registered anywhere, or a person moving here from another registered address (one in a
    grid the officer does not serve ends on the day the new registration starts, so the
    person's residence stays continuous). A person already registered at the address is
    found present. The registrations are written by registrations.record_residences, one
    batch per round: a person named at several visits of the batch is registered in turn."""
    rounds: list[list[_ArrivalAt]] = []
    seen: dict[str, int] = {}
    for one in arrivals:
        turn = seen.get(one.number, 0)
        seen[one.number] = turn + 1
        if turn == len(rounds):
            rounds.append([])
        rounds[turn].append(one)
    entries: list[VisitEntry] = []
    for group in rounds:
        hashes = {one.number: idnumber.keyed_hash(one.number) for one in group}
        known = {
            p.id_hash: p
            for p in Person.objects.select_for_update()
            .filter(id_hash__in=list(hashes.values()))
            .order_by("pk")
        }
        person_of: dict[str, Person] = {}
        for one in group:
            person = known.get(hashes[one.number])
            if person is None:
                person = _under(
                    one.prefix,
                    lambda one=one: persons.create_person_in_field(
                        actor=one.actor,
                        name=one.arrival.name,
                        id_number=one.number,
                        phone=one.arrival.phone,
                    ),
                )
            person_of[one.number] = person
        current = {
            r.person_id: r
            for r in Registration.objects.select_for_update(of=("self",))
            .select_related("address")
            .filter(person_id__in=[p.pk for p in person_of.values()], end_date__isnull=True)
            .order_by("pk")
        }
        rows: list[registrations.Residence] = []
        moves: list[tuple[_ArrivalAt, Person, Registration | None]] = []
        for one in group:
            person = person_of[one.number]
            mine = current.get(person.pk)
            if mine is not None and mine.address_id == one.address.pk:
                entries.append(
                    VisitEntry(
                        visit=one.visit, person=person, finding=Finding.PRESENT, registration=mine
                    )
                )
                continue
            across = mine is not None and mine.address.grid_id not in grids[one.actor.pk]
            rows.append(
                registrations.Residence(
                    actor=one.actor,
                    person_id=person.pk,
                    address_id=one.address.pk,
                    start_date=one.start_date,
                    reason=one.arrival.reason,
                    moving=mine is not None and not across,
                    across_grids=across,
                    prefix=f"{one.prefix}.",
                )
            )
            moves.append((one, person, mine))
        made = registrations.record_residences(rows)
        for (one, person, mine), registration in zip(moves, made, strict=True):
            entries.append(
                VisitEntry(
                    visit=one.visit,
                    person=person,
                    finding=Finding.ARRIVED if mine is None else Finding.MOVED_IN,
                    registration=registration,
                    moved_from=mine,
                )
            )
    return entries


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
