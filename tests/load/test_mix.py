"""The load test's request mix (load/mix.py) still works: every path resolves and answers 200 to
its user on a small demo city, within a query budget that does not grow with the rows, and
every API list in it comes in bounded pages."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import resolve
from knox.models import AuthToken

from load import mix
from portal.accounts.models import User

# Queries each request may make, measured on the demo city with synthetic persons; a request
# whose count grows with the rows it lists fails here long before it is slow at a million.
QUERY_BUDGETS = {
    "resident home": 40,
    "resident my applications": 20,
    "resident permit": 20,
    "resident inbox": 20,
    "resident points score": 30,
    "resident api me": 8,
    "officer api tasks": 10,
    "officer api addresses": 10,
    "officer tasks page": 20,
    "police workbench": 25,
    "police api persons": 10,
    "analyst coverage": 20,
    "analyst dashboard": 30,
}
PAGE_SIZE_LIMIT = 50


@pytest.fixture
def demo_city(db, settings):
    settings.DEMO_MODE = True
    call_command("seed_demo", "--persons", "300", stdout=StringIO())


def client_for(request: mix.Request) -> Client:
    user = User.objects.get(username=request.login)
    if request.auth == mix.SESSION:
        client = Client()
        client.force_login(user)
        return client
    _token_row, token = AuthToken.objects.create(user=user)
    return Client(headers={"Authorization": f"Token {token}"})


def test_the_budgets_cover_the_mix():
    assert set(QUERY_BUDGETS) == {r.name for r in mix.MIX}


def test_the_schedule_follows_the_weights():
    total = sum(r.weight for r in mix.MIX)
    order = mix.schedule(total * 3)

    assert {r.name: order.count(r) for r in mix.MIX} == {r.name: 3 * r.weight for r in mix.MIX}


def test_each_request_of_the_mix_answers_its_user_within_its_query_budget(
    demo_city, django_assert_max_num_queries
):
    for request_type in mix.MIX:
        resolve(request_type.path)
        client = client_for(request_type)

        with django_assert_max_num_queries(QUERY_BUDGETS[request_type.name]):
            answer = client.get(request_type.path)

        assert answer.status_code == 200, (request_type.name, answer.content[:300])
        if request_type.path.startswith("/api/"):
            body = answer.json()
            assert not isinstance(body, list), f"{request_type.name} is not paginated"
            assert len(body.get("results", [])) <= PAGE_SIZE_LIMIT
