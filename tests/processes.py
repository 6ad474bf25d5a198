"""Finding the processes a test started, however far they were passed on: each carries a
marker in its environment, which every process it starts inherits."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from report.processes import tagged

MARK = "REPORT_TEST_MARK"


def marked(monkeypatch) -> str:
    """Put a fresh marker into the environment processes started from now on inherit."""
    marker = uuid.uuid4().hex
    monkeypatch.setenv(MARK, marker)
    return marker


def running_with(marker: str, wait_for: int = 0, timeout: float = 120,
                 running: str | None = None) -> dict[int, str]:
    """Return the live processes carrying `marker` (pid → command line); with `wait_for`,
    first wait until at least that many are running; with `running`, until one of them has
    that in its command line."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = tagged(marker, MARK)
        if len(found) >= wait_for and (running is None or any(
                running in command for command in found.values())):
            break
        time.sleep(0.05)
    return found


def all_gone(pids, timeout: float = 120) -> bool:
    """Wait until none of `pids` is alive (or `timeout` passed); return whether so."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = [pid for pid in pids if Path(f"/proc/{pid}").exists()
                 and (Path(f"/proc/{pid}") / "stat").read_text().rsplit(")", 1)[1].split()[0]
                 != "Z"]
        if not alive:
            return True
        time.sleep(0.05)
    return False
