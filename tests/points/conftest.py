"""The points cast on top of tests/conftest.py: the seeded rules in force, persons, fact sheets,
reviewers of each department, and a resident registered in district A."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from points import spec
from points.models import RuleSet, Scheme, Zone
from points.services import ledger
from residents import idnumber
from residents.models import Person, Reason, Registration, Source
from tests import factories
from tests.uploads import use_upload_root

PDF = b"%PDF-1.4\n" + b"1 0 obj\n<<>>\nendobj\n" * 10
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200


def pdf(name: str = "diploma.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF)


def make_person(*, seq: int, user=None, name: str = "李明", birth=dt.date(1990, 5, 12)) -> Person:
    number = factories.make_id_number(birth=birth, seq=seq)
    parsed = idnumber.parse(number)
    return Person.objects.create(
        user=user,
        name=name,
        id_number=parsed.number,
        id_hash=idnumber.keyed_hash(number),
        id_masked=parsed.masked,
        birth_date=parsed.birth_date,
        sex=parsed.sex,
    )


def make_sheet(person: Person, *, reference: dt.date = dt.date(2026, 1, 1), **facts):
    return ledger.write_fact_sheet(
        person=person,
        facts={"birth_date": person.birth_date.isoformat(), **facts},
        reference_date=reference,
        applied_at=timezone.now(),
        application=None,
    )


@pytest.fixture(autouse=True)
def _fresh_caches():
    spec.forget_compiled()
    cache.clear()
    yield
    spec.forget_compiled()


@pytest.fixture(autouse=True)
def upload_root(settings, tmp_path):
    use_upload_root(settings, tmp_path / "uploads")
    return settings.UPLOAD_ROOT


@pytest.fixture
def seed_tables(departments):
    """The data migrations' fact types and rule sets (a transactional test's flush removes
    them from a reused test database, so they are restored; loading is idempotent)."""
    from importlib import import_module

    from django.apps import apps

    import_module("points.migrations.0002_fact_types").create_fact_types(apps, None)
    import_module("points.migrations.0003_seed_rule_sets").create_rule_sets(apps, None)
    import_module("points.migrations.0005_verifying_departments").apply_map(apps, None)


@pytest.fixture
def zhongshan(seed_tables) -> RuleSet:
    """The Zhongshan 2014 table of the data migration, its scheme run by the portal."""
    Scheme.objects.filter(code="zhongshan").update(is_active=True)
    return RuleSet.objects.get(scheme__code="zhongshan", version=1)


@pytest.fixture
def shanghai(seed_tables) -> RuleSet:
    return RuleSet.objects.get(scheme__code="shanghai", version=1)


@pytest.fixture
def admin_user(db):
    return factories.UserFactory(username="admin_t", roles=["administrator"], is_superuser=True)


@pytest.fixture
def education_a(district_a):
    return factories.reviewer(department="education", districts=[district_a], username="edu_a")


@pytest.fixture
def hr_a(district_a):
    return factories.reviewer(department="human_resources", districts=[district_a], username="hr_a")


@pytest.fixture
def hr_b(district_b):
    return factories.reviewer(department="human_resources", districts=[district_b], username="hr_b")


@pytest.fixture
def me(resident, address_a):
    """The resident's own person, registered in district A for three years, with a permit."""
    person = make_person(seq=13, user=resident)
    Registration.objects.create(
        person=person,
        address=address_a,
        start_date=timezone.localdate() - dt.timedelta(days=3 * 365),
        reason=Reason.WORK,
        source=Source.SELF,
    )
    give_permit(person)
    return person


@pytest.fixture
def outer_zone(district_b):
    zone = Zone.objects.create(code="outer", name="镇区", name_en="Towns")
    zone.areas.add(district_b)
    return zone


def give_permit(person: Person, *, issued: dt.date | None = None, restarted: dt.date | None = None):
    """A residence permit valid today for a registered person (as public security issues it);
    a permit the person already holds is given the dates asked for."""
    from portal.workflow import services as workflow
    from residents.models import Basis, Permit, PermitApplication

    held = Permit.objects.filter(person=person, status="valid").first()
    if held is not None:
        held.issued_on = issued or timezone.localdate() - dt.timedelta(days=200)
        held.clock_restarted_on = restarted
        held.save(update_fields=["issued_on", "clock_restarted_on"])
        return held

    registration = person.registrations.get(end_date__isnull=True)
    district = registration.address.grid.district
    case = workflow.create_case(
        kind="residence_permit", applicant=person.user, district=district, actor=person.user
    )
    application = PermitApplication.objects.create(
        case=case, person=person, registration=registration, basis=Basis.EMPLOYMENT
    )
    issued = issued or timezone.localdate() - dt.timedelta(days=200)
    return Permit.objects.create(
        number=f"{district.code[:6]}{issued.year}{person.pk:06d}",
        person=person,
        application=application,
        district=district,
        address=registration.address,
        issued_on=issued,
        valid_until=timezone.localdate() + dt.timedelta(days=160),
        clock_restarted_on=restarted,
    )


@pytest.fixture
def police_a_points(district_a):
    return factories.reviewer(
        department="public_security", districts=[district_a], username="police_pts_a"
    )


def register_person(
    user, address, *, seq: int, name: str, years: int = 3, birth=dt.date(1990, 5, 12)
):
    person = make_person(seq=seq, user=user, name=name, birth=birth)
    Registration.objects.create(
        person=person,
        address=address,
        start_date=timezone.localdate() - dt.timedelta(days=years * 365 + 10),
        reason=Reason.WORK,
        source=Source.SELF,
    )
    give_permit(person)
    return person


def complete_application(user, *, service: str, claims_made: dict, reviewers: dict):
    """Start, claim (with evidence), submit and have every department verify: a scored application."""
    from points.models import Claim
    from points.services import claims

    application = claims.start_application(actor=user, service=service)
    for fact_type, value in claims_made.items():
        claim = claims.add_claim(
            actor=user, application_id=application.pk, fact_type=fact_type, value=value
        )
        claims.add_evidence(actor=user, claim_id=claim.pk, upload=pdf())
    claims.submit_application(actor=user, application_id=application.pk)
    for claim in Claim.objects.filter(application=application).select_related("case__department"):
        claims.verify_claim(actor=reviewers[claim.case.department.code], claim_id=claim.pk)
    application.refresh_from_db()
    return application


@pytest.fixture
def reviewers(education_a, hr_a, police_a_points, district_a):
    return {
        "education": education_a,
        "human_resources": hr_a,
        "public_security": police_a_points,
        "housing": factories.reviewer(
            department="housing", districts=[district_a], username="house_pts_a"
        ),
        "service_centre": factories.reviewer(
            department="service_centre", districts=[district_a], username="centre_pts_a"
        ),
    }
