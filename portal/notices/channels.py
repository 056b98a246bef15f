"""Sending copies of policy notices outside the portal: SMS and e-mail, through pluggable senders.

Each channel's sender is a dotted path in settings, so a city plugs in its own gateway:
NOTICE_SMS_SENDER, a callable `(phone: str, message: str) -> None`, and NOTICE_EMAIL_SENDER,
a callable `(address: str, subject: str, body: str) -> None`. The defaults write to the log.
`mail_sender` sends through Django's e-mail backend.

A sender that fails raises. `Undeliverable` means retrying is pointless (a number that does
not exist); any other exception is treated as passing and retried with backoff.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from portal.accounts.sms import redact
from portal.notices.models import Channel

logger = logging.getLogger("portal.notices.channels")

DEFAULT_SENDERS = {
    Channel.SMS: "portal.notices.channels.log_sms",
    Channel.EMAIL: "portal.notices.channels.log_email",
}
SETTINGS = {Channel.SMS: "NOTICE_SMS_SENDER", Channel.EMAIL: "NOTICE_EMAIL_SENDER"}


class Undeliverable(Exception):
    """The address cannot receive messages: retrying will not help."""


def log_sms(phone: str, message: str) -> None:
    """The default SMS sender: the log (outside demo mode with the number's digits hidden)."""
    logger.info("Notice SMS to %s: %s", phone if settings.DEMO_MODE else redact(phone), message)


def log_email(address: str, subject: str, body: str) -> None:
    logger.info("Notice e-mail to %s: %s\n%s", address, subject, body)


def mail_sender(address: str, subject: str, body: str) -> None:
    send_mail(subject, body, None, [address])


def sender_for(channel: str) -> Callable[..., None]:
    """The configured sender of a channel (read when sending, never at import)."""
    path = getattr(settings, SETTINGS[Channel(channel)], "") or DEFAULT_SENDERS[Channel(channel)]
    return import_string(path)


def send(channel: str, *, address: str, subject: str, body: str) -> None:
    """Send one copy through the channel's sender: SMS gets one text, e-mail a subject and body."""
    sender = sender_for(channel)
    if channel == Channel.SMS:
        sender(address, f"{subject}\n{body}" if body else subject)
    else:
        sender(address, subject, body)
