"""The draw of an enrolment round: the lottery seed, the first round and the second round.

The seed is committed before the preference window closes: its SHA-256 is published then, so
nobody can choose a seed once they know who listed which school. The draw reveals it. The
first round reads every approved application with its preferences in one query, matches in
memory (schooling.allocation) and writes the result as a resumable run (portal.runs): each
application's place in the round's order and lottery number, then the offers, in chunks of
idempotent INSERT ... ON CONFLICT DO NOTHING (a draw entry per application, a first-round offer
per child, by constraint), the run's checkpoint moving with each chunk; then each school's
counts and cutoff and the round's move to "allocated" in one last transaction. A run whose
worker died is handed back by beat and resumes from its checkpoint with the same result. The second round places the children still without a seat at the nearest
school of their district with seats left.
"""

from __future__ import annotations

import datetime as dt
import gc
import secrets
import time
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal import runs
from portal.accounts.models import User
from portal.errors import InvalidInput, NotEligible, NotFound, TransitionNotAllowed
from portal.workflow.models import Status
from schooling import allocation, selectors
from schooling.models import (
    SUB_SCORE_PREFIX,
    AllocationRun,
    AllocationRunStatus,
    EnrolmentApplication,
    EnrolmentRound,
    OfferPhase,
    OfferStatus,
    RoundSchool,
    RoundStatus,
    TieBreak,
)
from schooling.services.notify import notify_round_results

SEED_MAX_LENGTH = 128


def _lock_managed(actor: User, round_id: int) -> EnrolmentRound:
    enrolment_round = (
        selectors.rounds_managed_by(actor)
        .select_for_update(of=("self",))
        .filter(pk=round_id)
        .first()
    )
    if enrolment_round is None:
        raise NotFound()
    return enrolment_round


def commit_lottery_seed(*, actor: User, round_id: int, seed: str = "") -> EnrolmentRound:
    """Commit the round's lottery seed and publish its SHA-256; the seed stays hidden until the draw.

    A seed given by the caller (drawn in public, for example) is used as it is; otherwise a
    random 128-bit one is made. Once only, and no later than the last day of the preference
    window, so the seed is fixed before anyone knows the final preferences.
    """
    seed = (seed or "").strip()
    if len(seed) > SEED_MAX_LENGTH:
        message = _("The seed may have at most %(count)s characters.") % {"count": SEED_MAX_LENGTH}
        raise InvalidInput(message, fields={"seed": [message]})
    with transaction.atomic():
        enrolment_round = _lock_managed(actor, round_id)
        if enrolment_round.seed_committed_at is not None:
            raise TransitionNotAllowed(_("The lottery seed of this round is already committed."))
        if enrolment_round.status not in (RoundStatus.SETUP, RoundStatus.OPEN):
            raise TransitionNotAllowed(_("The seed can only be committed before the draw."))
        if timezone.localdate() > enrolment_round.preference_closes:
            raise NotEligible(
                _("The seed must be committed before the preference window closes (%(date)s).")
                % {"date": date_format(enrolment_round.preference_closes)},
                code="too_late",
            )
        seed = seed or secrets.token_hex(16)
        enrolment_round.lottery_seed = seed
        enrolment_round.lottery_seed_sha256 = allocation.seed_hash(seed)
        enrolment_round.seed_committed_at = timezone.now()
        enrolment_round.save(
            update_fields=["lottery_seed", "lottery_seed_sha256", "seed_committed_at"]
        )
        return enrolment_round


# --- the first round ---------------------------------------------------------------------------


def _tie_break_columns(tie_breaks: list[str]) -> tuple[list[str], list[str]]:
    """SQL expressions (smaller first) for the round's tie-break chain, and their parameters."""
    columns: list[str] = []
    params: list[str] = []
    for name in tie_breaks:
        if name == TieBreak.PERMIT_MONTHS:
            columns.append("-COALESCE(a.permit_months, 0)::float8")
        elif name == TieBreak.RESIDENCE_MONTHS:
            columns.append("-COALESCE(a.residence_months, 0)::float8")
        elif name == TieBreak.SUBMITTED_AT:
            columns.append("COALESCE(extract(epoch FROM c.submitted_at), 0)::float8")
        elif name.startswith(SUB_SCORE_PREFIX):
            columns.append("-COALESCE((a.sub_scores ->> %s)::float8, 0)")
            params.append(name.removeprefix(SUB_SCORE_PREFIX))
        else:
            raise ValueError(f"unknown tie-break {name!r}")
    return columns, params


