"""Sending text messages. The gateway is a setting (SMS_SENDER), so a city plugs in its own.

A sender is a callable `(phone: str, message: str) -> None`. Two come with the portal:
`log_sender` (the default) writes the message to the log, which is what a demo wants;
`memory_sender` keeps it in `outbox`, like Django's locmem e-mail backend, for tests.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("portal.sms")


@dataclass(frozen=True)
class Sms:
    phone: str
    message: str


outbox: list[Sms] = []


def log_sender(phone: str, message: str) -> None:
    logger.info("SMS to %s: %s", phone, message)


def memory_sender(phone: str, message: str) -> None:
    outbox.append(Sms(phone=phone, message=message))


def send_sms(*, phone: str, message: str) -> None:
    import_string(settings.SMS_SENDER)(phone, message)
