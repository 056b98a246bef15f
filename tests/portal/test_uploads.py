"""The one upload path: checks, storing through the `uploads` storage, removal after commit."""

from __future__ import annotations

import hashlib
import stat

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.db import IntegrityError, transaction
from django.utils import translation

from points.models import Evidence
from portal import uploads
from portal.errors import InvalidInput
from tests import factories
from tests.uploads import use_upload_root

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
PDF = b"%PDF-1.4\n" + b"1 0 obj\n<<>>\nendobj\n" * 10
GIF = b"GIF89a" + b"\x00" * 200


@pytest.fixture(autouse=True)
def upload_root(settings, tmp_path):
    return use_upload_root(settings, tmp_path / "uploads")


def stored_files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize(
    ("name", "content", "use", "content_type"),
    [
        ("photo.jpg", JPEG, uploads.PHOTO, "image/jpeg"),
        ("PHOTO.JPEG", JPEG, uploads.DOCUMENT, "image/jpeg"),
        ("photo.png", PNG, uploads.PHOTO, "image/png"),
        ("lease.pdf", PDF, uploads.DOCUMENT, "application/pdf"),
    ],
)
def test_an_accepted_file_gets_the_type_its_content_shows(name, content, use, content_type):
    assert uploads.check_upload(SimpleUploadedFile(name, content), use=use) == content_type


@pytest.mark.parametrize(
    ("name", "content", "use", "code", "message"),
    [
        ("empty.pdf", b"", uploads.DOCUMENT, "empty_file", "The file is empty."),
        (
            "anim.gif",
            GIF,
            uploads.DOCUMENT,
            "file_type",
            "Only JPEG, PNG or PDF files are accepted.",
        ),
        ("page.jpg", b"<html>", uploads.DOCUMENT, "file_type", "Only JPEG, PNG or PDF"),
        ("photo.pdf", JPEG, uploads.DOCUMENT, "file_type_mismatch", "does not match its content"),
        ("lease", PDF, uploads.DOCUMENT, "file_type_mismatch", "does not match its content"),
        ("lease.pdf", PDF, uploads.PHOTO, "photo_type", "The photo must be a JPEG or PNG image."),
    ],
)
def test_each_wrong_file_is_refused_on_the_file_field(name, content, use, code, message):
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        uploads.check_upload(SimpleUploadedFile(name, content), use=use)
    assert refused.value.code == code
    assert message in str(refused.value.message)
    assert refused.value.fields == {"file": [refused.value.message]}


def test_a_file_over_the_limit_is_refused_with_the_limit(settings):
    settings.UPLOAD_MAX_BYTES = 100
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        uploads.check_upload(SimpleUploadedFile("big.jpg", JPEG))
    assert refused.value.code == "file_too_large"
    assert "100" in str(refused.value.message)
    assert list(refused.value.fields) == ["file"]


def test_refusals_are_translated():
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as refused:
        uploads.check_upload(SimpleUploadedFile("lease.pdf", PDF), use=uploads.PHOTO)
    assert refused.value.message == "照片须为 JPEG 或 PNG 格式。"


