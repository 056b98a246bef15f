"""What points registers with the platform: claim kinds per department, navigation, demo step."""

from __future__ import annotations

from portal import demo, navigation
from portal.accounts.models import DepartmentCode, Role
from portal.workflow.registry import get_kind
from tests import factories


def test_each_verifying_department_has_its_claim_kind():
    for department in DepartmentCode.values:
        kind = get_kind(f"points_claim_{department}")
        assert kind.department == department
        assert kind.detail_url is not None


def test_residents_find_their_points_and_the_calculator_in_the_menu(db):
    resident = factories.UserFactory(username="nav_resident", roles=[Role.RESIDENT])
    urls = {item.url for item in navigation.items_for(resident)}
    assert {"/points/", "/points/calculator/", "/points/rankings/"} <= urls


def test_the_points_demo_step_runs_after_the_residents_step():
    names = [step.name for step in demo.steps()]
    assert names.index("residents") < names.index("points")
