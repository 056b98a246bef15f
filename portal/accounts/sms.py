"""Sending text messages. The gateway is a setting (SMS_SENDER), so a city plugs in its own.

The default writes the message to the log, which is what a demo or a test wants.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("portal.sms")


def log_sender(phone: str, message: str) -> None:
    logger.info("SMS to %s: %s", phone, message)


def send_sms(*, phone: str, message: str) -> None:
    import_string(settings.SMS_SENDER)(phone, message)
