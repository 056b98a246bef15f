"""The school-round morning: many families at once while a round is drawn, counted afterwards.

`python -m load morning` (`make morning`):
1. a fresh database `<db>_morning`, copied from `<db>_morning_base` (migrated and seeded with
   the demo city once, on first use); MORNING_DATABASE_URL names a prepared database to use as
   it is instead (the end-to-end test passes its test database);
2. adds the morning's rounds and families in bulk (load/morning_data.py): MORNING_PARENTS (2,000)
   families ready to rank their schools, MORNING_ACCEPTS (500) holding an offer to accept,
   MORNING_DRAW_FAMILIES (2,000) in a round to be drawn;
3. starts the portal under gunicorn and sends every family's request once through the API
   with that family's own token, open-loop, spread evenly over MORNING_SECONDS (600): the
   ranked schools (PUT .../preferences/) and the acceptances (POST .../accept/). A share
   MORNING_RESEND_SHARE (5 %) of them is sent twice, 50 ms apart (a parent pressing twice);
4. meanwhile, MORNING_DRAW_AT (a third of the way in) the draw round is drawn
   (`manage.py school_draw`, the operator's entry point of the draw service);
5. counts in the database (morning_data.count) and over HTTP: every preference set saved
   exactly once as sent, every acceptance once, no school over its seats, the draw finished,
   no 5xx and no 4xx but the 409 of an acceptance sent twice. Prints the counts beside the
   expected figures and p50/p95/p99 per request type; exits 1 when a count differs.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import gevent
from locust import FastHttpUser, constant, events, task
from locust.env import Environment
from locust.exception import StopUser

from load import openloop, run

RESEND_DELAY = 0.05
CONFLICT = 409


@dataclass(frozen=True)
class Send:
    """One request of the morning: when it leaves (seconds from the start), what, and for whom."""

    at: float
    name: str
    method: str
    path: str
    token: str
    body: dict | None = None
    accepted_statuses: tuple[int, ...] = (200,)


@dataclass
class Tally:
    """Answers by request type and status, and those that were not expected."""

    statuses: dict[tuple[str, int], int] = field(default_factory=dict)
    unexpected: list[tuple[str, str, int]] = field(default_factory=list)

    def add(self, send: Send, status: int) -> None:
        key = (send.name, status)
        self.statuses[key] = self.statuses.get(key, 0) + 1
        if status not in send.accepted_statuses:
            self.unexpected.append((send.name, send.path, status))

    def count(self, *, low: int, high: int) -> int:
        return sum(n for (_name, status), n in self.statuses.items() if low <= status < high)


def schedule(plan: dict, *, seconds: float, resend_share: float, seed: int = 8) -> list[Send]:
    """Every family's request once, in a shuffled order at even intervals over `seconds`, and
    a resend `RESEND_DELAY` after the first for a share of them; sorted by time."""
    rng = random.Random(seed)  # noqa: S311 - the order of a test, not a secret
    firsts: list[tuple[str, dict]] = [("preferences", p) for p in plan["preferences"]] + [
        ("accept", a) for a in plan["acceptances"]
    ]
    rng.shuffle(firsts)
    interval = seconds / max(1, len(firsts))
    sends = []
    for i, (kind, item) in enumerate(firsts):
        at = i * interval
        if kind == "preferences":
            send = Send(
                at,
                "save preferences",
                "PUT",
                f"/api/v1/school-applications/{item['application']}/preferences/",
                item["token"],
                {"schools": item["schools"]},
            )
            again = (200,)
        else:
            # The first and the resend race; whichever the server takes second gets 409.
            send = Send(
                at,
                "accept offer",
                "POST",
                f"/api/v1/school-offers/{item['offer']}/accept/",
                item["token"],
            )
            again = (200, CONFLICT)
        if rng.random() < resend_share:
            send = replace(send, accepted_statuses=again)
            sends.append(send)
            sends.append(replace(send, at=at + RESEND_DELAY, name=f"{send.name} (resent)"))
        else:
            sends.append(send)
    return sorted(sends, key=lambda s: s.at)


def checks_of_http(tally: Tally, sends: list[Send]) -> list[tuple[str, int, int]]:
    answered = sum(tally.statuses.values())
    return [
        ("HTTP answers", len(sends), answered),
        ("HTTP 5xx", 0, tally.count(low=500, high=600)),
        (
            "HTTP answers not expected (4xx other than a resend's 409, 5xx)",
            0,
            len(tally.unexpected),
        ),
    ]


class MorningUser(FastHttpUser):
    """Sends the morning's schedule; set up by `send_morning` through class attributes."""

    wait_time = constant(0)
    network_timeout = openloop.REQUEST_TIMEOUT
    connection_timeout = openloop.REQUEST_TIMEOUT
    concurrency = 2000
    sends: list[Send] = []
    tally = Tally()
    at_start = None

    def send(self, send: Send) -> None:
        with self.client.request(
            send.method,
            send.path,
            headers={"Authorization": f"Token {send.token}"},
            json=send.body,
            name=send.name,
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            status = answer.status_code or 0
            self.tally.add(send, status)
            if status not in send.accepted_statuses:
                answer.failure(f"HTTP {status}")
            else:
                answer.success()

    @task
    def send_schedule(self) -> None:
        started = gevent.get_hub().loop.now()
        if MorningUser.at_start is not None:
            gevent.spawn(MorningUser.at_start)
        greenlets = []
        for send in self.sends:
            delay = started + send.at - gevent.get_hub().loop.now()
            if delay > 0:
                gevent.sleep(delay)
            greenlets.append(gevent.spawn(self.send, send))
        gevent.joinall(greenlets, timeout=openloop.REQUEST_TIMEOUT + 5)
        raise StopUser


def send_morning(base: str, sends: list[Send], *, at_start=None) -> tuple[Tally, list]:
    MorningUser.host = base
    MorningUser.sends = sends
    MorningUser.tally = Tally()
    MorningUser.at_start = at_start
    env = Environment(user_classes=[MorningUser], events=events)
    runner = env.create_local_runner()
    runner.start(1, spawn_rate=1)
    gevent.sleep(0.5)
    while runner.user_count:
        gevent.sleep(0.2)
    runner.quit()
    rows = [openloop._row(e.name, e) for e in sorted(env.stats.entries.values(), key=_name)]
    return MorningUser.tally, [*rows, openloop._row("all", env.stats.total)]


def _name(entry) -> str:
    return entry.name


# --- the database -------------------------------------------------------------------------------


def _database(base_env: dict[str, str]) -> dict[str, str]:
    """The environment of a fresh morning database (see the module)."""
    import psycopg

    env = dict(base_env)
    run.collect_static(env)
    if os.environ.get("MORNING_DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["MORNING_DATABASE_URL"]
        return env
    template = run.database_url_for(base_env["DATABASE_URL"], "morning_base")  # type: ignore[arg-type]
    if run._create_database(template):
        run._say(f"Preparing {template}: migrate and seed the demo city (once) ...")
        template_env = {**env, "DATABASE_URL": template}
        run._manage("migrate", "--no-input", "--verbosity", "0", env=template_env)
        run._manage("seed_demo", "--persons", "300", env=template_env)
    target = run.database_url_for(base_env["DATABASE_URL"], "morning")  # type: ignore[arg-type]
    parts = urlsplit(target)
    admin = urlunsplit(parts._replace(path="/postgres"))
    name, source = parts.path.lstrip("/"), urlsplit(template).path.lstrip("/")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    env["DATABASE_URL"] = target
    return env


def _data(command: str, path: str, env: dict[str, str]) -> str:
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "load.morning_data", command, path],
        cwd=run.ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE,
    )
    return done.stdout


