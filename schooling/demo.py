"""The schooling part of the demo city: schools with catchments in every district, an open round.

Every street or town gets a primary school standing in its first community, whose catchment is
the street's communities; every district also gets a junior middle school. One enrolment round
for primary grade 1 of the coming school year is open today: applications and school choices
are taken now, education1 (education reviewer of every district) reviews the applications and
runs the draw, and its lottery seed is already committed (the SHA-256 is on the round's page).
resident1 can apply for their child: the child is six by 31 August and the earlier seed steps
gave resident1 a residence permit and a school points score.

The round asks for a permit held 0 months because the demo permit is issued on the day the
demo is built; a real round asks for 12 or more (min_permit_months). Found before made (by
school code and round name), so a rerun changes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from points import selectors as points_selectors
from portal.areas.models import Area
from portal.demo import SeedContext
from schooling import services
from schooling.models import (
    EnrolmentRound,
    PriorityCategory,
    RoundSchool,
    RoundStatus,
    School,
    Stage,
    TenureRule,
    TieBreak,
)

TIE_BREAKS = ["sub:quality", "sub:insurance", "sub:residence", TieBreak.SUBMITTED_AT]
CATEGORIES = (
    (1, "学区内自有住房", "Owns a home in the catchment", TenureRule.OWNED),
    (
        2,
        "学区内租赁住房（登记备案）",
        "Rents a registered home in the catchment",
        TenureRule.RENTED,
    ),
)


def school_year(today: dt.date) -> int:
    """The year of the coming school start (September)."""
    return today.year if today <= dt.date(today.year, 8, 31) else today.year + 1


def put_schools(ctx: SeedContext) -> list[School]:
    """One primary school per street or town, one junior middle school per district."""
    streets: list[Area] = ctx.made["streets"]
    communities: list[Area] = ctx.made["communities"]
    by_street: dict[int, list[Area]] = {}
    for community in communities:
        by_street.setdefault(community.parent_id, []).append(community)
    primaries = []
    for street in streets:
        members = sorted(by_street.get(street.pk, []), key=lambda c: c.code)
        if not members:
            continue
        school, created = School.objects.get_or_create(
            code=f"P{street.code[:9]}",
            defaults={
                "name": f"{street.name}中心小学",
                "name_en": f"{street.name_en or street.name} Central Primary School",
                "stage": Stage.PRIMARY,
                "district_id": street.district_id,
                "community": members[0],
                "address": f"{street.name}{members[0].name}",
            },
        )
        if created:
            school.catchment.set(members)
        primaries.append(school)
    for district in ctx.made["districts"]:
        first = next((c for c in communities if c.district_id == district.pk), None)
        if first is None:
            continue
        middle, created = School.objects.get_or_create(
            code=f"M{district.code[:6]}",
            defaults={
                "name": f"{district.name}第一初级中学",
                "name_en": f"{district.name_en or district.name} No. 1 Junior Middle School",
                "stage": Stage.JUNIOR_MIDDLE,
                "district": district,
                "community": first,
            },
        )
        if created:
            middle.catchment.set([c for c in communities if c.district_id == district.pk])
    return primaries


def put_round(ctx: SeedContext, schools: list[School], *, today: dt.date) -> EnrolmentRound:
    year = school_year(today)
    name = f"{year}年小学一年级随迁子女积分入学（演示）"
    enrolment_round, created = EnrolmentRound.objects.get_or_create(
        name=name,
        defaults={
            "year": year,
            "stage": Stage.PRIMARY,
            "grade": 1,
            "min_age": 6,
            "age_reference_date": dt.date(year, 8, 31),
            "application_opens": today - dt.timedelta(days=7),
            "application_closes": today + dt.timedelta(days=30),
            "preference_opens": today - dt.timedelta(days=7),
            "preference_closes": today + dt.timedelta(days=45),
            "offer_deadline": today + dt.timedelta(days=60),
            "points_rule_set": points_selectors.rule_set_in_force(on=today),
            "points_threshold": Decimal("30"),
            "min_permit_months": 0,
            "tie_breaks": TIE_BREAKS,
        },
    )
    if created:
        PriorityCategory.objects.bulk_create(
            PriorityCategory(
                round=enrolment_round, rank=rank, label=label, label_en=label_en, tenure=tenure
            )
            for rank, label, label_en, tenure in CATEGORIES
        )
        RoundSchool.objects.bulk_create(
            RoundSchool(round=enrolment_round, school=school, seats=ctx.rng.randrange(30, 61, 5))
            for school in schools
        )
    return enrolment_round


def seed(ctx: SeedContext) -> None:
    today = timezone.localdate()
    education = ctx.made["users"]["education1"]
    with transaction.atomic():
        schools = put_schools(ctx)
        enrolment_round = put_round(ctx, schools, today=today)
        if enrolment_round.status == RoundStatus.SETUP:
            services.open_round(actor=education, round_id=enrolment_round.pk)
        if enrolment_round.seed_committed_at is None:
            services.commit_lottery_seed(actor=education, round_id=enrolment_round.pk)
    ctx.write(
        _("School places: %(schools)d primary schools; round open: %(round)s.")
        % {"schools": len(schools), "round": enrolment_round.name}
    )
