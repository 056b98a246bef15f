"""Reads that may come from a PostgreSQL replica: the city's view, its exports and statistics.

When DATABASE_REPLICA_URL is set, settings add a `replica` alias and this router sends to it:
- reads of the nightly-built tables (dashboard facts, fact runs, indicator values), and
- every read made inside `replica_reads()` (the dashboard pages, exports and open statistics).
Never a read inside a transaction on the primary (a service that reads what it is about to
write sees its own writes), never a write, never a migration. Without the alias it says
nothing and everything uses `default`.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connections

REPLICA = "replica"
REPLICA_MODELS = frozenset({"dashboard.fact", "dashboard.factrun", "dashboard.indicatorvalue"})

_replica_reads = contextvars.ContextVar("replica_reads", default=False)


@contextlib.contextmanager
def replica_reads() -> Iterator[None]:
    """Within this block, reads of any model may come from the replica."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def reads_from_replica(view: Callable) -> Callable:
    """A view whose reads may all come from the replica (it writes nothing)."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with replica_reads():
            return view(*args, **kwargs)

    return wrapped


def replica_configured() -> bool:
    return REPLICA in connections.settings


class ReplicaRouter:
    """See the module docstring."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        if not replica_configured() or connections["default"].in_atomic_block:
            return None
        if _replica_reads.get() or model._meta.label_lower in REPLICA_MODELS:
            return REPLICA
        return None

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db != REPLICA
