"""The replica router: dashboard, export and statistics reads go to `replica` when it exists."""

from __future__ import annotations

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.areas.models import Area
from portal.dashboard.models import Fact, FactRun
from portal.replica import REPLICA, replica_reads


@pytest.fixture(scope="module")
def replica_alias(django_db_setup):
    """A second alias on the same database, as DATABASE_REPLICA_URL would add one.

    Module-scoped so it exists before the test's database access is set up."""
    connections.settings[REPLICA] = {**connections["default"].settings_dict}
    yield REPLICA
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_a_replica_everything_reads_from_default(monkeypatch):
    monkeypatch.delitem(connections.settings, REPLICA, raising=False)
    assert Fact.objects.all().db == "default"
    with replica_reads():
        assert Area.objects.all().db == "default"


@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", REPLICA])
def test_facts_and_marked_reads_go_to_the_replica_and_writes_never(replica_alias):
    # nightly-built tables: always from the replica
    assert Fact.objects.all().db == REPLICA
    assert FactRun.objects.all().db == REPLICA
    # other tables only inside replica_reads()
    assert Area.objects.all().db == "default"
    with replica_reads():
        assert Area.objects.all().db == REPLICA
    # writes, locks and reads inside a transaction on the primary stay on default
    assert FactRun.objects.select_for_update().db == "default"
    with transaction.atomic():
        assert Fact.objects.all().db == "default"


@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", REPLICA])
def test_the_open_statistics_page_reads_from_the_replica(client, city, replica_alias):
    # given a finished run of facts (written to default, the same database here)
    month = timezone.localdate().replace(day=1)
    now = timezone.now()
    run = FactRun.objects.create(
        status="finished", first_month=month, last_month=month, started_at=now, finished_at=now
    )
    district_a, district_b = city["districts"]
    for area, value in ((city["city"], 47), (district_a, 4), (district_b, 43)):
        Fact.objects.create(
            run=run, metric="residents.registered", area=area, month=month, value=value
        )

    # when the public page is read
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        response = client.get("/open-data/")

    # then its reads went to the replica alias
    assert response.status_code == 200
    assert ">47<" in response.content.decode()
    assert any("dashboard_fact" in q["sql"] for q in on_replica.captured_queries)
    assert any("areas_area" in q["sql"] for q in on_replica.captured_queries)


def test_migrations_never_run_on_the_replica():
    from portal.replica import ReplicaRouter

    assert ReplicaRouter().allow_migrate(REPLICA, "dashboard") is False
    assert ReplicaRouter().allow_migrate("default", "dashboard") is True
