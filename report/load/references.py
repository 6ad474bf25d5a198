"""A brief's live facts and citations checked against the cases: every mark names a case, a
record and a field that hold a value, and a misspelt id gets a did-you-mean."""

from __future__ import annotations

from ..errors import Problem
from ..model import Case, current
from ..model.marks import Operand
from ..model.references import (
    DERIVED,
    FIELDS,
    MONEY_FIELDS,
    OVER_A_GROUP,
    PROFILE_FACTS,
    profile_fact,
)
from .brief import Brief, ExhibitChecks
from .yamlfile import Suggestions, did_you_mean


def check_references(brief: Brief, cases: dict[str, Case], citation_keys: set[str],
                     exhibit_checks: ExhibitChecks | None = None) -> list[Problem]:
    """Return a problem for every mark or citation in the brief that points nowhere (and,
    given the charts stage's checks, every id an exhibit names that names nothing)."""
    problems = []
    meta = brief.meta  # None when the front matter has problems of its own: marks still count
    hints = Hints(cases, meta.groups if meta else None)
    for name in meta.cases if meta else ():
        if name not in cases:
            problems.append(brief.doc.at(("cases", meta.cases.index(name)), (
                f"no case file has the id '{name}'{hints.case(name)}")))
    groups = meta.groups if meta else {}
    for ref in brief.facts:
        for operand in ref.operands:
            why = dangling(operand, cases, hints, groups)
            if why:
                problems.append(Problem(brief.shown, ref.line, ref.column, "",
                                        f"[[{ref.text}]]: {why}"))
        if ref.right is not None and ref.expr.op == "ratio" and not (
                _numeric(ref.left, cases) and _numeric(ref.right, cases)):
            problems.append(Problem(brief.shown, ref.line, ref.column, "", (
                f"[[{ref.text}]]: a ratio divides two prices, amounts of money or counts")))
    exhibits = {e.id for e in meta.exhibits} if meta else None
    for mark in brief.exhibits if exhibits is not None else ():
        if mark.id not in exhibits:
            problems.append(Problem(brief.shown, mark.line, mark.column, "", (
                f"no exhibit '{mark.id}' in the front matter"
                f"{did_you_mean(mark.id, exhibits)}")))
    placed = {mark.id for mark in brief.exhibits}
    for i, exhibit in enumerate(meta.exhibits if meta else ()):
        if exhibit.id not in placed:
            problems.append(brief.doc.at(("exhibits", i, "id"), (
                f"exhibit '{exhibit.id}' is never placed: write [[exhibit:{exhibit.id}]] as a "
                "paragraph of its own where it belongs, or take it out of the front matter")))
    if exhibit_checks is not None and meta is not None:
        for i in range(len(meta.exhibits)):
            problems += exhibit_checks.references(brief, i, cases, hints)
    cited = Suggestions(citation_keys)
    for key, line, column in brief.citations:
        if key not in citation_keys:
            problems.append(Problem(brief.shown, line, column, "", (
                f"unknown source '@{key}'{cited(key)}; cite a source as @case:source-id")))
    return problems


class Hints:
    """Suggestions for the ids a brief names, each set of ids looked through a bounded
    number of times however many marks a brief has."""

    def __init__(self, cases: dict[str, Case], groups: dict | None = None) -> None:
        self.groups = groups or {}  # the brief's groups: a count may be over one
        self.case = Suggestions(cases)
        self.records: dict[tuple, Suggestions] = {}

    def record(self, case: Case, record_id: str, also=()) -> str:
        key = (case.id, tuple(also))
        if key not in self.records:
            self.records[key] = Suggestions([*case.records(), *also])
        return self.records[key](record_id)


def dangling(operand: Operand, cases: dict[str, Case], hints: Hints,
              groups: dict) -> str | None:
    """Return why a live fact names nothing, or None."""
    case = cases.get(operand.case)
    if case is None:
        return f"no case file has the id '{operand.case}'{hints.case(operand.case)}"
    if operand.record.startswith("@"):
        name = operand.record[1:]
        if name not in DERIVED:
            hint = did_you_mean(name, DERIVED) or "; there are " + ", ".join(
                "@" + d for d in DERIVED)
            return f"no derived figure '@{name}'{hint}"
        if operand.field is not None:
            return f"'@{name}' has no fields"
        if name in OVER_A_GROUP:
            if operand.group is None:
                return (f"@{name} counts over a group: write @{name}(GROUP) with a group the "
                        "front matter defines under `groups:`")
            if operand.group not in groups:
                hint = did_you_mean(operand.group, groups) or (
                    "; it defines " + ", ".join(groups) if groups else
                    "; define it under `groups:` in the front matter")
                return f"no group '{operand.group}'{hint}"
        elif operand.group is not None:
            return f"@{name} is not counted over a group; write {operand.case}:@{name}"
        return None
    if operand.record in PROFILE_FACTS:
        fact = current(profile_fact(case, operand.record))
        if fact is None:
            return f"{case.id} records no {operand.record}"
        return None if operand.field in (None, "value") else \
            f"'{operand.record}' is one value; write {operand.case}:{operand.record}"
    records = case.records()
    record = records.get(operand.record)
    if record is None:
        return (f"{case.id} has no record '{operand.record}'"
                f"{hints.record(case, operand.record, PROFILE_FACTS)}")
    fields = FIELDS[type(record)]
    if operand.field is not None and operand.field not in fields:
        hint = did_you_mean(operand.field, fields) or "; it has " + ", ".join(fields)
        return f"'{operand.record}' has no field '{operand.field}'{hint}"
    field_name = operand.field or fields[0]
    if _raw(record, field_name) in (None, [], ""):
        return f"'{operand.record}' has no {field_name} in the case file"
    return None


def _numeric(operand: Operand, cases: dict[str, Case]) -> bool:
    if operand.record.startswith("@"):
        return operand.record[1:] not in ("latest-model", "latest-flagship", "best-openness")
    record = cases[operand.case].records().get(operand.record) if operand.case in cases else None
    return record is not None and (operand.field or FIELDS[type(record)][0]) in MONEY_FIELDS


def _raw(record, field_name: str):
    if field_name == "from":
        return record.effective_from
    if field_name in ("tenure", "score"):
        return True if field_name == "tenure" or record.scorecard else None
    return getattr(record, field_name, None)
