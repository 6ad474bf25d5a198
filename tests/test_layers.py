"""The stages' import contract (pyproject.toml, `[tool.importlinter]`): a stage imports only
earlier ones, and no two modules of a package import each other. `make test` runs
`lint-imports`; these tests show that it passes here and fails when the contract is broken,
so it cannot pass by checking nothing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT

LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")


def lint(root: Path) -> subprocess.CompletedProcess:
    """Run lint-imports on the package in `root`, with this project's contract."""
    return subprocess.run([LINT_IMPORTS, "--no-cache"], cwd=root, capture_output=True,
                          text=True, timeout=300, env={"PATH": "/usr/bin:/bin",
                                                       "PYTHONPATH": str(root)})


def copy_with(tmp_path: Path, module: str, line: str) -> Path:
    """A copy of the package and its contract, with `line` added to `module`."""
    shutil.copytree(ROOT / "report", tmp_path / "report",
                    ignore=shutil.ignore_patterns("__pycache__", "assets", "*.docx"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    path = tmp_path / "report" / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    return tmp_path


def test_the_stages_keep_their_contract():
    run = lint(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Contracts: 2 kept, 0 broken." in run.stdout


def test_a_lower_stage_importing_a_higher_one_breaks_the_contract(tmp_path):
    root = copy_with(tmp_path, "load/files.py", "from ..render import pandoc  # noqa")
    run = lint(root)
    assert run.returncode == 1
    assert "report.load is not allowed to import report.render" in run.stdout


def test_two_modules_of_a_package_importing_each_other_break_the_contract(tmp_path):
    # style is imported by phrases; phrases importing style back closes a circle inside the
    # words stage, which the layers alone would allow.
    root = copy_with(tmp_path, "words/style.py", "from . import phrases  # noqa")
    run = lint(root)
    assert run.returncode == 1
    assert "No cycles are allowed in report.words" in run.stdout
