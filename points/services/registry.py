"""Registry facts that change between points applications: put them on the fact sheet at once.

A registry fact (points.facts) is something the portal itself knows, never claimed: another
part of the portal that records such a fact (a course certificate) calls
`refresh_registry_fact`, and the person's current score follows without a claim to file.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from points import facts, selectors, spec
from points.models import FactSheet, FactSource, FactType, Score
from points.services import ledger


def refresh_registry_fact(*, person_id: int, code: str) -> Score | None:
    """Write the registry fact `code` as it stands today on the person's fact sheet and rescore
    it under the rules in force, when those rules read the fact.

    Nothing happens when the rules in force do not score the fact, when it is not a registry
    fact, or when the person has no fact sheet yet (their first points application collects
    every registry fact). Returns the current score after the change, or None.
    Concurrency: the fact sheet row is locked; the ledger locks the current score.
    """
    rule_set = selectors.rule_set_in_force()
    if rule_set is None or code not in spec.compiled(rule_set).facts_used:
        return None
    if not FactType.objects.filter(code=code, source=FactSource.REGISTRY).exists():
        return None
    provider = facts.providers().get(code)
    if provider is None:
        return None
    with transaction.atomic():
        sheet = (
            FactSheet.objects.select_for_update()
            .select_related("person")
            .filter(person_id=person_id)
            .first()
        )
        if sheet is None:
            return None
        value = provider(sheet.person, timezone.localdate())
        updated = dict(sheet.facts)
        if value is None:
            updated.pop(code, None)
        else:
            updated[code] = value
        if updated != sheet.facts:
            sheet.facts = updated
            sheet.updated_at = timezone.now()
            sheet.save(update_fields=["facts", "updated_at"])
        return ledger.score_sheet(sheet=sheet, rule_set=rule_set)
