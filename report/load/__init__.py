"""The loading stage: everything a briefing is made from, read and checked together: the case
files, the exchange rates and, when there is one, the analyst's brief with its claims
register. Every problem is found in one run and raised as one InputError.

`load_inputs` returns `Inputs`, the typed value the later stages start from. The charts
stage hands in its checks of the brief's exhibits (`exhibits`), since only it knows the kinds
of chart; `report.check.checked_inputs` is everything `report check` checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem, display_path
from ..model import RatesFile
from ..model.claims import ClaimsFile
from ..model.money import DEFAULT_CURRENCY
from .brief import Brief, ExhibitChecks, MarkdownChecks, read_brief, unsourced_numbers
from .cases import BRIEF_FILE, CLAIMS_FILE, CaseFile, load_cases, present
from .claims import check_claims, load_claims
from .files import InputFiles
from .rates import load_rates, missing_rates
from .references import check_references


@dataclass(frozen=True)
class Inputs:
    case_files: list[CaseFile]
    rates: RatesFile | None
    brief: Brief | None = None
    claims: ClaimsFile | None = None
    warnings: tuple[Problem, ...] = field(default=())
    notes: tuple[Problem, ...] = field(default=())  # worth knowing, never an error
    # What `report check` worked out on the way (report.check.WorkedOut: the comparison and
    # the charts on the build's date), for the build to start from; None until checked.
    worked_out: Any = field(default=None, repr=False, compare=False)

    @property
    def currency(self) -> str:
        return self.brief.meta.currency if self.brief else DEFAULT_CURRENCY

    @property
    def cases(self):
        """The cases compared, in the brief's order (all of them, by file name, without)."""
        by_id = {cf.case.id: cf.case for cf in self.case_files}
        if self.brief is None:
            return list(by_id.values())
        return [by_id[i] for i in self.brief.meta.cases]


def brief_path(cases_dir: Path, chosen: Path | None) -> Path | None:
    """The brief to use: the one chosen with --brief, else `brief.md` beside the cases."""
    if chosen is not None:
        return chosen
    default = cases_dir / BRIEF_FILE
    return default if present(default) else None


def load_inputs(cases_dir: Path, brief: Path | None = None, strict: bool = False,
                files: InputFiles | None = None,
                exhibits: ExhibitChecks | None = None,
                markdown: MarkdownChecks | None = None) -> Inputs:
    """Return the validated inputs; raise InputError listing every problem.

    Numbers in the brief's prose without a source are warnings, or problems when `strict`.
    `files` is the build's snapshot of its input files (a fresh one when not given);
    `exhibits`, the charts stage's checks of the brief's exhibits; `markdown`, the rendering
    stage's checks of the brief's body as pandoc reads it.
    """
    files = files if files is not None else InputFiles(cases_dir)
    problems: list[Problem] = []
    case_files: list[CaseFile] = []
    rates = claims = the_brief = None
    claims_doc = None
    case_problems: list[Problem] = []
    try:
        case_files = load_cases(cases_dir, files)
    except InputError as err:
        case_problems = err.problems
    problems += case_problems
    try:
        rates, _ = load_rates(cases_dir, files)
    except InputError as err:
        problems += err.problems
    path = brief_path(cases_dir, brief)
    if path is not None:
        if not present(path):
            problems.append(Problem(display_path(path), 0, 0, "", "no such brief"))
        else:
            try:
                the_brief, brief_problems = read_brief(path, files, exhibits)
                problems += brief_problems
            except InputError as err:
                problems += err.problems
    if present(cases_dir / CLAIMS_FILE):
        try:
            claims, claims_doc = load_claims(cases_dir / CLAIMS_FILE, files)
        except InputError as err:
            problems += err.problems
    warnings: list[Problem] = []
    # The cases are what everything else is checked against: with them read, the brief's
    # marks and the claims are checked too, whatever else went wrong, so one run lists all.
    known = None
    if case_files and not case_problems:
        inputs = Inputs(case_files, rates, the_brief, claims)
        known = citation_keys(inputs)
        if the_brief is not None:
            problems += check_references(the_brief, {cf.case.id: cf.case for cf in case_files},
                                         known, exhibits)
            warnings += unsourced_numbers(the_brief)
        if claims is not None:
            problems += check_claims(claims, claims_doc, known,
                                     {cf.case.id: set(cf.case.records()) for cf in case_files})
        if the_brief is not None:
            problems += _briefing_claims(the_brief, claims)
        if not problems:
            problems += missing_rates(case_files, rates, inputs.currency)
    if the_brief is not None and markdown is not None:
        problems += markdown.problems(the_brief, known)
    if strict:
        problems += warnings
        warnings = []
    if problems:
        raise InputError(list(dict.fromkeys(problems)))  # a citation both checks name once
    return Inputs(case_files, rates, the_brief, claims, tuple(sorted(warnings)))


def _briefing_claims(brief: Brief, claims: ClaimsFile | None) -> list[Problem]:
    """A claim the short briefing names must be in the claims register."""
    chosen = brief.meta.briefing.claims if brief.meta and brief.meta.briefing else []
    known = {c.id for c in claims.claims} if claims else set()
    return [brief.doc.at(("briefing", "claims", i), (
        f"no claim '{claim}' in {CLAIMS_FILE}" if claims else
        f"the briefing names claim '{claim}', but there is no {CLAIMS_FILE}"))
        for i, claim in enumerate(chosen) if claim not in known]


def citation_keys(inputs: Inputs) -> set[str]:
    """Every key a citation may use: `case:source`, `rates:source`, `claims:source`."""
    keys = {f"{cf.case.id}:{s.id}" for cf in inputs.case_files for s in cf.case.sources}
    if inputs.rates:
        keys |= {f"rates:{s.id}" for s in inputs.rates.sources}
    if inputs.claims:
        keys |= {f"claims:{s.id}" for s in inputs.claims.sources}
    return keys
