"""Build options are one typed value: a new field of BuildOptions is a CLI option of `build`,
`watch` and `preview`, part of the fingerprint, and reaches the background build of
`report preview` whole, with no other edit."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

from report.build import BuildOptions, option
from report.cli import options_parameters
from report.live.watch import BackgroundBuild

from .conftest import ROOT


@dataclasses.dataclass(frozen=True)
class WithPaper(BuildOptions):
    """The build options with one option more, as a developer would add it."""

    paper: str = option("--paper", "Page size of the PDF.", default="a4")


def test_a_new_option_reaches_the_cli_the_fingerprint_and_the_background_build():
    options = WithPaper(cases_dir=Path("my cases"), formats=("html",), paper="letter")
    # typer keeps an option's first name where a default would stand (Annotated style)
    flags = {p.name: p.annotation.__metadata__[0].default for p in
             options_parameters(WithPaper, {})}
    assert flags["paper"] == "--paper"
    assert options.settings() == {"formats": "html", "strict": "False", "paper": "letter"}
    command = BackgroundBuild(options, lambda event: None).command()
    assert command[:6] == [sys.executable, "-m", "report", "build", "--quiet", "--options"]
    assert WithPaper.from_json(command[6]) == options


def test_the_background_build_reads_the_options_it_was_given(tmp_path):
    # `report build --options JSON` is what the background build runs: an option it does
    # not know by name still arrives, since the options travel whole.
    options = BuildOptions(cases_dir=tmp_path / "nowhere", formats=("html", "pdf"),
                           strict=True, brief=tmp_path / "b.md")
    assert BuildOptions.from_json(options.to_json()) == options
    run = subprocess.run([sys.executable, "-m", "report", "build", "--quiet", "--options",
                          options.to_json()], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 2
    assert "nowhere" in run.stderr


def test_every_command_that_builds_offers_every_option():
    for command in ("build", "watch", "preview"):
        run = subprocess.run([sys.executable, "-m", "report", command, "--help"], cwd=ROOT,
                             capture_output=True, text=True, env={"COLUMNS": "200",
                                                                  "PATH": "/usr/bin:/bin"})
        for f in dataclasses.fields(BuildOptions):
            assert f.metadata["flag"] in run.stdout, (command, f.name)
