"""Admin: indicators and their targets are configuration; rebuild runs are read-only records."""

from __future__ import annotations

import pytest

from portal.accounts.models import User
from portal.dashboard import demo, services


@pytest.fixture
def admin_client(client, db):
    admin = User.objects.create_superuser(username="root_dash", password="pass-for-tests-2026")
    client.force_login(admin)
    return client


def test_indicators_and_runs_are_listed(admin_client, city):
    demo.put_plan_indicators()
    services.rebuild_facts(months=1)

    indicators = admin_client.get("/admin/dashboard/indicator/")
    runs = admin_client.get("/admin/dashboard/factrun/")

    assert indicators.status_code == 200
    assert "常住总人口" in indicators.content.decode()
    assert runs.status_code == 200
    assert admin_client.get("/admin/dashboard/factrun/add/").status_code == 403
