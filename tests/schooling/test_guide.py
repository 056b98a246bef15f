"""The school-place guide in the service catalogue reads the current round's rules."""

from __future__ import annotations

from django.utils import timezone, translation

from schooling.guide import school_facts


def test_guide_takes_age_permit_and_points_rules_from_the_round(enrolment_round):
    enrolment_round.min_age = 7
    enrolment_round.min_permit_months = 18
    enrolment_round.save(update_fields=["min_age", "min_permit_months"])
    with translation.override("en"):
        facts = school_facts(timezone.localdate())
    text = " ".join(facts.eligibility)
    assert "7 years old by" in text
    assert "at least 18 months" in text
    assert str(enrolment_round.points_threshold.normalize()) in text
    assert len(facts.materials) == 3


def test_no_published_round_gives_no_facts(db):
    assert school_facts(timezone.localdate()) is None
