"""Open-loop load with locust: requests leave on a fixed schedule, whatever earlier ones do.

A closed loop (N users, each waiting for its answer) slows down with the server and so hides
queueing; here one locust user sends `rate * seconds` requests of the mix at even intervals,
each in its own greenlet, and waits for the last answer (bounded by the request timeout).
"""

from __future__ import annotations

from dataclasses import dataclass

import gevent
from locust import FastHttpUser, constant, events, task
from locust.env import Environment
from locust.exception import StopUser

from load import mix

REQUEST_TIMEOUT = 30.0


@dataclass
class Row:
    name: str
    count: int
    failures: int
    p50: float
    p95: float
    p99: float


@dataclass
class Result:
    rate: int
    seconds: int
    rows: list[Row]
    total: Row
    elapsed: float

    def holds(self, p95_limit_ms: float, error_limit: float) -> bool:
        return (
            self.total.count > 0
            and self.total.p95 <= p95_limit_ms
            and self.total.failures <= error_limit * self.total.count
        )

    def summary(self) -> str:
        t = self.total
        return (
            f"{t.count} requests, {t.failures} errors, p50 {t.p50:.0f} ms, "
            f"p95 {t.p95:.0f} ms, p99 {t.p99:.0f} ms, achieved {t.count / self.elapsed:.0f} req/s"
        )

    def table(self) -> str:
        width = max(len(r.name) for r in [*self.rows, self.total])
        lines = [
            f"{'request'.ljust(width)}  {'count':>6} {'errors':>6} {'p50 ms':>7} "
            f"{'p95 ms':>7} {'p99 ms':>7}"
        ]
        for r in [*self.rows, self.total]:
            lines.append(
                f"{r.name.ljust(width)}  {r.count:>6} {r.failures:>6} {r.p50:>7.0f} "
                f"{r.p95:>7.0f} {r.p99:>7.0f}"
            )
        return "\n".join(lines)


class MixUser(FastHttpUser):
    """Sends the whole schedule of one run; set up by `run` through class attributes."""

    wait_time = constant(0)
    network_timeout = REQUEST_TIMEOUT
    connection_timeout = REQUEST_TIMEOUT
    concurrency = 2000
    headers: dict[tuple[str, str], dict[str, str]] = {}
    rate = 40
    seconds = 1
    sent_seconds = 1.0

    def send(self, request: mix.Request) -> None:
        with self.client.get(
            request.path,
            headers=self.headers[request.login, request.auth],
            name=request.name,
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"HTTP {answer.status_code}")

    @task
    def send_schedule(self) -> None:
        interval = 1.0 / self.rate
        started = gevent.get_hub().loop.now()
        greenlets = []
        for i, request in enumerate(mix.schedule(self.rate * self.seconds)):
            delay = started + i * interval - gevent.get_hub().loop.now()
            if delay > 0:
                gevent.sleep(delay)
            greenlets.append(gevent.spawn(self.send, request))
        MixUser.sent_seconds = max(gevent.get_hub().loop.now() - started, interval)
        gevent.joinall(greenlets, timeout=REQUEST_TIMEOUT + 5)
        raise StopUser


def run(base: str, headers: dict, *, rate: int, seconds: int) -> Result:
    MixUser.host = base
    MixUser.headers = headers
    MixUser.rate = rate
    MixUser.seconds = seconds
    env = Environment(user_classes=[MixUser], events=events)
    runner = env.create_local_runner()
    runner.start(1, spawn_rate=1)
    gevent.sleep(0.5)
    while runner.user_count:
        gevent.sleep(0.2)
    runner.quit()
    rows = [_row(entry.name, entry) for entry in sorted(env.stats.entries.values(), key=_order)]
    return Result(rate, seconds, rows, _row("all", env.stats.total), MixUser.sent_seconds)


def _order(entry) -> int:
    names = [r.name for r in mix.MIX]
    return names.index(entry.name) if entry.name in names else len(names)


def _row(name: str, entry) -> Row:
    count = entry.num_requests
    return Row(
        name=name,
        count=count,
        failures=entry.num_failures,
        p50=entry.get_response_time_percentile(0.5) if count else 0,
        p95=entry.get_response_time_percentile(0.95) if count else 0,
        p99=entry.get_response_time_percentile(0.99) if count else 0,
    )
