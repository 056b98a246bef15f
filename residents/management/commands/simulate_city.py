"""Run the simulated city and print how true the registry stays, day by day.

    manage.py simulate_city --persons 10000 --days 30 --seed 1 [--params file.toml]
                            [--csv out.csv] [--schema sim]

Refuses a database holding real (non-simulated) persons unless `--schema` names a separate
PostgreSQL schema, which is created and migrated and then used for the whole run.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from portal.errors import InvalidInput
from residents.simulation import city, params, runner


class Command(BaseCommand):
    help = "Simulate a city with known ground truth and measure the registry against it."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--persons", type=int, default=10_000)
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--params", help="a TOML or JSON file of parameters")
        parser.add_argument("--csv", help="write the daily measure to this CSV file")
        parser.add_argument(
            "--schema", help="run in this PostgreSQL schema (created and migrated if needed)"
        )

    def handle(self, *args, **options) -> None:
        if options["persons"] <= 0 or options["days"] <= 0:
            raise CommandError("--persons and --days must be above 0.")
        try:
            chosen = params.load(options["params"]) if options["params"] else params.Params()
        except InvalidInput as exc:
            problems = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in exc.fields.items())
            raise CommandError(f"{exc.message} {problems}") from None
        with connection.cursor() as cursor:
            cursor.execute("SHOW search_path")
            (search_path,) = cursor.fetchone()
        try:
            self._simulate(options, chosen)
        finally:
            # The connection goes back to the schemas it used before (for callers that go
            # on using it, such as tests and shells).
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('search_path', %s, false)", [search_path])

    def _simulate(self, options, chosen: params.Params) -> None:
        if options["schema"]:
            self._use_schema(options["schema"])
        elif city.real_persons():
            raise CommandError(
                "This database holds real persons: the simulator will not mix simulated ones "
                "with them. Use --schema NAME to run in a separate schema, or another database."
            )
        with tempfile.TemporaryDirectory() as workdir:
            simulation = runner.simulate(
                persons=options["persons"],
                days=options["days"],
                seed=options["seed"],
                params=chosen,
                workdir=Path(workdir),
                write=self.stdout.write,
            )
        if options["csv"]:
            with open(options["csv"], "w", encoding="utf-8", newline="") as out:
                runner.write_csv(simulation.rows, out)
        seconds = ", ".join(f"{k} {v:.1f} s" for k, v in simulation.seconds.items())
        self.stdout.write(
            f"Run {simulation.run.pk}: {simulation.run.seconds:.1f} s ({seconds}); "
            f"{simulation.refused} declarations or visits refused by the services."
        )

    def _use_schema(self, schema: str) -> None:
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", schema) or schema == "public":
            raise CommandError("--schema must be a lower-case name other than public.")
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            cursor.execute(f"SET search_path TO {schema}")
        call_command("migrate", verbosity=0)
        if city.real_persons():
            raise CommandError(f"The schema {schema} holds real persons.")
