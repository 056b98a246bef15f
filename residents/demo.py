"""The residents' part of the demo city: the demo residents, their households and registrations.

resident1 has lived two years in a rented flat in the first district, works, and has a
six-year-old child registered with them; resident2 arrived two months ago. A few more persons
live in officer1's grids so the grid officer has residents to visit. With --persons N, a
synthetic population of N more is loaded in bulk (residents.bulk).

Persons are found by the keyed hash of their ID number and registrations are only added where
a person has no current one, so a rerun changes nothing. Dates count back from today.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import ric

from portal.areas.models import Address
from portal.demo import SeedContext
from residents import bulk, idnumber
from residents.models import (
    Dependant,
    Education,
    FieldTask,
    Person,
    Reason,
    Registration,
    Relation,
    Source,
    TaskKind,
    TaskStatus,
    VisitOutcome,
)
from residents.services import field

if TYPE_CHECKING:
    from portal.accounts.models import User


@dataclass(frozen=True)
class DemoPerson:
    """A named demo person. Their region codes are outside bulk.ORIGIN_COUNTIES, so no
    synthetic person can ever take one of their ID numbers."""

    name: str
    region: str
    birth: dt.date
    seq: int
    phone: str = ""
    education: str = ""
    employer: str = ""

    @property
    def number(self) -> str:
        return make_number(region=self.region, birth=self.birth, seq=self.seq)


RESIDENT1 = DemoPerson(
    "李明",
    "362330",
    dt.date(1990, 5, 12),
    31,
    phone="+8613957700001",
    education=Education.JUNIOR_COLLEGE,
    employer="东瓯精密机电有限公司",
)
RESIDENT2 = DemoPerson(
    "王芳",
    "513624",
    dt.date(1996, 8, 20),
    46,
    phone="+8613957700002",
    education=Education.BACHELOR,
    employer="滨海跨境电子商务有限公司",
)
CHILD_NAME = "李雨桐"
CHILD_REGION = "361128"
CHILD_SEQ = 24

# Neighbours in officer1's grids: (person, days since they registered, reason).
NEIGHBOURS = (
    (
        DemoPerson(
            "赵大勇",
            "513031",
            dt.date(1978, 3, 3),
            15,
            "+8613957700011",
            Education.JUNIOR_MIDDLE,
            "江南建设工程有限公司",
        ),
        1210,
        Reason.WORK,
    ),
    (
        DemoPerson(
            "钱秀英",
            "512226",
            dt.date(1982, 11, 11),
            28,
            "+8613957700012",
            Education.SENIOR_MIDDLE,
            "恒达鞋业有限公司",
        ),
        830,
        Reason.WORK,
    ),
    (
        DemoPerson(
            "孙建华",
            "522121",
            dt.date(1985, 7, 21),
            57,
            "+8613957700013",
            Education.JUNIOR_COLLEGE,
            "永兴汽车配件有限公司",
        ),
        400,
        Reason.WORK,
    ),
    (
        DemoPerson(
            "周丽娟",
            "513028",
            dt.date(1993, 2, 14),
            62,
            "+8613957700014",
            Education.BACHELOR,
            "",
        ),
        150,
        Reason.FAMILY,
    ),
    (
        DemoPerson(
            "吴海峰",
            "412727",
            dt.date(1988, 9, 9),
            73,
            "+8613957700015",
            Education.SENIOR_MIDDLE,
            "宏远物流有限公司",
        ),
        45,
        Reason.WORK,
    ),
    (
        DemoPerson(
            "郑小红",
            "411626",
            dt.date(2001, 4, 30),
            82,
            "+8613957700016",
            Education.JUNIOR_COLLEGE,
            "",
        ),
        20,
        Reason.STUDY,
    ),
)


def make_number(*, region: str, birth: dt.date, seq: int) -> str:
    """A valid ID number: region, birth date, sequence (odd for men) and its check character."""
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def put_person(demo: DemoPerson, *, user: User | None = None) -> Person:
    """The demo person, created if missing.

    Found by the keyed hash of their ID number; a demo user's person is first looked for as
    the person already linked to that user, so an older demo database stays consistent.
    """
    if user is not None:
        linked = Person.objects.filter(user=user).first()
        if linked is not None:
            return linked
    parsed = idnumber.parse(demo.number)
    person, _created = Person.objects.get_or_create(
        id_hash=idnumber.keyed_hash(parsed.number),
        defaults={
            "name": demo.name,
            "id_number": parsed.number,
            "id_masked": parsed.masked,
            "birth_date": parsed.birth_date,
            "sex": parsed.sex,
            "phone": demo.phone,
            "origin_code": f"{parsed.number[:6]}000000",
            "education": demo.education,
            "employer": demo.employer,
            "user": user,
        },
    )
    if user is not None and person.user_id is None:
        person.user = user
        person.save(update_fields=["user"])
    return person


def register_once(
    person: Person,
    *,
    address: Address,
    start: dt.date,
    reason: str,
    source: str,
    registered_by: User | None = None,
) -> Registration:
    """The person's current registration, made at `address` from `start` if they have none."""
    current = person.registrations.filter(end_date__isnull=True).first()
    if current is not None:
        return current
    return Registration.objects.create(
        person=person,
        address=address,
        start_date=start,
        reason=reason,
        source=source,
        registered_by=registered_by,
    )


