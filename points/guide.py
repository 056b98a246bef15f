"""What the points app tells the service catalogue: thresholds and evidence of the rule set in force."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from points import selectors
from points.models import FactSource, FactType
from portal.catalogue.registry import GuideFacts, register_guide_facts


def _in_language(zh: str, en: str) -> str:
    return en if en and (get_language() or "").startswith("en") else zh


def points_facts(on: dt.date) -> GuideFacts | None:
    """Entry requirements and each service's threshold in the rule set in force on `on`, and the
    evidence each claimable fact needs; None when no rule set is in force."""
    rule_set = selectors.rule_set_in_force(on=on)
    if rule_set is None:
        return None
    eligibility = [
        str(requirement["label"])
        for requirement in rule_set.entry_requirements
        if requirement.get("label")
    ]
    eligibility += [
        _("%(service)s: at least %(threshold)s points.")
        % {"service": rule.get_service_display(), "threshold": rule.threshold.normalize()}
        for rule in rule_set.services.order_by("service")
    ]
    materials = [
        f"{_in_language(fact.label, fact.label_en)}: "
        f"{_in_language(fact.evidence_hint, fact.evidence_hint_en)}"
        for fact in FactType.objects.filter(source=FactSource.CLAIM)
        .exclude(evidence_hint="")
        .order_by("order", "code")
    ]
    return GuideFacts(
        eligibility=eligibility,
        materials=materials,
        notes=[
            _("Rules: %(name)s, in force from %(day)s; a score stays valid for %(months)s months.")
            % {
                "name": rule_set.display_name,
                "day": rule_set.effective_from.isoformat(),
                "months": rule_set.score_validity_months,
            }
        ],
    )


def register() -> None:
    register_guide_facts("points", points_facts)
