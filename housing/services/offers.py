"""Ranking a round, offering its units, and the households' answers.

- rank_round: once applications have closed and every submitted application is decided, the
  approved ones are ranked (housing.allocation.rank: points, the rule set's tie-breaks, the
  time of application where the rules name it, lottery number from the now revealed seed;
  unscored applicants and those below the round's minimum points are not ranked) and the
  ranking is published with names masked (公示) for the housing service's working days.
- raise_ranking_objection / answer_ranking_objection: objections in the publication window.
- allocate_round: once the window has passed and every objection is answered, every free unit
  is offered to the best-ranked household waiting for its type (housing.allocation.allocate):
  a resumable run (portal.runs) computed in memory and written in chunks of idempotent
  INSERT ... ON CONFLICT DO NOTHING (an offer is unique per run and application); households
  see the run's offers and are told once the run is done.
- accept_offer / decline_offer: the household answers before the deadline; lapse_offers marks
  the unanswered ones lapsed. A decline or a lapse passes the unit to the next household
  waiting for its type. A household gets one offer per round.

Concurrency: a unit has at most one live offer or let, and so has an application (partial
unique constraints). Every step that makes offers (allocate, decline, lapse) locks the round
row first, so they run one at a time per round; an answer locks the offer row, so two answers
to one offer (two taps, two devices, an accept racing the lapse sweep) are decided once.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from housing import allocation, selectors
from housing.eligibility import HOUSING_SERVICE
from housing.models import (
    LIVE_OFFER,
    OFFER_MOVES,
    ROUND_MOVES,
    AllocationRun,
    AllocationRunStatus,
    ApplicationRound,
    HousingApplication,
    HousingUnit,
    Offer,
    OfferStatus,
    RankingObjection,
    RoundStatus,
    lottery_key,
)
from points import ordering
from points import selectors as points_selectors
from points import spec as points_spec
from points.engine import APPLIED_AT
from points.models import Score
from portal import runs
from portal.accounts.models import User
from portal.calendar.selectors import add_working_days
from portal.errors import InvalidInput, NotFound, TransitionNotAllowed
from portal.notices import services as notice_services
from portal.workflow.models import Status

# Where the rules in force name no window: docs/domain.md "Ranking publication", 20 working days.
DEFAULT_PUBLICATION_DAYS = 20


def _offers_link() -> str:
    return reverse("housing:offers")


def _lock_round(round_id: int) -> ApplicationRound:
    application_round = (
        ApplicationRound.objects.select_for_update(of=("self",))
        .select_related("project")
        .filter(pk=round_id)
        .first()
    )
    if application_round is None:
        raise NotFound()
    return application_round


def _lock_managed_round(actor: User, round_id: int) -> ApplicationRound:
    if not selectors.rounds_managed_by(actor).filter(pk=round_id).exists():
        if actor.is_authenticated and actor.is_superuser:
            return _lock_round(round_id)
        raise NotFound()
    return _lock_round(round_id)


def rank_round(*, actor: User, round_id: int, now: dt.datetime | None = None) -> ApplicationRound:
    """Rank the approved applications of a closed round and publish the ranking (公示).

    Refused while applications are open, while any submitted application is undecided, and a
    second time. The lottery seed is revealed by the same step; every application's lottery
    number can be recomputed from it (housing.models.lottery_key). One bulk UPDATE writes the
    ranks.
    """
    now = now or timezone.now()
    with transaction.atomic():
        application_round = _lock_managed_round(actor, round_id)
        if RoundStatus.RANKED not in ROUND_MOVES[application_round.status]:
            raise TransitionNotAllowed(_("This round has already been ranked."))
        if timezone.localdate(now) <= application_round.closes_on:
            raise TransitionNotAllowed(
                _("Applications are open until %(date)s: the round can be ranked after that.")
                % {"date": date_format(application_round.closes_on)}
            )
        pending = selectors.pending_review_count(application_round)
        if pending:
            raise TransitionNotAllowed(
                _("%(count)s applications are still waiting for a decision.") % {"count": pending},
                code="pending_applications",
            )
        seed = application_round.seed
        rows = list(
            HousingApplication.objects.filter(
                round=application_round, case__status=Status.APPROVED
            ).values_list("pk", "person_id", "points", "applied_at")
        )
        tie_break, window, scores = _ranking_rules(application_round, [r[1] for r in rows], now)
        candidates = [
            (
                pk,
                points,
                _tie_values(scores.get(person_id), tie_break),
                applied_at if APPLIED_AT in tie_break else None,
                lottery_key(seed, pk),
            )
            for pk, person_id, points, applied_at in rows
        ]
        keys = {c[0]: c[4] for c in candidates}
        order = allocation.rank(candidates, min_points=application_round.min_points)
        if order:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {HousingApplication._meta.db_table} AS a "  # noqa: S608
                    "SET rank = v.rank, lottery_key = v.key "
                    "FROM unnest(%s::bigint[], %s::integer[], %s::text[]) AS v(id, rank, key) "
                    "WHERE a.id = v.id",
                    [order, list(range(1, len(order) + 1)), [keys[pk] for pk in order]],
                )
        application_round.objection_until = add_working_days(timezone.localdate(now), window)
        application_round.tie_break = list(tie_break)
        application_round.status = RoundStatus.RANKED
        application_round.ranked_at = now
        application_round.ranked_by = actor
        application_round.save(
            update_fields=["status", "ranked_at", "ranked_by", "objection_until", "tie_break"]
        )
        return application_round


def _ranking_rules(
    application_round: ApplicationRound, person_ids: list[int], now: dt.datetime
) -> tuple[tuple[str, ...], int, dict[int, Score]]:
    """The housing service's tie-breaks and publication days under the rules in force, and
    the applicants' current scores (for the tie-break sub-scores)."""
    rule_set = points_selectors.rule_set_in_force(on=timezone.localdate(now))
    if rule_set is None:
        return (), DEFAULT_PUBLICATION_DAYS, {}
    rules = points_spec.compiled(rule_set)
    service = next((s for s in rules.services if s.service == HOUSING_SERVICE), None)
    service_rule = rule_set.services.filter(service=HOUSING_SERVICE).first()
    window = service_rule.objection_working_days if service_rule else DEFAULT_PUBLICATION_DAYS
    tie_break = service.tie_break if service else ()
    return tie_break, window, points_selectors.current_scores_of(person_ids, rule_set)