def read_applicants(enrolment_round: EnrolmentRound) -> tuple[list[allocation.Applicant], dict]:
    """Every approved application of the round with at least one preference, as engine input.

    One query: the application, its tie-break values (computed in SQL from the round's chain)
    and its preferences aggregated in rank order. Returns the applicants and, per application
    id, its points (for the cutoffs). Preferences for schools not in the round are dropped.
    """
    in_round = set(enrolment_round.schools.values_list("school_id", flat=True))
    columns, params = _tie_break_columns(list(enrolment_round.tie_breaks))
    width = len(columns)
    tie_sql = "".join(f"{column}, " for column in columns)
    sql = (
        f"SELECT a.id, a.points::float8, {tie_sql}c.reference, "  # noqa: S608
        "array_agg(p.school_id ORDER BY p.rank), array_agg(p.category ORDER BY p.rank) "
        "FROM schooling_enrolmentapplication a "
        "JOIN workflow_case c ON c.id = a.case_id "
        "JOIN schooling_preference p ON p.application_id = a.id "
        "WHERE a.round_id = %s AND a.active AND c.status = %s AND a.points IS NOT NULL "
        "GROUP BY a.id, c.reference, c.submitted_at"
    )
    applicants = []
    points: dict[int, float] = {}
    make = allocation.Applicant
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, enrolment_round.pk, Status.APPROVED])
        for row in cursor:
            app_id, pts = row[0], row[1]
            reference, schools, cats = row[2 + width], row[3 + width], row[4 + width]
            if not in_round.issuperset(schools):
                pairs = [(s, c) for s, c in zip(schools, cats, strict=True) if s in in_round]
                schools, cats = [s for s, _c in pairs], [c for _s, c in pairs]
            if not schools:
                continue
            points[app_id] = pts
            applicants.append(
                make(
                    id=app_id,
                    points=pts,
                    tie_breaks=row[2 : 2 + width],
                    lottery_label=reference,
                    choices=tuple(schools),
                    categories=tuple(cats),
                )
            )
    return applicants, points


_INSERT_ENTRIES = (
    "INSERT INTO schooling_drawentry (application_id, round_id, order_rank, lottery_number) "
    "SELECT a, %s, r, n FROM unnest(%s::bigint[], %s::integer[], %s::bigint[]) AS v(a, r, n) "
    "ON CONFLICT DO NOTHING"
)
_INSERT_OFFERS = (
    "INSERT INTO schooling_offer (round_id, application_id, place_id, seat_no, phase, status, "
    "distance_km, offered_at, deadline) "
    "SELECT %s, a, p, s, %s, %s, NULL, %s, %s "
    "FROM unnest(%s::bigint[], %s::bigint[], %s::integer[]) AS v(a, p, s) "
    "ON CONFLICT DO NOTHING"
)


