"""Rule sets in the admin: drafts are edited and checked, published versions are read-only,
a sample profile can be previewed, and the actions call the services."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from points.models import Indicator, RuleSet, RuleSetStatus
from points.services import rules


@pytest.fixture
def admin_client(client, admin_user):
    admin_user.is_staff = True
    admin_user.save(update_fields=["is_staff"])
    client.force_login(admin_user)
    return client


def test_a_published_rule_set_cannot_be_changed_in_the_admin(admin_client, zhongshan):
    url = reverse("admin:points_ruleset_change", args=[zhongshan.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    response = admin_client.post(url, {"name": "changed"})
    assert response.status_code == 403
    zhongshan.refresh_from_db()
    assert zhongshan.name != "changed"


def test_an_indicators_parameters_are_checked_by_the_engine(zhongshan, admin_user):
    from points.admin import IndicatorForm

    draft = rules.new_version(actor=admin_user, rule_set_id=zhongshan.pk)
    indicator = Indicator.objects.get(rule_set=draft, code="education")
    form = IndicatorForm(
        data={
            "order": 10,
            "code": "education",
            "label": "文化程度",
            "label_en": "",
            "family": indicator.family_id,
            "fact": "education",
            "kind": "rate",
            "params": json.dumps({"points": 5}),
            "cap": "",
            "lookback_years": "",
            "source": "",
        },
        instance=indicator,
    )
    assert not form.is_valid()
    assert "cannot read a level fact" in str(form.errors)


def test_a_sample_profile_is_previewed_under_the_rules(admin_client, zhongshan):
    url = reverse("admin:points_ruleset_preview", args=[zhongshan.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        {
            "facts": json.dumps(
                {"education": ["bachelor"], "has_permit": True, "work_years_city": 2}
            ),
            "on": "2026-01-01",
        },
    )
    assert response.status_code == 200
    services = {s.service: s for s in response.context["explanation"].services}
    assert services["school"].total == 80


def test_the_copy_action_makes_a_draft_and_the_publish_action_refuses_a_broken_one(
    admin_client, zhongshan
):
    changelist = reverse("admin:points_ruleset_changelist")
    admin_client.post(
        changelist, {"action": "copy_as_new_version", "_selected_action": [zhongshan.pk]}
    )
    draft = RuleSet.objects.get(scheme=zhongshan.scheme, version=2)
    assert draft.status == RuleSetStatus.DRAFT
    draft.services.update(tie_break=["nowhere"])
    response = admin_client.post(
        changelist, {"action": "publish", "_selected_action": [draft.pk]}, follow=True
    )
    assert "nowhere" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == RuleSetStatus.DRAFT
