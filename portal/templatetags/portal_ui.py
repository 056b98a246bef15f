"""Template helpers of the page shell."""

from __future__ import annotations

import re

from django import template

from portal.dashboard.provinces import labels as province_labels

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
