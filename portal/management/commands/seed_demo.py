"""`manage.py seed_demo`: build the demo city, its accounts and residents, then print the logins.

Runs the seed steps the apps registered (portal.demo) in order, with one random generator
seeded by --seed, so the same seed gives the same data; every step finds its rows by natural
key, so running it again adds nothing. Only in demo mode: it creates accounts whose password
is published.
"""

from __future__ import annotations

import random
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from portal import demo

DEFAULT_SEED = 2026


class Command(BaseCommand):
    help = "Build the demo city, demo accounts and demo residents (demo mode only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
        parser.add_argument(
            "--persons", type=int, default=0, help="synthetic residents to add in bulk"
        )
        parser.add_argument(
            "--addresses-per-grid",
            type=int,
            default=None,
            help="standard addresses in each grid (default 10)",
        )

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEMO_MODE:
            raise CommandError(
                _(
                    "seed_demo runs only in demo mode (PORTAL_DEMO_MODE=1): "
                    "it creates accounts with a published password."
                )
            )
        seed = int(options["seed"])  # type: ignore[call-overload]
        ctx = demo.SeedContext(
            rng=random.Random(seed),
            options={
                "seed": seed,
                "persons": options["persons"],
                "addresses_per_grid": options["addresses_per_grid"],
            },
            write=self.stdout.write,
        )
        started = time.perf_counter()
        for step in demo.steps():
            self.stdout.write(_("Seeding %(step)s ...") % {"step": step.name})
            step.step(ctx)
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo city ready in %(seconds).1f s (seed %(seed)d).")
                % {"seconds": time.perf_counter() - started, "seed": seed}
            )
        )
        logins = ctx.made.get("logins", [])
        if logins:
            self.stdout.write(
                _("Demo logins (password: %(password)s):") % {"password": demo.DEMO_PASSWORD}
            )
            width = max(len(username) for username, _description in logins)
            for username, description in logins:
                self.stdout.write(f"  {username.ljust(width)}  {description}")
