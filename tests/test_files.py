"""Only regular files are read (report/load/files.py): a pipe, a device, a folder, a link in a loop
or to nothing, a link out of the cases folder, an unreadable file or an odd file name named
`*.yaml` is one problem line and exit 2, for `check`, `build` and `watch` alike: no hang,
no traceback."""

from __future__ import annotations

import errno
import os
import shutil

import pytest
from typer.testing import CliRunner

from report.cli import app

from .conftest import GOOD, case_dir, run_cli

pytestmark = pytest.mark.xdist_group("build")

# Each hostile kind of file, made in a cases folder, with the exact line it gets.
KINDS = {
    "fifo": (lambda c: os.mkfifo(c / "x.yaml"),
             "cases/x.yaml: is a named pipe (FIFO), not a file; only regular files are read"),
    "folder": (lambda c: (c / "x.yaml").mkdir(),
               "cases/x.yaml: is a folder, not a file; only regular files are read"),
    "loop": (lambda c: os.symlink("x.yaml", c / "x.yaml"),
             "cases/x.yaml: is a symbolic link in a loop; replace it with the file"),
    "dangling": (lambda c: os.symlink("gone.yaml", c / "x.yaml"),
                 "cases/x.yaml: is a symbolic link to nothing (→ gone.yaml); replace it with "
                 "the file, or delete it"),
    "to-dev-zero": (lambda c: os.symlink("/dev/zero", c / "x.yaml"),
                    "cases/x.yaml: is a symbolic link to a file outside cases/ (→ /dev/zero); "
                    "copy the file into the folder instead"),
    "out-of-folder": (lambda c: (shutil.copy(GOOD / "gamma.yaml", c.parent / "gamma.yaml"),
                                 os.symlink("../gamma.yaml", c / "x.yaml")),
                      "cases/x.yaml: is a symbolic link to a file outside cases/ "
                      "(→ ../gamma.yaml); copy the file into the folder instead"),
    "newline-in-name": (lambda c: (c / "x\ny.yaml:1:1: \x1b[2Jforged.yaml").write_text("x"),
                        "cases/x\\ny.yaml:1:1: \\x1b[2Jforged.yaml: the file name holds a "
                        "control character; rename the file"),
    "claims-fifo": (lambda c: os.mkfifo(c / "claims.yaml"),
                    "cases/claims.yaml: is a named pipe (FIFO), not a file; only regular "
                    "files are read"),
    "brief-folder": (lambda c: (c / "brief.md").mkdir(),
                     "cases/brief.md: is a folder, not a file; only regular files are read"),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("command", ["check", "build"])
def test_an_input_that_is_no_regular_file_is_one_line_and_exit_2(tmp_path, kind, command):
    make, line = KINDS[kind]
    make(case_dir(tmp_path, *GOOD.glob("*.yaml")))
    args = [command] if command == "check" else [command, "--quiet", "--format", "html"]
    run = run_cli(*args, cwd=tmp_path, timeout=120)
    assert (run.code, run.err) == (2, f"{line}\n1 problem found\n")
    assert not (tmp_path / "output" / "briefing.html").exists()


def test_a_link_to_a_file_inside_the_cases_folder_is_followed(tmp_path):
    cases = case_dir(tmp_path, GOOD / "alpha.yaml", GOOD / "exchange-rates.yaml")
    (cases / "shared").mkdir()
    shutil.copy(GOOD / "beta.yaml", cases / "shared" / "beta.yaml")
    os.symlink("shared/beta.yaml", cases / "beta.yaml")
    run = run_cli("check", cwd=tmp_path)
    assert (run.code, run.out.splitlines()[0]) == (0, "2 case files OK: alpha.yaml, beta.yaml")


def test_a_brief_named_on_the_command_line_must_be_a_regular_file(tmp_path):
    case_dir(tmp_path, *GOOD.glob("*.yaml"))
    run = run_cli("check", "--brief", "/dev/zero", cwd=tmp_path, timeout=120)
    assert (run.code, run.err) == (
        2, "/dev/zero: is a device, not a file; only regular files are read\n1 problem found\n")


def test_an_unreadable_case_file_is_named(tmp_path, monkeypatch):
    # As root every file is readable, so the refusal is made by the file system here.
    import report.load.files

    cases = case_dir(tmp_path, *GOOD.glob("*.yaml"))
    real_open = os.open

    def refusing_open(path, flags, *args, **kwargs):
        if str(path).endswith("beta.yaml"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(report.load.files.os, "open", refusing_open)
    for command in (["check"], ["build", "--quiet", "--format", "html"]):
        result = CliRunner().invoke(app, [*command, "--cases", str(cases)])
        assert result.exit_code == 2, result.output
        assert result.output.splitlines()[0].endswith("beta.yaml: cannot read: Permission denied")


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    from report.errors import InputError
    from report.load.files import read_file

    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (3 * 1024 * 1024))
    with pytest.raises(InputError) as err:
        read_file(big, "big.yaml")
    assert str(err.value) == "big.yaml:1:1: file is 3.1 MB; a case file may be at most 2 MB"


def test_migrate_reads_only_a_regular_file(tmp_path):
    os.mkfifo(tmp_path / "x.yaml")
    run = run_cli("migrate", "x.yaml", "/dev/zero", cwd=tmp_path, timeout=120)
    assert (run.code, run.err) == (2, (
        "x.yaml: cannot migrate: is a named pipe (FIFO), not a file; only regular files are "
        "read\n/dev/zero: cannot migrate: is a device, not a file; only regular files are "
        "read\n"))