def test_a_stored_file_has_a_random_name_in_its_owners_folder_and_its_size_and_hash(
    upload_root, db
):
    user = factories.UserFactory()
    with uploads.stored_upload(
        SimpleUploadedFile("My lease.pdf", PDF),
        folder="points/7",
        content_type="application/pdf",
        uploaded_by=user,
    ) as stored:
        pass
    assert stored["path"].startswith("points/7/")
    assert stored["path"].endswith(".pdf")
    assert "lease" not in stored["path"]
    assert stored["original_name"] == "My lease.pdf"
    assert stored["size"] == len(PDF)
    assert stored["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert stored["uploaded_by"] == user
    assert (upload_root / stored["path"]).read_bytes() == PDF
    with uploads.open_stored(Evidence(path=stored["path"])) as handle:
        assert handle.read() == PDF


def test_files_and_folders_are_readable_by_the_portal_only(upload_root, db):
    with uploads.stored_upload(
        SimpleUploadedFile("a.png", PNG),
        folder="permits/3",
        content_type="image/png",
        uploaded_by=None,
    ) as stored:
        pass
    assert stat.S_IMODE((upload_root / stored["path"]).stat().st_mode) == 0o640
    assert stat.S_IMODE((upload_root / "permits" / "3").stat().st_mode) == 0o750


def test_a_large_upload_in_a_temporary_file_is_measured_while_written(upload_root, db):
    content = PDF + b"0" * (3 * 1024 * 1024)
    upload = TemporaryUploadedFile("big.pdf", "application/pdf", len(content), None)
    upload.write(content)
    upload.seek(0)
    with uploads.stored_upload(
        upload, folder="schooling/1", content_type="application/pdf", uploaded_by=None
    ) as stored:
        pass
    assert stored["size"] == len(content)
    assert stored["sha256"] == hashlib.sha256(content).hexdigest()
    assert (upload_root / stored["path"]).read_bytes() == content
    upload.close()


def test_storing_goes_through_the_uploads_storage(settings, tmp_path, upload_root, db):
    elsewhere = tmp_path / "elsewhere"
    settings.STORAGES = {
        **settings.STORAGES,
        "uploads": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(elsewhere)},
        },
    }
    with uploads.stored_upload(
        SimpleUploadedFile("a.jpg", JPEG),
        folder="permits/1",
        content_type="image/jpeg",
        uploaded_by=None,
    ) as stored:
        pass
    assert storages["uploads"].exists(stored["path"])
    assert (elsewhere / stored["path"]).read_bytes() == JPEG
    assert not upload_root.exists() or stored_files(upload_root) == []


def test_a_file_growing_past_the_limit_while_written_leaves_nothing(settings, upload_root, db):
    upload = SimpleUploadedFile("a.pdf", PDF)
    settings.UPLOAD_MAX_BYTES = 50  # checked before at its announced size; now it is too big
    with (
        pytest.raises(InvalidInput) as refused,
        uploads.stored_upload(
            upload, folder="points/2", content_type="application/pdf", uploaded_by=None
        ),
    ):
        pytest.fail("the block must not run")
    assert refused.value.code == "file_too_large"
    assert stored_files(upload_root) == []


def _store_then_write_a_refused_row(user, seen: list[list[str]], root) -> None:
    with (
        transaction.atomic(),
        uploads.stored_upload(
            SimpleUploadedFile("a.pdf", PDF),
            folder="points/9",
            content_type="application/pdf",
            uploaded_by=user,
        ) as stored,
    ):
        seen.append(stored_files(root))
        Evidence.objects.create(claim_id=9, **{**stored, "content_type": "text/html"})


def test_a_row_that_cannot_be_written_takes_its_file_with_it(upload_root, db):
    user = factories.UserFactory()
    seen: list[list[str]] = []
    with pytest.raises(IntegrityError):
        _store_then_write_a_refused_row(user, seen, upload_root)
    assert len(seen[0]) == 1  # the file was written before the row was refused
    assert stored_files(upload_root) == []


def test_evidence_refuses_a_content_type_that_is_not_accepted(db):
    user = factories.UserFactory()
    with pytest.raises(IntegrityError, match="points_evidence_content_type_valid"):
        Evidence.objects.create(
            claim_id=1,
            content_type="text/html",
            original_name="x.html",
            size=1,
            sha256="0" * 64,
            path="points/1/x.html",
            uploaded_by=user,
            uploaded_at="2026-01-01T00:00:00Z",
        )


def _stored(root) -> str:
    with uploads.stored_upload(
        SimpleUploadedFile("a.jpg", JPEG),
        folder="permits/5",
        content_type="image/jpeg",
        uploaded_by=None,
    ) as stored:
        return stored["path"]


def test_a_file_is_deleted_only_when_its_removal_commits(
    upload_root, db, django_capture_on_commit_callbacks
):
    path = _stored(upload_root)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        uploads.delete_after_commit(path)
        assert (upload_root / path).exists()
    assert len(callbacks) == 1
    assert not (upload_root / path).exists()


def _remove_then_fail(path: str) -> None:
    with transaction.atomic():
        uploads.delete_after_commit(path)
        raise RuntimeError


def test_a_rolled_back_removal_keeps_the_file(upload_root, db, django_capture_on_commit_callbacks):
    path = _stored(upload_root)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        _remove_then_fail(path)
    assert callbacks == []
    assert (upload_root / path).read_bytes() == JPEG


def test_opening_a_file_that_is_gone_says_so(upload_root):
    with pytest.raises(FileNotFoundError):
        uploads.open_stored(Evidence(path="points/1/gone.pdf"))
