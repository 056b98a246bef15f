"""The key of the visits queued offline is one per session; the service worker is served for /field/."""

from __future__ import annotations

from django.test import Client


def test_the_queue_key_is_kept_for_the_session_and_new_for_the_next(officer_a):
    first = Client()
    first.force_login(officer_a)
    one = first.get("/field/queue-key/").json()
    assert first.get("/field/queue-key/").json() == one
    assert len(one["key"]) >= 43
    assert "no-cache" in first.get("/field/queue-key/")["Cache-Control"]

    second = Client()
    second.force_login(officer_a)
    assert second.get("/field/queue-key/").json()["id"] != one["id"]


def test_signing_out_ends_the_key(officer_a):
    client = Client()
    client.force_login(officer_a)
    before = client.get("/field/queue-key/").json()
    client.post("/accounts/logout/")
    client.force_login(officer_a)
    assert client.get("/field/queue-key/").json()["id"] != before["id"]


def test_only_grid_officers_get_a_key(resident, police_a):
    for user in (resident, police_a):
        client = Client()
        client.force_login(user)
        assert client.get("/field/queue-key/").status_code == 404
    assert Client().get("/field/queue-key/").status_code == 302


def test_the_service_worker_is_served_for_the_field_pages(db):
    response = Client().get("/field/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    assert "/static/js/field.js" in body
    assert "/field/queue-key/" in body  # listed as never kept
