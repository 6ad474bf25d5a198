"""`report migrate` reads and writes as a build reads and publishes: never through a link,
never over an earlier original, YAML read as `report check` reads it, the new text put in
place by one rename; bad input exits 2 with each problem at its line, a file that cannot be
written exits 1 and is left as it was."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from report.errors import EnvironmentFault, InputError
from report.load.migrate import migrate_file

from .conftest import DATA, run_cli
from .hostile import hostile_text

FORMAT1 = DATA / "format1" / "alpha.yaml"


@pytest.fixture
def folder(tmp_path) -> Path:
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "alpha.yaml").write_bytes(FORMAT1.read_bytes())
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "target.yaml").write_bytes(FORMAT1.read_bytes())
    return tmp_path


def test_a_migrated_file_keeps_its_original_byte_for_byte_and_its_mode(folder):
    alpha = folder / "cases" / "alpha.yaml"
    alpha.chmod(0o640)
    run = run_cli("migrate", "cases/alpha.yaml", cwd=folder)
    assert run.code == 0, run.err
    assert (folder / "cases" / "alpha.yaml.format1.bak").read_bytes() == FORMAT1.read_bytes()
    assert alpha.read_text(encoding="utf-8").splitlines()[2] == "format: 2"
    assert oct(alpha.stat().st_mode & 0o777) == "0o640"
    assert sorted(p.name for p in alpha.parent.iterdir()) == ["alpha.yaml",
                                                              "alpha.yaml.format1.bak"]


LINKS = {
    "the file a link out of its folder": (
        lambda f: (f / "cases" / "link.yaml").symlink_to("../outside/target.yaml"),
        "cases/link.yaml",
        "cases/link.yaml: cannot migrate: is a symbolic link (→ ../outside/target.yaml); "
        "migrate the file itself: rewriting it through the link would change a file "
        "elsewhere\n"),
    "a .bak already there": (
        lambda f: (f / "cases" / "alpha.yaml.format1.bak").write_text("precious"),
        "cases/alpha.yaml",
        "cases/alpha.yaml: cannot migrate: cannot keep the original: "
        "cases/alpha.yaml.format1.bak is there already; move it away (it may be the original "
        "of an earlier migration), then migrate again\n"),
    "a .bak that is a link to a file": (
        lambda f: (f / "cases" / "alpha.yaml.format1.bak").symlink_to(
            "../outside/target.yaml"),
        "cases/alpha.yaml",
        "cases/alpha.yaml: cannot migrate: cannot keep the original: "
        "cases/alpha.yaml.format1.bak is a symbolic link (→ ../outside/target.yaml); move it "
        "away (it may be the original of an earlier migration), then migrate again\n"),
    "a .bak that is a dangling link": (
        lambda f: (f / "cases" / "alpha.yaml.format1.bak").symlink_to("../outside/new.bak"),
        "cases/alpha.yaml",
        "cases/alpha.yaml: cannot migrate: cannot keep the original: "
        "cases/alpha.yaml.format1.bak is a symbolic link (→ ../outside/new.bak); move it "
        "away (it may be the original of an earlier migration), then migrate again\n"),
}


@pytest.mark.parametrize("case", LINKS)
def test_migrate_writes_through_no_link_and_over_no_file(folder, case):
    make, target, message = LINKS[case]
    make(folder)
    before = {p: p.read_bytes() for p in (folder / "cases").iterdir() if p.is_file()}
    run = run_cli("migrate", target, cwd=folder)
    assert (run.code, run.err) == (2, message)
    assert {p: p.read_bytes() for p in (folder / "cases").iterdir() if p.is_file()} == before
    assert sorted(p.name for p in (folder / "outside").iterdir()) == ["target.yaml"]
    assert (folder / "outside" / "target.yaml").read_bytes() == FORMAT1.read_bytes()


YAML = {
    "a control character in a comment": (
        b"# a comment \x01 with a control character\nid: x\n",
        "cases/bad.yaml:1:13: control character U+0001 in the text; delete it (it has no "
        "printed form)\n"),
    "a line separator in a comment": (
        "# a comment \u2028 with a line separator\nid: x\n".encode(),
        "cases/bad.yaml:1:13: U+2028 (a line or paragraph separator) in the text: YAML "
        "readers disagree on whether it ends a line; write a newline or a space\n"),
    "a duplicate key": (
        b"id: x\nname: {en: X}\nid: y\n",
        "cases/bad.yaml:3:1: id: duplicate key; the first is at line 1\n"),
    "a python tag": (
        b'id: !!python/object/apply:os.system ["touch pwned"]\n',
        "cases/bad.yaml:1:5: id: tag !!python/object/apply:os.system is not allowed\n"),
    "an alias bomb": (
        ("a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
         ).encode(),
        "cases/bad.yaml:1:32: f[1][7][8][6][5][8]: more than 200000 values after expanding "
        "aliases; is an alias nested in itself?\n"),
}


@pytest.mark.parametrize("case", YAML)
def test_migrate_reads_yaml_as_check_does(folder, case):
    text, message = YAML[case]
    (folder / "cases" / "bad.yaml").write_bytes(text)
    run = run_cli("migrate", "cases/bad.yaml", cwd=folder, timeout=120)
    assert (run.code, run.err) == (2, message)
    assert (folder / "cases" / "bad.yaml").read_bytes() == text
    assert not (folder / "cases" / "bad.yaml.format1.bak").exists()
    assert not (folder / "pwned").exists()


@pytest.mark.parametrize("how", ["full", "read-only"])
def test_a_file_that_cannot_be_written_is_left_as_it_was_and_exits_1(tmp_path, how):
    disk = tmp_path / "disk"
    disk.mkdir()
    size = "40k" if how == "full" else "1m"
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(disk)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here")
    try:
        (disk / "alpha.yaml").write_bytes(FORMAT1.read_bytes())
        if how == "full":
            with open(disk / "fill", "wb") as fill:
                try:
                    fill.write(b"\0" * 100_000)
                except OSError:
                    pass
            why = "No space left on device"
        else:
            subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
            why = "Read-only file system"
        run = run_cli("migrate", "disk/alpha.yaml", cwd=tmp_path)
        assert (run.code, run.err) == (1, (
            f"error: cannot rewrite disk/alpha.yaml: {why}; it is unchanged: free some disk "
            "space, or make its folder writable\n"))
        assert (disk / "alpha.yaml").read_bytes() == FORMAT1.read_bytes()
        assert sorted(p.name for p in disk.iterdir() if p.name != "fill") == ["alpha.yaml"]
    finally:
        subprocess.run(["umount", str(disk)])


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(at=st.integers(0, len(FORMAT1.read_text(encoding="utf-8"))), text=hostile_text())
def test_migrate_of_a_hostile_file_answers_or_refuses_and_never_loses_it(tmp_path_factory, at,
                                                                         text):
    folder = tmp_path_factory.mktemp("hostile")
    original = FORMAT1.read_text(encoding="utf-8")
    data = (original[:at] + text + original[at:]).encode("utf-8", "surrogatepass")
    path = folder / "alpha.yaml"
    path.write_bytes(data)
    try:
        migrated = migrate_file(path)
    except InputError as err:
        assert err.problems and path.read_bytes() == data
        assert not (folder / "alpha.yaml.format1.bak").exists()
        return
    except EnvironmentFault:  # nothing here should fail to write
        raise
    if migrated is not None:
        assert (folder / "alpha.yaml.format1.bak").read_bytes() == data
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith("alpha.yaml")) \
        == []
    assert os.listdir(folder) in (["alpha.yaml"], ["alpha.yaml", "alpha.yaml.format1.bak"],
                                  ["alpha.yaml.format1.bak", "alpha.yaml"])
