"""Benchmark: publish a policy to half of a million residents (精准推送).

Builds the demo city's areas and addresses, loads BENCH_PERSONS synthetic persons (default
1,000,000) with residents.bulk, builds a target
that reaches about half of them (registered in any district, aged at least the median age),
then times:
- the count staff see before publishing (one set-based query),
- the push: audience and one inbox notice per resident, written by one INSERT ... SELECT,
- a rerun of the push, which must add nothing,
- a second policy with a benefit granted without applying and SMS copies queued,
- the months-of-continuous-residence criterion (window functions over every registration),
- one delivery batch of 1,000 SMS copies through a no-op gateway.
Prints the figures beside the floor measured in the same run (one INSERT ... SELECT of the same
rows into a table of the same width without indexes); asserts only the row counts (exactly
once per resident).

Runs with real commits (a transactional test), as the Celery job does.
"""

from __future__ import annotations

import os
import random
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from portal.areas import demo as areas_demo
from portal.areas.models import Address, Area, Level
from portal.celery import app as celery_app
from portal.demo import SeedContext
from portal.notices import services
from portal.notices.models import Delivery, Grant, PolicyNotice
from residents import bulk
from tests import factories
from tests.bench import floors


def no_op_sms(phone: str, message: str) -> None:
    """A gateway that accepts everything at once, to time the portal's side of a batch."""


def say(text: str) -> None:
    print(f"bench push: {text}")  # noqa: T201


def median_age() -> int:
    """The age of the median currently registered person (so ages >= it are about half)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY p.birth_date DESC) "
            "FROM residents_person p JOIN residents_registration r "
            "ON r.person_id = p.id AND r.end_date IS NULL"
        )
        birth = cursor.fetchone()[0]
    today = timezone.localdate()
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_bench_push_policy(settings, departments):
    count = int(os.environ.get("BENCH_PERSONS", "1000000"))
    settings.NOTICE_SMS_SENDER = "tests.bench.test_bench_push.no_op_sms"
    areas_demo.seed(SeedContext(rng=random.Random(2026), options={}, write=lambda line: None))
    today = timezone.localdate()
    address_ids = list(Address.objects.order_by("grid__code", "text").values_list("pk", flat=True))
    started = time.perf_counter()
    bulk.load_persons(
        count=count, seed=2026, address_ids=address_ids, today=today, write=lambda line: None
    )
    say(f"{count:,} persons loaded in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        # The loader analyzes the persons and registrations; the freshly seeded areas too, as
        # autovacuum would have long since done in a running city.
        cursor.execute("ANALYZE areas_area")
        cursor.execute("ANALYZE areas_address")

    admin = factories.UserFactory(
        username="bench_admin", roles=["administrator"], is_superuser=True
    )
    districts = list(Area.objects.filter(level=Level.DISTRICT).values_list("pk", flat=True))
    age = median_age()
    target = [
        {"criterion": "residents.district", "params": {"districts": districts}},
        {"criterion": "residents.age", "params": {"min_age": age, "max_age": 150}},
    ]

    started = time.perf_counter()
    preview = services.count_audience(target=target)
    say(
        f"preview count: {preview:,} residents aged {age}+ in {time.perf_counter() - started:.2f} s"
    )

    policy = services.create_policy(
        actor=admin,
        data=services.PolicyInput(
            title="新居民职业技能提升免费培训报名",
            body="本季度开设免费培训班。",
            department="human_resources",
            starts_on=today,
            target=target,
        ),
    )
    services.publish_policy(actor=admin, policy_id=policy.pk, queue_push=False)
    # The push runs in a Celery worker, whose app has its task modules imported and its broker
    # connection open before any job: so here too, or the first SMS push pays for both.
    celery_app.loader.import_default_modules()
    celery_app.finalize()
    with celery_app.producer_or_acquire() as producer:
        producer.connection.ensure_connection()

    with floors.measured() as figures:
        run = services.push_policy(policy_id=policy.pk)
    elapsed = figures["seconds"]
    say(
        f"PUSH audience {run.audience:,} of {count:,}, {run.notices_added:,} inbox notices "
        f"written in {elapsed:.2f} s = {run.notices_added / elapsed:,.0f} notices/s"
    )

    started = time.perf_counter()
    rerun = services.push_policy(policy_id=policy.pk)
    say(
        f"rerun: audience {rerun.audience:,}, {rerun.notices_added} notices added "
        f"in {time.perf_counter() - started:.2f} s"
    )

    subsidy = services.create_policy(
        actor=admin,
        data=services.PolicyInput(
            title="新居民租房补贴（免申即享）",
            body="系统自动核定发放，无需申请。",
            department="housing",
            starts_on=today,
            target=target,
            channels=("sms",),
            grant_name="一次性租房补贴",
            grant_amount=Decimal("1200"),
        ),
    )
    services.publish_policy(actor=admin, policy_id=subsidy.pk, queue_push=False)
    with floors.measured() as granted_figures:
        granted = services.push_policy(policy_id=subsidy.pk)
    elapsed = granted_figures["seconds"]
    say(
        f"with a benefit and SMS: {granted.notices_added:,} notices, {granted.grants_added:,} "
        f"grants, {granted.deliveries_added:,} SMS copies queued in {elapsed:.2f} s"
    )

    started = time.perf_counter()
    settled = services.count_audience(
        target=[{"criterion": "residents.residence_months", "params": {"months": 12}}]
    )
    say(
        f"continuous residence >= 12 months: {settled:,} residents "
        f"in {time.perf_counter() - started:.2f} s"
    )

    started = time.perf_counter()
    batch = services.send_delivery_batch(policy_id=subsidy.pk, channel="sms")
    say(f"one delivery batch: {batch.sent:,} SMS sent in {time.perf_counter() - started:.2f} s")

    notices_floor = floors.insert_select_floor(
        "SELECT policy_id, person_id, created_at FROM notices_policynotice WHERE policy_id = %s",
        [policy.pk],
    )
    floors.record(
        "policy push",
        rows=run.notices_added,
        figures=figures,
        floor={"INSERT ... SELECT of the notices": notices_floor},
    )
    floors.record(
        "policy push, grants and SMS copies",
        rows=granted.notices_added + granted.grants_added + granted.deliveries_added,
        figures=granted_figures,
        floor={
            "INSERT ... SELECT of the notices": floors.insert_select_floor(
                "SELECT policy_id, person_id, created_at FROM notices_policynotice "
                "WHERE policy_id = %s",
                [subsidy.pk],
            ),
            "of the grants": floors.insert_select_floor(
                "SELECT policy_id, person_id, amount, granted_at FROM notices_grant "
                "WHERE policy_id = %s",
                [subsidy.pk],
            ),
            "of the SMS copies": floors.insert_select_floor(
                "SELECT notice_id, policy_id, channel, address, status, attempts, last_error, "
                "next_attempt_at FROM notices_delivery WHERE policy_id = %s",
                [subsidy.pk],
            ),
        },
    )

    assert run.audience == preview
    assert run.notices_added == run.audience
    assert rerun.notices_added == 0
    assert PolicyNotice.objects.filter(policy=policy).count() == run.audience
    assert Grant.objects.filter(policy=subsidy).count() == run.audience
    assert Delivery.objects.filter(policy=subsidy).count() == granted.deliveries_added
