"""Uploaded files: the one place that checks, stores, opens and removes what residents upload.

A file is accepted when its first bytes show JPEG, PNG or PDF, its name's ending agrees with
that content, it is not empty and not larger than settings.UPLOAD_MAX_BYTES; a use may narrow
the types further (a photo is JPEG or PNG). Files are written through the `uploads` storage
(settings.STORAGES: the file system under settings.UPLOAD_ROOT, never served from the web
root) under a random name in the owner's folder (`permits/<application>/`, `schooling/
<application>/`, `points/<claim>/`); the size and SHA-256 are computed while the file is written.
A row that cannot be written takes its file with it; a removed row's file goes after commit.

Every refusal is an `InvalidInput` naming the `file` field.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.errors import InvalidInput

STORAGE_ALIAS = "uploads"

# Accepted upload types: content type -> the file name endings that may carry it (the first
# is the ending a stored file gets).
UPLOAD_TYPES: dict[str, tuple[str, ...]] = {
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "application/pdf": (".pdf",),
}
PHOTO_TYPES = frozenset({"image/jpeg", "image/png"})

_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)


@dataclass(frozen=True)
class Use:
    """What an upload is for: the types it may have and the refusal when it has another."""

    types: frozenset[str]
    refusal: str = ""
    code: str = "file_type"


DOCUMENT = Use(types=frozenset(UPLOAD_TYPES))
PHOTO = Use(
    types=PHOTO_TYPES,
    refusal=gettext_lazy("The photo must be a JPEG or PNG image."),
    code="photo_type",
)


def upload_storage() -> Storage:
    return storages[STORAGE_ALIAS]


def sniff_content_type(head: bytes) -> str | None:
    """The file type its first bytes show, among those accepted; None for anything else."""
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def file_error(message: str, code: str) -> InvalidInput:
    """A refusal of an upload, shown on the `file` field."""
    return InvalidInput(message, code=code, fields={"file": [message]})


def _too_large() -> InvalidInput:
    limit = settings.UPLOAD_MAX_BYTES
    return file_error(
        _("The file is too large: at most %(limit)s.") % {"limit": filesizeformat(limit)},
        "file_too_large",
    )


def check_upload(upload: UploadedFile, *, use: Use = DOCUMENT) -> str:
    """Check an upload's size and type (by content and name ending); returns its content type."""
    if not upload.size:
        raise file_error(_("The file is empty."), "empty_file")
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise _too_large()
    upload.seek(0)
    content_type = sniff_content_type(upload.read(16))
    upload.seek(0)
    if content_type is None:
        raise file_error(_("Only JPEG, PNG or PDF files are accepted."), "file_type")
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in UPLOAD_TYPES[content_type]:
        raise file_error(
            _(
                "The file's name does not match its content: please upload a real JPEG, PNG or PDF file."
            ),
            "file_type_mismatch",
        )
    if content_type not in use.types:
        raise file_error(str(use.refusal), use.code)
    return content_type


class _MeasuredFile(File):
    """An upload read chunk by chunk, counting its bytes and hashing them on the way.

    It offers only `chunks()` to the storage (no temporary file path to move), so every byte
    written is measured; more than settings.UPLOAD_MAX_BYTES stops the write.
    """

    def __init__(self, upload: UploadedFile) -> None:
        super().__init__(upload.file, name=upload.name)
        self._upload = upload
        self.digest = hashlib.sha256()
        self.measured = 0

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        for chunk in self._upload.chunks(chunk_size):
            self.measured += len(chunk)
            if self.measured > settings.UPLOAD_MAX_BYTES:
                raise file_error(_("The file is too large."), "file_too_large")
            self.digest.update(chunk)
            yield chunk


@contextmanager
def stored_upload(
    upload: UploadedFile, *, folder: str, content_type: str, uploaded_by: Any
) -> Iterator[dict[str, Any]]:
    """Write a checked upload into `folder` and yield the columns of its `StoredFile` row.

    Write the row inside the block: if the block fails (the row is refused, a guard raises),
    the stored file is deleted, so a refusal leaves neither a row nor a file.
    """
    storage = upload_storage()
    name = f"{folder}/{uuid.uuid4().hex}{UPLOAD_TYPES[content_type][0]}"
    measured = _MeasuredFile(upload)
    try:
        name = storage.save(name, measured)
    except BaseException:
        storage.delete(name)
        raise
    try:
        yield {
            "content_type": content_type,
            "original_name": Path(upload.name or "file").name[:255],
            "size": measured.measured,
            "sha256": measured.digest.hexdigest(),
            "path": name,
            "uploaded_by": uploaded_by,
            "uploaded_at": timezone.now(),
        }
    except BaseException:
        storage.delete(name)
        raise


def delete_after_commit(*paths: str) -> None:
    """Delete stored files once the transaction that removed their rows commits (a rollback
    keeps them)."""
    storage = upload_storage()
    transaction.on_commit(lambda: [storage.delete(path) for path in paths])


def open_stored(stored: StoredFile) -> IO[bytes]:
    """A stored file opened for reading; FileNotFoundError when it is gone."""
    return upload_storage().open(stored.path, "rb")


def read_stored(stored: StoredFile) -> bytes:
    with open_stored(stored) as handle:
        return handle.read()


class StoredFile(models.Model):
    """An uploaded file kept in the `uploads` storage: the columns every upload row shares.

    `path` is the storage name (relative to settings.UPLOAD_ROOT); the type was read from the
    content, never taken from the browser.
    """

    content_type = models.CharField(gettext_lazy("file type"), max_length=40)
    original_name = models.CharField(gettext_lazy("file name"), max_length=255)
    size = models.PositiveIntegerField(gettext_lazy("size in bytes"))
    sha256 = models.CharField(max_length=64)
    path = models.CharField(max_length=300, unique=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(gettext_lazy("uploaded at"))

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(content_type__in=list(UPLOAD_TYPES)),
                name="%(app_label)s_%(class)s_content_type_valid",
            ),
        ]