def _copy_offers(cursor, rows) -> None:
    columns = (
        "round_id, application_id, place_id, seat_no, phase, status, distance_km, "
        "offered_at, deadline"
    )
    with cursor.copy(f"COPY schooling_offer ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _allocate(applicants, capacities, *, seed: str) -> allocation.Allocation:
    """The matching, with Python's cycle collector paused: it makes millions of small acyclic
    tuples, and collections that walk every object of a large draw would only slow it down."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return allocation.allocate(applicants, capacities, seed=seed)
    finally:
        if enabled:
            gc.enable()


def run_first_round(*, actor: User, round_id: int, queue: bool = False) -> AllocationRun:
    """Draw the round: reveal the seed, place every approved applicant, publish cutoffs.

    Allowed once, after the preference window has closed, with a committed seed. Every school
    of the round gets its count of applicants who listed it, its admitted count and its cutoff
    (the lowest admitted key and that child's points and lottery number). Offers are to be
    answered by the round's offer deadline.

    The draw is a resumable run (portal.runs): `queue` hands it to a batch worker and returns
    the running run; otherwise this process runs it to the end and returns it finished.
    """
    run = start_first_round(actor=actor, round_id=round_id, queue=queue)
    if queue:
        return run
    return execute_first_round(run.pk) or run


def start_first_round(*, actor: User, round_id: int, queue: bool = False) -> AllocationRun:
    """Check the round may be drawn and record its run (status running); nothing is drawn yet."""
    with transaction.atomic():
        enrolment_round = _lock_managed(actor, round_id)
        if not enrolment_round.can_move_to(RoundStatus.ALLOCATED):
            raise TransitionNotAllowed(_("This round has already been drawn or is not open."))
        if AllocationRun.objects.filter(round=enrolment_round, phase=OfferPhase.FIRST).exists():
            raise TransitionNotAllowed(_("The draw of this round is under way."))
        if enrolment_round.seed_committed_at is None:
            raise NotEligible(
                _("Commit the lottery seed before the draw."), code="seed_not_committed"
            )
        today = timezone.localdate()
        if today <= enrolment_round.preference_closes:
            raise NotEligible(
                _("The draw can take place after the preference window closes (%(date)s).")
                % {"date": date_format(enrolment_round.preference_closes)},
                code="too_early",
            )
        run = AllocationRun.objects.create(
            round=enrolment_round,
            phase=OfferPhase.FIRST,
            actor=actor,
            seed_sha256=enrolment_round.lottery_seed_sha256,
            started_at=timezone.now(),
            status=AllocationRunStatus.RUNNING,
        )
        if queue:
            transaction.on_commit(lambda: _queue_draw(run.pk))
        return run


def _queue_draw(run_id: int) -> None:
    from schooling import tasks

    tasks.run_draw.delay(run_id)


def resume_draw(run_id: int) -> None:
    """A draw whose worker stopped beating: hand it back to a batch worker (after commit); it
    computes the same result again and writes the chunks not yet written."""
    transaction.on_commit(lambda: _queue_draw(run_id))


def execute_first_round(run_id: int) -> AllocationRun | None:
    """Run (or resume) a first-round draw; None when another live worker is running it."""
    run = AllocationRun.objects.filter(pk=run_id, phase=OfferPhase.FIRST).first()
    if run is None or run.status != AllocationRunStatus.RUNNING:
        return run
    if not runs.claim(AllocationRun, run_id):
        return None
    with runs.heartbeat(AllocationRun, run_id):
        return _draw(run)


def _draw(run: AllocationRun) -> AllocationRun:
    """Compute the whole draw in memory (the same seed and input give the same result), write it
    in chunks from the run's checkpoint, then publish it in one last transaction."""
    started = time.perf_counter()
    enrolment_round = EnrolmentRound.objects.get(pk=run.round_id)
    now = run.started_at
    places = {p.school_id: p for p in enrolment_round.schools.all()}
    applicants, points = read_applicants(enrolment_round)
    match_started = time.perf_counter()
    result = _allocate(
        applicants,
        {school: place.seats for school, place in places.items()},
        seed=enrolment_round.lottery_seed,
    )
    match_seconds = time.perf_counter() - match_started
    chunks = _draw_chunks(enrolment_round, result, places, now=now)
    for index in range(run.checkpoint, len(chunks)):
        sql, params = chunks[index]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
            AllocationRun.objects.filter(pk=run.pk).update(checkpoint=index + 1)
        runs.pause()
    with transaction.atomic():
        enrolment_round = EnrolmentRound.objects.select_for_update(of=("self",)).get(
            pk=run.round_id
        )
        run = AllocationRun.objects.select_for_update(of=("self",)).get(pk=run.pk)
        if run.status != AllocationRunStatus.RUNNING:
            return run
        record_first_round(enrolment_round, result, points=points, places=places)
        enrolment_round.status = RoundStatus.ALLOCATED
        enrolment_round.seed_revealed_at = now
        enrolment_round.allocated_at = now
        enrolment_round.save(update_fields=["status", "seed_revealed_at", "allocated_at"])
        run.applicants = len(applicants)
        run.placed = sum(1 for school in result.placed.values() if school is not None)
        run.match_seconds = match_seconds
        run.finished_at = timezone.now()
        run.total_seconds = time.perf_counter() - started
        run.status = AllocationRunStatus.DONE
        run.checkpoint = len(chunks)
        run.save(
            update_fields=[
                "applicants",
                "placed",
                "match_seconds",
                "finished_at",
                "total_seconds",
                "status",
                "checkpoint",
            ]
        )
        round_id = enrolment_round.pk
        transaction.on_commit(lambda: notify_round_results(round_id=round_id))
        return run


def _draw_chunks(
    enrolment_round: EnrolmentRound,
    result: allocation.Allocation,
    places: dict[int, RoundSchool],
    *,
    now: dt.datetime,
) -> list[tuple[str, list]]:
    """The draw's writes in a fixed order, each an idempotent INSERT of at most
    ALLOCATION_CHUNK_SIZE rows: the draw entries by rank, then the offers by school and seat."""
    size = max(1, settings.ALLOCATION_CHUNK_SIZE)
    entries = sorted(result.rank.items(), key=lambda item: item[1])
    offers = [
        (app_id, places[school].pk, seat_no)
        for school in sorted(result.admitted)
        for seat_no, app_id in enumerate(result.admitted[school], start=1)
    ]
    chunks: list[tuple[str, list]] = []
    lottery = result.lottery
    for i in range(0, len(entries), size):
        part = entries[i : i + size]
        chunks.append(
            (
                _INSERT_ENTRIES,
                [
                    enrolment_round.pk,
                    [a for a, _r in part],
                    [r for _a, r in part],
                    [lottery[a] for a, _r in part],
                ],
            )
        )
    for i in range(0, len(offers), size):
        part = offers[i : i + size]
        chunks.append(
            (
                _INSERT_OFFERS,
                [
                    enrolment_round.pk,
                    OfferPhase.FIRST.value,
                    OfferStatus.OFFERED.value,
                    now,
                    enrolment_round.offer_deadline,
                    [a for a, _p, _s in part],
                    [p for _a, p, _s in part],
                    [s for _a, _p, s in part],
                ],
            )
        )
    return chunks


def record_first_round(
    enrolment_round: EnrolmentRound,
    result: allocation.Allocation,
    *,
    points: dict[int, float],
    places: dict[int, RoundSchool],
) -> None:
    """Each school's result once every draw entry and offer is written: the count of applicants
    who listed it, the admitted count and the cutoff."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.school_id, count(*) FROM schooling_preference p "
            "JOIN schooling_drawentry d ON d.application_id = p.application_id "
            "WHERE d.round_id = %s GROUP BY p.school_id",
            [enrolment_round.pk],
        )
        listed = dict(cursor.fetchall())
    by_rank = {rank: app_id for app_id, rank in result.rank.items()}
    for school, place in places.items():
        cutoff = result.cutoffs.get(school)
        place.applicants = listed.get(school, 0)
        place.admitted = len(result.admitted.get(school, []))
        if cutoff is None:
            place.cutoff_category = place.cutoff_rank = None
            place.cutoff_points = place.cutoff_lottery = None
        else:
            holder = by_rank[cutoff.rank]
            place.cutoff_category = cutoff.category
            place.cutoff_rank = cutoff.rank
            place.cutoff_points = Decimal(str(points[holder])).quantize(Decimal("0.01"))
            place.cutoff_lottery = result.lottery[holder]
    _write_results(places.values())


_RESULT_FIELDS = (
    "applicants",
    "admitted",
    "cutoff_category",
    "cutoff_rank",
    "cutoff_points",
    "cutoff_lottery",
)


def _write_results(places) -> None:
    """Each school's counts and cutoff, in one UPDATE ... FROM (VALUES ...)."""
    rows = [(p.pk, *(getattr(p, f) for f in _RESULT_FIELDS)) for p in places]
    if not rows:
        return
    values = ", ".join(
        [
            "(%s::bigint, %s::integer, %s::integer, %s::smallint, %s::integer, %s::numeric, %s::bigint)"
        ]
        * len(rows)
    )
    assignments = ", ".join(f"{f} = v.{f}" for f in _RESULT_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE schooling_roundschool r SET {assignments} "  # noqa: S608
            f"FROM (VALUES {values}) AS v (id, {', '.join(_RESULT_FIELDS)}) WHERE r.id = v.id",
            [value for row in rows for value in row],
        )


# --- the second round --------------------------------------------------------------------------


def run_second_round(*, actor: User, round_id: int) -> AllocationRun:
    """Place the children still without any offer at the nearest school of their district with seats.

    After the first round's offer deadline. Children are taken in the round's order; distance
    is between the centroids of the home community and the school's community. A child who
    declined or let an offer lapse is not placed again.
    """
    started = time.perf_counter()
    with transaction.atomic():
        enrolment_round = _lock_managed(actor, round_id)
        if not enrolment_round.can_move_to(RoundStatus.COMPLETED):
            raise TransitionNotAllowed(_("The second round follows the first, once."))
        today = timezone.localdate()
        if today <= enrolment_round.offer_deadline:
            raise NotEligible(
                _("The second round takes place after the offer deadline (%(date)s).")
                % {"date": date_format(enrolment_round.offer_deadline)},
                code="too_early",
            )
        now = timezone.now()
        run = AllocationRun.objects.create(
            round=enrolment_round,
            phase=OfferPhase.SECOND,
            actor=actor,
            seed_sha256=enrolment_round.lottery_seed_sha256,
            started_at=now,
        )
        places = list(
            RoundSchool.objects.select_for_update(of=("self",))
            .filter(round=enrolment_round)
            .select_related("school__community")
        )
        live = selectors.live_seats_by_place(enrolment_round)
        unplaced = list(
            EnrolmentApplication.objects.filter(
                round=enrolment_round,
                active=True,
                case__status=Status.APPROVED,
                draw__isnull=False,
            )
            .exclude(offers__isnull=False)
            .select_related("home_community", "case", "draw")
        )
        places_by_id = {p.pk: p for p in places}
        open_schools = [
            allocation.OpenSchool(
                id=place.pk,
                district=place.school.district_id,
                location=allocation.centroid(place.school.community.boundary),
                seats=place.seats - len(live.get(place.pk, ())),
            )
            for place in places
        ]
        match_started = time.perf_counter()
        placements = allocation.second_round(
            (
                allocation.Unplaced(
                    id=a.pk,
                    rank=a.draw.order_rank,
                    district=a.case.district_id,
                    home=allocation.centroid(a.home_community.boundary),
                )
                for a in unplaced
            ),
            open_schools,
        )
        match_seconds = time.perf_counter() - match_started
        free = {
            place.pk: iter(
                n for n in range(1, place.seats + 1) if n not in live.get(place.pk, set())
            )
            for place in places
        }
        deadline = today + dt.timedelta(days=enrolment_round.answer_days)
        rows = []
        placed: dict[int, int] = {}
        for application_id, placement in placements.items():
            if placement.school is None:
                continue
            placed[placement.school] = placed.get(placement.school, 0) + 1
            distance = (
                None if placement.distance_km is None else Decimal(str(placement.distance_km))
            )
            rows.append(
                (
                    enrolment_round.pk,
                    application_id,
                    placement.school,
                    next(free[placement.school]),
                    OfferPhase.SECOND.value,
                    OfferStatus.OFFERED.value,
                    distance,
                    now,
                    deadline,
                )
            )
        with connection.cursor() as cursor:
            _copy_offers(cursor, rows)
        for place_id, count in placed.items():
            places_by_id[place_id].admitted_second = count
        RoundSchool.objects.bulk_update(places, ["admitted_second"])
        enrolment_round.status = RoundStatus.COMPLETED
        enrolment_round.second_round_at = now
        enrolment_round.save(update_fields=["status", "second_round_at"])
        run.applicants = len(unplaced)
        run.placed = len(rows)
        run.match_seconds = match_seconds
        run.finished_at = timezone.now()
        run.total_seconds = time.perf_counter() - started
        run.save(
            update_fields=["applicants", "placed", "match_seconds", "finished_at", "total_seconds"]
        )
        return run


def close_round(*, actor: User, round_id: int) -> EnrolmentRound:
    """Close a drawn round: no more answers or waiting-list offers."""
    with transaction.atomic():
        enrolment_round = _lock_managed(actor, round_id)
        if not enrolment_round.can_move_to(RoundStatus.CLOSED):
            raise TransitionNotAllowed(_("This round cannot be closed now."))
        enrolment_round.status = RoundStatus.CLOSED
        enrolment_round.save(update_fields=["status"])
        return enrolment_round
