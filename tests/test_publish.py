"""Publishing is all-or-nothing: killed (kill -9) at any step, or failing at any step, a build
leaves output/ showing the whole previous build or the whole new one (report/publish/)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from report.publish import PUBLISHED, current_generation, publish

from .conftest import EPOCH

pytestmark = pytest.mark.xdist_group("build")


def shown(out: Path) -> dict[str, str]:
    """What a reader of output/ sees: each published name that opens, with its hash."""
    return {name: hashlib.sha256((out / name).read_bytes()).hexdigest()
            for name in PUBLISHED if (out / name).exists()}


def assert_whole(out: Path) -> dict[str, str]:
    """The manifest a reader finds names exactly the documents a reader finds."""
    seen = shown(out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = {e["file"]: e["sha256"] for e in manifest["documents"].values()}
    assert {k: v for k, v in seen.items() if k != "manifest.json"} == listed
    return seen


def build(root: Path, *args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "report", "build", "--quiet", *args],
                            cwd=root, env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH,
                                           **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def before_and_after(three_build, tmp_path_factory):
    """A folder with a full build, and what a later `--format html` build of an edited case
    file publishes (built once, elsewhere: builds are reproducible)."""
    after = tmp_path_factory.mktemp("after")
    shutil.copytree(three_build.root, after, symlinks=True, dirs_exist_ok=True)
    edit(after)
    proc = build(after, "--format", "html")
    assert proc.wait(timeout=600) == 0, proc.stderr.read()
    return assert_whole(three_build.out), assert_whole(after / "output")


def edit(root: Path) -> None:
    case = root / "cases" / "alpha.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("Open models first",
                                                             "Open models at first"),
                    encoding="utf-8")


STEPS = ["staged", "generation", "link-briefing.html", "link-briefing.md",
         "link-manifest.json", "switched", "tidied"]


@pytest.mark.parametrize("step", STEPS)
def test_a_build_killed_at_any_step_of_publishing_leaves_a_whole_build(
        three_build, before_and_after, tmp_path, step):
    before, after = before_and_after
    root = tmp_path / "project"
    shutil.copytree(three_build.root, root, symlinks=True)
    edit(root)
    marker = tmp_path / "paused"
    proc = build(root, "--format", "html", env={"REPORT_TEST_PAUSE": f"{step}:{marker}"})
    while not marker.exists():  # the build waits at the step; nothing here is timed
        assert proc.poll() is None, proc.communicate()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    out = root / "output"
    state = assert_whole(out)
    assert state == (after if step in ("switched", "tidied") else before)

    # The next build finishes the job; a build that publishes clears what a killed one left.
    again = build(root, "--format", "html")
    assert again.wait(timeout=600) == 0, again.stderr.read()
    assert assert_whole(out) == after
    leftovers = sorted(p.name for p in out.iterdir() if p.name.startswith("."))
    if step not in ("switched", "tidied"):  # after those, the next build had nothing to do
        assert leftovers == sorted([".current", ".report.lock", current_generation(out).name])


def documents(folder: Path, text: str, names=("briefing.html", "briefing.md")) -> Path:
    """A staged build: documents holding `text`, and their manifest."""
    folder.mkdir()
    entries = {}
    for name in names:
        (folder / name).write_text(f"{text} {name}", encoding="utf-8")
        entries[name.split(".")[1]] = {
            "file": name, "sha256": hashlib.sha256(f"{text} {name}".encode()).hexdigest()}
    (folder / "manifest.json").write_text(json.dumps({"documents": entries}), encoding="utf-8")
    return folder


def test_a_publish_that_fails_half_way_leaves_the_previous_build(tmp_path, monkeypatch):
    import report.publish as publishing

    out = tmp_path / "output"
    out.mkdir()
    publish(out, documents(out / ".staging-1", "old"))
    before = assert_whole(out)

    def full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publishing, "_point", full)  # the switch fails, after the links
    with pytest.raises(OSError):
        publish(out, documents(out / ".staging-2", "new",
                               ("briefing.html", "briefing.md", "briefing.docx")))
    assert assert_whole(out) == before
    assert not os.path.lexists(out / "briefing.docx")  # the new link was taken away
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [".current", current_generation(out).name, "briefing.html", "briefing.md",
         "manifest.json"])


@pytest.mark.parametrize("step", ["took-over", "link-briefing.html", "switched"])
def test_plain_files_of_an_earlier_version_are_taken_over_without_a_mixed_moment(
        tmp_path, step):
    # Documents published as plain files (before generations) become a generation of their
    # own first, so a kill while they are replaced by links still shows the old build.
    out = tmp_path / "output"
    out.mkdir()
    for path in documents(tmp_path / "old", "old").iterdir():
        shutil.copy(path, out / path.name)
    assert_whole(out)
    documents(out / ".staging-1", "new")
    marker = tmp_path / "paused"
    code = ("import sys; from pathlib import Path; from report.publish import publish; "
            "publish(Path(sys.argv[1]), Path(sys.argv[1]) / '.staging-1')")
    proc = subprocess.Popen([sys.executable, "-c", code, str(out)],
                            env={**os.environ, "REPORT_TEST_PAUSE": f"{step}:{marker}"},
                            stderr=subprocess.PIPE, text=True)
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    state = assert_whole(out)
    del state["manifest.json"]
    which = "new" if step == "switched" else "old"
    assert state == {name: hashlib.sha256(f"{which} {name}".encode()).hexdigest()
                     for name in ("briefing.html", "briefing.md")}
