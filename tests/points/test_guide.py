"""The points guide in the service catalogue reads the rule set in force."""

from __future__ import annotations

from django.utils import timezone, translation

from points.guide import points_facts
from points.models import Scheme


def test_guide_lists_each_threshold_of_the_rule_set_in_force(zhongshan):
    with translation.override("en"):
        facts = points_facts(timezone.localdate())
        expected = [
            f"{rule.get_service_display()}: at least {rule.threshold.normalize()} points."
            for rule in zhongshan.services.all()
        ]
    assert expected
    assert all(line in facts.eligibility for line in expected)
    assert facts.materials


def test_no_rule_set_in_force_gives_no_facts(seed_tables):
    Scheme.objects.update(is_active=False)
    assert points_facts(timezone.localdate()) is None
