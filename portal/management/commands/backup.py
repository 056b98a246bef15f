"""`manage.py backup <directory>`: the database and the uploaded materials, with a manifest.

See portal/backups.py for what a backup holds; docs/operations.md for scheduling it.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.utils.translation import gettext as _

from portal import backups


class Command(BaseCommand):
    help = "Back up the database (pg_dump custom format) and the uploads into a new directory."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("target", help="a new (or empty) directory for the backup")
        parser.add_argument("--database", default="default", help="the database alias")

    def handle(self, *args: object, **options: object) -> None:
        database = backups.Database.from_settings(connections[options["database"]].settings_dict)
        try:
            manifest = backups.create_backup(
                database=database,
                upload_root=Path(settings.UPLOAD_ROOT),
                target=Path(options["target"]),
            )
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Backed up %(tables)d tables (%(rows)d rows) and %(files)d files to %(target)s.")
            % {
                "tables": len(manifest["tables"]),
                "rows": sum(manifest["tables"].values()),
                "files": len(manifest["files"]) - 1,
                "target": options["target"],
            }
        )