def _tie_values(score: Score | None, tie_break: tuple[str, ...]) -> tuple[float, ...]:
    return ordering.tie_values(score.data.get("sub") if score is not None else None, tie_break)


def _waiting(
    application_round: ApplicationRound, *, run: AllocationRun | None = None
) -> QuerySet[HousingApplication]:
    """Ranked applications never offered a unit in this round (one offer per household); with
    `run`, as they were before that allocation run wrote anything."""
    offers = Offer.objects.filter(application=OuterRef("pk"))
    if run is not None:
        offers = offers.exclude(run=run)
    return HousingApplication.objects.filter(
        round=application_round, rank__isnull=False, case__status=Status.APPROVED
    ).filter(~Exists(offers))


def _free_units(
    application_round: ApplicationRound, *, run: AllocationRun | None = None
) -> QuerySet[HousingUnit]:
    """The project's units with no live offer or let (with `run`: before that run wrote)."""
    offers = Offer.objects.filter(unit=OuterRef("pk"), status__in=LIVE_OFFER)
    if run is not None:
        offers = offers.exclude(run=run)
    return HousingUnit.objects.filter(project_id=application_round.project_id).filter(
        ~Exists(offers)
    )


_INSERT_OFFERS = (
    f"INSERT INTO {Offer._meta.db_table} "  # noqa: S608
    "(unit_id, application_id, status, offered_at, deadline, run_id) "
    "SELECT u, a, %s, %s, %s, %s FROM unnest(%s::bigint[], %s::bigint[]) AS p(u, a) "
    "ON CONFLICT DO NOTHING"
)


def _offer_free_units(application_round: ApplicationRound, *, now: dt.datetime) -> int:
    """Offer every free unit to the best-ranked household waiting for its type; the round is
    locked by the caller. Reads plain tuples, pairs them with housing.allocation.allocate and
    writes every offer with one INSERT ... SELECT; the households are told after commit.

    While an allocation run of the round is being written nothing is offered here: the run
    passes on what is free when it finishes."""
    if AllocationRun.objects.filter(
        round=application_round, status=AllocationRunStatus.RUNNING
    ).exists():
        return 0
    applicants = list(_waiting(application_round).order_by("rank").values_list("pk", "unit_type"))
    if not applicants:
        return 0
    units = list(
        _free_units(application_round).order_by("label", "pk").values_list("pk", "unit_type")
    )
    pairs = allocation.allocate(applicants, units)
    if not pairs:
        return 0
    deadline = now + dt.timedelta(days=application_round.offer_days)
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT_OFFERS,
            [
                OfferStatus.OFFERED,
                now,
                deadline,
                None,
                [u for u, _a in pairs],
                [a for _u, a in pairs],
            ],
        )
    round_id = application_round.pk
    transaction.on_commit(lambda: _queue_offer_notices(round_id, now))
    return len(pairs)


