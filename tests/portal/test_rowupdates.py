"""update_rows: many rows' new values written in one UPDATE, each row its own values."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.accounts.models import User
from portal.rowupdates import update_rows
from tests import factories


@pytest.mark.django_db
def test_each_row_gets_its_own_values_in_one_update_and_other_rows_are_left():
    users = [factories.UserFactory(username=f"row_{i}", first_name="old") for i in range(3)]
    users[0].first_name, users[0].is_active = "甲", False
    users[1].first_name = "乙"
    users[2].first_name = "never written"
    with CaptureQueriesContext(connection) as captured:
        assert update_rows(users[:2], ["first_name", "is_active"]) == 2
    assert len(captured) == 1
    stored = dict(
        User.objects.filter(pk__in=[u.pk for u in users]).values_list("username", "first_name")
    )
    assert stored == {"row_0": "甲", "row_1": "乙", "row_2": "old"}
    assert User.objects.get(pk=users[0].pk).is_active is False
    assert User.objects.get(pk=users[1].pk).is_active is True


@pytest.mark.django_db
def test_no_rows_no_query():
    with CaptureQueriesContext(connection) as captured:
        assert update_rows([], ["first_name"]) == 0
    assert len(captured) == 0
