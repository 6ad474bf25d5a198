"""Finding and stopping every process a build started, however it was started.

A process group does not hold them all: choreographer (kaleido's browser driver) starts
Chromium in a session of its own. But each process inherits its parent's environment, so a
variable set to a fresh value before a build starts marks everything the build starts.
Linux only (it reads /proc); elsewhere nothing is found and nothing is killed.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path

TAG = "REPORT_PROCESS_TAG"


def new_tag() -> str:
    return uuid.uuid4().hex


def tagged(tag: str, name: str = TAG) -> dict[int, str]:
    """Return the live processes whose environment has `name`=`tag`: pid → command line."""
    needle = f"{name}={tag}".encode()
    found = {}
    try:
        entries = list(Path("/proc").iterdir())
    except OSError:
        return found
    for entry in entries:
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                continue  # ended, waiting to be reaped
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(
                    b"\0", b" ").decode(errors="replace").strip()
        except (OSError, IndexError):  # it ended while we looked, or is not ours to read
            continue
    return found


def kill_tagged(tag: str, name: str = TAG, timeout: float = 5.0) -> None:
    """Kill every process whose environment has `name`=`tag`, and wait until they are gone
    (one may start another while it is being killed; a killed one takes a moment to end)."""
    deadline = time.monotonic() + timeout
    while (found := tagged(tag, name)) and time.monotonic() < deadline:
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.02)
