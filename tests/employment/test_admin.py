"""Admin screens: the employment records are read-only."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def admin_client(client, db):
    admin = factories.UserFactory(
        username="admin_e", roles=["administrator"], is_superuser=True, is_staff=True
    )
    client.force_login(admin)
    return client


def test_employers_are_read_only(admin_client, employer):
    assert admin_client.get("/admin/employment/employer/").status_code == 200
    assert admin_client.get("/admin/employment/employer/add/").status_code == 403
