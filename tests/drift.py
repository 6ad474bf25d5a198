"""`make drift`: the tests against the newest versions pyproject.toml allows.

Run in a venv installed without the lock (`pip install --upgrade -e '.[dev]'`). Prints each
package whose installed version differs from the lock, runs the same checks as `make test`,
and when they fail ends with one line naming the packages that moved, so a new release that
breaks the build (Babel 2.19 changed money from "USD 100M" to "USD 100m") is seen by name
before anyone refreshes the lock. Exit code: that of the checks.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib.metadata import distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked(lock: Path) -> dict[str, str]:
    """The pinned version of each package in a lock file."""
    pins = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            pins[normal(match.group(1))] = match.group(2)
    return pins


def installed() -> dict[str, str]:
    return {normal(d.metadata["Name"] or ""): d.version for d in distributions()}


def moved(pins: dict[str, str], now: dict[str, str]) -> list[str]:
    """`babel 2.18.0 -> 2.19.0` for each locked package installed at another version, and
    `new: x 1.0` for a package the lock does not hold."""
    lines = [f"{name} {pins[name]} -> {now[name]}" for name in sorted(pins)
             if name in now and now[name] != pins[name]]
    lines += [f"new: {name} {now[name]}" for name in sorted(set(now) - set(pins))
              if name != "report"]
    return lines


def main(lock: str) -> int:
    changes = moved(locked(ROOT / lock), installed())
    print(f"Against {lock}, the newest allowed versions differ in {len(changes)} package(s):")
    for line in changes:
        print(f"  {line}")
    os.environ["REPORT_DRIFT"] = "1"  # the check that the lock is installed stands aside
    checks = [[sys.executable, "-m", "ruff", "check", "report", "tests"],
              [sys.executable, "-m", "pytest", "-q", "-n", "2", "--dist", "loadgroup"]]
    for command in checks:
        code = subprocess.run(command, cwd=ROOT).returncode
        if code != 0:
            print(f"\nDRIFT: `{' '.join(command[2:4])}` fails with the newest allowed versions; "
                  f"moved since the lock: {'; '.join(changes) or 'nothing'}")
            return code
    print("\nThe newest allowed versions pass; `make lock` would take them.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "requirements-dev.lock"))
