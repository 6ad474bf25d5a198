"""Set-up that stays put: locked dependencies with hashes, a drift job that names what
moved, a vendored plotly.js, no registry host in the repository, and a fingerprint that
changes when any tool does."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests import drift

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "report" / "render" / "assets"


def lock_blocks(path: Path) -> dict[str, list[str]]:
    """Each pinned requirement of a lock file (`name==version`) with its hash lines."""
    blocks: dict[str, list[str]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        match = drift.PIN.match(line)
        if match:
            current = f"{drift.normal(match.group(1))}=={match.group(2)}"
            blocks[current] = []
        elif current and line.strip().startswith("--hash=sha256:"):
            blocks[current].append(line.strip())
        elif line.strip() and not line.lstrip().startswith(("#", "--hash")):
            pytest.fail(f"{path.name}: a line that is no pin, hash or comment: {line!r}")
    return blocks


def requirement_name(spec: str) -> str:
    return drift.normal(re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0])


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_every_locked_package_is_pinned_with_its_hashes(lock):
    blocks = lock_blocks(ROOT / lock)
    assert len(blocks) > 30
    assert [pin for pin, hashes in blocks.items() if not hashes] == []
    names = {pin.split("==")[0] for pin in blocks}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = list(project["dependencies"])
    if lock == "requirements-dev.lock":
        wanted += project["optional-dependencies"]["dev"]
    assert {requirement_name(spec) for spec in wanted} - names == set()
    assert {"pip", "setuptools"} <= names  # set-up installs nothing unpinned


def test_the_dev_lock_pins_the_runtime_packages_at_the_same_versions():
    runtime = set(lock_blocks(ROOT / "requirements.lock"))
    assert runtime - set(lock_blocks(ROOT / "requirements-dev.lock")) == set()


@pytest.mark.skipif(os.environ.get("REPORT_DRIFT") == "1",
                    reason="make drift installs the newest versions on purpose")
def test_the_installed_packages_are_the_locked_ones():
    pins = drift.locked(ROOT / "requirements-dev.lock")
    now = drift.installed()
    off = [f"{name}: locked {pins[name]}, installed {now[name]}" for name in pins
           if name in now and now[name] != pins[name]]
    assert off == [], "run `make test`, which installs from the lock"
    assert now["babel"] == pins["babel"]


def test_set_up_installs_from_the_locks_with_hashes_only():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "pip install -q --require-hashes -r $(LOCK)" in makefile
    assert "pip install -q --require-hashes -r $(DEV_LOCK)" in makefile
    # The project itself goes in without dependencies and without build isolation, which
    # would fetch setuptools unpinned.
    assert "pip install -q --no-deps --no-build-isolation -e ." in makefile
    installs = [line for line in makefile.splitlines() if "pip install" in line]
    unlocked = [line for line in installs if "--require-hashes" not in line
                and "--no-deps" not in line and "DRIFT_VENV" not in line]
    assert unlocked == []
    assert re.search(r"^lock:", makefile, re.M) and re.search(r"^drift:", makefile, re.M)


def test_the_drift_workflow_runs_weekly_and_on_demand_apart_from_the_locked_run():
    workflow = YAML(typ="safe").load((ROOT / ".github/workflows/drift.yml").read_text())
    triggers = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads on: as True
    assert "workflow_dispatch" in triggers
    assert re.fullmatch(r"\d+ \d+ \* \* \d", triggers["schedule"][0]["cron"])
    assert "push" not in triggers and "pull_request" not in triggers
    steps = workflow["jobs"]["drift"]["steps"]
    runs = [s.get("run", "").strip() for s in steps]
    assert "make drift" in runs
    assert not any("secrets." in str(s) for s in steps)
    assert workflow["jobs"]["drift"]["container"] == "debian:12"
    main = YAML(typ="safe").load((ROOT / ".github/workflows/briefing.yml").read_text())
    assert "make drift" not in str(main)


def test_drift_names_each_package_that_moved_since_the_lock(tmp_path):
    lock = tmp_path / "x.lock"
    lock.write_text("babel==2.18.0 \\\n    --hash=sha256:00\n"
                    "brotli==1.2.1 ; platform_python_implementation == 'CPython' \\\n"
                    "    --hash=sha256:11\nRuamel.YAML==0.19.1 \\\n    --hash=sha256:22\n",
                    encoding="utf-8")
    pins = drift.locked(lock)
    assert pins == {"babel": "2.18.0", "brotli": "1.2.1", "ruamel-yaml": "0.19.1"}
    assert drift.moved(pins, {"babel": "2.19.0", "brotli": "1.2.1", "ruamel-yaml": "0.19.1",
                              "newpkg": "1.0", "report": "0.1.0"}) == [
        "babel 2.18.0 -> 2.19.0", "new: newpkg 1.0"]


def test_no_package_registry_host_is_named_anywhere_in_the_repository():
    hosts = ["pypi" + ".org", "pythonhosted" + ".org", "registry" + ".npmjs.org",
             "npmjs" + ".com", "registry" + ".yarnpkg.com", "crates" + ".io",
             "rubygems" + ".org", "proxy" + ".golang.org", "repo" + ".maven.apache.org"]
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                           check=True).stdout.decode().split("\0")
    found = []
    for name in filter(None, files):
        path = ROOT / name
        if not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8", "replace").lower()
        found += [f"{name}: {host}" for host in hosts if host in text]
    assert found == []


def test_the_vendored_plotly_bundle_is_the_one_plotly_py_expects():
    from plotly.offline import get_plotlyjs_version

    from report.render.assets import TRACES, bundle_info, plotly_js

    info = bundle_info()
    data = (ASSETS / info["file"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == info["sha256"]
    assert info["version"] == get_plotlyjs_version(), (
        f"plotly {version('plotly')} expects plotly.js {get_plotlyjs_version()}; the vendored "
        f"bundle is {info['version']}: vendor the matching plotly.js-basic-dist-min")
    head = data[:400].decode("utf-8")
    assert f"v{info['version']}" in head and "MIT" in head
    held = set(re.findall(r'moduleType:"trace",name:"(\w+)"', data.decode("utf-8")))
    assert set(TRACES) <= held == set(info["traces"])
    assert "MIT License" in (ASSETS / "plotly-basic.LICENSE").read_text(encoding="utf-8")
    script, partial = plotly_js()
    assert partial and len(script) < 1_300_000


def test_the_fingerprint_changes_with_any_installed_package_and_the_fonts(
        monkeypatch, tmp_path):
    import dataclasses

    import report.toolchain as toolchain
    from report.build import BuildOptions
    from report.publish.fingerprint import fingerprint

    options = BuildOptions(cases_dir=ROOT / "tests" / "data" / "good", out_dir=tmp_path)
    now = toolchain.toolchain()
    assert any(p.startswith("babel==") for p in now.packages)
    assert "Noto Sans CJK" in now.fonts

    def key(**changes) -> str:
        with monkeypatch.context() as patch:
            patch.setattr(toolchain, "toolchain", lambda: dataclasses.replace(now, **changes))
            return fingerprint(options, 0)

    base = key()
    newer = tuple(re.sub(r"^babel==.*", "babel==99.0", p) for p in now.packages)
    assert key(packages=newer) != base
    assert key(fonts="another font set") != base
    assert key() == base


def test_a_build_is_up_to_date_only_with_the_pandoc_and_chromium_it_was_made_with():
    from report.toolchain import Toolchain

    made_with = {"pandoc": "/p/pandoc 1 2", "browser": "/c/chromium 3 4"}
    same = Toolchain((), "", "/p/pandoc 1 2", "/c/chromium 3 4")
    assert same.same_programs(made_with)
    assert not Toolchain((), "", "/p/pandoc 1 2", "/c/chromium 3 5").same_programs(made_with)
    assert not Toolchain((), "", "/p/pandoc 9 2", "/c/chromium 3 4").same_programs(made_with)
    # A program that is not found now cannot make other documents: what is there stands.
    assert Toolchain((), "", None, None).same_programs(made_with)
    assert not same.same_programs({})  # a manifest from before programs were recorded


def test_a_chart_image_is_drawn_again_when_the_packages_or_fonts_change(monkeypatch):
    import dataclasses

    import report.toolchain as toolchain
    from report.charts import Chart

    chart = Chart.__new__(Chart)
    chart.__dict__.update(id="fig-x", height=300, spec=json.dumps({"data": []}))
    before = chart.image_name()
    now = toolchain.toolchain()
    monkeypatch.setattr(toolchain, "toolchain",
                        lambda: dataclasses.replace(now, fonts="another font set"))
    assert chart.image_name() != before


def test_every_cached_image_is_drawn_again_by_another_chromium(monkeypatch, tmp_path):
    import dataclasses

    import report.toolchain as toolchain
    from report.charts import Chart, export

    chart = Chart.__new__(Chart)
    chart.__dict__.update(id="fig-x", height=300, spec=json.dumps({"data": []}))
    paths = {"fig-x": tmp_path / chart.image_name()}
    drawn = []
    monkeypatch.setattr(export, "_export", lambda charts, where: drawn.append(list(where)))
    monkeypatch.setattr(export, "image_problem", lambda chart, path: None)  # all cached
    monkeypatch.setattr(export, "without_alpha", lambda path: None)
    now = toolchain.toolchain()

    def export_with(browser):
        monkeypatch.setattr(toolchain, "toolchain",
                            lambda: dataclasses.replace(now, browser=browser))
        monkeypatch.setattr(export, "toolchain", toolchain.toolchain)
        return export.export_charts([chart], paths)

    assert export_with("/c/chromium 1") == 1  # no record of who drew the cached image
    assert (tmp_path / export.DRAWN_BY).read_text() == "/c/chromium 1"
    assert export_with("/c/chromium 1") == 0
    assert export_with("/c/chromium 2") == 1
    assert export_with(None) == 0  # no Chromium at all: the cached images stand
    assert drawn == [["fig-x"], ["fig-x"]]
