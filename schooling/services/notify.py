"""In-app notices to families about their applications and offers, sent after commit."""

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
    """Send `user` a notice once the current transaction commits, in the portal's language.

    `message` returns (title, body); it runs after commit, so a notice caused by a reviewer
    working in English still reaches the family in Chinese.
    """
    if user is None:
        return

    def send() -> None:
        with translation.override(settings.LANGUAGE_CODE):
            title, body = message()
            notice_services.notify(user=user, title=title, body=body, link=link)

    transaction.on_commit(send)


def notify_round_results(*, round_id: int) -> None:
    """Queue the job that tells every family of a drawn round its result (call after commit)."""
    from schooling import tasks

    tasks.notify_round_results.delay(round_id)
