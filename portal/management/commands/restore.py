"""`manage.py restore <directory>`: put a backup back, after checking its manifest.

Replaces the whole database: asks first unless --no-input is given.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.utils.translation import gettext as _

from portal import backups


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup`, replacing the database's contents."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="the backup directory")
        parser.add_argument("--database", default="default", help="the database alias")
        parser.add_argument(
            "--no-input", action="store_false", dest="interactive", help="do not ask first"
        )

    def handle(self, *args: object, **options: object) -> None:
        connection = connections[options["database"]]
        database = backups.Database.from_settings(connection.settings_dict)
        source = Path(options["source"])
        try:
            backups.verify_backup(source)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        if options["interactive"]:
            answer = input(
                _("This replaces everything in database %(name)s. Type 'yes' to go on: ")
                % {"name": database.name}
            )
            if answer != "yes":
                raise CommandError(_("Restore cancelled."))
        connection.close()
        try:
            manifest = backups.restore_backup(
                source=source, database=database, upload_root=Path(settings.UPLOAD_ROOT)
            )
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Restored %(tables)d tables (%(rows)d rows) and the uploads from %(source)s.")
            % {
                "tables": len(manifest["tables"]),
                "rows": sum(manifest["tables"].values()),
                "source": source,
            }
        )
