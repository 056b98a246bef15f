"""An application kind for testing the platform on its own, registered once on import."""

from __future__ import annotations

from portal.errors import NotEligible
from portal.workflow.registry import ApplicationKind, register_kind

approved_cases: list[int] = []


def _refuse_if_subject_says_so(*, case, actor):
    if case.subject == "ineligible":
        raise NotEligible("not yet")


def _remember_approval(*, case, actor):
    approved_cases.append(case.pk)


TEST_KIND = ApplicationKind(
    code="test_kind",
    label="Test application",
    department="public_security",
    prefix="TST",
    due_days=10,
    on_submit=_refuse_if_subject_says_so,
    on_approve=_remember_approval,
)
register_kind(TEST_KIND)
