"""Template helpers of the page shell."""

from __future__ import annotations

import re

from django import template

register = template.Library()


@register.filter
def mobile(value: object) -> str:
    """A mainland mobile number as people read it: +8613812345678 -> 138 1234 5678."""
    digits = re.sub(r"\D", "", str(value or ""))
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if len(digits) != 11:
        return str(value or "")
    return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
