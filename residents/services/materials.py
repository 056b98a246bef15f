"""Uploaded materials of a permit application: a photo and proofs, checked and stored outside the web root.

The checks, the storage and the removal after commit are portal.uploads'; a photo must be
JPEG or PNG. Files live under `permits/<application>/` in the uploads storage.
"""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from portal import uploads
from portal.accounts.models import User
from portal.errors import InvalidInput, NotFound, TransitionNotAllowed
from residents import selectors
from residents.models import Material, MaterialKind
from residents.services.permits import EDITABLE

MAX_FILES_PER_APPLICATION = 20


def check_upload(upload: UploadedFile, *, kind: str) -> str:
    """Check what the file is said to be and the file itself; returns its content type."""
    if kind not in MaterialKind.values:
        message = _("Please choose what the file is.")
        raise InvalidInput(message, fields={"kind": [message]})
    use = uploads.PHOTO if kind == MaterialKind.PHOTO else uploads.DOCUMENT
    return uploads.check_upload(upload, use=use)


def add_material(*, actor: User, application_id: int, kind: str, upload: UploadedFile) -> Material:
    """Attach a file to the actor's own application while it is a draft or returned.

    The file is written first and removed again if the row cannot be written, so a refusal
    leaves neither a row nor a file behind.
    """
    content_type = check_upload(upload, kind=kind)
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
            raise uploads.file_error(
                _("At most %(count)s files per application.")
                % {"count": MAX_FILES_PER_APPLICATION},
                "too_many_files",
            )
        with uploads.stored_upload(
            upload,
            folder=f"permits/{application.pk}",
            content_type=content_type,
            uploaded_by=actor,
        ) as stored:
            return Material.objects.create(application=application, kind=kind, **stored)


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
        material.delete()
        uploads.delete_after_commit(material.path)
