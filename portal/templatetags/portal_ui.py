"""Template helpers of the page shell."""

from __future__ import annotations

import re

from django import template

from portal.dashboard.provinces import labels as province_labels
from portal.workflow import selectors as workflow_selectors

register = template.Library()


@register.filter
def province(code: object) -> str:
    """The province a division code lies in, by its first two digits: 330304 -> 浙江省."""
    return province_labels().get(str(code or "").strip()[:2], "")


@register.filter
def mobile(value: object) -> str:
    """A mainland mobile number as people read it: +8613812345678 -> 138 1234 5678."""
    digits = re.sub(r"\D", "", str(value or ""))
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if len(digits) != 11:
        return str(value or "")
    return f"{digits[:3]} {digits[3:7]} {digits[7:]}"


@register.simple_tag(takes_context=True)
def allowed_actions(context: template.Context, case: object) -> frozenset[str]:
    """What the signed-in user may do to `case` now:
    `{% allowed_actions case as actions %}{% if "approve" in actions %}...`."""
    request = context.get("request")
    if case is None or request is None:
        return frozenset()
    return workflow_selectors.allowed_actions(case, request.user)
