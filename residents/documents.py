"""The permit card and the residence registration certificate as PDF (portal.pdf renders them).

Each document carries the holder's photo (embedded as a data: URL: the renderer fetches nothing),
the ID number masked as everywhere outside the holder's own screens, and a verification QR code.
Paper cannot rotate its code, so the card's QR leads to a check that asks for the holder's ID
number (the same question as `POST /api/v1/permits/verify/`), and the certificate's carries a
signed reference to the registration.
"""

from __future__ import annotations

import base64

from django.core import signing
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from portal import pdf, uploads
from residents import selectors
from residents.models import Material, MaterialKind, Permit, Person, Registration

CERTIFICATE_SALT = "residents.registration.certificate"


def person_photo(person: Person) -> Material | None:
    """The latest photo the person uploaded with a permit application."""
    photos: QuerySet[Material] = Material.objects.filter(
        application__person=person, kind=MaterialKind.PHOTO
    )
    return photos.order_by("-id").first()


def photo_data_uri(material: Material | None) -> str:
    """The photo as a data: URL ("" without one, or when its file is gone)."""
    if material is None:
        return ""
    try:
        content = uploads.read_stored(material)
    except OSError:
        return ""
    return f"data:{material.content_type};base64,{base64.b64encode(content).decode()}"


def certificate_token(registration: Registration) -> str:
    """The signed reference a certificate's QR code carries (the registration, nothing personal)."""
    return signing.dumps({"r": registration.pk}, salt=CERTIFICATE_SALT)


def registration_by_certificate_token(token: str) -> Registration | None:
    """The registration a certificate's QR code names; None for a forged or malformed code."""
    try:
        pk = int(signing.loads(token, salt=CERTIFICATE_SALT)["r"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    return (
        Registration.objects.select_related("person", "address__grid__district")
        .filter(pk=pk)
        .first()
    )


def permit_card_pdf(permit: Permit, *, verify_url: str, qr: str) -> bytes:
    """The permit card: holder's photo, name, masked ID, address, validity and the check's QR."""
    current = selectors.current_registration(permit.person)
    html = render_to_string(
        "residents/pdf/permit_card.html",
        {
            "permit": permit,
            "person": permit.person,
            "address": current.address if current else permit.address,
            "photo": photo_data_uri(selectors.permit_photo(permit) or person_photo(permit.person)),
            "qr": qr,
            "verify_url": verify_url,
            "printed_on": timezone.localdate(),
        },
    )
    return pdf.render_pdf(html)


def certificate_pdf(registration: Registration, *, verify_url: str, qr: str) -> bytes:
    """The residence registration certificate (居住登记凭证) with photo, masked ID and QR."""
    html = render_to_string(
        "residents/pdf/certificate.html",
        {
            "registration": registration,
            "person": registration.person,
            "photo": photo_data_uri(person_photo(registration.person)),
            "qr": qr,
            "verify_url": verify_url,
            "printed_on": timezone.localdate(),
        },
    )
    return pdf.render_pdf(html)
