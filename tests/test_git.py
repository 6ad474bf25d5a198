"""The build date comes from git, and git runs nothing a cases folder's own configuration
names: no fsmonitor, hook, pager, signature program, diff or filter driver."""

from __future__ import annotations

import os
import subprocess
import sys

from report.load.builddate import source_date_epoch

from .conftest import GOOD, case_dir

GIT_ENV = {"GIT_COMMITTER_DATE": "2025-01-02T03:04:05Z", "GIT_AUTHOR_DATE": "2025-01-02T03:04:05Z",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


def hostile_repository(tmp_path):
    """A committed cases folder whose .git/config names a program for every hook git has."""
    cases = case_dir(tmp_path, *GOOD.glob("*.yaml"))
    ran = tmp_path / "ran"
    ran.mkdir()
    env = {**os.environ, **GIT_ENV}
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "cases"]):
        subprocess.run(["git", *args], cwd=tmp_path, env=env, check=True)
    hooks = tmp_path / ".git" / "hooks"
    programs = {}
    for name in ("fsmonitor", "pager", "gpg", "diff", "clean", "smudge", "textconv", "ssh",
                 "post-index-change", "post-checkout", "reference-transaction"):
        program = (hooks if "-" in name else tmp_path) / name
        program.write_text(f"#!/bin/sh\ntouch {ran}/{name}\ncat\n")
        program.chmod(0o755)
        programs[name] = program
    settings = [("core.fsmonitor", programs["fsmonitor"]), ("core.pager", programs["pager"]),
                ("log.showSignature", "true"), ("gpg.program", programs["gpg"]),
                ("diff.external", programs["diff"]), ("filter.x.clean", programs["clean"]),
                ("filter.x.smudge", programs["smudge"]), ("diff.x.textconv", programs["textconv"]),
                ("core.sshCommand", programs["ssh"]), ("core.hooksPath", hooks),
                ("core.untrackedCache", "true")]
    for key, value in settings:
        subprocess.run(["git", "config", key, str(value)], cwd=tmp_path, check=True)
    (tmp_path / ".gitattributes").write_text("*.yaml filter=x diff=x\n")
    return cases, ran


def test_git_runs_nothing_from_the_folders_configuration(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    cases, ran = hostile_repository(tmp_path)
    assert source_date_epoch(cases) == 1735787045  # committed and unchanged: the commit time
    edited = cases / "gamma.yaml"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    os.utime(edited, (1_800_000_000, 1_800_000_000))
    assert source_date_epoch(cases) == 1_800_000_000  # edited: its modification time
    assert sorted(p.name for p in ran.iterdir()) == []


def test_the_same_configuration_does_run_under_plain_git(tmp_path):
    # The check above can fail: plain `git status` in that folder runs the fsmonitor.
    cases, ran = hostile_repository(tmp_path)
    subprocess.run(["git", "status", "--porcelain"], cwd=cases, capture_output=True,
                   env={**os.environ, **GIT_ENV})
    assert "fsmonitor" in {p.name for p in ran.iterdir()}


def test_a_build_date_past_2100_is_one_line_from_check_and_build_alike(tmp_path):
    """A commit dated in the year 10001 ended the build in a traceback while check passed;
    a file modified in 2446 dated the briefing there. Both say what to do, check first."""
    cases = case_dir(tmp_path, *GOOD.glob("*.yaml"))
    future = {**GIT_ENV, "GIT_COMMITTER_DATE": "@253433923200 +0000",
              "GIT_AUTHOR_DATE": "@253433923200 +0000"}
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "cases"]):
        subprocess.run(["git", *args], cwd=tmp_path, env={**os.environ, **future}, check=True)
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    message = ("error: the commit of the case files is dated in the year 10001, after 2100, "
               "where a briefing's dates end: set SOURCE_DATE_EPOCH to the build time "
               "(seconds since 1970), or correct the date\n")
    for command in (["check"], ["build", "--quiet", "--format", "html"]):
        run = subprocess.run([sys.executable, "-m", "report", *command], cwd=tmp_path, env=env,
                             capture_output=True, text=True)
        assert (run.returncode, run.stderr) == (1, message), command
    edited = cases / "gamma.yaml"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    os.utime(edited, (15_000_000_000, 15_000_000_000))
    run = subprocess.run([sys.executable, "-m", "report", "check"], cwd=tmp_path, env=env,
                         capture_output=True, text=True)
    assert (run.returncode, run.stderr) == (1, message.replace(
        "the commit of the case files is dated", "the newest case file was last modified")
        .replace("10001", "2445"))
