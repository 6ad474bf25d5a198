"""Build the same documents with two versions of the code and compare their bytes.

    python -m tests.same_documents REF [WORK]

builds the project's briefing, the test cases with the test brief, and the three test cases
alone, once with the code of git commit REF and once with the working tree's, in the same
virtual environment (so the installed packages, which name the chart images, are the same)
and with the same SOURCE_DATE_EPOCH, then prints the sha256 of every PDF, DOCX, HTML and
Markdown and exits 1 if any differ. Used to show that a refactoring changed no document
(/work/notes/layout-notes.md); the manifest is left out, since its fingerprint hashes the code.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
EPOCH = "1764000000"
SETS = {
    "project": ([p for p in (ROOT / "cases").iterdir()
                 if p.suffix in (".yaml", ".md") and p.name != "README.md"], ["--strict"]),
    "brief": ([*(DATA / "good").glob("*.yaml"), *(DATA / "brief").iterdir()], []),
    "three": ([*(DATA / "good").glob("*.yaml")], []),
}
DOCUMENTS = ("briefing.pdf", "briefing.docx", "briefing.html", "briefing.md")


def build_all(code: Path, work: Path) -> dict[str, str]:
    """Build every set with the package in `code`; return sha256 by set/document."""
    sums = {}
    for name, (inputs, extra) in SETS.items():
        root = work / name
        (root / "cases").mkdir(parents=True)
        for path in inputs:
            shutil.copy(path, root / "cases" / path.name)
        env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONPATH": str(code)}
        subprocess.run([sys.executable, "-m", "report", "build", "--quiet", *extra], cwd=root,
                       env=env, check=True, capture_output=True)
        for doc in DOCUMENTS:
            data = (root / "output" / doc).read_bytes()
            sums[f"{name}/{doc}"] = hashlib.sha256(data).hexdigest()
    return sums


def main(ref: str, work: Path) -> int:
    before = work / "code-before"
    subprocess.run(["git", "worktree", "add", "--detach", str(before), ref], cwd=ROOT,
                   check=True, capture_output=True)
    try:
        old = build_all(before, work / "before")
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(before)], cwd=ROOT,
                       check=True, capture_output=True)
    new = build_all(ROOT, work / "after")
    for key in old:
        print(f"{'same' if old[key] == new[key] else 'DIFFERENT'}  {old[key]}  {key}")
    return 0 if old == new else 1


if __name__ == "__main__":
    folder = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp())
    sys.exit(main(sys.argv[1], folder))
