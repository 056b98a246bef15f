"""Uploaded materials of a permit application: a photo and proofs, checked and stored outside the web root.

The type is read from the file's first bytes (JPEG, PNG or PDF), and the file name's ending
must agree with it; the size may not exceed settings.UPLOAD_MAX_BYTES. Files live under
settings.UPLOAD_ROOT, named by a random token, never by what the user called them.
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.errors import InvalidInput, NotFound, TransitionNotAllowed
from residents import selectors
from residents.models import PHOTO_TYPES, UPLOAD_TYPES, Material, MaterialKind
from residents.services.permits import EDITABLE

MAX_FILES_PER_APPLICATION = 20
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)


def sniff_content_type(head: bytes) -> str | None:
    """The file type its first bytes show, among those accepted; None for anything else."""
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def _file_error(message: str, code: str) -> InvalidInput:
    return InvalidInput(message, code=code, fields={"file": [message]})


def check_upload(upload: UploadedFile, *, kind: str) -> str:
    """Check an upload's size and type (by content and name); returns its content type."""
    if kind not in MaterialKind.values:
        message = _("Please choose what the file is.")
        raise InvalidInput(message, fields={"kind": [message]})
    limit = settings.UPLOAD_MAX_BYTES
    if not upload.size:
        raise _file_error(_("The file is empty."), "empty_file")
    if upload.size > limit:
        raise _file_error(
            _("The file is too large: at most %(limit)s.") % {"limit": filesizeformat(limit)},
            "file_too_large",
        )
    upload.seek(0)
    content_type = sniff_content_type(upload.read(16))
    upload.seek(0)
    if content_type is None:
        raise _file_error(_("Only JPEG, PNG or PDF files are accepted."), "file_type")
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in UPLOAD_TYPES[content_type]:
        raise _file_error(
            _(
                "The file's name does not match its content: please upload a real JPEG, PNG or PDF file."
            ),
            "file_type_mismatch",
        )
    if kind == MaterialKind.PHOTO and content_type not in PHOTO_TYPES:
        raise _file_error(_("The photo must be a JPEG or PNG image."), "photo_type")
    return content_type


def add_material(*, actor: User, application_id: int, kind: str, upload: UploadedFile) -> Material:
    """Attach a file to the actor's own application while it is a draft or returned.

    The file is written first and removed again if the row cannot be written, so a refusal
    leaves neither a row nor a file behind.
    """
    content_type = check_upload(upload, kind=kind)
    root = Path(settings.UPLOAD_ROOT)
    with transaction.atomic():
        application = (
            selectors.permit_applications_of(actor)
            .select_for_update(of=("self",))
            .filter(pk=application_id)
            .first()
        )
        if application is None:
            raise NotFound()
        if application.case.status not in EDITABLE:
            raise TransitionNotAllowed(
                _("Materials can only be added before submitting or after a return.")
            )
        if application.materials.count() >= MAX_FILES_PER_APPLICATION:
            raise _file_error(
                _("At most %(count)s files per application.")
                % {"count": MAX_FILES_PER_APPLICATION},
                "too_many_files",
            )
        relative = f"permits/{application.pk}/{uuid.uuid4().hex}{UPLOAD_TYPES[content_type][0]}"
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
        digest = hashlib.sha256()
        size = 0
        try:
            with target.open("xb") as out:
                for chunk in upload.chunks():
                    size += len(chunk)
                    if size > settings.UPLOAD_MAX_BYTES:
                        raise _file_error(_("The file is too large."), "file_too_large")
                    digest.update(chunk)
                    out.write(chunk)
            return Material.objects.create(
                application=application,
                kind=kind,
                content_type=content_type,
                original_name=Path(upload.name or "file").name[:255],
                size=size,
                sha256=digest.hexdigest(),
                path=relative,
                uploaded_by=actor,
                uploaded_at=timezone.now(),
            )
        except BaseException:
            target.unlink(missing_ok=True)
            raise


def remove_material(*, actor: User, material_id: int) -> None:
    """Remove a file from the actor's own application while it can still be changed."""
    with transaction.atomic():
        material = (
            selectors.materials_visible_to(actor)
            .filter(application__case__applicant=actor, pk=material_id)
            .select_for_update(of=("self",))
            .first()
        )
        if material is None:
            raise NotFound()
        if material.application.case.status not in EDITABLE:
            raise TransitionNotAllowed(
                _("Materials can only be removed before submitting or after a return.")
            )
        path = Path(settings.UPLOAD_ROOT) / material.path
        material.delete()
        transaction.on_commit(lambda: path.unlink(missing_ok=True))


def material_file_path(material: Material) -> Path:
    """Where a stored material lives on disk."""
    return Path(settings.UPLOAD_ROOT) / material.path
