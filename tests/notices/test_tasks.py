"""The push and delivery jobs on a real Celery worker and Redis: exactly once per resident under a
duplicated and a retried job, deliveries in batches with retries, late qualifiers."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from django.db import OperationalError

from portal.notices import criteria, services, tasks
from portal.notices.models import Delivery, DeliveryStatus, PolicyNotice, PushRun, RunStatus
from tests.notices import senders
from tests.notices.conftest import district_target, make_policy, resident_at

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def wait_for(condition: Callable[[], bool], *, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("the worker did not finish in time")


def runs_done(policy, count: int) -> Callable[[], bool]:
    return lambda: PushRun.objects.filter(policy=policy, status=RunStatus.DONE).count() >= count


@pytest.fixture
def residents_a(address_a):
    return [resident_at(address_a, phone=f"+86139{n:08d}") for n in range(60)]


def test_a_push_duplicated_concurrently_reaches_each_resident_once(
    worker, hr_staff, district_a, residents_a
):
    policy = make_policy(hr_staff, target=district_target(district_a), publish=True)

    tasks.push_policy.delay(policy.pk)
    tasks.push_policy.delay(policy.pk)
    wait_for(runs_done(policy, 2))

    person_ids = list(
        PolicyNotice.objects.filter(policy=policy).values_list("person_id", flat=True)
    )
    assert sorted(person_ids) == sorted(p.pk for p in residents_a)
    added = sorted(PushRun.objects.filter(policy=policy).values_list("notices_added", flat=True))
    assert added == [0, len(residents_a)]


def test_a_retried_push_reaches_each_resident_once(worker, hr_staff, district_a, residents_a):
    """The first attempt fails on a passing database error and Celery retries it; the job is
    then delivered a second time, as a broker does after a lost worker."""
    armed = {"fail": False}

    def flaky(params, on):
        if armed.pop("fail", False):
            raise OperationalError("could not serialize access")
        return criteria.Sql("SELECT id FROM residents_person")

    criteria.register_criterion("test.flaky", "flaky", dict, flaky)
    target = [*district_target(district_a), {"criterion": "test.flaky", "params": {}}]
    policy = make_policy(hr_staff, target=target, publish=True)
    armed["fail"] = True

    tasks.push_policy.delay(policy.pk)
    wait_for(runs_done(policy, 1))
    tasks.push_policy.delay(policy.pk)
    wait_for(runs_done(policy, 2))

    assert PolicyNotice.objects.filter(policy=policy).count() == len(residents_a)
    runs = list(PushRun.objects.filter(policy=policy).order_by("id"))
    assert [r.status for r in runs] == [RunStatus.RUNNING, RunStatus.DONE, RunStatus.DONE]
    assert [r.notices_added for r in runs] == [0, len(residents_a), 0]


def test_copies_go_out_in_batches_with_retries(
    worker, settings, monkeypatch, hr_staff, district_a, residents_a
):
    settings.NOTICE_SMS_SENDER = "tests.notices.senders.sms"
    senders.reset()
    monkeypatch.setattr(services, "BATCH_SIZE", 25)
    monkeypatch.setattr(services, "RETRY_BASE_SECONDS", 1)
    flaky_phone = str(residents_a[0].phone)
    senders.fail_next(flaky_phone, ConnectionError("gateway busy"))
    policy = make_policy(
        hr_staff, target=district_target(district_a), publish=True, channels=("sms",)
    )

    tasks.push_policy.delay(policy.pk)
    wait_for(
        lambda: (
            Delivery.objects.filter(policy=policy, status=DeliveryStatus.SENT).count()
            == len(residents_a)
        )
    )

    phones = [phone for _kind, phone, _text in senders.sent]
    assert sorted(phones) == sorted(str(p.phone) for p in residents_a)
    flaky = Delivery.objects.get(policy=policy, address=flaky_phone)
    assert flaky.attempts == 2
    assert "gateway busy" in flaky.last_error
    senders.reset()


def test_the_periodic_push_reaches_residents_who_qualify_later(
    worker, hr_staff, district_a, address_a
):
    first = resident_at(address_a)
    policy = make_policy(hr_staff, target=district_target(district_a), publish=True)
    tasks.push_policy.delay(policy.pk)
    wait_for(runs_done(policy, 1))

    newcomer = resident_at(address_a, months=0)
    tasks.push_running_policies.delay()
    wait_for(runs_done(policy, 2))

    reached = set(PolicyNotice.objects.filter(policy=policy).values_list("person_id", flat=True))
    assert reached == {first.pk, newcomer.pk}


def test_the_periodic_delivery_job_picks_up_due_copies(
    worker, settings, monkeypatch, hr_staff, district_a, residents_a
):
    settings.NOTICE_SMS_SENDER = "tests.notices.senders.sms"
    senders.reset()
    monkeypatch.setattr(services, "_enqueue_delivery", lambda *args, **kwargs: None)
    policy = make_policy(
        hr_staff, target=district_target(district_a), publish=True, channels=("sms",)
    )
    services.push_policy(policy_id=policy.pk)  # copies queued, no delivery job started
    monkeypatch.undo()
    assert not Delivery.objects.filter(status=DeliveryStatus.SENT).exists()

    tasks.deliver_due.delay()
    wait_for(
        lambda: (
            Delivery.objects.filter(policy=policy, status=DeliveryStatus.SENT).count()
            == len(residents_a)
        )
    )
    senders.reset()
