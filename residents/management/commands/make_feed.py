"""`manage.py make_feed`: write a synthetic department feed, for tests, demos and benchmarks.

    manage.py make_feed social_insurance /tmp/insurance.csv
    manage.py make_feed hotel /tmp/hotel.jsonl --format jsonl --encoding gb18030
    manage.py make_feed social_insurance /tmp/big.csv --population-seed 2026 --population 1000000

From the registry's current registrations, or, with --population-seed, from the synthetic
population residents.bulk loads with that seed and size (into the addresses in grid-code
order), made again without reading the registry.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from residents.models import FeedEncoding, FeedFormat, FeedKindCode
from residents.reconciliation import generator


class Command(BaseCommand):
    help = "Write a synthetic department feed that mostly agrees with the registry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=FeedKindCode.values)
        parser.add_argument("path")
        parser.add_argument("--format", dest="fmt", choices=FeedFormat.values, default="csv")
        parser.add_argument(
            "--encoding", choices=[FeedEncoding.UTF8, FeedEncoding.GB18030], default="utf-8"
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed of the feed")
        parser.add_argument("--rows", type=int, default=None, help="at most this many rows")
        parser.add_argument("--population-seed", type=int, default=None)
        parser.add_argument("--population", type=int, default=0)
        for share, default in generator.Mix().__dict__.items():
            parser.add_argument(f"--{share.replace('_', '-')}", type=float, default=default)

    def handle(self, *args: object, **options: object) -> None:
        today = timezone.localdate()
        address_ids = generator.synthetic_address_ids()
        if options["population_seed"] is not None:
            residents = generator.residents_from_seed(
                seed=int(options["population_seed"]),
                count=int(options["population"]),
                address_ids=address_ids,
                today=today,
            )
        else:
            residents = generator.residents_from_registry()
        mix = generator.Mix(**{k: float(options[k]) for k in generator.Mix().__dict__})
        started = time.perf_counter()
        path = Path(str(options["path"]))
        with open(path, "wb") as out:
            rows = generator.write_feed(
                out,
                kind=str(options["kind"]),
                residents=residents,
                address_ids=address_ids,
                today=today,
                fmt=str(options["fmt"]),
                encoding=str(options["encoding"]),
                seed=int(options["seed"]),
                mix=mix,
                rows=options["rows"],
            )
        self.stdout.write(
            _("%(rows)s rows written to %(path)s in %(seconds).1f s.")
            % {"rows": f"{rows:,}", "path": path, "seconds": time.perf_counter() - started}
        )
