"""The public catalogue: by life event, each guide, the guide's rule facts, versions; no login."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from portal.catalogue import selectors
from portal.catalogue.models import LifeEvent, Service, ServiceVersion
from portal.catalogue.registry import registered_codes
from residents.models import PermitPolicy


def test_catalogue_lists_every_service_by_life_event_without_login(
    client, service_list, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        response = client.get(reverse("catalogue:catalogue"))
    assert response.status_code == 200
    html = response.content.decode()
    for code in ("arriving", "working", "housing", "school", "points", "health", "rights"):
        assert f'id="event-{code}"' in html
    for service in Service.objects.all():
        assert reverse("catalogue:guide", args=[service.code]) in html


def test_every_guide_opens_without_login(client, service_list):
    for code in Service.objects.values_list("code", flat=True):
        response = client.get(reverse("catalogue:guide", args=[code]))
        assert response.status_code == 200, code


def test_demo_list_holds_services_the_portal_only_describes(service_list):
    described = set(Service.objects.filter(kind="").values_list("code", flat=True))
    assert {
        "health_records",
        "employment_services",
        "legal_aid",
        "culture_services",
        "childcare",
    } <= described
    assert set(Service.objects.values_list("life_event", flat=True)) <= set(LifeEvent.values)


def test_unknown_guide_is_404(client, service_list):
    assert client.get(reverse("catalogue:guide", args=["no_such_service"])).status_code == 404


def test_portal_services_register_guide_facts():
    assert {
        "residence_permit",
        "points",
        "school_place",
        "affordable_housing",
    } <= registered_codes()


def test_permit_guide_takes_its_months_from_the_permit_policy_in_force(client, service_list):
    PermitPolicy.objects.create(
        effective_from=timezone.localdate() - dt.timedelta(days=1),
        min_residence_months=9,
        validity_months=24,
    )
    with translation.override("en"):
        guide = selectors.guide_of("residence_permit", on=timezone.localdate())
    assert guide is not None
    assert any("9 continuous months" in line for line in guide.eligibility)
    assert any("24 months" in note for note in guide.facts.notes)
    response = client.get(reverse("catalogue:guide", args=["residence_permit"]))
    assert "9" in response.content.decode()


def test_a_guide_without_rule_facts_reads_its_version_text(service_list):
    guide = selectors.guide_of("legal_aid", on=timezone.localdate())
    assert guide.facts is None
    assert guide.eligibility == guide.version.lines("eligibility")
    assert guide.materials


def test_a_new_version_takes_over_on_its_effective_date(service_list):
    service = Service.objects.get(code="legal_aid")
    today = timezone.localdate()
    ServiceVersion.objects.create(
        service=service,
        effective_from=today + dt.timedelta(days=30),
        summary="新版指南",
        eligibility="所有人",
    )
    assert selectors.guide_of("legal_aid", on=today).version.summary != "新版指南"
    later = selectors.guide_of("legal_aid", on=today + dt.timedelta(days=30))
    assert later.version.summary == "新版指南"
    assert later.eligibility == ["所有人"]


def test_a_service_with_no_version_in_force_is_not_listed(service_list):
    service = Service.objects.create(
        code="future", name="将来的服务", life_event=LifeEvent.WORKING, department_name="某局"
    )
    ServiceVersion.objects.create(
        service=service, effective_from=timezone.localdate() + dt.timedelta(days=1)
    )
    codes = [s.code for s in selectors.services_in_force(on=timezone.localdate())]
    assert "future" not in codes
    assert "legal_aid" in codes


@pytest.mark.parametrize("code", ["residence_permit", "school_place", "points"])
def test_home_page_cards_link_to_the_guides(client, service_list, code):
    response = client.get(reverse("home"))
    assert reverse("catalogue:guide", args=[code]) in response.content.decode()
