"""Search in Chinese over the service list."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from portal.catalogue import selectors


def _codes(query: str) -> list[str]:
    return [s.code for s in selectors.search_services(query, on=timezone.localdate())]


def test_juzhuzheng_finds_the_permit_guide(service_list):
    codes = _codes("居住证")
    assert codes[0] == "residence_permit"


def test_shangxue_finds_school_places(service_list):
    assert "school_place" in _codes("上学")


def test_zufang_finds_tenancy_and_affordable_housing(service_list):
    codes = _codes("租房")
    assert {"tenancy_registration", "affordable_housing"} <= set(codes)


def test_every_word_must_match(service_list):
    assert _codes("租房 上学") == []


def test_english_names_are_searched_too(service_list):
    assert "legal_aid" in _codes("legal aid")


def test_search_page_works_without_login_and_says_when_nothing_matches(
    client, service_list, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        response = client.get(reverse("catalogue:search"), {"q": "上学"})
    assert response.status_code == 200
    assert reverse("catalogue:guide", args=["school_place"]) in response.content.decode()
    empty = client.get(reverse("catalogue:search"), {"q": "不存在的服务"})
    assert empty.status_code == 200
    assert reverse("catalogue:guide", args=["school_place"]) not in empty.content.decode()


def test_htmx_search_returns_the_results_only(client, service_list):
    response = client.get(
        reverse("catalogue:search"), {"q": "租房"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert 'id="catalogue-results"' in html
    assert "<html" not in html
