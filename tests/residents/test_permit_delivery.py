"""The card by courier: the applicant's choice, staff steps, the courier's signed callback."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from portal.errors import InvalidInput, NotEligible, NotFound, TransitionNotAllowed
from portal.notices.models import Notification
from residents import courier_signing
from residents.models import CardDelivery, CourierNonce, DeliveryChoice, DeliveryStatus, Permit
from residents.services import delivery as services
from residents.services import permits as permit_services

SECRET = "courier-test-secret"


@pytest.fixture(autouse=True)
def courier_secret(settings):
    settings.COURIER_CALLBACK_SECRET = SECRET
    settings.COURIER_CALLBACK_MAX_SKEW_SECONDS = 300


@pytest.fixture
def couriered(resident, draft, police_a, django_capture_on_commit_callbacks):
    """An approved application whose applicant chose the courier, its card printed."""
    services.choose_delivery(
        actor=resident,
        application_id=draft.pk,
        method="courier",
        address="东瓯市学院路88号3幢502室",
        phone="13957712345",
    )
    permit_services.submit_permit_application(actor=resident, application_id=draft.pk)
    permit_services.approve_permit_application(actor=police_a, application_id=draft.pk)
    permit = Permit.objects.get(application=draft)
    with django_capture_on_commit_callbacks(execute=True):
        return services.start_card_delivery(actor=police_a, permit_id=permit.pk)


def test_a_courier_choice_names_every_missing_detail_at_once(resident, draft):
    with pytest.raises(InvalidInput) as error:
        services.choose_delivery(actor=resident, application_id=draft.pk, method="courier")
    assert set(error.value.fields) == {"address", "phone"}
    with pytest.raises(InvalidInput):
        services.choose_delivery(actor=resident, application_id=draft.pk, method="drone")
    assert not DeliveryChoice.objects.exists()


def test_another_resident_cannot_choose_for_an_application(other_resident, draft):
    with pytest.raises(NotFound):
        services.choose_delivery(actor=other_resident, application_id=draft.pk, method="pickup")


def test_the_choice_is_fixed_once_the_application_is_sent(resident, submitted):
    with pytest.raises(TransitionNotAllowed):
        services.choose_delivery(actor=resident, application_id=submitted.pk, method="pickup")


def test_a_pick_up_card_is_not_sent(police_a, permit):
    with pytest.raises(NotEligible):
        services.start_card_delivery(actor=police_a, permit_id=permit.pk)


def test_staff_step_by_step_with_history_and_a_notice_each(
    resident, police_a, couriered, django_capture_on_commit_callbacks
):
    assert couriered.status == DeliveryStatus.PRINTED
    with pytest.raises(InvalidInput) as error:
        services.move_card_delivery(
            actor=police_a, delivery_id=couriered.pk, to_status="handed_over"
        )
    assert "waybill" in error.value.fields
    with pytest.raises(TransitionNotAllowed):
        services.move_card_delivery(actor=police_a, delivery_id=couriered.pk, to_status="delivered")
    with django_capture_on_commit_callbacks(execute=True):
        services.move_card_delivery(
            actor=police_a, delivery_id=couriered.pk, to_status="handed_over", waybill="SF123"
        )
    with pytest.raises(InvalidInput) as error:
        services.move_card_delivery(actor=police_a, delivery_id=couriered.pk, to_status="returned")
    assert "reason" in error.value.fields
    with django_capture_on_commit_callbacks(execute=True):
        services.move_card_delivery(
            actor=police_a, delivery_id=couriered.pk, to_status="returned", reason="无人签收"
        )

    steps = list(couriered.events.values_list("from_status", "to_status", "source", "waybill"))
    assert steps == [
        ("", "printed", "staff", ""),
        ("printed", "handed_over", "staff", "SF123"),
        ("handed_over", "returned", "staff", "SF123"),
    ]
    titles = list(Notification.objects.filter(recipient=resident).values_list("title", flat=True))
    assert sum("居住证" in t and ("印制" in t or "快递" in t or "退回" in t) for t in titles) == 3


def test_staff_of_another_district_cannot_move_it(police_b, couriered):
    with pytest.raises(NotFound):
        services.move_card_delivery(
            actor=police_b, delivery_id=couriered.pk, to_status="handed_over", waybill="SF1"
        )


def _callback(body: dict, *, secret=SECRET, timestamp=None, nonce="nonce-0001", signature=None):
    raw = json.dumps(body).encode()
    moment = int(timezone.now().timestamp()) if timestamp is None else timestamp
    signed = signature or courier_signing.sign(secret, body=raw, timestamp=moment, nonce=nonce)
    return APIClient().post(
        reverse("api-courier-callback"),
        raw,
        content_type="application/json",
        HTTP_X_COURIER_TIMESTAMP=str(moment),
        HTTP_X_COURIER_NONCE=nonce,
        HTTP_X_COURIER_SIGNATURE=signed,
    )


@pytest.fixture
def handed_over(police_a, couriered):
    return services.move_card_delivery(
        actor=police_a, delivery_id=couriered.pk, to_status="handed_over", waybill="SF777"
    )


def test_a_signed_courier_callback_delivers_the_card(resident, handed_over, client):
    response = _callback({"waybill": "SF777", "status": "delivered"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "delivered"
    event = handed_over.events.last()
    assert (event.source, event.actor, event.to_status) == ("courier", None, "delivered")

    client.force_login(resident)
    page = client.get(reverse("residents:permit", args=[handed_over.permit_id])).content.decode()
    assert "已送达" in page
    assert "SF777" in page


def test_a_replayed_callback_is_refused_and_changes_nothing(handed_over):
    body = {"waybill": "SF777", "status": "returned", "reason": "地址不详"}
    assert _callback(body, nonce="nonce-replay").status_code == 200
    replay = _callback(body, nonce="nonce-replay")
    assert (replay.status_code, replay.json()["code"]) == (409, "replay")
    assert handed_over.events.count() == 3


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"secret": "wrong-secret"}, "bad_signature"),
        ({"signature": "00" * 32}, "bad_signature"),
        ({"timestamp": 1_000_000_000}, "stale"),
        ({"nonce": "x"}, "unsigned"),
    ],
)
def test_a_bad_or_stale_signature_is_refused_and_nothing_is_written(handed_over, kwargs, code):
    response = _callback({"waybill": "SF777", "status": "delivered"}, **kwargs)
    assert (response.status_code, response.json()["code"]) == (403, code)
    handed_over.refresh_from_db()
    assert handed_over.status == DeliveryStatus.HANDED_OVER
    assert not CourierNonce.objects.exists()


def test_a_callback_for_an_unknown_waybill_writes_no_nonce(handed_over):
    assert _callback({"waybill": "NOPE", "status": "delivered"}).status_code == 404
    assert not CourierNonce.objects.exists()
    assert CardDelivery.objects.get().status == DeliveryStatus.HANDED_OVER


def test_the_applicant_chooses_the_courier_on_the_application_page(client, resident, draft):
    client.force_login(resident)
    url = reverse("residents:permit_delivery_choice", args=[draft.pk])
    missing = client.post(url, {"method": "courier"}, follow=True).content.decode()
    assert "快递" in missing
    client.post(url, {"method": "courier", "address": "学院路88号", "phone": "13957712345"})
    draft.refresh_from_db()
    assert (draft.delivery_choice.method, draft.delivery_choice.address) == (
        "courier",
        "学院路88号",
    )
    page = client.get(reverse("residents:permit_application", args=[draft.pk])).content.decode()
    assert 'value="学院路88号"' in page


def test_staff_send_the_card_from_their_page_and_residents_get_404(
    client, resident, police_a, police_b, draft
):
    services.choose_delivery(
        actor=resident,
        application_id=draft.pk,
        method="courier",
        address="学院路88号",
        phone="13957712345",
    )
    permit_services.submit_permit_application(actor=resident, application_id=draft.pk)
    permit_services.approve_permit_application(actor=police_a, application_id=draft.pk)
    permit = Permit.objects.get(application=draft)
    url = reverse("residents:staff_deliveries")

    client.force_login(resident)
    assert client.get(url).status_code == 404
    client.force_login(police_b)
    assert permit.number not in client.get(url).content.decode()
    client.force_login(police_a)
    assert permit.number in client.get(url).content.decode()
    client.post(url, {"permit": permit.pk})
    started = CardDelivery.objects.get(permit=permit)
    missing = client.post(url, {"delivery": started.pk, "status": "handed_over"}, follow=True)
    assert "运单号" in missing.content.decode()
    client.post(url, {"delivery": started.pk, "status": "handed_over", "waybill": "SF9"})
    started.refresh_from_db()
    assert (started.status, started.waybill) == ("handed_over", "SF9")
