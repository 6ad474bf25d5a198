"""Read case files: YAML with line numbers → validated `Case` models, every problem at once.

Beyond what the models check on their own, a case file's ids must hold together: every `cite`
names a source, ids are unique, a price's `release` names a release, and a dispute names a
field its record has.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..errors import InputError, Problem, display_path
from ..model import FORMAT, Case, Sourced
from .files import InputFiles
from .yamlfile import (
    Doc,
    Loc,
    Suggestions,
    did_you_mean,
    get,
    parse,
    read_text,
    validate,
    walk,
)

MIN_CASES = 2
RATES_FILE = "exchange-rates.yaml"
CLAIMS_FILE = "claims.yaml"
BRIEF_FILE = "brief.md"
# YAML files in the cases folder that are not case files.
RESERVED = frozenset({RATES_FILE, CLAIMS_FILE})
# The lists whose records share one namespace of ids (sources have their own).
RECORD_LISTS: tuple[Loc, ...] = (
    ("profile", "backers"), ("profile", "funding_rounds"), ("strategy", "business_lines"),
    ("strategy", "moves"), ("team", "facts"), ("team", "people"), ("pricing",),
    ("releases",), ("timeline",))


@dataclass
class CaseFile:
    """A validated case and the file it came from."""

    path: Path
    case: Case
    text: str = field(repr=False)
    doc: Doc = field(repr=False, default=None)  # where each value stands, for later checks


def is_case_name(name: str) -> bool:
    """*.yaml or *.yml, and not a hidden file, an editor's lock or backup, or one of the
    folder's other YAML files. Emacs keeps `.#alpha.yaml`, often a symlink to nowhere, while a
    buffer has unsaved edits."""
    return (name.endswith((".yaml", ".yml")) and not name.startswith((".", "#"))
            and name not in RESERVED)


def is_input_name(name: str) -> bool:
    """Any file of the cases folder a build reads: case files, rates, claims and the brief."""
    return is_case_name(name) or name in RESERVED or name == BRIEF_FILE


def case_paths(directory: Path) -> list[Path]:
    """Return the case files in `directory`, sorted, whatever kind of file each is (reading
    one refuses what is not a regular file); none if the folder cannot be listed (the loader
    says why, with the folder's name)."""
    try:
        return sorted(p for p in directory.iterdir() if is_case_name(p.name))
    except OSError:
        return []


def present(path: Path) -> bool:
    """Whether a name exists in its folder at all: a dangling link or a pipe named
    `claims.yaml` is there (and is refused when read), not silently absent."""
    return os.path.lexists(path)


def input_paths(directory: Path, brief: Path | None = None) -> list[Path]:
    """Return every file a build reads: the folder's case files, rates, claims and brief,
    and the brief chosen with --brief when it lies elsewhere."""
    others = [directory / name for name in sorted(RESERVED | {BRIEF_FILE})]
    paths = case_paths(directory) + [p for p in others if present(p)]
    return paths + ([brief] if brief is not None and brief not in paths else [])


def load_cases(directory: Path, files: InputFiles | None = None) -> list[CaseFile]:
    """Return every case in `directory`, validated; raise InputError listing all problems."""
    shown = display_path(directory)
    if not directory.is_dir():
        raise InputError([Problem(shown, 0, 0, "", "no such directory of case files")])
    try:
        os.listdir(directory)
    except OSError as err:
        raise InputError([Problem(shown, 0, 0, "", f"cannot list the folder: {err.strerror}")]
                         ) from None
    files = files if files is not None else InputFiles(directory)
    paths = case_paths(directory)
    problems: list[Problem] = []
    loaded: list[CaseFile] = []
    for path in paths:
        try:
            loaded.append(load_case(path, files))
        except InputError as err:
            problems.extend(err.problems)
    if not paths:
        problems.append(Problem(shown, 0, 0, "", (
            f"no case files (*.yaml) found; a comparison needs at least {MIN_CASES}")))
    elif len(paths) < MIN_CASES:
        problems.append(Problem(shown, 0, 0, "", (
            f"only one case file ({paths[0].name}); a comparison needs at least {MIN_CASES}: "
            "add another company's case file")))
    problems.extend(_duplicate_case_ids(loaded))
    if problems:
        raise InputError(problems)
    return loaded


# The last good reading of each file: `report preview` reads the cases again on every save,
# and then only the file that changed needs parsing (a case is frozen; nothing changes a Doc).
_last_read: dict[tuple[Path, str], CaseFile] = {}


def load_case(path: Path, files: InputFiles | None = None) -> CaseFile:
    """Return the validated case in one file; raise InputError listing all its problems."""
    shown = display_path(path)
    text = read_text(path, shown, files=files)
    known = _last_read.get((path, shown))
    if known is not None and known.text == text:
        return known
    doc = parse(text, shown)
    if not isinstance(doc.data, dict):
        raise InputError([Problem(shown, 1, 1, "", (
            "a case file is a mapping of fields (format, id, name, sources, profile, ...), "
            f"not a {type(doc.data).__name__}"))])
    format_problem = check_format(doc, path)
    if format_problem:
        raise InputError([format_problem])
    problems = _check_ids(doc)
    case, model_problems = validate(Case, doc, skip=cite_pattern)
    problems.extend(model_problems)
    if case is not None:
        problems.extend(_check_disputes(case, doc))
    if problems:
        raise InputError(problems)
    _last_read[(path, shown)] = read = CaseFile(path=path, case=case, text=text, doc=doc)
    return read


def cite_pattern(loc: Loc, error: dict) -> bool:
    """A malformed source id is reported once, with a suggestion, as an unknown source id."""
    return "cite" in loc and error["type"] == "string_pattern_mismatch"


def check_format(doc: Doc, path: Path) -> Problem | None:
    """Return a problem when the file is not in the format this version reads."""
    written = doc.data.get("format")
    migrate = f"run `report migrate {display_path(path)}` to rewrite it in format {FORMAT}"
    if written is None:
        return Problem(doc.shown, 1, 1, "format", f"no `format:` line, so this is a format-1 "
                       f"case file; {migrate} (it keeps your comments)")
    if written == 1:
        return doc.at(("format",), f"this case file is in format 1; {migrate}")
    if isinstance(written, int) and not isinstance(written, bool) and written > FORMAT:
        return doc.at(("format",), f"format {written} is newer than this version of report "
                                   f"reads ({FORMAT}); update report")
    return None


# ---------------------------------------------------------------- checks beyond the model


def _check_ids(doc: Doc) -> list[Problem]:
    """Return problems with ids: duplicates, `cite` entries naming no source, and prices
    naming no release."""
    data = doc.data
    problems = duplicates(doc, [("sources",)])
    problems += duplicates(doc, RECORD_LISTS)
    problems += unknown_sources(doc)
    releases = _ids(data, ("releases",))
    hint = Suggestions(releases)
    prices = get(data, ("pricing",))
    for i, price in enumerate(prices if isinstance(prices, list) else []):
        ref = price.get("release") if isinstance(price, dict) else None
        if isinstance(ref, str) and ref not in releases:
            problems.append(doc.at(("pricing", i, "release"), f"no release has the id "
                                   f"'{ref}'{hint(ref)}"))
    return problems


def unknown_sources(doc: Doc) -> list[Problem]:
    """Return a problem for each `cite` entry that names no source of the file."""
    known = _ids(doc.data, ("sources",))
    suggest = Suggestions(known)
    problems = []
    for loc, value in walk(doc.data):
        if loc and loc[-1] == "cite" and isinstance(value, list):
            for i, ref in enumerate(value):
                if isinstance(ref, str) and ref not in known:
                    hint = suggest(ref)
                    if not hint and ref.lower() in known:
                        hint = f"; did you mean '{ref.lower()}'?"
                    problems.append(doc.at((*loc, i), f"unknown source id '{ref}'{hint}"))
    return problems


def _ids(data: Any, loc: Loc) -> set[str]:
    """Return the well-formed ids in a list (the model reports the malformed ones)."""
    items = get(data, loc)
    return {item["id"] for item in (items if isinstance(items, list) else [])
            if isinstance(item, dict) and isinstance(item.get("id"), str)}


def duplicates(doc: Doc, lists: list[Loc] | tuple[Loc, ...]) -> list[Problem]:
    """Return a problem for each id used twice across `lists` (one namespace)."""
    seen: dict[str, Loc] = {}
    problems = []
    for list_loc in lists:
        items = get(doc.data, list_loc)
        for i, item in enumerate(items if isinstance(items, list) else []):
            item_id = item.get("id") if isinstance(item, dict) else None
            if not isinstance(item_id, str):
                continue
            loc = (*list_loc, i, "id")
            if item_id in seen:
                first = seen[item_id]
                problems.append(doc.at(loc, f"duplicate id '{item_id}'; also used at "
                                            f"line {doc.values[first][0]}"))
            seen.setdefault(item_id, loc)
    return problems


def _check_disputes(case: Case, doc: Doc) -> list[Problem]:
    """Return a problem for each dispute naming a field its record does not have."""
    problems = []
    for loc, record in sourced_records(case):
        allowed = type(record).disputable_fields()
        for i, dispute in enumerate(record.disputes):
            if dispute.field not in allowed:
                hint = did_you_mean(dispute.field, allowed) or "; it has " + ", ".join(allowed)
                problems.append(doc.at((*loc, "disputes", i, "field"),
                                       f"'{dispute.field}' is not a field of this record{hint}"))
    return problems


def sourced_records(value: Any, loc: Loc = ()) -> Iterator[tuple[Loc, Sourced]]:
    """Yield (location in the file, record) for every sourced record in a validated model."""
    if isinstance(value, Sourced):
        yield loc, value
    if isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            if name == "disputes":
                continue
            yield from sourced_records(getattr(value, name), (*loc, info.alias or name))
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from sourced_records(item, (*loc, i))


def _duplicate_case_ids(loaded: list[CaseFile]) -> list[Problem]:
    first: dict[str, CaseFile] = {}
    problems = []
    for cf in loaded:
        if cf.case.id in first:
            problems.append(Problem(display_path(cf.path), 1, 1, "id", (
                f"case id '{cf.case.id}' is also used by {first[cf.case.id].path.name}")))
        first.setdefault(cf.case.id, cf)
    return problems
