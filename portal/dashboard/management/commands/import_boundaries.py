from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from portal.dashboard import services
from portal.errors import InvalidInput


class Command(BaseCommand):
    help = "Load area boundaries from a GeoJSON FeatureCollection keyed by division code."

    def add_arguments(self, parser):
        parser.add_argument("path", help="GeoJSON file")
        parser.add_argument(
            "--code-property", default="code", help="feature property holding the code"
        )
        parser.add_argument("--dry-run", action="store_true", help="report only; write nothing")

    def handle(self, *args, **options):
        try:
            collection = json.loads(Path(options["path"]).read_text(encoding="utf-8-sig"))
        except (OSError, ValueError) as exc:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": options["path"], "error": exc}
            ) from exc
        try:
            report = services.import_boundaries(
                collection, code_property=options["code_property"], dry_run=options["dry_run"]
            )
        except InvalidInput as exc:
            raise CommandError(str(exc.fields or exc)) from exc
        self.stdout.write(_("Boundaries matched: %(n)d") % {"n": len(report.matched)})
        self.stdout.write(
            _("Codes matching no area: %(n)d %(codes)s")
            % {"n": len(report.unmatched), "codes": " ".join(report.unmatched)}
        )
        if report.invalid:
            self.stdout.write(
                _("Features without a code or a polygon: %(n)d %(items)s")
                % {"n": len(report.invalid), "items": " ".join(report.invalid)}
            )
        if report.missing:
            self.stdout.write(
                _("Areas still without a boundary: %(n)d %(codes)s")
                % {"n": len(report.missing), "codes": " ".join(report.missing)}
            )
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was written."))
