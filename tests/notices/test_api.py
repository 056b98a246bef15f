"""The notices API: a resident's inbox and channels; staff policies, reach and publishing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from portal.notices import services
from portal.notices.models import PolicyNotice, PolicyStatus
from tests.notices.conftest import RENT, district_target, make_policy, resident_at


@pytest.fixture
def api():
    return APIClient()


def assert_error(response, *, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code


@pytest.fixture
def pushed(housing_staff, district_a, me):
    policy = make_policy(housing_staff, target=district_target(district_a), publish=True, **RENT)
    services.push_policy(policy_id=policy.pk)
    return policy


def test_the_inbox_lists_notices_with_the_benefit(api, resident, me, pushed):
    services.notify(user=resident, title="受理通知", body="b")
    api.force_authenticate(resident)
    body = api.get("/api/v1/notices/inbox/").json()
    assert body["unread"] == 2
    assert body["count"] == 2
    policy_item = next(item for item in body["results"] if item["kind"] == "policy")
    assert policy_item["title"] == "免费技能培训报名"
    assert policy_item["grant"]["amount"] == "1200.00"
    assert policy_item["department"]


def test_the_inbox_has_a_query_budget(
    api, resident, me, hr_staff, district_a, django_assert_max_num_queries
):
    for n in range(10):
        policy = make_policy(
            hr_staff, target=district_target(district_a), publish=True, title=f"政策{n}"
        )
        services.push_policy(policy_id=policy.pk)
    api.force_authenticate(resident)
    with django_assert_max_num_queries(10):
        body = api.get("/api/v1/notices/inbox/").json()
    assert len(body["results"]) == 10


def test_opening_and_dismissing_through_the_api(api, resident, me, pushed):
    notice = PolicyNotice.objects.get(person=me)
    api.force_authenticate(resident)
    opened = api.post(f"/api/v1/notices/policy-notices/{notice.pk}/open/")
    assert opened.status_code == 200
    assert opened.json()["read_at"]
    assert api.post(f"/api/v1/notices/policy-notices/{notice.pk}/dismiss/").status_code == 204
    assert api.get("/api/v1/notices/inbox/").json()["count"] == 0


def test_another_residents_notice_is_a_404(api, other_resident, them, me, pushed):
    notice = PolicyNotice.objects.get(person=me)
    api.force_authenticate(other_resident)
    response = api.post(f"/api/v1/notices/policy-notices/{notice.pk}/open/")
    assert_error(response, status=404, code="not_found")


def test_channels_can_be_switched_off_except_the_inbox(api, resident):
    api.force_authenticate(resident)
    assert api.get("/api/v1/notices/preferences/").json() == {
        "inbox": True,
        "sms": True,
        "email": True,
    }
    changed = api.put("/api/v1/notices/preferences/", {"sms": False, "email": True}, format="json")
    assert changed.json() == {"inbox": True, "sms": False, "email": True}
    refused = api.put(
        "/api/v1/notices/preferences/",
        {"inbox": False, "sms": True, "email": True},
        format="json",
    )
    assert_error(refused, status=400, code="inbox_required")


def test_staff_list_criteria_preview_draft_and_publish(api, hr_staff, district_a, address_a):
    for _ in range(2):
        resident_at(address_a)
    api.force_authenticate(hr_staff)

    criteria = api.get("/api/v1/notices/criteria/").json()
    district = next(c for c in criteria if c["code"] == "residents.district")
    assert district["params"][0]["type"] == "multiple_choice"
    assert [district_a.pk, district_a.display_name] in district["params"][0]["choices"]

    target = district_target(district_a)
    count = api.post("/api/v1/notices/policies/audience/", {"target": target}, format="json")
    assert count.json() == {"count": 2}

    today = timezone.localdate()
    created = api.post(
        "/api/v1/notices/policies/",
        {
            "title": "夜校报名",
            "body": "免费夜校",
            "starts_on": today.isoformat(),
            "ends_on": (today + dt.timedelta(days=10)).isoformat(),
            "channels": ["sms"],
            "target": target,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    policy_id = created.json()["id"]
    published = api.post(f"/api/v1/notices/policies/{policy_id}/publish/")
    assert published.json()["status"] == PolicyStatus.PUBLISHED
    services.push_policy(policy_id=policy_id)

    detail = api.get(f"/api/v1/notices/policies/{policy_id}/").json()
    assert detail["stats"]["audience"] == 2
    assert detail["policy"]["conditions"]


def test_bad_input_comes_back_in_the_one_error_format(api, hr_staff, district_a, address_a):
    api.force_authenticate(hr_staff)
    refused = api.post(
        "/api/v1/notices/policies/audience/",
        {"target": [{"criterion": "residents.age", "params": {"min_age": "x"}}]},
        format="json",
    )
    assert_error(refused, status=400, code="invalid")
    assert "target.residents.age.min_age" in refused.json()["fields"]

    policy = make_policy(hr_staff, target=district_target(district_a))
    nobody = api.post(f"/api/v1/notices/policies/{policy.pk}/publish/")
    assert_error(nobody, status=400, code="empty_audience")

    resident_at(address_a)
    ended = make_policy(
        hr_staff,
        target=district_target(district_a),
        starts_on=timezone.localdate() - dt.timedelta(days=9),
        ends_on=timezone.localdate() - dt.timedelta(days=1),
    )
    assert_error(
        api.post(f"/api/v1/notices/policies/{ended.pk}/publish/"),
        status=400,
        code="window_ended",
    )
    assert_error(
        api.post(f"/api/v1/notices/policies/{policy.pk}/withdraw/", {"reason": "x"}),
        status=409,
        code="conflict",
    )


def test_the_policy_list_is_scoped_and_has_a_query_budget(
    api, hr_staff, housing_staff, district_a, address_a, django_assert_max_num_queries
):
    resident_at(address_a)
    for n in range(5):
        make_policy(hr_staff, target=district_target(district_a), title=f"人社{n}")
    make_policy(housing_staff, target=district_target(district_a), title="住建")
    api.force_authenticate(hr_staff)
    with django_assert_max_num_queries(6):
        body = api.get("/api/v1/notices/policies/").json()
    assert body["count"] == 5
    assert {item["department"] for item in body["results"]} == {"human_resources"}


def test_residents_cannot_use_the_staff_endpoints(api, resident, pushed):
    api.force_authenticate(resident)
    assert api.get("/api/v1/notices/policies/").status_code == 403
    assert api.get("/api/v1/notices/criteria/").status_code == 403
    assert api.get(f"/api/v1/notices/policies/{pushed.pk}/").status_code == 403
