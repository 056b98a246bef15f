"""`make bench` ends with one table: every heavy job beside its floor (tests/bench/floors.py)."""

from __future__ import annotations

from tests.bench import floors


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not floors.RESULTS:
        return
    terminalreporter.section("heavy jobs beside their floors")
    for line in floors.table():
        terminalreporter.write_line(line)
