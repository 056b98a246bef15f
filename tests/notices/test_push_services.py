"""Publishing and pushing policies: each resident once, benefits granted without applying,
late qualifiers reached, bad input refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import DatabaseError, connection
from django.utils import timezone

from portal.errors import InvalidInput, NotAllowed, NotEligible, NotFound, TransitionNotAllowed
from portal.notices import criteria, selectors, services
from portal.notices.models import (
    ChannelOptOut,
    Delivery,
    DeliveryStatus,
    Grant,
    Policy,
    PolicyEvent,
    PolicyNotice,
    PolicyStatus,
    PushRun,
    RunStatus,
    RunTrigger,
)
from tests.notices.conftest import (
    RENT,
    district_target,
    make_policy,
    policy_input,
    resident_at,
)


def notices_of(policy) -> list[int]:
    return sorted(PolicyNotice.objects.filter(policy=policy).values_list("person_id", flat=True))


# --- drafting and publishing ---------------------------------------------------------------


def test_staff_draft_a_policy_for_their_own_department(hr_staff, district_a):
    policy = make_policy(hr_staff, target=district_target(district_a))
    assert policy.status == PolicyStatus.DRAFT
    assert policy.department.code == "human_resources"
    assert policy.target == [
        {"criterion": "residents.district", "params": {"districts": [district_a.pk]}}
    ]
    assert PolicyEvent.objects.filter(policy=policy).count() == 1


def test_a_resident_cannot_draft_a_policy(resident, district_a):
    with pytest.raises(NotAllowed):
        make_policy(resident, target=district_target(district_a))


def test_an_administrator_chooses_the_department(administrator, district_a):
    policy = make_policy(administrator, target=district_target(district_a), department="housing")
    assert policy.department.code == "housing"
    with pytest.raises(InvalidInput) as refused:
        make_policy(administrator, target=district_target(district_a))
    assert "department" in refused.value.fields


def test_bad_input_is_refused_field_by_field(hr_staff):
    today = timezone.localdate()
    with pytest.raises(InvalidInput) as refused:
        services.create_policy(
            actor=hr_staff,
            data=policy_input(
                title=" ",
                starts_on=today,
                ends_on=today - dt.timedelta(days=1),
                link="javascript:alert(1)",
                channels=("fax",),
                grant_amount=Decimal("100"),
                target=[],
            ),
        )
    assert {"title", "ends_on", "link", "channels", "grant_name", "target"} <= set(
        refused.value.fields
    )


def test_a_target_that_reaches_nobody_cannot_be_published(hr_staff, district_b, address_a):
    resident_at(address_a)
    policy = make_policy(hr_staff, target=district_target(district_b))
    with pytest.raises(NotEligible) as refused:
        services.publish_policy(actor=hr_staff, policy_id=policy.pk)
    assert refused.value.code == "empty_audience"
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.DRAFT


def test_a_window_that_has_ended_cannot_be_published(hr_staff, district_a, address_a):
    resident_at(address_a)
    today = timezone.localdate()
    policy = make_policy(
        hr_staff,
        target=district_target(district_a),
        starts_on=today - dt.timedelta(days=30),
        ends_on=today - dt.timedelta(days=1),
    )
    with pytest.raises(NotEligible) as refused:
        services.publish_policy(actor=hr_staff, policy_id=policy.pk)
    assert refused.value.code == "window_ended"


def test_publishing_twice_is_a_conflict(hr_staff, district_a, address_a):
    resident_at(address_a)
    policy = make_policy(hr_staff, target=district_target(district_a), publish=True)
    with pytest.raises(TransitionNotAllowed):
        services.publish_policy(actor=hr_staff, policy_id=policy.pk)


def test_another_departments_policy_is_not_found(hr_staff, housing_staff, district_a, address_a):
    resident_at(address_a)
    policy = make_policy(hr_staff, target=district_target(district_a))
    with pytest.raises(NotFound):
        services.publish_policy(actor=housing_staff, policy_id=policy.pk)


def test_publishing_queues_the_push_after_commit(
    hr_staff, district_a, address_a, django_capture_on_commit_callbacks, monkeypatch
):
    resident_at(address_a)
    queued = []
    monkeypatch.setattr(services, "_enqueue_push", queued.append)
    policy = make_policy(hr_staff, target=district_target(district_a))
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_policy(actor=hr_staff, policy_id=policy.pk)
    assert queued == [policy.pk]


def test_a_policy_starting_later_is_not_pushed_on_publishing(
    hr_staff, district_a, address_a, django_capture_on_commit_callbacks, monkeypatch
):
    resident_at(address_a)
    queued = []
    monkeypatch.setattr(services, "_enqueue_push", queued.append)
    later = timezone.localdate() + dt.timedelta(days=5)
    policy = make_policy(
        hr_staff, target=district_target(district_a), starts_on=later, ends_on=None
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_policy(actor=hr_staff, policy_id=policy.pk)
    assert queued == []
    run = services.push_policy(policy_id=policy.pk)
    assert run.status == RunStatus.SKIPPED
    assert notices_of(policy) == []
    assert policy.pk not in selectors.running_policy_ids()
    assert policy.pk in selectors.running_policy_ids(on=later)


# --- pushing -------------------------------------------------------------------------------------


def test_push_reaches_every_matching_person_once(hr_staff, district_a, address_a, address_b):
    here = [resident_at(address_a) for _ in range(3)]
    resident_at(address_b)
    policy = make_policy(hr_staff, target=district_target(district_a), publish=True)

    first = services.push_policy(policy_id=policy.pk)
    second = services.push_policy(policy_id=policy.pk, trigger=RunTrigger.SCHEDULE)

    assert notices_of(policy) == sorted(p.pk for p in here)
    assert (first.audience, first.notices_added) == (3, 3)
    assert (second.audience, second.notices_added) == (3, 0)
    assert first.status == second.status == RunStatus.DONE


def test_a_push_killed_halfway_writes_nothing_and_a_rerun_completes_it(
    hr_staff, district_a, address_a
):
    persons = [resident_at(address_a) for _ in range(4)]
    victim = persons[2].pk
    criteria.register_criterion(
        "test.fails_midway",
        "fails",
        dict,
        lambda params, on: criteria.Sql(
            "SELECT id FROM residents_person WHERE 1 / (id - %s) IS NOT NULL OR id = %s",
            [victim, victim],
        ),
    )
    policy = make_policy(hr_staff, target=district_target(district_a), publish=True)
    failing = [*district_target(district_a), {"criterion": "test.fails_midway", "params": {}}]
    Policy.objects.filter(pk=policy.pk).update(target=failing)
    with pytest.raises(DatabaseError):
        services.push_policy(policy_id=policy.pk)
    assert notices_of(policy) == []
    assert PushRun.objects.get(policy=policy).status == RunStatus.RUNNING

    Policy.objects.filter(pk=policy.pk).update(target=district_target(district_a))
    run = services.push_policy(policy_id=policy.pk)
    assert run.notices_added == 4
    assert notices_of(policy) == sorted(p.pk for p in persons)


def test_a_resident_who_qualifies_later_is_reached_by_the_next_push(
    hr_staff, district_a, address_a, address_b
):
    first = resident_at(address_a)
    policy = make_policy(hr_staff, target=district_target(district_a), publish=True)
    services.push_policy(policy_id=policy.pk)

    newcomer = resident_at(address_a, months=0)
    resident_at(address_b)
    run = services.push_policy(policy_id=policy.pk, trigger=RunTrigger.SCHEDULE)

    assert run.notices_added == 1
    assert notices_of(policy) == sorted([first.pk, newcomer.pk])


def test_a_resident_who_stops_qualifying_keeps_the_notice_and_gets_no_second(
    hr_staff, district_a, address_a
):
    person = resident_at(address_a)
    policy = make_policy(hr_staff, target=district_target(district_a), publish=True)
    services.push_policy(policy_id=policy.pk)
    person.registrations.update(end_date=timezone.localdate())
    services.push_policy(policy_id=policy.pk)
    assert notices_of(policy) == [person.pk]


def test_a_withdrawn_or_ended_policy_is_not_pushed(hr_staff, district_a, address_a):
    resident_at(address_a)
    policy = make_policy(hr_staff, target=district_target(district_a), publish=True)
    services.withdraw_policy(actor=hr_staff, policy_id=policy.pk, reason="发布有误")
    assert services.push_policy(policy_id=policy.pk).status == RunStatus.SKIPPED
    assert notices_of(policy) == []

    other = make_policy(hr_staff, target=district_target(district_a), publish=True)
    with time_machine.travel(other.ends_on + dt.timedelta(days=1)):
        assert services.push_policy(policy_id=other.pk).status == RunStatus.SKIPPED
    assert notices_of(other) == []


def test_withdrawing_needs_a_reason(hr_staff, district_a, address_a):
    resident_at(address_a)
    policy = make_policy(hr_staff, target=district_target(district_a), publish=True)
    with pytest.raises(InvalidInput):
        services.withdraw_policy(actor=hr_staff, policy_id=policy.pk, reason=" ")


def test_pushing_a_policy_that_does_not_exist_does_nothing(db):
    assert services.push_policy(policy_id=987654) is None


# --- benefits without application ---------------------------------------------------------------


def test_a_benefit_is_granted_once_to_every_qualifying_resident(
    housing_staff, district_a, address_a, address_b
):
    here = [resident_at(address_a) for _ in range(2)]
    resident_at(address_b)
    policy = make_policy(housing_staff, target=district_target(district_a), publish=True, **RENT)

    first = services.push_policy(policy_id=policy.pk)
    services.push_policy(policy_id=policy.pk)

    grants = Grant.objects.filter(policy=policy)
    assert sorted(grants.values_list("person_id", flat=True)) == sorted(p.pk for p in here)
    assert {g.amount for g in grants} == {Decimal("1200.00")}
    assert first.grants_added == 2


def test_a_notice_without_a_benefit_grants_nothing(hr_staff, district_a, address_a):
    resident_at(address_a)
    policy = make_policy(hr_staff, target=district_target(district_a), publish=True)
    services.push_policy(policy_id=policy.pk)
    assert not Grant.objects.exists()


def test_the_resident_is_told_what_they_received(
    housing_staff, district_a, address_a, resident, me
):
    policy = make_policy(housing_staff, target=district_target(district_a), publish=True, **RENT)
    services.push_policy(policy_id=policy.pk)
    _page, entries = selectors.inbox_page(resident, 1)
    assert [e.kind for e in entries] == ["policy"]
    assert entries[0].grant is not None
    assert entries[0].grant.amount == Decimal("1200.00")
    _subject, body = services.message_for(policy)
    assert "1,200.00" in body
    assert "租房补贴" in body


# --- copies by SMS and e-mail are queued ---------------------------------------------------------


def test_sms_copies_are_queued_for_persons_with_a_phone(hr_staff, district_a, address_a):
    with_phone = resident_at(address_a, phone="+8613900000001")
    resident_at(address_a)  # no phone
    policy = make_policy(
        hr_staff, target=district_target(district_a), publish=True, channels=("sms",)
    )
    run = services.push_policy(policy_id=policy.pk)
    deliveries = Delivery.objects.filter(policy=policy)
    assert run.deliveries_added == 1
    assert [(d.notice.person_id, d.channel, d.address, d.status) for d in deliveries] == [
        (with_phone.pk, "sms", "+8613900000001", DeliveryStatus.PENDING)
    ]
    services.push_policy(policy_id=policy.pk)
    assert deliveries.count() == 1


def test_no_copy_is_queued_for_a_channel_the_resident_switched_off(
    hr_staff, district_a, resident, me
):
    resident.email = "me@example.com"
    resident.save()
    services.set_channel(actor=resident, channel="sms", enabled=False)
    policy = make_policy(
        hr_staff, target=district_target(district_a), publish=True, channels=("sms", "email")
    )
    services.push_policy(policy_id=policy.pk)
    assert list(Delivery.objects.values_list("channel", "address")) == [("email", "me@example.com")]


def test_the_inbox_cannot_be_switched_off(resident):
    with pytest.raises(InvalidInput) as refused:
        services.set_channel(actor=resident, channel="inbox", enabled=False)
    assert refused.value.code == "inbox_required"
    assert not ChannelOptOut.objects.exists()


def test_switching_a_channel_off_stops_copies_already_queued(hr_staff, district_a, resident, me):
    policy = make_policy(
        hr_staff, target=district_target(district_a), publish=True, channels=("sms",)
    )
    services.push_policy(policy_id=policy.pk)
    services.set_channel(actor=resident, channel="sms", enabled=False)
    assert Delivery.objects.get().status == DeliveryStatus.SKIPPED
    services.set_channel(actor=resident, channel="sms", enabled=True)
    assert selectors.opted_out_channels(resident) == set()


def test_the_push_takes_a_fixed_number_of_statements_whatever_the_audience(
    hr_staff, district_a, address_a, django_assert_max_num_queries
):
    for _ in range(30):
        resident_at(address_a, phone="+8613900000009")
    policy = make_policy(
        hr_staff, target=district_target(district_a), publish=True, channels=("sms",), **RENT
    )
    # 16: two of them mark the run's heartbeat (taken at the start, released at the end)
    with django_assert_max_num_queries(16):
        run = services.push_policy(policy_id=policy.pk)
    assert (run.notices_added, run.grants_added, run.deliveries_added) == (30, 30, 30)


def test_staff_see_audience_delivered_opened_and_failed(
    hr_staff, district_a, address_a, resident, me
):
    resident_at(address_a, phone="+8613900000002")
    policy = make_policy(
        hr_staff, target=district_target(district_a), publish=True, channels=("sms",)
    )
    services.push_policy(policy_id=policy.pk)
    notice = selectors.policy_notices_of(resident).get()
    services.open_policy_notice(notice_id=notice.pk, actor=resident)
    first, second = Delivery.objects.order_by("id")
    Delivery.objects.filter(pk=first.pk).update(status=DeliveryStatus.SENT, sent_at=timezone.now())
    Delivery.objects.filter(pk=second.pk).update(status=DeliveryStatus.FAILED, last_error="x")

    stats = selectors.policy_stats(policy)

    assert (stats.audience, stats.with_account, stats.opened) == (2, 1, 1)
    assert (stats.delivered, stats.failed) == (1, 1)
    assert stats.channels == {"sms": {"sent": 1, "failed": 1}}


def test_count_audience_previews_the_reach(district_a, address_a, address_b):
    resident_at(address_a)
    resident_at(address_a)
    resident_at(address_b)
    assert services.count_audience(target=district_target(district_a)) == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM notices_policynotice")
        assert cursor.fetchone()[0] == 0
