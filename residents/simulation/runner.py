"""Running the simulated city day by day through the portal's own services, and measuring it.

Each day d (day 0 is the registry as loaded, before any change):
1. the truth lives the day (truth.step);
2. residents and landlords whose declaration falls due declare, through the declared-residence
   services (record_declared_residence / end_declared_residence), unless the person has
   changed again since;
3. grid officers work their task lists (d > 0): at each address where someone is home, they
   settle the open discrepancies with what they find (dispositions.settle_discrepancies: a
   confirmed departure ends the registration naming the evidence); then the day's visits of
   all officers are recorded in one batch (field.record_visits: who lives there, arrivals,
   departures they see; a missed visit raises a revisit);
4. at night the department feeds due that day are written from the truth (as of their lag,
   with their coverage and error rate) and reconciled by the real reconciliation run;
5. the registry is measured against the truth in one query (measure.compare_in_database)
   and the day's row written.

Nothing writes registry rows directly except the initial population (residents.bulk's COPY
loader, the one set-based path for a population).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.areas.models import Address
from portal.errors import ApplicationError, InvalidInput
from residents import bulk
from residents.models import (
    Discrepancy,
    DiscrepancyKind,
    Disposition,
    FeedChannel,
    FeedKindCode,
    FieldTask,
    Reason,
    Registration,
    SimulationDay,
    SimulationRun,
    Source,
    TaskStatus,
)
from residents.reconciliation import dispositions
from residents.reconciliation import services as reconciliation
from residents.reconciliation.feeds import kind_of
from residents.services import field, persons, registrations
from residents.simulation import city as places
from residents.simulation import measure, truth
from residents.simulation.params import Params, as_dict

OTHER_CITY = "440300"
SELF, LANDLORD = "self", "landlord"


class Simulation:
    def __init__(
        self,
        *,
        persons_count: int,
        days: int,
        seed: int,
        params: Params,
        write: Callable[[str], None] = print,
        workdir: Path,
    ) -> None:
        self.params = params
        self.days = days
        self.seed = seed
        self.write = write
        self.workdir = workdir
        self.rng = random.Random(seed)  # noqa: S311 - a simulation, not a secret
        self.channel_rng = random.Random(seed * 31 + 1)  # noqa: S311
        self.officer_rng = random.Random(seed * 31 + 2)  # noqa: S311
        self.feed_rng = random.Random(seed * 31 + 3)  # noqa: S311
        self.today = timezone.localdate()
        self.first_day = self.today - dt.timedelta(days=days - 1)
        self.city = truth.initial(params, persons=persons_count, rng=self.rng)
        self.run = SimulationRun.objects.create(
            persons=persons_count,
            days=days,
            seed=seed,
            params=as_dict(params),
            first_day=self.first_day,
            started_at=timezone.now(),
        )
        self.identities = places.Identities(seed=seed, first_day=self.first_day)
        self.person_of: dict[int, int] = {}
        self.index_of: dict[int, int] = {}
        self.unmapped: set[int] = set()
        self.mapped_upto = 0
        self.address_cache: dict[int, Address] = {}
        self.due: dict[int, list[tuple[str, truth.Event]]] = defaultdict(list)
        self.declared_ended: set[int] = set()
        self.coverage: dict[str, list[bool]] = defaultdict(list)
        self.corrections = measure.Corrections()
        self.rows: list[dict] = []
        self.arrived: dict[int, int] = {}  # person -> day of arrival or birth (after day 0)
        self.refused = 0
        self.seconds: dict[str, float] = defaultdict(float)

    # --- setting up -----------------------------------------------------------------------

    def set_up(self) -> None:
        started = time.perf_counter()
        p = self.params
        self.places = places.build(
            self.run,
            addresses=self.city.addresses,
            addresses_per_grid=p.addresses_per_grid,
            officers_per_grid=p.officers_per_grid,
        )
        self.position_of = {a: i for i, a in enumerate(self.places.address_ids)}
        self.officer_ids = [u.pk for grid in self.places.officers for u in grid]
        self.identities.ensure(self.city.persons)
        rows = []
        for person, held in enumerate(self.city.registered):
            if held == truth.GONE:
                continue
            row = list(self.identities.rows[person])
            row[9] = self.places.address_ids[held]
            row[13] = row[14] = row[15] = None  # no earlier registration
            rows.append(tuple(row))
        bulk.load_persons(
            count=len(rows),
            seed=self.seed,
            address_ids=self.places.address_ids,
            today=self.first_day,
            write=lambda _line: None,
            rows=iter(rows),
        )
        self._map()
        self.seconds["set up"] += time.perf_counter() - started

    def _map(self) -> None:
        """Learn the registry's ids of persons the services created since (declarations,
        visits' arrivals)."""
        self.unmapped.update(range(self.mapped_upto, len(self.identities.rows)))
        self.mapped_upto = len(self.identities.rows)
        for index, person_id in places.map_persons(
            self.run, self.identities, self.person_of, self.unmapped
        ):
            self.index_of[person_id] = index

    def date(self, day: int) -> dt.date:
        return self.first_day + dt.timedelta(days=day)

    # --- the day --------------------------------------------------------------------------

    def run_days(self) -> list[dict]:
        started = time.perf_counter()
        self.set_up()
        for day in range(self.days):
            self.live(day)
            row = self.measure(day)
            self.rows.append(row)
            self.write(measure.format_row(row))
        self.run.finished_at = timezone.now()
        self.run.seconds = time.perf_counter() - started
        self.run.save(update_fields=["finished_at", "seconds"])
        return self.rows

    def live(self, day: int) -> None:
        if day > 0:
            events = truth.step(self.city, self.params, day=day, rng=self.rng)
            for event in events:
                if event.kind in (truth.ARRIVAL, truth.BIRTH):
                    self.arrived[event.person] = day
                if event.kind == truth.BIRTH:
                    self.identities.add_newborn(
                        person=event.person, parent=event.address_from, born=self.date(day)
                    )
                self.corrections.changed(event.person, day)
                self._schedule(event, day)
            self.identities.ensure(self.city.persons)
        self._timed("declarations", lambda: self.declare(day))
        if day > 0:
            self._timed("officers", lambda: self.work(day))
        self._timed("feeds", lambda: self.feeds(day))

    def _timed(self, name: str, call: Callable[[], None]) -> None:
        started = time.perf_counter()
        call()
        self.seconds[name] += time.perf_counter() - started

    def _schedule(self, event: truth.Event, day: int) -> None:
        p, rng = self.params, self.channel_rng
        if rng.random() < p.self_declare_share:
            self.due[day + rng.randint(0, p.self_declare_delay_days)].append((SELF, event))
        renter = self.city.renter[event.person]
        if renter and event.kind != truth.BIRTH and rng.random() < p.landlord_compliance:
            self.due[day + rng.randint(0, p.landlord_delay_days)].append((LANDLORD, event))

    # --- declarations ---------------------------------------------------------------------

    def declare(self, day: int) -> None:
        for channel, event in self.due.pop(day, []):
            if self.city.last_event.get(event.person) != event.serial:
                continue  # the person changed again since: this declaration is moot
            actor = self.places.resident if channel == SELF else self.places.landlord
            source = Source.SELF if channel == SELF else Source.LANDLORD
            try:
                if event.kind == truth.DEPARTURE:
                    self._declare_departure(event, actor=actor)
                else:
                    self._declare_residence(event, actor=actor, source=source)
            except ApplicationError:
                self.refused += 1
        self._map()

    def _declare_residence(self, event: truth.Event, *, actor, source: str) -> None:
        name, number = self.identities.rows[event.person][1:3]
        with transaction.atomic():
            name, parsed = persons.check_declared_person(name=name, id_number=number)
            person = persons.declared_person(name=name, parsed=parsed)
            address_id = self.places.address_ids[event.address_to]
            address = self.address_cache.get(address_id)
            if address is None:
                address = self.address_cache[address_id] = Address.objects.select_related(
                    "grid"
                ).get(pk=address_id)
            registrations.record_declared_residence(
                actor=actor,
                person_id=person.pk,
                address=address,
                start_date=self.date(event.day),
                reason=Reason.FAMILY if event.kind == truth.BIRTH else Reason.WORK,
                source=source,
            )

    def _declare_departure(self, event: truth.Event, *, actor) -> None:
        person_id = self.person_of.get(event.person)
        if person_id is None:
            return
        current = Registration.objects.filter(
            person_id=person_id,
            address_id=self.places.address_ids[event.address_from],
            end_date__isnull=True,
        ).first()
        if current is None:
            return
        registrations.end_declared_residence(
            actor=actor,
            registration_id=current.pk,
            end_date=max(self.date(event.day), current.start_date),
            reason="Departure declared.",
        )
        self.declared_ended.add(current.pk)

    # --- grid officers --------------------------------------------------------------------

    def work(self, day: int) -> None:
        """The day's visits of every grid's officers, recorded in one batch (field.record_visits).

        Each grid's officers take the open tasks of their grid, earliest due first, one address
        per visit. Where someone is home, they first settle the address's open discrepancies
        with what they see, then record who lives there. Should the services refuse the
        batch, the visits are recorded one by one (a refused one is kept with its findings and
        a note, as an officer would)."""
        p = self.params
        # Officers call at ten in the morning; on the simulated today before ten, they call now
        # (a visit cannot be recorded in the future).
        at = min(
            timezone.make_aware(dt.datetime.combine(self.date(day), dt.time(10))), timezone.now()
        )
        residents_at = self.city.residents_at()
        per_grid: dict[int, list[int]] = defaultdict(list)
        grid_position = {grid_id: g for g, grid_id in enumerate(self.places.grid_ids)}
        for address_id, grid_id in (
            FieldTask.objects.filter(
                status=TaskStatus.OPEN, address__grid_id__in=self.places.grid_ids
            )
            .order_by("address__grid_id", "due_date", "id")
            .values_list("address_id", "address__grid_id")
        ):
            per_grid[grid_position[grid_id]].append(address_id)
        planned: list[tuple[object, int, uuid.UUID, bool]] = []  # officer, address, id, missed
        for g, officers in enumerate(self.places.officers):
            if not officers:
                continue
            addresses = list(dict.fromkeys(per_grid.get(g, ())))
            for k, address_id in enumerate(addresses[: p.visits_per_officer_day * len(officers)]):
                client_id = self._client_id(self.officer_rng)
                missed = self.officer_rng.random() < p.visit_miss_rate
                planned.append((officers[k % len(officers)], address_id, client_id, missed))
        self.visits_today = len(planned)
        home = [address_id for _o, address_id, _c, missed in planned if not missed]
        registered: dict[int, dict[int, int]] = defaultdict(dict)  # address -> person -> reg.
        for person_id, address_id, pk in Registration.objects.filter(
            address_id__in=home, end_date__isnull=True
        ).values_list("person_id", "address_id", "pk"):
            registered[address_id][person_id] = pk
        self._settle_all(planned, registered=registered, residents_at=residents_at, day=day)
        open_tasks: dict[int, list[int]] = defaultdict(list)
        for pk, address_id in (
            FieldTask.objects.filter(address_id__in=home, status=TaskStatus.OPEN)
            .order_by("pk")
            .values_list("pk", "address_id")
        ):
            open_tasks[address_id].append(pk)
        batch = []
        for officer, address_id, client_id, missed in planned:
            if missed:
                batch.append(
                    _without_residents(officer, client_id, address_id, "nobody_home", at=at)
                )
                continue
            living = set(residents_at.get(self.position_of[address_id], ()))
            here = registered[address_id]
            present, departures, arrivals = [], [], []
            for person_id in here:
                if self.index_of.get(person_id) in living:
                    present.append(person_id)
                else:
                    departures.append(field.Departure(person_id=person_id, end_date=self.date(day)))
            for person in sorted(living):
                if self.person_of.get(person) in here:
                    continue
                name, number = self.identities.rows[person][1:3]
                arrivals.append(
                    field.Arrival(name=name, id_number=number, start_date=self.date(day))
                )
            batch.append(
                field.VisitInput(
                    actor=officer,
                    client_id=client_id,
                    address_id=address_id,
                    outcome="done",
                    present=present,
                    arrivals=arrivals,
                    departures=departures,
                    task_findings=dict.fromkeys(open_tasks[address_id], "Checked at the door."),
                    visited_at=at,
                )
            )
        self._record_batch(batch)
        if any(one.arrivals for one in batch):
            self._map()

    def _record_batch(self, batch: list[field.VisitInput]) -> None:
        """Record the batch; should the services refuse some of its visits (named
        `visits.<i>.`), record the others in one batch again and the refused one by one."""
        try:
            field.record_visits(batch)
            return
        except InvalidInput as exc:
            refused = {int(key.split(".")[1]) for key in exc.fields if key.startswith("visits.")}
        except ApplicationError:
            refused = set()
        if not refused or len(refused) == len(batch):
            for one in batch:
                self._record_one(one)
            return
        self._record_batch([one for i, one in enumerate(batch) if i not in refused])
        for i in sorted(refused):
            self._record_one(batch[i])

    def _record_one(self, one: field.VisitInput) -> None:
        """Record one visit of a refused batch; a refused visit is kept with its findings."""
        try:
            field.record_visits([one])
        except ApplicationError:
            self.refused += 1
            field.record_visits(
                [
                    _without_residents(
                        one.actor,
                        self._client_id(self.officer_rng),
                        one.address_id,
                        "done",
                        at=one.visited_at,
                        task_findings=one.task_findings,
                        note="Residents could not all be recorded.",
                    )
                ]
            )

    def _client_id(self, rng: random.Random) -> uuid.UUID:
        """The device's visit id: from the seed, and distinct from earlier runs' visits."""
        return uuid.UUID(int=rng.getrandbits(128) ^ self.run.pk)

    def _settle_all(self, planned, *, registered, residents_at, day: int) -> None:
        """At each address where someone is home, settle its open discrepancies (the latest
        of each task), all of the day's settlements in one batch
        (dispositions.settle_discrepancies); `registered` (address -> person -> registration)
        follows the departures the settlements confirm."""
        officer_at = {address_id: o for o, address_id, _c, missed in planned if not missed}
        pending: dict[int, list[tuple[int, str, int | None]]] = defaultdict(list)
        for pk, kind, person_id, address_id in (
            Discrepancy.objects.filter(
                address_id__in=list(officer_at), disposition="", task__status=TaskStatus.OPEN
            )
            .order_by("task_id", "-id")
            .distinct("task_id")
            .values_list("pk", "kind", "person_id", "address_id")
        ):
            pending[address_id].append((pk, kind, person_id))
        items: list[dispositions.SettlementInput] = []
        for address_id, officer in officer_at.items():
            position = self.position_of[address_id]
            living = set(residents_at.get(position, ()))
            here = registered[address_id]
            for pk, kind, person_id in pending.get(address_id, ()):
                disposition = self._disposition(kind, person_id, here, living)
                items.append(
                    dispositions.SettlementInput(
                        actor=officer,
                        discrepancy_id=pk,
                        disposition=disposition,
                        reason="Checked at the door.",
                        on=self.date(day),
                    )
                )
                if (
                    disposition == Disposition.CONFIRMED
                    and kind == DiscrepancyKind.PROBABLY_DEPARTED
                    and person_id is not None
                ):
                    here.pop(person_id, None)  # the settlement ends the registration
        dispositions.settle_discrepancies(items)

    def _disposition(self, kind, person_id, here: dict[int, int], living: set[int]) -> str:
        """What the officer finds for one discrepancy: `here` are the persons registered at
        the address (person -> registration), `living` the truth's residents there."""
        person = self.index_of.get(person_id) if person_id is not None else None
        registered_here = person_id is not None and person_id in here
        if kind == DiscrepancyKind.PROBABLY_DEPARTED:
            if person in living:
                return Disposition.FALSE_POSITIVE
            return Disposition.CONFIRMED if registered_here else Disposition.RESOLVED_ELSEWHERE
        if kind == DiscrepancyKind.UNREGISTERED_RESIDENT:
            if person is not None:
                if registered_here:
                    return Disposition.RESOLVED_ELSEWHERE
                return Disposition.CONFIRMED if person in living else Disposition.FALSE_POSITIVE
            unseen = [p for p in living if self.person_of.get(p) not in here]
            return Disposition.CONFIRMED if unseen else Disposition.FALSE_POSITIVE
        if kind == DiscrepancyKind.ADDRESS_MISMATCH:
            if registered_here:
                return Disposition.RESOLVED_ELSEWHERE
            return Disposition.CONFIRMED if person in living else Disposition.FALSE_POSITIVE
        return Disposition.RESOLVED_ELSEWHERE

    # --- feeds ----------------------------------------------------------------------------

    FEEDS = (
        (FeedKindCode.SOCIAL_INSURANCE, "insurance"),
        (FeedKindCode.UTILITIES, "utilities"),
        (FeedKindCode.HUKOU, "hukou"),
        (FeedKindCode.TELECOM, "telecom"),
    )

    def feeds(self, day: int) -> None:
        for kind, prefix in self.FEEDS:
            every = getattr(self.params, f"{prefix}_every_days")
            if day % every:
                continue
            coverage = getattr(self.params, f"{prefix}_coverage")
            if coverage <= 0:
                continue
            lag = getattr(self.params, f"{prefix}_lag_days")
            error = getattr(self.params, f"{prefix}_error_rate")
            text = self._feed_text(kind, day=day, lag=lag, error=error, coverage=coverage)
            self._reconcile(kind, text, day=day)

    def _covered(self, kind: str, count: int, share: float) -> list[bool]:
        flags = self.coverage[kind]
        rng = random.Random(f"{self.seed}-{kind}")  # noqa: S311
        if len(flags) < count:
            rng.seed(f"{self.seed}-{kind}-{len(flags)}")
            flags.extend(rng.random() < share for _ in range(count - len(flags)))
        return flags

    def _feed_text(self, kind: str, *, day: int, lag: int, error: float, coverage: float) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([c.header for c in kind_of(kind).columns])
        seen_day = max(0, day - lag)
        addr = self.city.addr_on(seen_day)
        period = f"{self.date(seen_day):%Y-%m}"
        rng = self.feed_rng
        ids = self.places.address_ids
        if kind == FeedKindCode.UTILITIES:
            covered = self._covered(kind, self.city.addresses, coverage)
            occupants = [0] * self.city.addresses
            for a in addr:
                if a != truth.GONE:
                    occupants[a] += 1
            for position, count in enumerate(occupants):
                if not covered[position]:
                    continue
                usage = 20 + 10 * count if count else 0
                if rng.random() < error:
                    usage = 0 if usage else 30
                writer.writerow([ids[position], "", "", period, usage])
            return out.getvalue()
        covered = self._covered(kind, len(addr), coverage)
        ever = self.city.history[0]
        city_code = self.places.city_code
        rows = self.identities.rows
        if kind == FeedKindCode.HUKOU:
            before = self.city.addr_on(max(0, seen_day - self.params.hukou_every_days))
            for person in range(len(addr)):
                if not covered[person]:
                    continue
                was = before[person] if person < len(before) else truth.GONE
                now = addr[person]
                if was == now or (was != truth.GONE and now != truth.GONE):
                    continue
                _s, name, number, birth = rows[person][:4]
                if now == truth.GONE:
                    writer.writerow([number, name, birth, "迁出", self.date(seen_day), ""])
                else:
                    writer.writerow([number, name, birth, "迁入", self.date(seen_day), ids[now]])
            return out.getvalue()
        for person, where in enumerate(addr):
            if not covered[person]:
                continue
            if person >= len(ever) and self.arrived.get(person, day + 1) > seen_day:
                continue  # not arrived yet on the day the feed shows
            _s, name, number, birth = rows[person][:4]
            here = where != truth.GONE
            if rng.random() < error:
                here = not here
            if kind == FeedKindCode.SOCIAL_INSURANCE:
                if here:
                    address = ids[where] if where != truth.GONE else ""
                    writer.writerow([number, name, birth, address, city_code, "正常缴费", period])
                else:
                    writer.writerow([number, name, birth, "", city_code, "暂停缴费", period])
            else:  # telecom
                writer.writerow([number, name, birth, city_code if here else OTHER_CITY, period])
        return out.getvalue()

    def _reconcile(self, kind: str, text: str, *, day: int) -> None:
        data = text.encode("utf-8")
        feed, _new = reconciliation.receive_feed(
            kind=kind,
            source=io.BytesIO(data),
            original_name=f"sim-{self.run.pk}-{kind}-{day}.csv",
            channel=FeedChannel.COMMAND,
        )
        run = reconciliation.start_run(
            feed_id=feed.pk, rerun=True, enqueue=False, run_on=self.date(day)
        )
        reconciliation.execute_run(run_id=run.pk)

    # --- the measure ----------------------------------------------------------------------

    def measure(self, day: int) -> dict:
        self._map()
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT r.id FROM residents_registration r
                JOIN residents_simulatedperson s ON s.person_id = r.person_id AND s.run_id = %s
                WHERE r.end_date IS NOT NULL AND r.end_date >= %s
                  AND NOT EXISTS (SELECT 1 FROM residents_registration n
                                  WHERE n.person_id = r.person_id AND n.id <> r.id
                                    AND n.start_date = r.end_date)
                  AND NOT EXISTS (SELECT 1 FROM residents_visitentry v
                                  WHERE v.registration_id = r.id AND v.finding = 'departed')
                  AND NOT EXISTS (SELECT 1 FROM residents_discrepancysettlement d
                                  WHERE d.registration_ended_id = r.id
                                    AND d.disposition = 'confirmed')
                """,
                [self.run.pk, self.first_day],
            )
            unbacked = {pk for (pk,) in cursor.fetchall()} - self.declared_ended
            cursor.execute(
                "SELECT count(*) FILTER (WHERE disposition = 'false_positive'), count(*) "
                "FROM residents_discrepancysettlement WHERE actor_id = ANY(%s)",
                [self.officer_ids],
            )
            false_positives, settled = cursor.fetchone()
        open_tasks = FieldTask.objects.filter(
            status=TaskStatus.OPEN, address__grid_id__in=self.places.grid_ids
        ).count()
        comparison = measure.compare_in_database(*self.truth_in_registry_terms())
        self.corrections.settle(comparison.wrong, day)
        officers = max(1, len(self.officer_ids))
        return {
            "day": day,
            "date": self.date(day).isoformat(),
            "accuracy": round(comparison.accuracy, 6),
            "missed_arrivals": comparison.missed_arrivals,
            "stale_residents": comparison.stale_residents,
            "wrong_addresses": comparison.wrong_addresses,
            "departures_without_evidence": len(unbacked),
            "median_days_to_correct": self.corrections.median,
            "tasks_per_officer_week": round(getattr(self, "visits_today", 0) * 7 / officers, 3)
            if day > 0
            else 0.0,
            "false_positive_share": round(false_positives / settled, 6) if settled else None,
            "open_tasks": open_tasks,
        }

    def truth_in_registry_terms(self) -> tuple[list[int | None], list[int | None]]:
        """Each person of the truth as the registry knows them (person id, or None) and the
        address they live at (address id, or None when not in the city)."""
        ids = self.places.address_ids
        return (
            [self.person_of.get(person) for person in range(len(self.city.addr))],
            [None if a == truth.GONE else ids[a] for a in self.city.addr],
        )

    def save(self) -> None:
        SimulationDay.objects.bulk_create(
            SimulationDay(
                run=self.run,
                day=row["day"],
                on=dt.date.fromisoformat(row["date"]),
                **{k: row[k] for k in measure.COLUMNS if k not in ("day", "date")},
            )
            for row in self.rows
        )


def write_csv(rows: list[dict], out) -> None:
    writer = csv.DictWriter(out, fieldnames=measure.COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row[k] is None else row[k] for k in measure.COLUMNS})


def simulate(
    *,
    persons: int,
    days: int,
    seed: int,
    params: Params,
    workdir: Path,
    write: Callable[[str], None] = print,
) -> Simulation:
    """Run the simulated city for `days` days; store and return the run with its daily rows."""
    with connection.cursor() as cursor:
        # A simulation's commits need not wait for the disk: a crash loses only a rerunnable run.
        cursor.execute("SET synchronous_commit TO off")
    simulation = Simulation(
        persons_count=persons, days=days, seed=seed, params=params, write=write, workdir=workdir
    )
    simulation.run_days()
    simulation.save()
    return simulation


def _without_residents(
    officer: User,
    client_id: uuid.UUID,
    address_id: int,
    outcome: str,
    *,
    at: dt.datetime | None,
    task_findings: Mapping[int, str] | None = None,
    note: str = "",
) -> field.VisitInput:
    """A visit that records no residents: nobody home, or someone answered but the residents
    could not be recorded (the tasks' findings and a note kept)."""
    return field.VisitInput(
        actor=officer,
        client_id=client_id,
        address_id=address_id,
        outcome=outcome,
        task_findings=task_findings,
        note=note,
        visited_at=at,
    )
