"""Load runs clean up after themselves and serve what the production server would."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from load import run

CHILD = """
import sys, time
from load import run
run.stop_on_term()
try:
    print("ready", flush=True)
    time.sleep(60)
finally:
    open(sys.argv[1], "w").write("stopped")
"""


def _run_child(tmp_path: Path, *, install: bool) -> tuple[int, bool]:
    marker = tmp_path / "stopped"
    code = CHILD if install else CHILD.replace("run.stop_on_term()", "")
    root = Path(__file__).resolve().parents[2]
    with subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", code, str(marker)], cwd=root, stdout=subprocess.PIPE, text=True
    ) as child:
        assert child.stdout.readline().strip() == "ready"
        child.send_signal(signal.SIGTERM)
        returncode = child.wait(timeout=30)
    return returncode, marker.exists()


def test_sigterm_runs_the_cleanup_of_a_load_run(tmp_path):
    returncode, cleaned_up = _run_child(tmp_path, install=True)
    assert cleaned_up
    assert returncode == 128 + signal.SIGTERM


def test_without_it_sigterm_skips_the_cleanup(tmp_path):
    returncode, cleaned_up = _run_child(tmp_path, install=False)
    assert not cleaned_up
    assert returncode == -signal.SIGTERM


def test_static_files_are_collected_with_the_servers_settings(monkeypatch):
    """A runner started from the test settings (plain storage) still collects a manifest."""
    calls = []
    monkeypatch.setattr(run, "static_files_stale", lambda: True)
    monkeypatch.setattr(run, "_manage", lambda *args, env: calls.append((args, env)))

    run.collect_static({"DJANGO_SETTINGS_MODULE": "portal.settings_test", "DATABASE_URL": "x"})

    [(args, env)] = calls
    assert args[0] == "collectstatic"
    assert env["DJANGO_SETTINGS_MODULE"] == "portal.settings"


def test_fresh_static_files_are_not_collected_again(monkeypatch):
    calls = []
    monkeypatch.setattr(run, "static_files_stale", lambda: False)
    monkeypatch.setattr(run, "_manage", lambda *args, env: calls.append(args))

    run.collect_static({"DATABASE_URL": "x"})

    assert calls == []
