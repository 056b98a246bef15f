"""`manage.py school_draw ROUND --as USERNAME [--second | --queue]`: run a round's draw from the command line.

The operator entry point for the education bureau's draw (the same service as the staff page
and the API): the first round by default, the second round with --second. The acting account
must manage the round (an education reviewer of every district of its schools, or a superuser).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.errors import ApplicationError
from schooling import services


class Command(BaseCommand):
    help = "Run the first (or, with --second, the second) round of an enrolment round's draw."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("round_id", type=int)
        parser.add_argument("--as", dest="username", required=True, help="the acting account")
        parser.add_argument("--second", action="store_true", help="run the second round")
        parser.add_argument(
            "--queue",
            action="store_true",
            help="hand the first round's draw to a batch worker instead of running it here",
        )

    def handle(self, *args: object, **options: object) -> None:
        actor = User.objects.filter(username=options["username"]).first()
        if actor is None:
            raise CommandError(_("No account %(name)s.") % {"name": options["username"]})
        round_id = int(options["round_id"])  # type: ignore[call-overload]
        try:
            if options["second"]:
                run = services.run_second_round(actor=actor, round_id=round_id)
            elif options["queue"]:
                run = services.run_first_round(actor=actor, round_id=round_id, queue=True)
                self.stdout.write(_("The draw is queued as run %(run)s.") % {"run": run.pk})
                return
            else:
                run = services.run_first_round(actor=actor, round_id=round_id)
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            _(
                "%(placed)s of %(applicants)s children placed (matching %(match).2f s, in all %(total).2f s)."
            )
            % {
                "placed": run.placed,
                "applicants": run.applicants,
                "match": run.match_seconds,
                "total": run.total_seconds,
            }
        )
