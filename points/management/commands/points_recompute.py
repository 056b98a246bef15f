"""`manage.py points_recompute`: recompute every fact sheet under a rule set now, or resume a run.

An operator's entry point to the same job the publish action queues (points.recompute):
chunked, resumable and idempotent. --run resumes an interrupted run; --rule-set starts a new
run for a published version (the version in force by default); --preview counts instead who
would cross each threshold under a draft.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from points import selectors
from points.models import RecomputeRun, RuleSet, RuleSetStatus, RunKind, RunStatus
from points.services import ledger


class Command(BaseCommand):
    help = "Recompute every points score under a rule set (or resume a run, or preview a draft)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rule-set", type=int, help="rule set id (default: the one in force)")
        parser.add_argument("--run", type=int, help="resume this run")
        parser.add_argument("--preview", action="store_true", help="count only (for a draft)")
        parser.add_argument("--chunk-size", type=int, default=ledger.CHUNK_SIZE)

    def handle(self, *args: object, **options: object) -> None:
        if options["run"]:
            run = RecomputeRun.objects.filter(pk=options["run"]).first()
            if run is None:
                raise CommandError(_("No such run."))
            if run.status == RunStatus.FAILED:
                RecomputeRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, error="")
        else:
            rule_set = (
                RuleSet.objects.filter(pk=options["rule_set"]).first()
                if options["rule_set"]
                else selectors.rule_set_in_force()
            )
            if rule_set is None:
                raise CommandError(_("No such rule set, and none is in force."))
            kind = RunKind.PREVIEW if options["preview"] else RunKind.RECOMPUTE
            wanted = RuleSetStatus.DRAFT if options["preview"] else RuleSetStatus.PUBLISHED
            if rule_set.status != wanted:
                raise CommandError(
                    _("A preview needs a draft; a recompute needs a published rule set.")
                )
            run = RecomputeRun.objects.create(rule_set=rule_set, kind=kind)
        started = time.perf_counter()
        work = ledger.run_preview if run.kind == RunKind.PREVIEW else ledger.run_recompute
        done = work(run_id=run.pk, chunk_size=int(options["chunk_size"]))  # type: ignore[call-overload]
        self.stdout.write(
            _("Run %(run)s %(status)s: %(done)s scored, %(written)s written in %(seconds).1f s.")
            % {
                "run": done.pk,
                "status": done.get_status_display(),
                "done": f"{done.done:,}",
                "written": f"{done.written:,}",
                "seconds": time.perf_counter() - started,
            }
        )
        if done.kind == RunKind.PREVIEW:
            for service, counts in sorted(done.result.get("services", {}).items()):
                self.stdout.write(f"  {service}: {counts}")
