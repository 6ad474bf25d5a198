"""`report preview` as the tests and the benchmark drive it: the command in a subprocess,
its event stream read as a browser's EventSource reads it, its page fetched over HTTP."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

EPOCH = "1767225600"  # as tests/conftest.py: fixed dates
TIMEOUT = 180  # seconds: only for a command that hangs; nothing is timed by it


class Preview:
    """`report preview --port 0 ARGS` running in `root`, its output line by line."""

    def __init__(self, root: Path, *args: str, env: dict | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "report", "preview", "--port", "0", *args], cwd=root,
            env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH, **(env or {})},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines = {"out": queue.Queue(), "err": queue.Queue()}
        for name, stream in (("out", self.proc.stdout), ("err", self.proc.stderr)):
            threading.Thread(target=self._pump, args=(stream, self.lines[name]),
                             daemon=True).start()
        first = self.next()
        match = re.fullmatch(r"serving (http://127\.0\.0\.1:(\d+)/) \(Ctrl-C stops\); "
                             r"watching cases", first)
        assert match, first
        self.url, self.port = match.group(1), int(match.group(2))

    @staticmethod
    def _pump(stream, lines: queue.Queue) -> None:
        for line in stream:
            lines.put(line.rstrip("\n"))

    def next(self, stream: str = "out") -> str:
        """The next line the command printed on `stream` (out or err)."""
        return self.lines[stream].get(timeout=TIMEOUT)

    def wait_for(self, wanted: Callable[[str], bool], stream: str = "out") -> str:
        """Skip lines until one is `wanted`; return it."""
        while not wanted(line := self.next(stream)):
            pass
        return line

    def interrupt(self) -> None:
        """Press Ctrl-C."""
        self.proc.send_signal(signal.SIGINT)

    def stop(self) -> int:
        """Press Ctrl-C; wait for the command to end; return its exit code."""
        self.interrupt()
        return self.proc.wait(timeout=TIMEOUT)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class Events:
    """The page's event stream, read as EventSource does: one (name, data) at a time."""

    def __init__(self, url: str) -> None:
        self.response = urllib.request.urlopen(url + "events", timeout=TIMEOUT)
        assert self.response.headers["Content-Type"].startswith("text/event-stream")

    def next(self) -> tuple[str, dict]:
        name, data = "message", []
        while True:
            line = self.response.readline().decode("utf-8")
            if not line:
                raise EOFError("the event stream ended")
            line = line.rstrip("\n")
            if not line:
                if data:
                    return name, json.loads("\n".join(data))
                name = "message"
            elif line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
            # `retry:` and comments (`:`) need nothing from a test

    def until(self, wanted: Callable[[str, dict], bool]) -> tuple[str, dict]:
        while not wanted(*(event := self.next())):
            pass
        return event

    def close(self) -> None:
        self.response.close()


def fetch(url: str, host: str | None = None) -> tuple[int, str]:
    """GET `url`; return the status and the body. `host` overrides the Host header."""
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")
