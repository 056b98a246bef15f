"""The demo city is built from per-app parts registered here, run in order by `seed_demo`.

Each app registers a step in its AppConfig.ready(): `register(name=..., order=..., step=fn)`,
where `fn(ctx)` builds that app's part idempotently. `ctx` is a SeedContext carrying the
random generator (seeded by --seed), the options, the objects earlier steps made (ctx.made)
and a writer for progress lines.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - the published demo password, demo mode only


@dataclass
class SeedContext:
    rng: random.Random
    options: dict[str, Any]
    made: dict[str, Any] = field(default_factory=dict)
    write: Callable[[str], None] = print


@dataclass(frozen=True)
class SeedStep:
    name: str
    order: int
    step: Callable[[SeedContext], None]


_steps: dict[str, SeedStep] = {}


def register(*, name: str, order: int, step: Callable[[SeedContext], None]) -> None:
    _steps[name] = SeedStep(name=name, order=order, step=step)


def steps() -> list[SeedStep]:
    return sorted(_steps.values(), key=lambda s: (s.order, s.name))
