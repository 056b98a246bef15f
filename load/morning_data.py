"""The school-round morning's database side: the families it needs, and the counts afterwards.

Runs inside Django (`python -m load.morning_data prepare|count PLAN`, on a database that holds
the demo city). `prepare` adds, in bulk (a few statements per table, never a save per row):

- the preference round: open, its preference window today, PARENTS families each with an
  approved application, ready to rank their schools;
- the offers round: drawn, ACCEPTS families each holding a first-round offer to accept, its
  schools' seats exactly the offers made;
- the draw round: its preference window closed yesterday, its seed committed, DRAW_FAMILIES
  approved applications with their preferences, to be drawn during the morning;

and an API token per family (knox, as signing in makes them). It writes the plan (tokens,
application and offer ids, the schools each family will rank) as JSON for the runner.
`count` reads the database after the morning and compares it with the plan: see `count`.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
from dataclasses import dataclass
from decimal import Decimal

DRAW_SCHOOLS = 6
OFFER_SCHOOLS = 5
PREFERENCES = 3


@dataclass(frozen=True)
class Check:
    name: str
    expected: int
    found: int

    @property
    def holds(self) -> bool:
        return self.expected == self.found


def _round(name: str, *, today: dt.date, status: str, preference_closes: dt.date, **fields):
    from django.utils import timezone

    from schooling import allocation
    from schooling.models import EnrolmentRound, PriorityCategory, Stage, TenureRule

    seed = f"morning-{name}"
    enrolment_round = EnrolmentRound.objects.create(
        name=name,
        year=today.year + 1,
        stage=Stage.PRIMARY,
        min_age=6,
        age_reference_date=dt.date(today.year + 1, 8, 31),
        application_opens=today - dt.timedelta(days=60),
        application_closes=min(today, preference_closes),
        preference_opens=today - dt.timedelta(days=30),
        preference_closes=preference_closes,
        offer_deadline=today + dt.timedelta(days=14),
        min_permit_months=0,
        tie_breaks=["submitted_at"],
        status=status,
        lottery_seed=seed,
        lottery_seed_sha256=allocation.seed_hash(seed),
        seed_committed_at=timezone.now() - dt.timedelta(days=2),
        **fields,
    )
    PriorityCategory.objects.bulk_create(
        [
            PriorityCategory(round=enrolment_round, rank=1, label="自有", tenure=TenureRule.OWNED),
            PriorityCategory(round=enrolment_round, rank=2, label="租赁", tenure=TenureRule.RENTED),
        ]
    )
    return enrolment_round


def _families(count: int, *, label: str, seed: int, today: dt.date):
    """`count` users (each with an API token) and a (guardian, child) pair of persons for each."""
    from django.utils import timezone
    from knox import crypto
    from knox.models import AuthToken
    from knox.settings import CONSTANTS

    from portal.accounts.models import Role, User
    from portal.areas.models import Address
    from residents import bulk
    from residents.models import Person

    users = User.objects.bulk_create(
        User(username=f"{label}{i:05d}", password="!", roles=[Role.RESIDENT])  # noqa: S106
        for i in range(count)
    )
    expiry = timezone.now() + dt.timedelta(days=1)
    tokens = [crypto.create_token_string() for _ in users]
    AuthToken.objects.bulk_create(
        AuthToken(
            token_key=token[: CONSTANTS.TOKEN_KEY_LENGTH],
            digest=crypto.hash_token(token),
            user=user,
            expiry=expiry,
        )
        for user, token in zip(users, tokens, strict=True)
    )
    last = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    address_ids = list(Address.objects.order_by("pk").values_list("pk", flat=True)[:50])
    bulk.load_persons(
        count=2 * count,
        seed=seed + last,
        address_ids=address_ids,
        today=today,
        write=lambda _line: None,
    )
    persons = list(Person.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True))
    return users, tokens, persons[:count], persons[count : 2 * count]


def _applications(enrolment_round, users, guardians, children, *, community, district, label):
    from django.utils import timezone

    from portal.accounts.models import Department
    from portal.workflow.models import Case, Status
    from schooling import services
    from schooling.models import EnrolmentApplication, Tenure

    now = timezone.now()
    education = Department.objects.get(code="education")
    cases = Case.objects.bulk_create(
        Case(
            kind=services.KIND,
            reference=f"MORN-{label}-{i:06d}",
            status=Status.APPROVED,
            department=education,
            district=district,
            applicant=user,
            submitted_at=now - dt.timedelta(seconds=i),
            due_date=now.date(),
            decided_at=now,
        )
        for i, user in enumerate(users)
    )
    return EnrolmentApplication.objects.bulk_create(
        EnrolmentApplication(
            case=case,
            round=enrolment_round,
            child_id=child,
            guardian_id=guardian,
            home_community=community,
            tenure=Tenure.RENTED if i % 2 else Tenure.OWNED,
            points=Decimal(50 + i % 97),
            permit_months=24,
            residence_months=36,
        )
        for i, (case, guardian, child) in enumerate(zip(cases, guardians, children, strict=True))
    )


def prepare(*, parents: int, accepts: int, draw_families: int) -> dict:
    """Add the morning's three rounds and their families; return the plan (see the module)."""
    from django.db import transaction
    from django.utils import timezone

    from portal.accounts.models import User
    from schooling.models import Offer as OfferRow
    from schooling.models import (
        OfferPhase,
        OfferStatus,
        Preference,
        RoundSchool,
        RoundStatus,
        School,
        Stage,
    )

    today = timezone.localdate()
    now = timezone.now()
    rng = random.Random(parents * 7 + accepts)  # noqa: S311 - made-up demo data
    schools = list(School.objects.filter(stage=Stage.PRIMARY, active=True).order_by("pk"))
    if len(schools) < DRAW_SCHOOLS:
        raise SystemExit("the morning needs the demo city's schools: run seed_demo first")
    first = schools[0]
    with transaction.atomic():
        actor = User.objects.filter(is_superuser=True).order_by("pk").first()
        stamp = now.strftime("%H%M%S")
        preference_round = _round(
            f"早高峰志愿 {stamp}",
            today=today,
            status=RoundStatus.OPEN,
            preference_closes=today + dt.timedelta(days=3),
        )
        offers_round = _round(
            f"早高峰录取 {stamp}",
            today=today,
            status=RoundStatus.ALLOCATED,
            preference_closes=today - dt.timedelta(days=1),
            seed_revealed_at=now,
            allocated_at=now,
        )
        draw_round = _round(
            f"早高峰摇号 {stamp}",
            today=today,
            status=RoundStatus.OPEN,
            preference_closes=today - dt.timedelta(days=1),
        )
        RoundSchool.objects.bulk_create(
            RoundSchool(round=preference_round, school=s, seats=max(1, parents // 4))
            for s in schools
        )
        offer_schools = schools[:OFFER_SCHOOLS]
        seats = [accepts // OFFER_SCHOOLS + (i < accepts % OFFER_SCHOOLS) for i in range(5)]
        offer_places = RoundSchool.objects.bulk_create(
            RoundSchool(round=offers_round, school=s, seats=n, admitted=n)
            for s, n in zip(offer_schools, seats, strict=True)
        )
        draw_seats = max(1, draw_families // (DRAW_SCHOOLS + 2))
        RoundSchool.objects.bulk_create(
            RoundSchool(round=draw_round, school=s, seats=draw_seats)
            for s in schools[:DRAW_SCHOOLS]
        )
    place = {"community": first.community, "district": first.district}
    sets = {}
    for seed, (label, count, enrolment_round) in enumerate(
        (
            ("p", parents, preference_round),
            ("a", accepts, offers_round),
            ("d", draw_families, draw_round),
        ),
        start=910_000,
    ):
        users, tokens, guardians, children = _families(
            count, label=f"morning{stamp}{label}", seed=seed, today=today
        )
        with transaction.atomic():
            applications = _applications(
                enrolment_round, users, guardians, children, label=f"{stamp}{label}", **place
            )
        sets[label] = (tokens, applications)
    with transaction.atomic():
        _tokens, drawn = sets["d"]
        Preference.objects.bulk_create(
            Preference(application=a, rank=rank, school=s, category=2)
            for a in drawn
            for rank, s in enumerate(rng.sample(schools[:DRAW_SCHOOLS], PREFERENCES), start=1)
        )
        _tokens, holders = sets["a"]
        slots = [(p, n) for p in offer_places for n in range(1, p.seats + 1)]
        offers = OfferRow.objects.bulk_create(
            OfferRow(
                round=offers_round,
                application=a,
                place=p,
                seat_no=n,
                phase=OfferPhase.FIRST,
                status=OfferStatus.OFFERED,
                offered_at=now,
                deadline=offers_round.offer_deadline,
            )
            for a, (p, n) in zip(holders, slots, strict=True)
        )
    school_ids = [s.pk for s in schools]
    tokens, submitters = sets["p"]
    return {
        "preference_round": preference_round.pk,
        "offers_round": offers_round.pk,
        "draw_round": draw_round.pk,
        "draw_actor": actor.username if actor else "admin",
        "preferences": [
            {
                "token": token,
                "application": a.pk,
                "schools": rng.sample(school_ids, min(PREFERENCES, len(school_ids))),
            }
            for token, a in zip(tokens, submitters, strict=True)
        ],
        "acceptances": [
            {"token": token, "offer": o.pk} for token, o in zip(sets["a"][0], offers, strict=True)
        ],
    }


def count(plan: dict, *, submitted: list[int], accepted: list[int]) -> list[Check]:
    """The morning's counts beside what they should be.

    `submitted`: the application ids whose preferences were sent (once or more); `accepted`:
    the offer ids whose acceptance was sent. Every submitted application holds exactly the
    schools sent for it, once each; no other application of the round has any; every accepted
    offer is accepted, once (one history row), and no other; no school of the morning's rounds
    holds more live offers than seats; the draw finished.
    """
    from django.db.models import Count, F, Q

    from schooling.models import (
        LIVE_OFFER,
        AllocationRun,
        AllocationRunStatus,
        EnrolmentRound,
        Offer,
        OfferEvent,
        OfferStatus,
        Preference,
        RoundSchool,
        RoundStatus,
    )

    wanted = {p["application"]: p["schools"] for p in plan["preferences"]}
    sent = set(submitted)
    rows: dict[int, list[tuple[int, int]]] = {}
    for application_id, rank, school_id in Preference.objects.filter(
        application__round_id=plan["preference_round"]
    ).values_list("application_id", "rank", "school_id"):
        rows.setdefault(application_id, []).append((rank, school_id))
    exact = sum(1 for a in sent if sorted(rows.get(a, [])) == list(enumerate(wanted[a], start=1)))
    doubled = sum(1 for a in sent if len(rows.get(a, [])) > len(wanted[a]))
    lost = sum(1 for a in sent if not rows.get(a))
    strays = sum(1 for a in rows if a not in sent)

    accepted_ids = set(accepted)
    accepted_now = set(
        Offer.objects.filter(
            round_id=plan["offers_round"], status=OfferStatus.ACCEPTED
        ).values_list("pk", flat=True)
    )
    acceptance_events = OfferEvent.objects.filter(
        offer__round_id=plan["offers_round"], to_status=OfferStatus.ACCEPTED
    )
    accepted_twice = (
        acceptance_events.values("offer_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    )
    over_capacity = (
        RoundSchool.objects.filter(
            round_id__in=[plan["offers_round"], plan["draw_round"], plan["preference_round"]]
        )
        .annotate(live=Count("offers", filter=Q(offers__status__in=sorted(LIVE_OFFER))))
        .filter(live__gt=F("seats"))
        .count()
    )
    draw_done = (
        AllocationRun.objects.filter(
            round_id=plan["draw_round"], status=AllocationRunStatus.DONE
        ).count()
        + EnrolmentRound.objects.filter(pk=plan["draw_round"], status=RoundStatus.ALLOCATED).count()
    )
    return [
        Check("preference sets saved exactly as sent", len(sent), exact),
        Check("preference sets doubled", 0, doubled),
        Check("preference sets lost", 0, lost),
        Check("preference sets nobody sent", 0, strays),
        Check("offers accepted", len(accepted_ids), len(accepted_now & accepted_ids)),
        Check("offers accepted that nobody accepted", 0, len(accepted_now - accepted_ids)),
        Check("acceptance history rows", len(accepted_ids), acceptance_events.count()),
        Check("offers accepted twice", 0, accepted_twice),
        Check("schools over capacity", 0, over_capacity),
        Check("draw finished (run done, round allocated)", 2, draw_done),
    ]


def main(argv: list[str]) -> int:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    command, path = argv[0], argv[1]
    if command == "prepare":
        plan = prepare(
            parents=int(os.environ.get("MORNING_PARENTS", 2000)),
            accepts=int(os.environ.get("MORNING_ACCEPTS", 500)),
            draw_families=int(os.environ.get("MORNING_DRAW_FAMILIES", 2000)),
        )
        with open(path, "w", encoding="utf-8") as out:
            json.dump(plan, out)
        return 0
    if command == "count":
        with open(path, encoding="utf-8") as source:
            sent = json.load(source)
        checks = count(sent["plan"], submitted=sent["submitted"], accepted=sent["accepted"])
        json.dump([[c.name, c.expected, c.found] for c in checks], sys.stdout)
        return 0
    raise SystemExit("usage: python -m load.morning_data prepare|count FILE")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
