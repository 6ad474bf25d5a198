"""The build date: SOURCE_DATE_EPOCH, else when the case files last changed (git, or the
files' modification times), so that two builds of one commit are byte-identical."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
from pathlib import Path

from ..errors import EnvironmentFault, InputError, display_path
from .cases import input_paths, is_input_name
from .files import InputFiles

MAX_EPOCH = 4_133_980_799  # 2100-12-31 23:59:59 UTC: dates in a briefing run to 2100


def source_date_epoch(cases_dir: Path, files: InputFiles | None = None,
                      without: frozenset[str] = frozenset()) -> int:
    """Return SOURCE_DATE_EPOCH, else when the case files last changed.

    That is the commit time of the case files when they are committed unchanged, so two
    builds of one commit are byte-identical; with uncommitted edits (or outside git) it is
    the newest case file's modification time, which stays put until the next edit.
    `without` leaves files out by name: the evidence annex, which does not read the brief's
    prose, is dated by the other inputs, so an edit to the brief leaves it byte for byte.
    """
    raw = os.environ.get("SOURCE_DATE_EPOCH", "")
    if raw:
        if not (raw.isascii() and raw.isdigit() and len(raw.lstrip("0")) <= 10
                and int(raw) <= MAX_EPOCH):
            raise EnvironmentFault(
                f"SOURCE_DATE_EPOCH={raw[:40]} is not a build time: write whole seconds since "
                f"1970 in ASCII digits, at most {MAX_EPOCH} (the end of 2100), or unset it")
        return int(raw)
    files = files if files is not None else InputFiles(cases_dir)
    read = {}
    for path in input_paths(cases_dir):
        if path.name in without:
            continue
        try:
            read[path.name] = files.read(path, display_path(path))
        except InputError:  # reported when the inputs are loaded
            continue
    committed = git_commit_time(cases_dir, {name: r.data for name, r in read.items()},
                                without)
    if committed is not None:
        return _within_range(committed, "the commit of the case files is dated")
    mtimes = [int(r.mtime) for r in read.values()]
    newest = max(mtimes, default=0)
    if newest:
        return _within_range(newest, "the newest case file was last modified")
    return int(dt.datetime.now(dt.timezone.utc).timestamp())


def _within_range(epoch: int, what: str) -> int:
    """The build time worked out from the case files, if a briefing can be dated by it (a
    commit dated in the year 10001 ended in a traceback)."""
    if epoch <= MAX_EPOCH:
        return epoch
    year = 1970 + epoch // 31_556_952  # seconds in a mean Gregorian year
    raise EnvironmentFault(f"{what} in the year {year}, after 2100, where a briefing's dates "
                           "end: set SOURCE_DATE_EPOCH to the build time (seconds since 1970), "
                           "or correct the date")


# git runs inside a folder that may come from anywhere, and a repository's own configuration
# can name programs for git to run: an fsmonitor, hooks, a pager, a signature checker, diff
# and filter drivers. So git reads no system or user configuration here, every setting that
# runs a program is overridden on the command line (which wins over the repository's), and
# only `log` and `ls-tree` run: neither reads the working tree, so no filter or fsmonitor
# is asked for. Whether the case files are committed unchanged is decided by hashing them
# here, as git would, against the blobs of HEAD. A repository git does not trust (owned by
# another user) makes git refuse, and the build date falls back to the files' times.
GIT_SAFE_CONFIG = ("core.fsmonitor=false", "core.hooksPath=/dev/null", "core.pager=cat",
                   "log.showSignature=false", "gpg.program=false", "diff.external=",
                   "core.untrackedCache=false", "core.sshCommand=false",
                   "credential.helper=", "protocol.allow=never")


def git(cases_dir: Path, *args: str) -> str | None:
    """Run a read-only git command in the cases folder; return its output, or None."""
    env = {"PATH": os.environ.get("PATH", os.defpath), "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_CONFIG_GLOBAL": os.devnull, "HOME": os.devnull, "GIT_TERMINAL_PROMPT": "0",
           "GIT_OPTIONAL_LOCKS": "0", "GIT_NO_REPLACE_OBJECTS": "1", "LC_ALL": "C"}
    command = ["git", "--no-pager"]
    for setting in GIT_SAFE_CONFIG:
        command += ["-c", setting]
    try:
        run = subprocess.run([*command, *args], cwd=cases_dir, env=env, capture_output=True,
                             stdin=subprocess.DEVNULL, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    if run.returncode != 0:
        return None
    try:
        return run.stdout.decode("utf-8")
    except UnicodeDecodeError:
        return None


def git_commit_time(cases_dir: Path, inputs: dict[str, bytes],
                    without: frozenset[str] = frozenset()) -> int | None:
    """Return the commit time of the case files when HEAD holds exactly these inputs (by
    file name in the folder), else None: uncommitted edits, or no git at all."""
    log = git(cases_dir, "log", "-1", "--format=%ct", "--", ".",
              *(f":(exclude){name}" for name in sorted(without)))
    if not log or not log.strip().isascii() or not log.strip().isdigit():
        return None
    listing = git(cases_dir, "ls-tree", "-z", "HEAD", "--", ".")
    if listing is None:
        return None
    committed = {}
    for entry in listing.split("\0"):
        meta, _, name = entry.partition("\t")
        parts = meta.split()
        if len(parts) == 3 and parts[1] == "blob" and is_input_name(name) \
                and name not in without:
            committed[name] = parts[2]
    if set(committed) != set(inputs):
        return None
    for name, data in inputs.items():
        algorithm = "sha1" if len(committed[name]) == 40 else "sha256"
        blob = hashlib.new(algorithm, b"blob %d\0" % len(data) + data).hexdigest()
        if blob != committed[name]:
            return None
    return int(log.strip())
