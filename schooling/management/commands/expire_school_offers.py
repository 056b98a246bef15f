"""`manage.py expire_school_offers`: let unanswered offers past their deadline lapse.

The same job Celery runs daily (schooling.expire_offers); safe to run twice. Each lapsed seat
passes to the next child on the school's waiting list.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from schooling import services


class Command(BaseCommand):
    help = "Let school-place offers past their deadline lapse and pass their seats on."

    def handle(self, *args: object, **options: object) -> None:
        count = services.expire_offers()
        self.stdout.write(_("%(count)s offers lapsed.") % {"count": count})
