"""A landlord declares a tenant who moved in, and the tenant appears in the registry.

On a phone-sized screen: the landlord signs in, opens their approved rental home, fills in
the tenant's name, ID number, phone and move-in date, and sees the tenant listed. The
tenant's residence registration exists at the home's address with source "landlord", and
the grid officer has a task to verify it. Fields are found by their ids, so the test reads
the same in Chinese and in English.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from housing.models import Tenancy
from residents import idnumber
from residents.models import FieldTask, Person, Registration, Source, TaskKind
from tests import factories
from tests.housing.conftest import approve_home, make_home

PASSWORD = "pass-for-tests-2026"
NAME = "黄晓军"
ID_NUMBER = factories.make_id_number(birth=dt.date(1995, 7, 14), seq=31)


@pytest.mark.e2e
def test_a_landlord_declares_a_tenant_who_then_appears_in_the_registry(
    page, live_server, settings, district_a, grid_a, console_errors
):
    # Given: a landlord whose home passed the housing department's safety check.
    landlord = factories.UserFactory(username="landlord_e2e", roles=["landlord", "resident"])
    reviewer = factories.reviewer(department="housing", districts=[district_a], username="h_a")
    factories.officer(grids=[grid_a], username="officer_e2e")
    home = approve_home(make_home(landlord, grid_a, room="502"), landlord, reviewer)
    moved_in = timezone.localdate() - dt.timedelta(days=2)

    # When: the landlord signs in, opens the home and declares the tenant.
    page.goto("/accounts/login/")
    page.locator("#id_login").fill("landlord_e2e")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("navigation").first).to_be_visible()
    page.goto("/housing/homes/")
    page.locator(f"a[href='/housing/homes/{home.pk}/']").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(home.address.text)
    page.locator("#id_name").fill(NAME)
    page.locator("#id_id_number").fill(ID_NUMBER)
    page.locator("#id_phone").fill("13957700011")
    page.locator("#id_start_date").fill(moved_in.isoformat())
    page.locator("button[name=action][value=declare]").click()

    # Then: the tenant is listed on the home's page...
    tenants = page.locator("table")
    expect(tenants).to_contain_text(NAME)
    expect(tenants).to_contain_text(moved_in.isoformat())
    expect(page.locator(".error-summary")).to_have_count(0)

    # ...and is in the registry, registered at the home by the landlord, to be verified.
    person = Person.objects.get(id_hash=idnumber.keyed_hash(ID_NUMBER))
    registration = Registration.objects.get(person=person, end_date__isnull=True)
    assert registration.source == Source.LANDLORD
    assert registration.address_id == home.address_id
    assert registration.start_date == moved_in
    assert Tenancy.objects.get(person=person).home == home
    assert FieldTask.objects.filter(
        person=person, kind=TaskKind.VERIFY_DECLARATION, address=home.address
    ).exists()
    assert console_errors == []
