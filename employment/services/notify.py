"""Queue in-app notices about employment, sent after commit in the portal's language."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import translation

from portal.accounts.models import User
from portal.notices import services as notice_services


def notify_after_commit(
    user: User | None, message: Callable[[], tuple[str, str]], *, link: str = ""
) -> None:
    """Send `user` a notice once the current transaction commits; `message` returns (title, body)."""
    if user is None:
        return

    def send() -> None:
        with translation.override(settings.LANGUAGE_CODE):
            title, body = message()
            notice_services.notify(user=user, title=title, body=body, link=link)

    transaction.on_commit(send)
