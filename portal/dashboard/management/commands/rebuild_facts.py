from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from portal.dashboard import services


class Command(BaseCommand):
    help = "Rebuild the dashboard's monthly facts from the registered metrics."

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=None, help="months to keep")

    def handle(self, *args, **options):
        run = services.rebuild_facts(months=options["months"])
        self.stdout.write(
            _("Monthly facts %(first)s to %(last)s: %(rows)d rows in %(seconds).1f s.")
            % {
                "first": f"{run.first_month:%Y-%m}",
                "last": f"{run.last_month:%Y-%m}",
                "rows": run.rows,
                "seconds": run.seconds,
            }
        )
