"""The residents' cast on top of tests/conftest.py: a registered person, applications, permits, files."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from portal.periods import add_months
from residents import services
from residents.models import Basis, MaterialKind, Permit
from tests import factories
from tests.uploads import use_upload_root

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
PDF = b"%PDF-1.4\n" + b"1 0 obj\n<<>>\nendobj\n" * 10
GIF = b"GIF89a" + b"\x00" * 200


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def months_ago(months: int) -> dt.date:
    return add_months(timezone.localdate(), -months)


def id_number(seq: int, *, birth: dt.date = dt.date(1990, 5, 17)) -> str:
    return factories.make_id_number(birth=birth, seq=seq)


def make_person(user, *, seq: int, name: str = "李明", birth: dt.date = dt.date(1990, 5, 17)):
    return services.create_own_person(
        actor=user, name=name, id_number=id_number(seq, birth=birth), phone="13800138000"
    )


def register(user, person, address, *, start: dt.date | None = None, verify: bool = True):
    """A registration from `start` (8 months ago); an older start than the declaration window
    is verified by a grid officer unless `verify` is False."""
    registration = services.register_residence(
        actor=user,
        person_id=person.pk,
        address_id=address.pk,
        start_date=start or months_ago(8),
        reason="work",
    )
    return factories.verified(registration) if verify else registration


def make_application(user, person, *, materials: bool = True):
    application = services.create_permit_application(
        actor=user, person_id=person.pk, basis=Basis.EMPLOYMENT, basis_detail="温州某某鞋业有限公司"
    )
    if materials:
        services.add_material(
            actor=user,
            application_id=application.pk,
            kind=MaterialKind.PHOTO,
            upload=upload("photo.jpg", JPEG),
        )
        services.add_material(
            actor=user,
            application_id=application.pk,
            kind=MaterialKind.PROOF,
            upload=upload("contract.pdf", PDF),
        )
    return application


def issue_permit_for(user, person, reviewer) -> Permit:
    application = make_application(user, person)
    services.submit_permit_application(actor=user, application_id=application.pk)
    services.approve_permit_application(actor=reviewer, application_id=application.pk)
    return Permit.objects.get(application=application)


@pytest.fixture
def public_security(db):
    """The department row, also in transactional tests (whose flush empties data migrations' rows)."""
    from portal.accounts.models import Department

    department, _ = Department.objects.get_or_create(
        code="public_security", defaults={"name": "公安局", "name_en": "Public Security Bureau"}
    )
    return department


@pytest.fixture(autouse=True)
def upload_root(settings, tmp_path):
    use_upload_root(settings, tmp_path / "uploads")
    return settings.UPLOAD_ROOT


@pytest.fixture
def me(resident):
    return make_person(resident, seq=13)


@pytest.fixture
def registered(me, resident, address_a):
    return register(resident, me, address_a)


@pytest.fixture
def draft(resident, me, registered):
    return make_application(resident, me)


@pytest.fixture
def submitted(draft, resident):
    return services.submit_permit_application(actor=resident, application_id=draft.pk)


@pytest.fixture
def permit(submitted, police_a):
    services.approve_permit_application(actor=police_a, application_id=submitted.pk)
    return Permit.objects.get(application=submitted)


@pytest.fixture
def them(other_resident):
    return make_person(other_resident, seq=25, name="王芳")
