"""Resident ID numbers (公民身份号码, GB 11643-1999): checking, reading, masking and keyed hashing.

18 characters: a 6-digit address code, the birth date YYYYMMDD, a 3-digit sequence (odd for
men, even for women) and a check character (ISO 7064 MOD 11-2). The address code is only a
warning when unknown: codes are renamed every year, people keep their numbers
(docs/domain.md "Resident ID number").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from portal.errors import InvalidInput


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: dt.date
    sex: str  # "M" or "F"
    region_known: bool

    @property
    def masked(self) -> str:
        return mask(self.number)


def _invalid(message: str) -> InvalidInput:
    return InvalidInput(message, code="invalid_id_number", fields={"id_number": [message]})


def upgrade_legacy(number: str) -> str:
    """Turn a 15-digit number (YYMMDD, no check character) into its 18-character form."""
    body = number[:6] + "19" + number[6:]
    return body + ric.calc_check_digit(body + "0")


def parse(raw: str, *, today: dt.date | None = None) -> IdNumber:
    """Check an ID number and read the birth date and sex from it, or raise InvalidInput."""
    number = ric.compact(raw or "")
    if len(number) == 15 and number.isdigit():
        number = upgrade_legacy(number)
    if len(number) != 18:
        raise _invalid(_("An ID number has 18 characters."))
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise _invalid(_("An ID number is 17 digits followed by a digit or X."))
    if number[17] != ric.calc_check_digit(number):
        raise _invalid(_("The last character of the ID number does not match: please check it."))
    try:
        birth = ric.get_birth_date(number)
    except StdnumError:
        raise _invalid(_("The birth date inside the ID number is not a real date.")) from None
    if birth > (today or timezone.localdate()) or birth.year < 1880:
        raise _invalid(_("The birth date inside the ID number is not possible."))
    try:
        ric.get_birth_place(number)
        region_known = True
    except (StdnumError, KeyError):  # python-stdnum raises KeyError for some retired codes
        region_known = False
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return IdNumber(number=number, birth_date=birth, sex=sex, region_known=region_known)


def mask(number: str) -> str:
    """Show the first 4 and last 4 characters only: 1101**********002X."""
    if len(number) < 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def keyed_hash(number: str) -> str:
    """HMAC-SHA256 of the normalised number under a server-side key: exact lookup without the number.

    A plain hash of an ID number can be reversed by trying every birth date and sequence.
    """
    key = settings.ID_NUMBER_HASH_KEY.encode()
    return hmac.new(key, ric.compact(number).encode(), hashlib.sha256).hexdigest()