def allocate_round(
    *, actor: User | None, round_id: int, now: dt.datetime | None = None, queue: bool = False
) -> int:
    """Offer every free unit of the project to the best-ranked waiting household of its type.

    Running it again offers only what is still free to whoever still waits. Returns the
    number of offers made. `actor` None: a scheduled job, not a person. The allocation is a
    resumable run (portal.runs): `queue` hands it to a batch worker (and returns 0 at once);
    otherwise this process runs it to the end.
    """
    run = start_allocation(actor=actor, round_id=round_id, now=now, queue=queue)
    if queue:
        return 0
    done = execute_allocation(run.pk)
    return done.offers_made if done is not None else 0


def start_allocation(
    *, actor: User | None, round_id: int, now: dt.datetime | None = None, queue: bool = False
) -> AllocationRun:
    """Check the round's units may be offered now and record the run (nothing offered yet)."""
    now = now or timezone.now()
    with transaction.atomic():
        application_round = (
            _lock_managed_round(actor, round_id) if actor is not None else _lock_round(round_id)
        )
        if application_round.status != RoundStatus.RANKED:
            raise TransitionNotAllowed(_("Units are offered once the round has been ranked."))
        _refuse_during_publication(application_round, now=now)
        if AllocationRun.objects.filter(
            round=application_round, status=AllocationRunStatus.RUNNING
        ).exists():
            raise TransitionNotAllowed(
                _("The units of this round are being offered; try again when that is done."),
                code="allocation_running",
            )
        run = AllocationRun.objects.create(
            round=application_round,
            actor=actor,
            offered_at=now,
            started_at=timezone.now(),
        )
        if queue:
            transaction.on_commit(lambda: _queue_allocation(run.pk))
        return run


def _queue_allocation(run_id: int) -> None:
    from housing import tasks

    tasks.run_allocation.delay(run_id)


def resume_allocation(run_id: int) -> None:
    """An allocation whose worker stopped beating: hand it back to a batch worker (after
    commit); it pairs the same units and households again and writes what is missing."""
    transaction.on_commit(lambda: _queue_allocation(run_id))


def execute_allocation(run_id: int) -> AllocationRun | None:
    """Run (or resume) an allocation run; None when another live worker is running it."""
    run = AllocationRun.objects.filter(pk=run_id).first()
    if run is None or run.status != AllocationRunStatus.RUNNING:
        return run
    if not runs.claim(AllocationRun, run_id):
        return None
    with runs.heartbeat(AllocationRun, run_id):
        return _allocate(run)


def _allocate(run: AllocationRun) -> AllocationRun:
    """Pair units and households in memory as they were before the run wrote anything (the
    same input gives the same pairs), write the pairs in chunks from the run's checkpoint, then
    finish: the run is done, anything freed meanwhile is passed on, the households are told."""
    application_round = ApplicationRound.objects.get(pk=run.round_id)
    applicants = list(
        _waiting(application_round, run=run).order_by("rank").values_list("pk", "unit_type")
    )
    units = list(
        _free_units(application_round, run=run)
        .order_by("label", "pk")
        .values_list("pk", "unit_type")
    )
    pairs = allocation.allocate(applicants, units) if applicants else []
    now = run.offered_at
    deadline = now + dt.timedelta(days=application_round.offer_days)
    size = max(1, settings.ALLOCATION_CHUNK_SIZE)
    chunks = [pairs[i : i + size] for i in range(0, len(pairs), size)]
    for index in range(run.checkpoint, len(chunks)):
        chunk = chunks[index]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                _INSERT_OFFERS,
                [
                    OfferStatus.OFFERED,
                    now,
                    deadline,
                    run.pk,
                    [u for u, _a in chunk],
                    [a for _u, a in chunk],
                ],
            )
            AllocationRun.objects.filter(pk=run.pk).update(checkpoint=index + 1)
        runs.pause()
    with transaction.atomic():
        application_round = _lock_round(run.round_id)
        run = AllocationRun.objects.select_for_update(of=("self",)).get(pk=run.pk)
        if run.status != AllocationRunStatus.RUNNING:
            return run
        run.status = AllocationRunStatus.DONE
        run.checkpoint = len(chunks)
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "checkpoint", "finished_at"])
        passed_on = _offer_free_units(application_round, now=now)
        run.offers_made = Offer.objects.filter(run=run).count() + passed_on
        run.save(update_fields=["offers_made"])
        if run.offers_made and not passed_on:
            round_id = application_round.pk
            transaction.on_commit(lambda: _queue_offer_notices(round_id, now))
        return run


