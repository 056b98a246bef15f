"""Admin screens: declaration deadlines are configured there; the records are read-only."""

from __future__ import annotations

import pytest

from employment.models import DeclarationPolicy
from tests import factories


@pytest.fixture
def admin_client(client, db):
    admin = factories.UserFactory(
        username="admin_e", roles=["administrator"], is_superuser=True, is_staff=True
    )
    client.force_login(admin)
    return client


def test_a_new_deadline_is_added_in_the_admin(admin_client):
    response = admin_client.post(
        "/admin/employment/declarationpolicy/add/",
        {"declare_within_days": "3", "effective_from": "2027-01-01", "source": "新规"},
    )
    assert response.status_code == 302
    assert DeclarationPolicy.objects.filter(declare_within_days=3).exists()


def test_employers_are_read_only(admin_client, employer):
    assert admin_client.get("/admin/employment/employer/").status_code == 200
    assert admin_client.get("/admin/employment/employer/add/").status_code == 403
