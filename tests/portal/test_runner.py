"""`make run` from nothing: embedded servers, migrate, seed, web + worker + beat; Ctrl-C stops it all."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

from portal import embedded

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _processes_of(runner: psutil.Process, data_dirs: list[Path]) -> list[psutil.Process]:
    """The runner's children, plus the daemonised servers that live in the data directory."""
    found = {p.pid: p for p in runner.children(recursive=True)}
    for proc in psutil.process_iter(["cmdline"]):
        try:
            cmdline = " ".join(proc.info["cmdline"] or [])
            cwd = proc.cwd()
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
        if any(str(d) in cmdline or cwd.startswith(str(d)) for d in data_dirs):
            found[proc.pid] = proc
    return list(found.values())


@pytest.mark.slow
def test_make_run_serves_and_ctrl_c_leaves_nothing_running(tmp_path, monkeypatch):
    port = _free_port()
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    pg_dir = embedded.pg_data_dir()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        PORTAL_DATA_DIR=str(tmp_path), PORT=str(port), DJANGO_SETTINGS_MODULE="portal.settings"
    )
    env.pop("PORTAL_DEMO_MODE", None)
    log = (tmp_path / "run.log").open("wb")
    runner = subprocess.Popen(
        [sys.executable, "-m", "portal.runner"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        health = None
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and runner.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as resp:
                    health = json.load(resp)
                    break
            except urllib.error.HTTPError as exc:
                health = json.load(exc)  # 503 while the worker is still starting
            except OSError:
                pass
            time.sleep(1)
        output = (tmp_path / "run.log").read_text(errors="replace")
        assert health is not None, output[-3000:]
        assert health["ok"], output[-3000:]
        assert "resident1" in output
        assert "demo-pass-2026" in output

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as resp:
            assert resp.status == 200

        processes = _processes_of(psutil.Process(runner.pid), [tmp_path, pg_dir])
        names = {p.name() for p in processes}
        assert any("postgres" in n for n in names), names
        assert any("redis" in n for n in names), names
    finally:
        runner.send_signal(signal.SIGINT)
        code = runner.wait(timeout=90)
        log.close()

    assert code == 0
    time.sleep(1)
    left = [p for p in processes if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert left == [], [(p.pid, p.name()) for p in left]
