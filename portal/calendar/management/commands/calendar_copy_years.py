from __future__ import annotations

from django.core.management.base import BaseCommand

from portal.calendar import services


class Command(BaseCommand):
    help = (
        "Copy holidays and make-up working days from the installed chinesecalendar package "
        "into the calendar table (days already there are kept)."
    )

    def handle(self, *args, **options) -> None:
        added = services.copy_announced_years()
        self.stdout.write(f"{added} days added")