def _refuse_during_publication(application_round: ApplicationRound, *, now: dt.datetime) -> None:
    """No offer before the publication (公示) window has passed and every objection is answered."""
    until = application_round.objection_until
    if until is not None and timezone.localdate(now) <= until:
        raise TransitionNotAllowed(
            _("The ranking is published for objections until %(date)s: offers come after that.")
            % {"date": date_format(until)},
            code="publication_window",
        )
    if RankingObjection.objects.filter(
        application__round=application_round, answered_at__isnull=True
    ).exists():
        raise TransitionNotAllowed(
            _("Every objection to the ranking must be answered before units are offered."),
            code="objections_open",
        )


def raise_ranking_objection(*, actor: User, application_id: int, text: str) -> RankingObjection:
    """The applicant objects to the round's published ranking, within its publication window."""
    text = (text or "").strip()
    with transaction.atomic():
        application = (
            selectors.housing_applications_of(actor)
            .select_for_update(of=("self",))
            .select_related("round")
            .filter(pk=application_id)
            .first()
        )
        if application is None:
            raise NotFound()
        application_round = application.round
        today = timezone.localdate()
        if (
            application_round.status != RoundStatus.RANKED
            or application_round.objection_until is None
            or today > application_round.objection_until
        ):
            raise TransitionNotAllowed(
                _("Objections are taken while the ranking is published."),
                code="publication_window",
            )
        if not text:
            message = _("Please say what is wrong with the ranking.")
            raise InvalidInput(message, fields={"text": [message]})
        return RankingObjection.objects.create(
            application=application, text=text, raised_at=timezone.now()
        )


def answer_ranking_objection(*, actor: User, objection_id: int, answer: str) -> RankingObjection:
    """The housing department of the project answers an objection (once)."""
    answer = (answer or "").strip()
    with transaction.atomic():
        objection = (
            RankingObjection.objects.select_for_update(of=("self",))
            .select_related("application__round__project", "application__case")
            .filter(pk=objection_id)
            .first()
        )
        if objection is None:
            raise NotFound()
        _lock_managed_round(actor, objection.application.round_id)
        if objection.answered_at is not None:
            raise TransitionNotAllowed(_("This objection has already been answered."))
        if not answer:
            message = _("Please write the answer.")
            raise InvalidInput(message, fields={"answer": [message]})
        objection.answer = answer
        objection.answered_by = actor
        objection.answered_at = timezone.now()
        objection.save(update_fields=["answer", "answered_by", "answered_at"])
        notify_after_commit_objection(objection)
        return objection


def notify_after_commit_objection(objection: RankingObjection) -> None:
    user = objection.application.case.applicant
    answer = objection.answer
    transaction.on_commit(
        lambda: notice_services.notify(
            user=user,
            title=_("Your objection to the housing ranking is answered"),
            body=answer,
            link=_offers_link(),
        )
    )


def _queue_offer_notices(round_id: int, offered_at: dt.datetime) -> None:
    from housing import tasks

    tasks.notify_offers.delay(round_id, offered_at.isoformat())


def notify_offers(*, round_id: int, offered_at: dt.datetime) -> int:
    """Tell each household offered a unit at `offered_at` in the round; returns how many.
    Safe to run twice: an offer already announced is not announced again."""
    offers = (
        Offer.objects.filter(
            application__round_id=round_id,
            offered_at=offered_at,
            status=OfferStatus.OFFERED,
            announced_at__isnull=True,
        )
        .select_related("unit", "application__case__applicant")
        .order_by("pk")
    )
    count = 0
    for offer in offers.iterator(chunk_size=2000):
        with transaction.atomic():
            claimed = Offer.objects.filter(pk=offer.pk, announced_at__isnull=True).update(
                announced_at=timezone.now()
            )
            if not claimed:
                continue
            title, body = _offer_message(offer)
            notice_services.notify(
                user=offer.application.case.applicant, title=title, body=body, link=_offers_link()
            )
        count += 1
    return count


