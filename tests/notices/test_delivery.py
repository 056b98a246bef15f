"""Sending SMS and e-mail copies: batches, retries with backoff, failures recorded, opt-outs."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.utils import timezone

from portal.notices import channels, services
from portal.notices.models import ChannelOptOut, Delivery, DeliveryStatus
from tests.notices import senders
from tests.notices.conftest import district_target, make_policy, resident_at


@pytest.fixture(autouse=True)
def gateways(settings):
    settings.NOTICE_SMS_SENDER = "tests.notices.senders.sms"
    settings.NOTICE_EMAIL_SENDER = "tests.notices.senders.email"
    senders.reset()
    yield
    senders.reset()


@pytest.fixture
def sms_policy(hr_staff, district_a, address_a):
    for n in range(5):
        resident_at(address_a, phone=f"+861390000000{n}")
    policy = make_policy(
        hr_staff, target=district_target(district_a), publish=True, channels=("sms",)
    )
    services.push_policy(policy_id=policy.pk)
    return policy


def statuses(policy) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in Delivery.objects.filter(policy=policy).values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def test_a_batch_sends_each_copy_once_and_records_it(sms_policy):
    result = services.send_delivery_batch(policy_id=sms_policy.pk, channel="sms", limit=3)
    assert (result.claimed, result.sent, result.more_due) == (3, 3, True)
    result = services.send_delivery_batch(policy_id=sms_policy.pk, channel="sms", limit=3)
    assert (result.claimed, result.sent, result.more_due) == (2, 2, False)
    assert services.send_delivery_batch(policy_id=sms_policy.pk, channel="sms").claimed == 0

    assert len(senders.sent) == 5
    assert len({phone for _kind, phone, _text in senders.sent}) == 5
    assert "免费技能培训报名" in senders.sent[0][2]
    assert statuses(sms_policy) == {"sent": 5}
    assert all(d.attempts == 1 and d.sent_at for d in Delivery.objects.all())


def test_a_passing_failure_is_retried_with_backoff(sms_policy):
    senders.fail_next("+8613900000000", ConnectionError("gateway timeout"))
    result = services.send_delivery_batch(policy_id=sms_policy.pk, channel="sms")
    assert (result.sent, result.retrying) == (4, 1)
    assert result.next_retry_in is not None
    assert 50 < result.next_retry_in <= 60
    delivery = Delivery.objects.get(address="+8613900000000")
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert "gateway timeout" in delivery.last_error

    # not due yet: nothing is sent
    assert services.send_delivery_batch(policy_id=sms_policy.pk, channel="sms").claimed == 0
    later = timezone.now() + dt.timedelta(minutes=2)
    result = services.send_delivery_batch(policy_id=sms_policy.pk, channel="sms", now=later)
    assert result.sent == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    assert len(senders.sent) == 5


def test_a_copy_fails_for_good_after_the_last_attempt(sms_policy):
    phone = "+8613900000001"
    senders.fail_next(phone, *[ConnectionError("down")] * services.MAX_ATTEMPTS)
    moment = timezone.now()
    for _ in range(services.MAX_ATTEMPTS):
        services.send_delivery_batch(policy_id=sms_policy.pk, channel="sms", now=moment)
        moment += dt.timedelta(hours=2)
    delivery = Delivery.objects.get(address=phone)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, services.MAX_ATTEMPTS)
    assert "down" in delivery.last_error


def test_an_undeliverable_address_fails_at_once(sms_policy):
    senders.fail_next("+8613900000002", channels.Undeliverable("no such number"))
    services.send_delivery_batch(policy_id=sms_policy.pk, channel="sms")
    delivery = Delivery.objects.get(address="+8613900000002")
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert delivery.last_error == "no such number"


def test_a_copy_is_skipped_when_the_resident_opts_out_after_it_was_queued(
    hr_staff, district_a, resident, me
):
    policy = make_policy(
        hr_staff, target=district_target(district_a), publish=True, channels=("sms",)
    )
    services.push_policy(policy_id=policy.pk)
    ChannelOptOut.objects.create(user=resident, channel="sms")  # opted out on another device
    result = services.send_delivery_batch(policy_id=policy.pk, channel="sms")
    assert (result.sent, result.skipped) == (0, 1)
    assert senders.sent == []
    assert Delivery.objects.get().status == DeliveryStatus.SKIPPED


def test_withdrawing_stops_queued_copies(sms_policy, hr_staff):
    services.withdraw_policy(actor=hr_staff, policy_id=sms_policy.pk, reason="内容有误")
    assert services.send_delivery_batch(policy_id=sms_policy.pk, channel="sms").claimed == 0
    assert statuses(sms_policy) == {"skipped": 5}
    assert senders.sent == []


def test_copies_left_half_sent_by_a_killed_worker_are_sent_again(sms_policy):
    stale = timezone.now() - services.STALE_AFTER - dt.timedelta(minutes=1)
    Delivery.objects.filter(policy=sms_policy).update(
        status=DeliveryStatus.SENDING, claimed_at=stale, attempts=1
    )
    assert services.send_delivery_batch(policy_id=sms_policy.pk, channel="sms").claimed == 0
    assert services.release_stale_deliveries() == 5
    assert services.send_delivery_batch(policy_id=sms_policy.pk, channel="sms").sent == 5


def test_email_copies_carry_subject_and_body(hr_staff, district_a, resident, me):
    resident.email = "liming@example.com"
    resident.save()
    policy = make_policy(
        hr_staff, target=district_target(district_a), publish=True, channels=("email",)
    )
    services.push_policy(policy_id=policy.pk)
    services.send_delivery_batch(policy_id=policy.pk, channel="email")
    [(kind, address, subject, body)] = senders.sent
    assert (kind, address) == ("email", "liming@example.com")
    assert "免费技能培训报名" in subject
    assert "本季度开设免费培训班" in body


def test_the_default_senders_write_to_the_log(settings, caplog):
    del settings.NOTICE_SMS_SENDER
    del settings.NOTICE_EMAIL_SENDER
    with caplog.at_level(logging.INFO, logger="portal.notices.channels"):
        channels.send("sms", address="+8613900000000", subject="标题", body="正文")
        channels.send("email", address="a@example.com", subject="标题", body="正文")
    assert "+8613900000000" in caplog.text
    assert "a@example.com" in caplog.text


def test_the_mail_sender_uses_djangos_mail(settings, mailoutbox):
    settings.NOTICE_EMAIL_SENDER = "portal.notices.channels.mail_sender"
    channels.send("email", address="a@example.com", subject="标题", body="正文")
    assert [(m.to, m.subject) for m in mailoutbox] == [(["a@example.com"], "标题")]
