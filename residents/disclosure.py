"""What a person's data looks like to someone who is not that person or their guardian.

An ID number is its region code (6 digits), the birth date (8) and 4 more characters: the
masked number shows the first 4 and the last 4, so the region code and the birth date must
never be shown beside it. Staff see, at most, the masked number, the birth year, the province
of origin and a masked mobile number (the middle four digits hidden). The whole record (the
full ID number, birth date, contact details) is only shown through the logged-reason path
(residents.services.open_person_record). The person themselves and their guardian see their
own details.
"""

from __future__ import annotations

from typing import Any

PHONE_HIDDEN = "****"


def birth_year(person: Any) -> int:
    return person.birth_date.year


def origin_province(code: str) -> str:
    """The province-level division code of a hukou place: 330304 -> 330000 (浙江省)."""
    code = (code or "").strip()
    if len(code) < 2 or not code[:2].isdigit():
        return ""
    return code[:2] + "0000"


def mask_phone(phone: Any) -> str:
    """A mobile number with its middle four digits hidden: 138****8000."""
    national = getattr(phone, "national_number", None)
    digits = str(national) if national else "".join(ch for ch in str(phone or "") if ch.isdigit())
    if not digits:
        return ""
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if len(digits) < 8:
        return PHONE_HIDDEN
    return digits[:3] + PHONE_HIDDEN + digits[-4:]
