"""The schooling cast on top of tests/conftest.py: schools, an open round, guardians with permits and points.

Guardians are built through the residents and points services: registered eight months
before their permit was issued, the permit issued `permit_months` ago (time-machine), and a
school score written to the points ledger from a fact sheet under the Zhongshan 2014 rules
(education 20-80 points plus 1.5 per insurance type-year in the province).
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from importlib import import_module

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from points.models import RuleSet
from points.services import ledger
from portal.areas.models import Area, Level
from portal.periods import add_months
from residents import services as resident_services
from residents.models import Basis, Relation
from residents.models import MaterialKind as PermitMaterial
from schooling import services
from schooling.models import (
    EnrolmentRound,
    MaterialKind,
    PriorityCategory,
    RoundSchool,
    School,
    Stage,
    Tenure,
    TenureRule,
)
from tests import factories
from tests.uploads import use_upload_root

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
PDF = b"%PDF-1.4\n" + b"1 0 obj\n<<>>\nendobj\n" * 10

_seq = itertools.count(101)


def upload(name: str, content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def today() -> dt.date:
    return timezone.localdate()


def years_before(day: dt.date, years: int) -> dt.date:
    return add_months(day, -12 * years)


def square(lon: float, lat: float, size: float = 0.01) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [
            [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
        ],
    }


def add_community(district: Area, *, code_suffix: str, lon: float, lat: float) -> Area:
    """Another community (with a grid) in the district's first street, with a square boundary."""
    street = Area.objects.get(parent=district, level=Level.STREET)
    community = Area.objects.create(
        code=f"{street.code[:9]}{code_suffix}",
        name=f"社区{code_suffix}",
        level=Level.COMMUNITY,
        parent=street,
        district=district,
        boundary=square(lon, lat),
    )
    Area.objects.create(
        code=f"{community.code}001",
        name="第1网格",
        level=Level.GRID,
        parent=community,
        district=district,
    )
    return community


def make_school(code: str, district: Area, community: Area, *, catchment=(), stage=Stage.PRIMARY):
    school = School.objects.create(
        code=code, name=f"{code}小学", stage=stage, district=district, community=community
    )
    school.catchment.set(catchment)
    return school


def school_rule_set() -> RuleSet:
    """The Zhongshan 2014 rules (one score, school threshold 30), also after a transactional flush."""
    found = RuleSet.objects.filter(scheme__code="zhongshan", version=1).first()
    if found is None:
        import_module("points.migrations.0002_fact_types").create_fact_types(django_apps, None)
        import_module("points.migrations.0003_seed_rule_sets").create_rule_sets(django_apps, None)
        found = RuleSet.objects.get(scheme__code="zhongshan", version=1)
    return found


def give_points(person, *, education: str = "bachelor", insurance_years: int = 0) -> Decimal:
    """Score the person into the points ledger; returns their school total."""
    sheet = ledger.write_fact_sheet(
        person=person,
        facts={
            "has_permit": True,
            "work_years_city": 2,
            "education": education,
            "insurance_type_years_province": insurance_years,
        },
        reference_date=today(),
        applied_at=timezone.now(),
        application=None,
    )
    score = ledger.score_sheet(sheet=sheet, rule_set=school_rule_set())
    return Decimal(str(score.total("school")))


def make_guardian(
    *,
    username: str,
    address,
    police,
    permit_months: int = 14,
    child_birth: dt.date | None = None,
    points: dict | None = None,
):
    """A resident with a permit held `permit_months`, a child, and a school score. Returns (user, guardian, child)."""
    user = factories.UserFactory(username=username)
    issued = add_months(today(), -permit_months)
    with time_machine.travel(dt.datetime.combine(issued, dt.time(10)), tick=False):
        seq = next(_seq)
        guardian = resident_services.create_own_person(
            actor=user,
            name="李明",
            id_number=factories.make_id_number(birth=dt.date(1988, 3, 9), seq=seq * 2 + 1),
            phone="",
        )
        factories.verified(
            resident_services.register_residence(
                actor=user,
                person_id=guardian.pk,
                address_id=address.pk,
                start_date=add_months(issued, -8),
                reason="work",
            )
        )
        application = resident_services.create_permit_application(
            actor=user, person_id=guardian.pk, basis=Basis.EMPLOYMENT, basis_detail="某某鞋业公司"
        )
        resident_services.add_material(
            actor=user,
            application_id=application.pk,
            kind=PermitMaterial.PHOTO,
            upload=upload("photo.jpg", JPEG),
        )
        resident_services.add_material(
            actor=user,
            application_id=application.pk,
            kind=PermitMaterial.PROOF,
            upload=upload("contract.pdf"),
        )
        resident_services.submit_permit_application(actor=user, application_id=application.pk)
        resident_services.approve_permit_application(actor=police, application_id=application.pk)
    if permit_months >= 12:
        # The yearly endorsement keeps the permit valid (within the month before the anniversary).
        with time_machine.travel(
            dt.datetime.combine(add_months(issued, 12) - dt.timedelta(days=10), dt.time(10)),
            tick=False,
        ):
            permit = guardian.permits.get()
            resident_services.endorse_permit(actor=user, permit_id=permit.pk)
    child = resident_services.add_dependant(
        actor=user,
        relation=Relation.CHILD,
        name="李雨桐",
        id_number=factories.make_id_number(
            birth=child_birth or years_before(today(), 7), seq=next(_seq) * 2
        ),
    )
    give_points(guardian, **(points or {}))
    return user, guardian, child


