"""Sending text messages. The gateway is a setting (SMS_SENDER), so a city plugs in its own.

A sender is a callable `(phone: str, message: str) -> None`. Two come with the portal:
`log_sender` (the default) writes the message to the log, which is what a demo wants: outside
demo mode it writes the number and the message with every run of digits hidden, so no code ever
reaches a log file; `memory_sender` keeps it in `outbox`, like Django's locmem e-mail backend,
for tests.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("portal.sms")


@dataclass(frozen=True)
class Sms:
    phone: str
    message: str


outbox: list[Sms] = []


def redact(text: str) -> str:
    """Every run of three or more digits hidden: codes, and most of a phone number."""
    return re.sub(r"\d{3,}", lambda match: "*" * len(match.group()), str(text))


def log_sender(phone: str, message: str) -> None:
    if settings.DEMO_MODE:
        logger.info("SMS to %s: %s", phone, message)
    else:
        logger.info("SMS to %s: %s", redact(phone), redact(message))


def memory_sender(phone: str, message: str) -> None:
    outbox.append(Sms(phone=phone, message=message))


def send_sms(*, phone: str, message: str) -> None:
    import_string(settings.SMS_SENDER)(phone, message)
