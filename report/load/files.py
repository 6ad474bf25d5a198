"""Reading input files: regular files only, under a size limit, each read once per build.

A cases folder can hold anything a file system can: a named pipe (reading it waits forever),
a link to /dev/zero (endless), a link in a loop, a folder or a dangling link named `x.yaml`.
Every input is opened here, and only when it is a regular file no bigger than the limit;
anything else is one problem naming what it is (exit 2), never a hang or a traceback.

Symbolic links are followed deliberately, and only within the folder they are found in: a
link in `cases/` to another file in `cases/` (or below it) is read, a link that leads out of
it is refused, so a folder from elsewhere cannot make the build read `~/.ssh/id_rsa` or
`/dev/zero`. A file named on the command line (`--brief PATH`) is the user's own choice and
is read wherever it is, as long as it is a regular file.

`InputFiles` keeps the bytes it read, so the fingerprint, the build date and the documents
of one build all come from the same bytes, even if a file changes while the build runs.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, Problem

MAX_FILE_BYTES = 2 * 1024 * 1024  # a hand-written case file is a few tens of kB
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
          (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


@dataclass(frozen=True)
class Read:
    """A file's bytes and when it was last modified (for the build date)."""

    data: bytes
    mtime: float


def read_file(path: Path, shown: str, what: str = "case file",
              folder: Path | None = None) -> Read:
    """Return the bytes of `path`; raise InputError (one problem) when it is not a regular
    file of at most MAX_FILE_BYTES, or leads out of `folder` through a symbolic link."""
    def refuse(message: str, line: int = 0) -> InputError:
        return InputError([Problem(shown, line, line, "", message)])

    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in path.name):
        raise refuse("the file name holds a control character; rename the file")
    try:
        target = _follow(path, folder)
        info = os.stat(target)
        kind = _kind(info.st_mode)
        if kind:  # checked before opening: opening a device or a pipe can have effects
            raise refuse(f"is {kind}, not a file; only regular files are read")
        if info.st_size > MAX_FILE_BYTES:
            raise refuse(_too_big(info.st_size, what), 1)
        fd = os.open(target, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except _LinkProblem as link:
        raise refuse(str(link)) from None
    except OSError as err:
        raise refuse(f"cannot read: {err.strerror}") from None
    try:
        info = os.fstat(fd)  # what was opened, which may not be what was looked at
        kind = _kind(info.st_mode)
        if kind:
            raise refuse(f"is {kind}, not a file; only regular files are read")
        chunks, size = [], 0
        while size <= MAX_FILE_BYTES:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_FILE_BYTES:
            raise refuse(_too_big(size, what), 1)
        return Read(b"".join(chunks), info.st_mtime)
    except OSError as err:
        raise refuse(f"cannot read: {err.strerror}") from None
    finally:
        os.close(fd)


class _LinkProblem(Exception):
    pass


def _follow(path: Path, folder: Path | None) -> str:
    """Return the file a path names, following symbolic links within `folder` only."""
    if not os.path.islink(path):
        return str(path)
    try:
        target = os.path.realpath(path, strict=True)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise _LinkProblem("is a symbolic link in a loop; replace it with the file") from None
        raise _LinkProblem(f"is a symbolic link to nothing ({_link_text(path)}); replace it "
                           "with the file, or delete it") from None
    if folder is not None and not Path(target).is_relative_to(os.path.realpath(folder)):
        raise _LinkProblem(f"is a symbolic link to a file outside {folder.name or folder}/ "
                           f"({_link_text(path)}); copy the file into the folder instead")
    return target


def _link_text(path: Path) -> str:
    try:
        return "→ " + os.readlink(path)
    except OSError:
        return "unreadable link"


def _kind(mode: int) -> str | None:
    """Return what a file that is not a regular file is, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _too_big(size: int, what: str) -> str:
    return (f"file is {size / 1e6:.1f} MB; a {what} may be at most "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB")


class InputFiles:
    """The input files of one build, each read once: `read` returns the same bytes every
    time it is asked, or raises the same problem."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self._seen: dict[Path, Read | InputError] = {}

    def read(self, path: Path, shown: str, what: str = "case file") -> Read:
        if path not in self._seen:
            inside = self.folder is not None and Path(os.path.abspath(path)).parent == \
                Path(os.path.abspath(self.folder))
            try:
                self._seen[path] = read_file(path, shown, what, self.folder if inside else None)
            except InputError as err:
                self._seen[path] = err
        found = self._seen[path]
        if isinstance(found, InputError):
            raise found
        return found