def attach_materials(user, application, *, housing: bool = True) -> None:
    services.add_material(
        actor=user,
        application_id=application.pk,
        kind=MaterialKind.VACCINATION,
        upload=upload("vaccination.pdf"),
    )
    services.add_material(
        actor=user,
        application_id=application.pk,
        kind=MaterialKind.HOUSEHOLD,
        upload=upload("hukou.pdf"),
    )
    if housing:
        services.add_material(
            actor=user,
            application_id=application.pk,
            kind=MaterialKind.HOUSING,
            upload=upload("lease.pdf"),
        )


@pytest.fixture(autouse=True)
def upload_root(settings, tmp_path):
    use_upload_root(settings, tmp_path / "uploads")
    return settings.UPLOAD_ROOT


@pytest.fixture
def education_a(district_a):
    return factories.reviewer(department="education", districts=[district_a], username="edu_a")


@pytest.fixture
def education_b(district_b):
    return factories.reviewer(department="education", districts=[district_b], username="edu_b")


@pytest.fixture
def education_all(district_a, district_b):
    return factories.reviewer(
        department="education", districts=[district_a, district_b], username="edu_all"
    )


@pytest.fixture
def community_a(grid_a):
    community = grid_a.parent
    community.boundary = square(121.10, 28.05)
    community.save(update_fields=["boundary"])
    return community


@pytest.fixture
def schools(district_a, district_b, community_a):
    """Two schools in district A (X has the home community in its catchment), one in B."""
    far = add_community(district_a, code_suffix="009", lon=121.30, lat=28.05)
    community_b = Area.objects.get(parent__parent=district_b, level=Level.COMMUNITY)
    community_b.boundary = square(121.50, 28.05)
    community_b.save(update_fields=["boundary"])
    return {
        "X": make_school("X", district_a, community_a, catchment=[community_a]),
        "Y": make_school("Y", district_a, far, catchment=[far]),
        "Z": make_school("Z", district_b, community_b, catchment=[community_b]),
    }


def build_round(*, schools: dict, seats: dict, actor, **overrides) -> EnrolmentRound:
    day = today()
    values = {
        "name": f"{day.year}年小学一年级积分入学",
        "year": day.year,
        "stage": Stage.PRIMARY,
        "min_age": 6,
        "age_reference_date": dt.date(day.year, 8, 31),
        "application_opens": day - dt.timedelta(days=10),
        "application_closes": day + dt.timedelta(days=10),
        "preference_opens": day - dt.timedelta(days=10),
        "preference_closes": day + dt.timedelta(days=20),
        "offer_deadline": day + dt.timedelta(days=30),
        "points_rule_set": school_rule_set(),
        "points_threshold": Decimal("30"),
        "min_permit_months": 12,
        "tie_breaks": ["sub:quality", "permit_months"],
    }
    values.update(overrides)
    enrolment_round = EnrolmentRound.objects.create(**values)
    PriorityCategory.objects.bulk_create(
        [
            PriorityCategory(
                round=enrolment_round, rank=1, label="学区内自有住房", tenure=TenureRule.OWNED
            ),
            PriorityCategory(
                round=enrolment_round, rank=2, label="学区内租赁住房", tenure=TenureRule.RENTED
            ),
        ]
    )
    for key, school in schools.items():
        RoundSchool.objects.create(round=enrolment_round, school=school, seats=seats.get(key, 0))
    return services.open_round(actor=actor, round_id=enrolment_round.pk)


@pytest.fixture
def enrolment_round(schools, education_all):
    return build_round(schools=schools, seats={"X": 1, "Y": 1, "Z": 2}, actor=education_all)


@pytest.fixture
def family(address_a, police_a):
    return make_guardian(username="family_a", address=address_a, police=police_a)


def enter(
    enrolment_round,
    *,
    username: str,
    address,
    police,
    reviewer,
    choices: list,
    tenure: str = Tenure.RENTED,
    points: dict | None = None,
):
    """A family through the whole application: applied, approved, schools ranked. Returns (user, application)."""
    user, _guardian, child = make_guardian(
        username=username, address=address, police=police, points=points
    )
    application = services.create_application(
        actor=user, round_id=enrolment_round.pk, child_id=child.pk, tenure=tenure
    )
    attach_materials(user, application, housing=tenure != Tenure.OTHER)
    services.submit_application(actor=user, application_id=application.pk)
    services.approve_application(actor=reviewer, application_id=application.pk)
    services.save_preferences(
        actor=user, application_id=application.pk, school_ids=[s.pk for s in choices]
    )
    return user, application


def after(day: dt.date, days: int = 1) -> dt.datetime:
    """Ten in the morning, `days` after `day`."""
    return dt.datetime.combine(day + dt.timedelta(days=days), dt.time(10))
