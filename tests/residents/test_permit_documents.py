"""The permit card and the registration certificate as PDF, and the demo's generated photo."""

from __future__ import annotations

import io
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from portal import uploads
from residents import documents, portrait, selectors


@pytest.fixture
def with_photo(permit):
    """The application's photo is a real portrait (the shared fixture's is a stub)."""
    photo = selectors.permit_photo(permit)
    with uploads.upload_storage().open(photo.path, "wb") as stored:
        stored.write(portrait.placeholder_portrait("李明"))
    return permit


def _pdf(response) -> PdfReader:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content))


def _text(reader: PdfReader) -> str:
    return "".join(page.extract_text() for page in reader.pages)


def _fonts(reader: PdfReader) -> set[str]:
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (
                descendants[0].get_object()["/FontDescriptor"]
                if descendants
                else font.get("/FontDescriptor")
            )
            if descriptor is not None and any(
                key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3")
            ):
                fonts.add(str(font["/BaseFont"]))
    return fonts


def test_the_permit_card_pdf_has_the_name_the_masked_id_the_photo_and_a_qr(
    client, resident, me, with_photo
):
    client.force_login(resident)
    reader = _pdf(client.get(reverse("residents:permit_card_pdf", args=[with_photo.pk])))

    text = _text(reader)
    assert "李明" in text
    assert "居住证" in text
    assert me.id_masked in text
    assert me.id_number not in text
    assert with_photo.number in text
    assert any("WenQuanYi" in name for name in _fonts(reader)), _fonts(reader)
    images = [image for page in reader.pages for image in page.images]
    assert any(image.image.size == portrait.PHOTO_SIZE for image in images)


def test_the_certificate_pdf_has_the_name_the_masked_id_and_a_checkable_qr(
    client, resident, me, registered, with_photo
):
    client.force_login(resident)
    reader = _pdf(client.get(reverse("residents:certificate_pdf", args=[registered.pk])))

    text = _text(reader)
    assert "李明" in text
    assert "居住登记凭证" in text
    assert me.id_masked in text
    assert me.id_number not in text
    assert [page.images[0].image.size for page in reader.pages] == [portrait.PHOTO_SIZE]

    token = documents.certificate_token(registered)
    page = client.get(reverse("residents:verify_certificate", args=[token]))
    assert page.context["registration"] == registered
    assert "李*".encode() in page.content
    assert "李明".encode() not in page.content
    forged = client.get(reverse("residents:verify_certificate", args=[token[:-3] + "abc"]))
    assert forged.context["registration"] is None
    assert b"verify--invalid" in forged.content


def test_another_resident_gets_404_for_both_documents(client, other_resident, registered, permit):
    client.force_login(other_resident)
    assert client.get(reverse("residents:permit_card_pdf", args=[permit.pk])).status_code == 404
    assert client.get(reverse("residents:certificate_pdf", args=[registered.pk])).status_code == 404


def test_the_printed_cards_check_asks_for_the_holders_id_number(client, me, permit):
    url = reverse("residents:verify_card", args=[permit.number])
    assert client.get(url).status_code == 200

    right = client.post(url, {"id_number": me.id_number})
    assert right.context["result"].valid
    assert "李*".encode() in right.content
    wrong = client.post(url, {"id_number": "11010519491231002X"})
    assert not wrong.context["result"].valid
    assert b"verify--invalid" in wrong.content
    malformed = client.post(url, {"id_number": "123"})
    assert malformed.context["result"] is None
    assert malformed.context["form"].errors["id_number"]


def test_the_printed_cards_check_is_limited_per_client_like_a_sign_in(client, permit):
    cache.clear()
    url = reverse("residents:verify_card", args=[permit.number])
    statuses = [
        client.post(url, {"id_number": f"1101051949123100{n:02d}"}).status_code for n in range(12)
    ]
    cache.clear()

    assert statuses[:10] == [200] * 10  # THROTTLE_AUTH_TOKEN: 10 a minute
    assert statuses[10:] == [429, 429]


def test_the_generated_portrait_is_a_real_id_photo_sized_jpeg():
    content = portrait.placeholder_portrait("陈静")
    image = Image.open(io.BytesIO(content))
    assert (image.format, image.size) == ("JPEG", (358, 441))
    assert len(content) > 2000
    assert len(image.getcolors(maxcolors=1_000_000)) > 5  # drawn, not blank
    assert content == portrait.placeholder_portrait("陈静")
    assert re.match(rb"\xff\xd8\xff", content)


def test_the_demo_holders_photo_is_the_generated_portrait(db, departments):
    from residents.models import Material, MaterialKind
    from tests.points.test_demo import run_steps

    run_steps()
    photo = Material.objects.filter(
        kind=MaterialKind.PHOTO, application__person__user__username="resident1"
    ).get()
    with uploads.open_stored(photo) as stored, Image.open(stored) as image:
        assert (image.format, image.size) == ("JPEG", portrait.PHOTO_SIZE)
