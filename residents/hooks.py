"""What other apps ask to be told about the registry, registered from their AppConfig.ready().

`on_permit_cancelled(callback)`: callback(permit=, actor=, on=) runs inside the transaction that
cancels a residence permit (departure, cancellation by public security), so what depends on
the permit (a points score: 积分随居住证注销而失效) changes with it or not at all. The
registry never imports the apps that register.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

PermitCancelled = Callable[..., None]

_permit_cancelled: dict[str, PermitCancelled] = {}


def on_permit_cancelled(key: str, callback: PermitCancelled) -> None:
    """Register (or replace, under the same key) a callback for cancelled permits."""
    _permit_cancelled[key] = callback


def permit_cancelled(*, permit: Any, actor: Any, on: dt.date) -> None:
    for _key, callback in sorted(_permit_cancelled.items()):
        callback(permit=permit, actor=actor, on=on)
