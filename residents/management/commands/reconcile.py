"""`manage.py reconcile`: reconcile a department's feed file now, or pick up the watched folder.

    manage.py reconcile social_insurance /data/feeds/insurance-2026-11.csv
    manage.py reconcile hotel stays.jsonl --encoding gb18030
    manage.py reconcile --resume 42          # resume an interrupted run
    manage.py reconcile --watch /data/inbox  # queue every new file of <inbox>/<kind>/

Runs in this process with a progress bar and prints the run's report. The same file is
reconciled once; --rerun reconciles it again against today's registry.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from portal.errors import ApplicationError
from residents.models import DiscrepancyKind, FeedEncoding, FeedFormat, FeedKindCode, RunStatus
from residents.reconciliation import services

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Reconcile the registry against a department's feed file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", nargs="?", choices=FeedKindCode.values, help="kind of feed")
        parser.add_argument("path", nargs="?", help="the feed file (CSV or JSON lines)")
        parser.add_argument("--encoding", choices=FeedEncoding.values, default="")
        parser.add_argument("--format", dest="fmt", choices=FeedFormat.values, default="")
        parser.add_argument(
            "--rerun", action="store_true", help="reconcile a file already reconciled again"
        )
        parser.add_argument("--resume", type=int, metavar="RUN", help="resume a run by its id")
        parser.add_argument(
            "--watch", metavar="INBOX", help="queue the new files of a watched folder"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: object, **options: object) -> None:
        progress = None if options["no_progress"] else self._progress
        try:
            if options["watch"]:
                self._watch(Path(str(options["watch"])))
                return
            if options["resume"]:
                run = services.execute_run(run_id=int(options["resume"]), progress=progress)
            else:
                if not options["kind"] or not options["path"]:
                    raise CommandError(
                        _("Give the kind of feed and the file, or --resume/--watch.")
                    )
                path = Path(str(options["path"]))
                if not path.is_file():
                    raise CommandError(_("No such file: %(path)s") % {"path": path})
                run = services.reconcile_file(
                    path=path,
                    kind=str(options["kind"]),
                    encoding=str(options["encoding"]),
                    fmt=str(options["fmt"]),
                    rerun=bool(options["rerun"]),
                    progress=progress,
                )
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        if progress is not None:
            self.stdout.write("")
        self._print_report(run)
        if run.status != RunStatus.FINISHED:
            raise CommandError(run.error or run.get_status_display())

    def _watch(self, inbox: Path) -> None:
        runs = services.collect_feeds(inbox=inbox)
        self.stdout.write(
            _("%(count)d new feed files queued from %(inbox)s.")
            % {"count": len(runs), "inbox": inbox}
        )

    def _progress(self, run) -> None:
        filled = BAR_WIDTH * run.progress // 100
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        self.stdout.write(f"\r[{bar}] {run.progress:3d}%  {run.phase_label:<30}", ending="")
        self.stdout.flush()

    def _print_report(self, run) -> None:
        write = self.stdout.write
        write(
            _("Run %(run)d of feed %(feed)d (%(name)s): %(status)s")
            % {
                "run": run.pk,
                "feed": run.feed_id,
                "name": run.feed.original_name,
                "status": run.get_status_display(),
            }
        )
        write(_("  rows read:      %(n)s") % {"n": f"{run.rows_read:,}"})
        write(_("  rows rejected:  %(n)s") % {"n": f"{run.rows_rejected:,}"})
        write(
            _("  rows matched:   %(n)s (by name and birth date: %(by_name)s)")
            % {"n": f"{run.rows_matched:,}", "by_name": f"{run.rows_matched_by_name:,}"}
        )
        for kind in DiscrepancyKind:
            count = run.discrepancies_by_kind.get(kind.value, 0)
            write(f"  {kind.label}: {count:,}")
        write(_("  new verification tasks: %(n)s") % {"n": f"{run.tasks_raised:,}"})
        write(_("  time taken:     %(s).1f s") % {"s": run.seconds})
