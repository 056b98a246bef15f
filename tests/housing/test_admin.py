"""Admin screens: a round opened in the admin draws its lottery seed; the records are read-only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from housing.models import ApplicationRound, seed_hash
from tests import factories


@pytest.fixture
def admin_client(client, db):
    admin = factories.UserFactory(
        username="admin_h", roles=["administrator"], is_superuser=True, is_staff=True
    )
    client.force_login(admin)
    return client


def test_a_round_added_in_the_admin_commits_to_a_fresh_seed(admin_client, project):
    today = timezone.localdate()
    response = admin_client.post(
        "/admin/housing/applicationround/add/",
        {
            "project": project.pk,
            "name": "2026年第二批",
            "opens_on": today.isoformat(),
            "closes_on": (today + dt.timedelta(days=30)).isoformat(),
            "min_points": "30",
            "offer_days": "7",
            "unit_types-TOTAL_FORMS": "1",
            "unit_types-INITIAL_FORMS": "0",
            "unit_types-MIN_NUM_FORMS": "0",
            "unit_types-MAX_NUM_FORMS": "1000",
            "unit_types-0-unit_type": "studio",
            "unit_types-0-min_household": "1",
            "unit_types-0-max_household": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    added = ApplicationRound.objects.get(name="2026年第二批")
    assert len(added.seed) == 64
    assert added.seed_hash == seed_hash(added.seed)
    assert list(added.unit_types.values_list("unit_type", flat=True)) == ["studio"]


@pytest.mark.parametrize(
    "model", ["rentalhome", "tenancy", "housingapplication", "offer", "housingproject"]
)
def test_the_admin_lists_open(admin_client, model, home):
    assert admin_client.get(f"/admin/housing/{model}/").status_code == 200


def test_homes_cannot_be_added_or_changed_in_the_admin(admin_client, home):
    assert admin_client.get("/admin/housing/rentalhome/add/").status_code == 403
    page = admin_client.get(f"/admin/housing/rentalhome/{home.pk}/change/")
    assert page.status_code == 200
    assert 'name="max_occupants"' not in page.content.decode()