# --- main ---------------------------------------------------------------------------------------


def main() -> int:
    env = run.server_environment(_database(run.base_environment()))
    seconds = float(os.environ.get("MORNING_SECONDS", 600))
    resend_share = float(os.environ.get("MORNING_RESEND_SHARE", 0.05))
    draw_at = float(os.environ.get("MORNING_DRAW_AT", seconds / 3))
    workers = int(os.environ.get("LOAD_WORKERS", run.DEFAULT_WORKERS))
    threads = int(os.environ.get("LOAD_THREADS", run.DEFAULT_THREADS))
    with tempfile.TemporaryDirectory(prefix="morning") as tmp:
        plan_path = str(Path(tmp) / "plan.json")
        started = time.perf_counter()
        _data("prepare", plan_path, env)
        run._say(f"Families and rounds prepared in {time.perf_counter() - started:.1f} s.")
        plan = json.loads(Path(plan_path).read_text(encoding="utf-8"))
        sends = schedule(plan, seconds=seconds, resend_share=resend_share)
        draw: list[subprocess.Popen] = []

        def start_draw() -> None:
            gevent.sleep(draw_at)
            run._say(f"Drawing round {plan['draw_round']} ({run.load_average()})")
            draw.append(
                subprocess.Popen(  # noqa: S603
                    [
                        sys.executable,
                        "manage.py",
                        "school_draw",
                        str(plan["draw_round"]),
                        "--as",
                        plan["draw_actor"],
                    ],
                    cwd=run.ROOT,
                    env=env,
                )
            )

        with run.gunicorn(env, workers=workers, threads=threads) as base:
            run._say(
                f"\n== the morning: {len(plan['preferences']):,} preference sets and "
                f"{len(plan['acceptances']):,} acceptances ({len(sends) - len(plan['preferences']) - len(plan['acceptances'])} "
                f"resent) over {seconds:.0f} s, draw at {draw_at:.0f} s; gunicorn {workers} "
                f"workers x {threads} threads; {run.load_average()}"
            )
            tally, rows = send_morning(base, sends, at_start=start_draw)
            draw_code = draw[0].wait() if draw else -1
        run._say(openloop.Result(0, int(seconds), rows[:-1], rows[-1], seconds).table())
        run._say(f"after the run: {run.load_average()}")
        sent_path = str(Path(tmp) / "sent.json")
        Path(sent_path).write_text(
            json.dumps(
                {
                    "plan": plan,
                    "submitted": [p["application"] for p in plan["preferences"]],
                    "accepted": [a["offer"] for a in plan["acceptances"]],
                }
            ),
            encoding="utf-8",
        )
        counted = json.loads(_data("count", sent_path, env).strip().splitlines()[-1])
    checks = [*[tuple(c) for c in counted], *checks_of_http(tally, sends)]
    checks.append(("draw command exit code", 0, draw_code))
    return report(checks, tally)


def report(checks: list[tuple[str, int, int]], tally: Tally) -> int:
    width = max(len(name) for name, _e, _f in checks)
    run._say(f"\n{'count'.ljust(width)}  {'expected':>8} {'found':>8}")
    wrong = 0
    for name, expected, found in checks:
        mark = "" if expected == found else "  <-- differs"
        wrong += expected != found
        run._say(f"{name.ljust(width)}  {expected:>8} {found:>8}{mark}")
    for name, path, status in tally.unexpected[:20]:
        run._say(f"unexpected: {name} {path} HTTP {status}")
    run._say("\nEvery count matches." if not wrong else f"\n{wrong} counts differ.")
    return 1 if wrong else 0