def child_of(guardian: Person, *, today: dt.date) -> Person:
    """resident1's child: six years and a hundred days old on the day the demo is first built."""
    link = (
        Dependant.objects.filter(guardian=guardian, relation=Relation.CHILD)
        .select_related("dependant")
        .order_by("pk")
        .first()
    )
    if link is not None:
        return link.dependant
    birth = years_before(today, 6) - dt.timedelta(days=100)
    child = DemoPerson(CHILD_NAME, CHILD_REGION, birth, CHILD_SEQ)
    person = put_person(child)
    Dependant.objects.get_or_create(
        guardian=guardian, dependant=person, defaults={"relation": Relation.CHILD}
    )
    return person


def seed(ctx: SeedContext) -> None:
    today = timezone.localdate()
    with transaction.atomic():
        seed_demo_residents(ctx, today=today)
        seed_field_work(ctx)
    count = ctx.options.get("persons") or 0
    if count:
        load_synthetic(ctx, count=count, today=today)


def seed_demo_residents(ctx: SeedContext, *, today: dt.date) -> None:
    """resident1 and their child, resident2, and the neighbours in officer1's grids."""
    users = ctx.made["users"]
    officer_grids = list(users["officer1"].grids.order_by("code"))
    by_grid = ctx.made["addresses_by_grid"]
    first_grid, second_grid = (by_grid[grid.code] for grid in officer_grids[:2])

    resident1 = put_person(RESIDENT1, user=users["resident1"])
    home = first_grid[0]
    since = years_before(today, 2)
    register_once(resident1, address=home, start=since, reason=Reason.WORK, source=Source.LANDLORD)
    child = child_of(resident1, today=today)
    register_once(child, address=home, start=since, reason=Reason.FAMILY, source=Source.LANDLORD)

    resident2 = put_person(RESIDENT2, user=users["resident2"])
    register_once(
        resident2,
        address=second_grid[0],
        start=today - dt.timedelta(days=60),
        reason=Reason.WORK,
        source=Source.SELF,
    )

    officer = users["officer1"]
    for i, (demo, days, reason) in enumerate(NEIGHBOURS):
        grid_addresses = first_grid if i % 2 == 0 else second_grid
        register_once(
            put_person(demo),
            address=grid_addresses[(1 + i // 2) % len(grid_addresses)],
            start=today - dt.timedelta(days=days),
            reason=reason,
            source=Source.GRID_OFFICER,
            registered_by=officer,
        )
    ctx.write(
        _("Demo residents: resident1 with a child, resident2, and %(count)d neighbours.")
        % {"count": len(NEIGHBOURS)}
    )


# officer1's past visits: (which grid, which address in it, days ago, outcome, note).
DEMO_VISITS = (
    (0, 0, 12, VisitOutcome.DONE, "租户一家在家，信息无变化。"),
    (0, 1, 9, VisitOutcome.DONE, ""),
    (1, 1, 6, VisitOutcome.DONE, "上夜班，下午来访。"),
    (1, 2, 35, VisitOutcome.DONE, ""),
    (0, 4, 2, VisitOutcome.NOBODY_HOME, "敲门无人应答，已留联系卡。"),
)
DEMO_VISIT_IDS = uuid.UUID("6f6c6e1e-3a0b-4c55-9d0e-2b5f0c8d7a10")


def seed_field_work(ctx: SeedContext) -> None:
    """officer1's field work: a few past visits in their two grids (one found nobody home, so
    a revisit is due), a landlord's declaration to verify and an overdue discrepancy.

    Visits carry fixed client ids and tasks fixed references, so a rerun records nothing twice.
    """
    officer = ctx.made["users"]["officer1"]
    by_grid = ctx.made["addresses_by_grid"]
    grids = [by_grid[grid.code] for grid in officer.grids.order_by("code")[:2]]
    now = timezone.now()
    for number, (grid, index, days, outcome, note) in enumerate(DEMO_VISITS):
        address = grids[grid][index % len(grids[grid])]
        present = (
            list(
                Registration.objects.filter(address=address, end_date__isnull=True).values_list(
                    "person_id", flat=True
                )
            )
            if outcome == VisitOutcome.DONE
            else []
        )
        field.record_visit(
            actor=officer,
            client_id=uuid.uuid5(DEMO_VISIT_IDS, str(number)),
            address_id=address.pk,
            outcome=outcome,
            present=present,
            note=note,
            visited_at=now - dt.timedelta(days=days, hours=3),
        )
    today = timezone.localdate()
    declared_at = grids[1][0]
    declared = Registration.objects.filter(address=declared_at, end_date__isnull=True).first()
    field.raise_field_task(
        kind=TaskKind.VERIFY_DECLARATION,
        address=declared_at,
        person=declared.person if declared else None,
        due_date=today + dt.timedelta(days=5),
        source="housing",
        source_ref="demo-declaration-1",
        note="房东陈建国申报租户入住，请上门核实。",
    )
    field.raise_field_task(
        kind=TaskKind.VERIFY_DISCREPANCY,
        address=grids[1][3 % len(grids[1])],
        due_date=today - dt.timedelta(days=1),
        source="reconciliation",
        source_ref="demo-discrepancy-1",
        note="用水用电数据显示该地址有人居住，但无人登记。",
    )
    ctx.write(
        _("Field work: %(visits)d visits and %(tasks)d open tasks for officer1.")
        % {
            "visits": len(DEMO_VISITS),
            "tasks": FieldTask.objects.filter(
                address__grid__in=officer.grids.all(), status=TaskStatus.OPEN
            ).count(),
        }
    )


# The first addresses of each grid hold the named demo households (and landlord1's flats).
NAMED_FLATS_PER_GRID = 2


def load_synthetic(ctx: SeedContext, *, count: int, today: dt.date) -> None:
    """Load `count` synthetic residents living anywhere in the demo city (residents.bulk),
    but not at the first two addresses of a grid: those are the named demo households' flats,
    which landlord1 lets under the occupancy policy (a flat of 62.5 m² cannot house a crowd)."""
    by_grid = ctx.made["addresses_by_grid"]
    address_ids = [
        a.pk for grid in ctx.made["grids"] for a in by_grid[grid.code][NAMED_FLATS_PER_GRID:]
    ] or [a.pk for grid in ctx.made["grids"] for a in by_grid[grid.code]]
    ctx.write(_("Synthetic residents: loading %(count)d.") % {"count": count})
    persons, registrations = bulk.load_persons(
        count=count,
        seed=ctx.rng.getrandbits(64),
        address_ids=address_ids,
        today=today,
        write=ctx.write,
    )
    ctx.write(
        _("Synthetic residents: %(persons)d persons and %(registrations)d registrations added.")
        % {"persons": persons, "registrations": registrations}
    )
