"""Interactive and batch queues: routed by task name; a busy batch worker never delays a notice."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from portal import runner
from portal.celery import app

ROOT = Path(__file__).resolve().parents[2]
AMQP_URL = os.environ.get("RABBITMQ_TEST_URL", "amqp://guest:guest@127.0.0.1:5672//")
INTERACTIVE = ["notices.deliver", "housing.notify_offers", "schooling.notify_round_results"]
BATCH = ["points.recompute", "residents.reconcile_feed", "notices.push_policy"]


def _queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def test_every_task_of_the_portal_is_routed_by_name(settings):
    app.loader.import_default_modules()
    ours = {n for n in app.tasks if not n.startswith("celery.")}
    assert ours - set(settings.CELERY_TASK_ROUTES) == set()


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [(n, "interactive") for n in INTERACTIVE] + [(n, "batch") for n in BATCH],
)
def test_notices_and_offers_are_interactive_and_heavy_jobs_batch(task_name, queue):
    assert _queue_of(task_name) == queue


def test_an_unlisted_task_goes_to_the_interactive_queue_and_a_bare_worker_takes_both():
    assert _queue_of("somewhere.new_task") == "interactive"
    assert [q.name for q in app.conf.task_queues] == ["interactive", "batch"]


def test_make_run_starts_one_worker_per_queue():
    assert runner._worker_args("batch")[:5] == ["worker", "-Q", "batch", "-n", "batch@%h"]


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _ensure_rabbitmq() -> None:
    """RabbitMQ on localhost, started here if it is installed and this run may start it."""
    if _reachable("127.0.0.1", 5672):
        return
    server = shutil.which("rabbitmq-server") or (
        "/usr/sbin/rabbitmq-server" if Path("/usr/sbin/rabbitmq-server").exists() else None
    )
    if server and os.geteuid() == 0:
        subprocess.run([server, "-detached"], check=False, capture_output=True)  # noqa: S603
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not _reachable("127.0.0.1", 5672):
            time.sleep(1)
        if _reachable("127.0.0.1", 5672):
            return
    reason = "RabbitMQ is not running on localhost:5672 and cannot be started here"
    if os.environ.get("PORTAL_REQUIRE_RABBITMQ"):
        pytest.fail(reason)
    pytest.skip(reason + " (CI installs and starts it: .ci/run)")


def _wait_for(path: Path, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
def test_a_notice_is_taken_while_the_batch_worker_is_busy(tmp_path):
    _ensure_rabbitmq()
    # given one worker per queue on RabbitMQ, on queue names of this test's own
    prefix = f"test-{uuid.uuid4().hex[:8]}-"
    interactive = prefix + _queue_of("notices.deliver")
    batch = prefix + _queue_of("points.recompute")
    env = {**os.environ, "CELERY_BROKER_URL": AMQP_URL}
    workers = []
    for queue in (interactive, batch):
        argv = [sys.executable, "-m", "celery", "-A", "portal", *runner._worker_args(queue)]
        argv += ["--include", "tests.portal.celery_probe", "--without-gossip", "--without-mingle"]
        workers.append(
            subprocess.Popen(  # noqa: S603
                argv,
                cwd=ROOT,
                env=env,
                start_new_session=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    started, release = tmp_path / "started", tmp_path / "release"
    notice_done, batch_done = tmp_path / "notice", tmp_path / "batch"
    try:
        with app.connection(AMQP_URL) as conn:
            # when a long batch job holds the batch worker
            app.send_task(
                "probe.hold", args=[str(started), str(release)], queue=batch, connection=conn
            )
            assert _wait_for(started, 60), "the batch worker never started the long job"
            app.send_task("probe.mark", args=[str(batch_done)], queue=batch, connection=conn)
            app.send_task("probe.mark", args=[str(notice_done)], queue=interactive, connection=conn)

            # then the notice is done at once, while the next batch job waits its turn
            assert _wait_for(notice_done, 30), "the notice waited behind the batch job"
            assert not batch_done.exists()
            release.touch()
            assert _wait_for(batch_done, 30)
            for queue in (interactive, batch):
                conn.default_channel.queue_delete(queue)
    finally:
        for proc in workers:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in workers:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
