"""The rows one push writes: exactly the targeted persons, one grant and one copy per channel
each, every copy on its own person's notice and contact, nothing twice on a second push (also
when two pushes run at once), and a benefit never granted twice."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connections
from django.utils import timezone

from portal.notices import services
from portal.notices.models import ChannelOptOut, Delivery, Grant, PolicyNotice
from tests import factories
from tests.notices.conftest import RENT, district_target, make_policy, resident_at


def rows_of(policy) -> tuple[list, list, list]:
    notices = sorted(PolicyNotice.objects.filter(policy=policy).values_list("person_id", flat=True))
    grants = sorted(Grant.objects.filter(policy=policy).values_list("person_id", "amount"))
    copies = sorted(
        Delivery.objects.filter(policy=policy).values_list(
            "notice__person_id", "notice__policy_id", "channel", "address", "status"
        )
    )
    return notices, grants, copies


def test_a_push_writes_exactly_the_targeted_rows_and_a_second_push_none(
    housing_staff, district_a, address_a, address_b
):
    # given residents of district A with a phone, an e-mail, both, neither, one who switched
    # SMS off, and residents of district B
    with_phone = resident_at(address_a, phone="+8613900000011")
    user = factories.UserFactory(username="with_mail", email="m@example.com")
    with_mail = resident_at(address_a, user=user)
    both_user = factories.UserFactory(username="with_both", email="b@example.com")
    with_both = resident_at(address_a, user=both_user, phone="+8613900000012")
    neither = resident_at(address_a)
    quiet_user = factories.UserFactory(username="quiet", email="q@example.com")
    quiet = resident_at(address_a, user=quiet_user, phone="+8613900000013")
    ChannelOptOut.objects.create(user=quiet_user, channel="sms")
    elsewhere = [resident_at(address_b, phone="+8613900000019") for _ in range(2)]
    policy = make_policy(
        housing_staff,
        target=district_target(district_a),
        publish=True,
        channels=("sms", "email"),
        **RENT,
    )

    # when it is pushed twice
    first = services.push_policy(policy_id=policy.pk)
    written = rows_of(policy)
    second = services.push_policy(policy_id=policy.pk)

    # then the first wrote one notice and one grant per targeted person and one copy per
    # channel with an address, on that person's own notice; the second wrote nothing
    reached = sorted(p.pk for p in (with_phone, with_mail, with_both, neither, quiet))
    notices, grants, copies = written
    assert notices == reached
    assert not {p.pk for p in elsewhere} & set(notices)
    assert grants == [(pk, RENT["grant_amount"]) for pk in reached]
    assert copies == sorted(
        [
            (with_phone.pk, policy.pk, "sms", "+8613900000011", "pending"),
            (with_mail.pk, policy.pk, "email", "m@example.com", "pending"),
            (with_both.pk, policy.pk, "sms", "+8613900000012", "pending"),
            (with_both.pk, policy.pk, "email", "b@example.com", "pending"),
            (quiet.pk, policy.pk, "email", "q@example.com", "pending"),
        ]
    )
    assert (first.audience, first.notices_added, first.grants_added) == (5, 5, 5)
    assert first.deliveries_added == 5
    assert (second.audience, second.notices_added) == (5, 0)
    assert (second.grants_added, second.deliveries_added) == (0, 0)
    assert rows_of(policy) == written


def test_pushed_notices_and_notices_written_otherwise_share_one_sequence_of_ids(
    hr_staff, district_a, address_a
):
    # given a notice written through the ORM, then a push, then another ORM notice
    first, second = resident_at(address_a), resident_at(address_a)
    policy = make_policy(hr_staff, target=district_target(district_a), publish=True)
    other = make_policy(hr_staff, target=district_target(district_a), publish=True)
    before = PolicyNotice.objects.create(policy=other, person=first, created_at=timezone.now())

    # when the policy is pushed between two notices written otherwise
    services.push_policy(policy_id=policy.pk)
    after = PolicyNotice.objects.create(policy=other, person=second, created_at=timezone.now())

    # then every id is unique, and the pushed ones lie between the two
    pushed = list(PolicyNotice.objects.filter(policy=policy).values_list("pk", flat=True))
    assert len(pushed) == 2
    assert all(before.pk < pk < after.pk for pk in pushed)


def test_a_benefit_is_not_granted_again_to_a_person_whose_notice_is_gone(
    housing_staff, district_a, address_a
):
    # given a person granted the benefit, whose notice was then deleted
    person = resident_at(address_a)
    policy = make_policy(housing_staff, target=district_target(district_a), publish=True, **RENT)
    services.push_policy(policy_id=policy.pk)
    PolicyNotice.objects.filter(policy=policy, person=person).delete()

    # when the policy is pushed again
    run = services.push_policy(policy_id=policy.pk)

    # then the person is notified again but keeps their one grant
    assert (run.notices_added, run.grants_added) == (1, 0)
    assert Grant.objects.filter(policy=policy, person=person).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_pushes_at_once_write_every_row_once(hr_staff, district_a, address_a):
    # given a policy with a benefit and SMS copies for ten residents
    for n in range(10):
        resident_at(address_a, phone=f"+86139000001{n:02d}")
    policy = make_policy(
        hr_staff, target=district_target(district_a), publish=True, channels=("sms",), **RENT
    )
    runs: list = []
    start = threading.Barrier(2)

    def push() -> None:
        try:
            start.wait()
            runs.append(services.push_policy(policy_id=policy.pk))
        finally:
            connections.close_all()

    # when two workers push it at the same moment
    threads = [threading.Thread(target=push) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then one of them wrote everything and the other nothing
    assert sorted(run.notices_added for run in runs) == [0, 10]
    assert sorted(run.grants_added for run in runs) == [0, 10]
    assert sorted(run.deliveries_added for run in runs) == [0, 10]
    notices, grants, copies = rows_of(policy)
    assert Counter(notices).most_common(1)[0][1] == 1
    assert len(notices) == len(grants) == len(copies) == 10
