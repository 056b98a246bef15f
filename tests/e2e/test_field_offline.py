"""A grid officer records visits in a real browser, also while the phone has no connection.

The page is taken offline with Playwright (context.set_offline), the visit is kept in the
browser, and when the connection returns it is sent: the database then holds it exactly once.
Elements are found by their names and data attributes, so the tests read the same in Chinese
and in English.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from residents import services
from residents.models import Finding, Person, Visit
from tests import factories

BAD_ID_NUMBER = "110105194912310021"


@pytest.fixture
def scene(transactional_db):
    """An officer of one grid, and a tenant registered at an address in it."""
    city = factories.build_area_tree()
    grid = city["grids"][0][0]
    address = factories.AddressFactory(grid=grid)
    officer = factories.officer(grids=[grid], username="officer_e2e")
    tenant_user = factories.UserFactory(username="tenant_e2e")
    tenant = services.create_own_person(
        actor=tenant_user,
        name="王芳",
        id_number=factories.make_id_number(birth=dt.date(1996, 8, 20), seq=46),
    )
    services.register_residence(
        actor=tenant_user,
        person_id=tenant.pk,
        address_id=address.pk,
        start_date=dt.date(2024, 1, 1),
        reason="work",
    )
    return {"officer": officer, "address": address, "tenant": tenant}


def sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    page.context.add_cookies(
        [{"name": name, "value": client.cookies[name].value, "url": live_server.url}]
    )


def fill_visit(page, scene, *, note: str):
    form = page.locator("[data-visit-form]")
    form.locator("input[name=outcome][value=done]").check()
    form.locator(f"input[name=resident_{scene['tenant'].pk}][value=present]").check()
    form.locator("textarea[name=note]").fill(note)
    return form


@pytest.mark.e2e
def test_an_empty_visit_is_refused_on_the_phone_and_never_queued(
    page, live_server, scene, console_errors
):
    sign_in(page, live_server, scene["officer"])
    page.goto(f"/field/addresses/{scene['address'].pk}/")
    form = page.locator("[data-visit-form]")
    page.context.set_offline(True)

    form.locator("[data-visit-submit]").click()
    status = form.locator("[data-visit-status]")
    expect(status).to_have_text(form.get_attribute("data-text-no-outcome"))

    form.locator("input[name=outcome][value=done]").check()
    form.locator("[data-visit-submit]").click()
    expect(status).to_have_text(form.get_attribute("data-text-empty"))
    expect(page.locator("[data-queue-status]")).not_to_have_attribute("data-pending", "1")

    page.context.set_offline(False)
    assert not Visit.objects.exists()


@pytest.mark.e2e
def test_a_visit_recorded_offline_is_saved_exactly_once_when_the_connection_returns(
    page, live_server, scene, console_errors
):
    sign_in(page, live_server, scene["officer"])
    page.goto(f"/field/addresses/{scene['address'].pk}/")
    pending = page.locator("[data-queue-status]")
    form = page.locator("[data-visit-form]")
    client_id = form.locator("input[name=client_id]").input_value()
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", client_id
    )

    page.context.set_offline(True)
    fill_visit(page, scene, note="离线走访")
    submit = form.locator("[data-visit-submit]")
    submit.click()
    submit.click()  # a double tap while offline

    expect(pending).to_have_attribute("data-pending", "1")
    expect(pending).to_contain_text("1")
    expect(form.locator("[data-visit-status]")).not_to_be_empty()
    assert not Visit.objects.exists()

    page.context.set_offline(False)

    expect(pending).to_have_attribute("data-pending", "0")
    expect(pending).to_be_empty()
    visit = Visit.objects.get()
    assert str(visit.client_id) == client_id
    assert visit.note == "离线走访"
    assert [(e.person_id, e.finding) for e in visit.entries.all()] == [
        (scene["tenant"].pk, Finding.PRESENT)
    ]

    page.reload()
    expect(pending).to_have_attribute("data-pending", "0")
    assert Visit.objects.count() == 1
    assert console_errors == []


@pytest.mark.e2e
def test_visits_kept_on_the_phone_are_sent_when_a_field_page_next_loads(
    page, live_server, scene, console_errors
):
    sign_in(page, live_server, scene["officer"])
    page.goto(f"/field/addresses/{scene['address'].pk}/")
    context = page.context
    context.set_offline(True)
    form = fill_visit(page, scene, note="第一次")
    form.locator("[data-visit-submit]").click()
    form.locator("[data-new-visit]").click()  # a second visit at the same door
    form.locator("input[name=outcome][value=nobody_home]").check()
    form.locator("[data-visit-submit]").click()
    expect(page.locator("[data-queue-status]")).to_have_attribute("data-pending", "2")
    page.close()

    context.set_offline(False)
    home = context.new_page()
    home.goto("/field/")

    expect(home.locator("[data-queue-status]")).to_have_attribute("data-pending", "0")
    assert sorted(Visit.objects.values_list("outcome", flat=True)) == ["done", "nobody_home"]
    assert console_errors == []


@pytest.mark.e2e
def test_a_visit_refused_after_the_connection_returns_is_shown_and_not_sent_again(
    page, live_server, scene
):
    sign_in(page, live_server, scene["officer"])
    page.goto(f"/field/addresses/{scene['address'].pk}/")
    page.context.set_offline(True)
    form = page.locator("[data-visit-form]")
    form.locator("input[name=outcome][value=done]").check()
    form.locator("input[name='arrivals-0-name']").fill("钱二")
    form.locator("input[name='arrivals-0-id_number']").fill(BAD_ID_NUMBER)
    form.locator("[data-visit-submit]").click()
    expect(page.locator("[data-queue-status]")).to_have_attribute("data-pending", "1")

    page.context.set_offline(False)

    failed = page.locator("[data-queue-failed] li")
    expect(failed).to_have_count(1)
    expect(failed).to_contain_text(scene["address"].text)
    expect(page.locator("[data-queue-status]")).to_have_attribute("data-pending", "0")
    assert not Visit.objects.exists()
    assert not Person.objects.filter(name="钱二").exists()

    failed.get_by_role("button").click()
    expect(failed).to_have_count(0)


@pytest.mark.e2e
def test_online_a_visit_goes_straight_to_its_record(page, live_server, scene, console_errors):
    sign_in(page, live_server, scene["officer"])
    page.goto(f"/field/addresses/{scene['address'].pk}/")

    form = fill_visit(page, scene, note="在线走访")
    form.locator("[data-visit-submit]").click()

    expect(page).to_have_url(re.compile(r"/field/visits/\d+/$"))
    visit = Visit.objects.get()
    assert page.url.endswith(f"/field/visits/{visit.pk}/")
    assert visit.note == "在线走访"
    assert console_errors == []


QUEUE_IN_STORAGE = """() => Object.keys(localStorage)
    .filter((key) => key.startsWith("portal.field."))
    .map((key) => localStorage.getItem(key))"""


@pytest.mark.e2e
def test_a_queued_visit_is_encrypted_at_rest(page, live_server, scene, console_errors):
    sign_in(page, live_server, scene["officer"])
    page.goto(f"/field/addresses/{scene['address'].pk}/")
    page.context.set_offline(True)
    form = page.locator("[data-visit-form]")
    form.locator("input[name=outcome][value=done]").check()
    form.locator("input[name='arrivals-0-name']").fill("钱二")
    arrival_id = factories.make_id_number(birth=dt.date(1990, 1, 2), seq=77)
    form.locator("input[name='arrivals-0-id_number']").fill(arrival_id)
    form.locator("textarea[name=note]").fill("离线加密")
    form.locator("[data-visit-submit]").click()
    expect(page.locator("[data-queue-status]")).to_have_attribute("data-pending", "1")

    stored = page.evaluate(QUEUE_IN_STORAGE)

    assert len(stored) == 1
    assert set(json.loads(stored[0])) == {"v", "kid", "iv", "ct"}
    for secret in (arrival_id, "钱二", "离线加密", json.dumps("钱二")[1:-1]):
        assert secret not in stored[0]
    assert console_errors == []


@pytest.mark.e2e
def test_field_pages_open_offline_and_their_visits_are_sent_later(
    page, live_server, scene, console_errors
):
    sign_in(page, live_server, scene["officer"])
    page.goto("/field/")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.goto(f"/field/addresses/{scene['address'].pk}/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    page.context.set_offline(True)
    page.reload()

    form = fill_visit(page, scene, note="离线打开")
    form.locator("[data-visit-submit]").click()
    expect(page.locator("[data-queue-status]")).to_have_attribute("data-pending", "1")
    assert not Visit.objects.exists()

    page.context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")

    expect(page.locator("[data-queue-status]")).to_have_attribute("data-pending", "0")
    assert Visit.objects.get().note == "离线打开"


@pytest.mark.e2e
def test_signing_out_clears_the_queue_its_key_and_the_kept_pages(page, live_server, scene):
    sign_in(page, live_server, scene["officer"])
    page.goto(f"/field/addresses/{scene['address'].pk}/")
    page.route("**/api/v1/field/visits/", lambda route: route.abort())  # nothing gets through
    form = fill_visit(page, scene, note="待发送")
    form.locator("[data-visit-submit]").click()
    expect(page.locator("[data-queue-status]")).to_have_attribute("data-pending", "1")
    assert page.evaluate(QUEUE_IN_STORAGE)

    page.locator("form[data-sign-out] button").dispatch_event("click")
    page.wait_for_url(re.compile(r"^(?!.*/field/).*$"))

    assert page.evaluate(QUEUE_IN_STORAGE) == []
    databases = page.evaluate("() => indexedDB.databases().then((all) => all.map((d) => d.name))")
    assert "portal-field" not in databases
    kept = page.evaluate("() => caches.keys()")
    assert not [name for name in kept if name.startswith("portal-field")]
    assert not Visit.objects.exists()