def _offer_message(offer: Offer) -> tuple[str, str]:
    return (
        _("A flat is offered to you: %(unit)s") % {"unit": offer.unit.label},
        _("Please accept or decline by %(deadline)s, or the offer lapses.")
        % {"deadline": date_format(timezone.localtime(offer.deadline), "DATETIME_FORMAT")},
    )


def _answer(offer: Offer, *, to: str, actor: User | None, now: dt.datetime) -> Offer:
    if to not in OFFER_MOVES[offer.status]:
        raise TransitionNotAllowed(
            _("This offer has already been answered: %(status)s.")
            % {"status": offer.get_status_display()}
        )
    offer.status = to
    offer.decided_at = now
    offer.decided_by = actor
    offer.save(update_fields=["status", "decided_at", "decided_by"])
    return offer


def _own_offer(actor: User, offer_id: int) -> Offer:
    offer = selectors.offers_of(actor).filter(pk=offer_id).first()
    if offer is None:
        raise NotFound()
    return offer


def _lock_offer(offer_id: int) -> Offer:
    return (
        Offer.objects.select_for_update(of=("self",))
        .select_related("unit", "application__round")
        .get(pk=offer_id)
    )


def accept_offer(*, actor: User, offer_id: int, now: dt.datetime | None = None) -> Offer:
    """The household accepts the unit offered, before the deadline: the unit is let to it.

    Refused after the deadline and for an offer already answered. Two accepts at once: the
    second waits for the first's lock on the offer row, then finds it answered (409).
    """
    _own_offer(actor, offer_id)
    now = now or timezone.now()
    with transaction.atomic():
        offer = _lock_offer(offer_id)
        if offer.status == OfferStatus.OFFERED and now > offer.deadline:
            raise TransitionNotAllowed(
                _("The time to answer this offer ended on %(deadline)s.")
                % {"deadline": date_format(timezone.localtime(offer.deadline), "DATETIME_FORMAT")},
                code="offer_lapsed",
            )
        return _answer(offer, to=OfferStatus.ACCEPTED, actor=actor, now=now)


def decline_offer(*, actor: User, offer_id: int, now: dt.datetime | None = None) -> Offer:
    """The household declines: the unit passes to the next household waiting for its type."""
    own = _own_offer(actor, offer_id)
    now = now or timezone.now()
    with transaction.atomic():
        application_round = _lock_round(own.application.round_id)
        offer = _lock_offer(offer_id)
        if offer.status == OfferStatus.OFFERED and now > offer.deadline:
            raise TransitionNotAllowed(
                _("The time to answer this offer ended on %(deadline)s.")
                % {"deadline": date_format(timezone.localtime(offer.deadline), "DATETIME_FORMAT")},
                code="offer_lapsed",
            )
        offer = _answer(offer, to=OfferStatus.DECLINED, actor=actor, now=now)
        _offer_free_units(application_round, now=now)
        return offer


def lapse_offers(*, now: dt.datetime | None = None) -> int:
    """Mark every unanswered offer past its deadline lapsed and pass the units on; returns how
    many lapsed. Set-based per round: the due offers are locked (an offer being answered at
    that moment is waited for, then skipped if it was answered), lapsed with one UPDATE, and
    their units offered in one wave. Safe to run twice."""
    now = now or timezone.now()
    round_ids = sorted(
        set(
            Offer.objects.filter(status=OfferStatus.OFFERED, deadline__lt=now).values_list(
                "application__round_id", flat=True
            )
        )
    )
    lapsed = 0
    for round_id in round_ids:
        with transaction.atomic():
            application_round = _lock_round(round_id)
            due = list(
                Offer.objects.select_for_update(of=("self",))
                .filter(
                    application__round=application_round,
                    status=OfferStatus.OFFERED,
                    deadline__lt=now,
                )
                .values_list("pk", flat=True)
            )
            lapsed += Offer.objects.filter(pk__in=due, status=OfferStatus.OFFERED).update(
                status=OfferStatus.LAPSED, decided_at=now
            )
            _offer_free_units(application_round, now=now)
    return lapsed
