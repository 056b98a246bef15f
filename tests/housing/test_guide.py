"""The affordable-housing guide in the service catalogue reads the open rounds."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone, translation

from housing.guide import affordable_housing_facts
from tests.housing.conftest import open_round


def test_guide_lists_open_rounds_with_household_sizes_and_minimum_points(project, housing_a):
    open_round(project, housing_a, min_points=Decimal("85.50"))
    with translation.override("en"):
        facts = affordable_housing_facts(timezone.localdate())
    text = " ".join(facts.eligibility)
    assert "1-2 people" in text
    assert "2-4 people" in text
    assert "85.5" in text


def test_without_open_rounds_only_the_standing_conditions_show(db):
    facts = affordable_housing_facts(timezone.localdate())
    assert len(facts.eligibility) == 2
