"""Two rebuilds at once: the second waits for the first's advisory lock, then rebuilds."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
from django.db import connection

from portal.dashboard import services
from portal.dashboard.models import FactRun, current_facts


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rebuild_waits_while_another_holds_the_lock(city):
    outcome: dict = {}

    def rebuild() -> None:
        try:
            outcome["run"] = services.rebuild_facts(months=2)
        finally:
            connection.close()

    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [services.REBUILD_LOCK])
        worker = threading.Thread(target=rebuild)
        worker.start()
        time.sleep(1.0)
        waiting = worker.is_alive()
        running = list(FactRun.objects.values_list("status", flat=True))
        other.execute("SELECT pg_advisory_unlock(%s)", [services.REBUILD_LOCK])
    worker.join(timeout=60)

    assert waiting
    assert running == ["running"]
    assert outcome["run"].status == "finished"
    assert set(current_facts().values_list("run_id", flat=True)) <= {outcome["run"].pk}
