"""Where an edit of generated text should be made instead: the case file, record, field
and line behind a live fact (with its value now and its sources), the table, row and
column of a fact-pack cell (and the record the row most likely shows), the front matter
line of an exhibit's title."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..render.wordtext import Paragraph
from .source import FRONT_MATTER, Mark, normal

OPERAND = re.compile(r"(?P<case>[a-z0-9][a-z0-9-]*):(?P<record>@?[a-z0-9][a-z0-9_-]*)"
                     r"(?:\([^()]*\))?(?:\.(?P<field>[a-z_]+))?")
HEADING = re.compile(r"(?i)heading [1-9]")


@dataclass
class Now:
    """The inputs as they are now, for saying where a fact comes from and what it is."""

    case_files: dict = field(default_factory=dict)  # case id -> CaseFile
    sources: dict = field(default_factory=dict)  # citation key -> "title (publisher, date)"
    values: dict = field(default_factory=dict)  # mark's inside, spaces made one -> Value
    problem: str | None = None  # why values could not be worked out


def load_now(cases_dir: Path, brief: Path) -> Now:
    """Read the case files and the brief as they are now; what fails is said, not raised."""
    from ..errors import ReportError

    now = Now()
    try:
        from ..load import load_inputs

        inputs = load_inputs(cases_dir, brief, False)
    except ReportError as err:
        problems = getattr(err, "problems", ())
        now.problem = (f"the case files or the brief have {len(problems)} problem(s); "
                       "`report check` lists them") if problems else str(err)
        return now
    now.case_files = {cf.case.id: cf for cf in inputs.case_files}
    for cf in inputs.case_files:
        for src in getattr(cf.case, "sources", ()):
            bits = ", ".join(str(x) for x in (getattr(src, "publisher", None),
                                              getattr(src, "date", None)) if x)
            now.sources[f"{cf.case.id}:{src.id}"] = f"{src.title}" + (f" ({bits})" if bits
                                                                        else "")
    try:
        now.values = current_values(inputs)
    except Exception as err:  # noqa: BLE001 — a report's extra, never a reason to stop
        now.problem = f"the current values could not be worked out ({err})"
    return now


def current_values(inputs) -> dict:
    """Each live fact of the brief now, written as a build would write it."""
    import datetime as dt

    from ..compare import compare
    from ..compose.livefacts import FactWriter
    from ..compose.tables import Tables
    from ..model.claims import verdicts_by_fact
    from ..words.style import Style

    if inputs.brief is None:
        return {}
    comparison = compare(inputs.cases, dt.date.today(), inputs.rates, inputs.currency,
                         tuple(inputs.claims.sources) if inputs.claims else ())
    writer = FactWriter(comparison, Tables(comparison, Style(), verdicts_by_fact(inputs.claims)),
                        getattr(inputs.brief.meta, "groups", None))
    values = {}
    for ref in inputs.brief.facts:
        try:
            values[" ".join(ref.text.split())] = writer.value(ref)
        except Exception:  # noqa: BLE001 — `report check` says why a mark has no value
            continue
    return values


# ---------------------------------------------------------------- live facts


def fact_lines(mark: Mark, now: Now, brief_name: str) -> list[str]:
    """Where a live fact comes from, and what it says now."""
    inner = " ".join(mark.text[2:-2].split()) if mark.text.startswith("[[") else mark.text
    lines = []
    for m in OPERAND.finditer(inner):
        case, record, name = m.group("case"), m.group("record"), m.group("field")
        cf = now.case_files.get(case)
        if cf is None:
            lines.append(f"from case {case}, record {record}" + (f", field {name}" if name
                                                                 else ""))
            continue
        shown = _shown_path(cf.path)
        if record.startswith("@"):
            lines.append(f"computed from the records of {shown} ({record})")
            continue
        line = record_line(cf, record, name)
        lines.append(f"{shown}:{line}: record {record}" + (f", field {name}" if name else ""))
    value = now.values.get(inner)
    if value is not None:
        sure = f" ({value.confidence.value})" if getattr(value, "confidence", None) else ""
        lines.append(f"its value now: {value.text}{sure}")
        for key in value.cites[:4]:
            lines.append(f"source: {now.sources.get(key, key)}")
    elif now.problem:
        lines.append(f"(its value now is unknown: {now.problem})")
    return lines


def record_line(cf, record: str, name: str | None) -> int:
    """The line of a record's field (or the record) in its case file."""
    doc = cf.doc
    if doc is None:
        return 1
    path = _find(doc.data, record, ())
    if path is None:
        return 1
    for loc in ((*path, name) if name else None, path):
        if loc is None:
            continue
        found = doc.keys.get(loc) or doc.values.get(loc)
        if found:
            return found[0] + doc.line_offset
    return 1


def _find(node, record: str, path: tuple):
    """The path to the record with id `record` (or the mapping key `record`)."""
    if isinstance(node, dict):
        if node.get("id") == record:
            return path
        for key, value in node.items():
            if key == record and path[:1] in (("profile",), ("strategy",)):
                return (*path, key)
            found = _find(value, record, (*path, key))
            if found is not None:
                return found
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found = _find(value, record, (*path, i))
            if found is not None:
                return found
    return None


def _shown_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------- generated paragraphs


def context(built: list[Paragraph], index: int) -> str:
    """Where a paragraph as built stands: its section, and for a table cell its table, row
    and column."""
    p = built[index]
    heading = next((built[k].text for k in range(index - 1, -1, -1)
                    if HEADING.fullmatch(built[k].style or "") and built[k].cell is None), "")
    if p.cell is None:
        return f"in “{_short(heading)}”" if heading else "before the first heading"
    table, row, column = p.cell
    first = next(k for k, q in enumerate(built) if q.cell and q.cell[0] == table)
    caption = next((built[k].text for k in range(first - 1, max(-1, first - 4), -1)
                    if "caption" in (built[k].style or "").lower()), "")
    label = next((q.text for q in built if q.cell == (table, row, 0)), "")
    header = next((q.text for q in built if q.cell == (table, 0, column)), "")
    where = f"table “{_short(caption)}”" if caption else f"a table in “{_short(heading)}”"
    return where + f", row “{_short(label)}”" + (f", column “{_short(header)}”" if header
                                                  else "")


def record_for_row(built: list[Paragraph], index: int, now: Now) -> str | None:
    """The case file, record and field a fact-pack cell most likely shows: the record is
    found by a label in its row (a name, a model, an id), the case by a company's name in
    the row or the column's header, the field by the column's header."""
    p = built[index]
    if p.cell is None or not now.case_files:
        return None
    table, row, column = p.cell
    cells = sorted((q.cell[2], _label(q.text)) for q in built
                   if q.cell is not None and q.cell[:2] == (table, row))
    header = _label(next((q.text for q in built if q.cell == (table, 0, column)), ""))
    cases = list(now.case_files.values())
    named = [cf for cf in cases if _names(cf.case.name) & ({c for _, c in cells} | {header})]
    case_names = set().union(*(_names(cf.case.name) for cf in cases))
    labels = [c for _, c in cells if c and c not in case_names]
    for exact in (True, False):
        for label in labels:
            for cf in named or cases:
                hit = _record_named(cf.doc.data if cf.doc else {}, label, (), exact)
                if hit is None:
                    continue
                path, rid, node = hit
                name = re.sub(r"[^a-z0-9]+", "_", header).strip("_")
                loc = (*path, name) if name in node else path
                found = cf.doc.keys.get(loc) or cf.doc.values.get(loc) or (1, 1)
                return (f"{_shown_path(cf.path)}:{found[0] + cf.doc.line_offset}: record {rid}"
                        + (f", field {name}" if name in node else ""))
    return None


def _label(text: str) -> str:
    """A cell's text without its citation and marks, for finding the record it names."""
    text = re.sub(r"\s*\[[0-9,\s–-]+\]", "", text).replace("★", "")
    return normal(text).lower()


def _names(name) -> set[str]:
    if isinstance(name, dict):
        return {normal(str(v)).lower() for v in name.values()}
    en, zh = getattr(name, "en", None), getattr(name, "zh", None)
    if en or zh:
        return {normal(str(x)).lower() for x in (en, zh) if x}
    return {normal(str(name)).lower()}


def _record_named(node, label: str, path: tuple, exact: bool):
    if isinstance(node, dict):
        if "id" in node and path:
            names = {normal(str(node["id"])).lower()}
            for key in ("name", "title", "label", "event", "model"):
                if key in node:
                    names |= _names(node[key])
            if any(n and (label == n or not exact and (label.startswith(n + " ") or
                                                       label.startswith(n + " ("))) for n in names):
                return path, node["id"], node
        for key, value in node.items():
            found = _record_named(value, label, (*path, key), exact)
            if found is not None:
                return found
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found = _record_named(value, label, (*path, i), exact)
            if found is not None:
                return found
    return None


def exhibit_title_line(brief: str, mark: Mark) -> int | None:
    """The front matter line of the title of the exhibit a mark places."""
    match = re.fullmatch(r"\[\[\s*exhibit:\s*([A-Za-z0-9_-]+)\s*\]\]", mark.text)
    front = FRONT_MATTER.match(brief)
    if not match or not front:
        return None
    lines = brief[:front.end()].splitlines()
    for k, line in enumerate(lines):
        if re.match(rf"\s*-?\s*id:\s*['\"]?{re.escape(match.group(1))}['\"]?\s*$", line):
            for j in range(k + 1, min(len(lines), k + 30)):
                if re.match(r"\s*title:", lines[j]):
                    return j + 1
            return k + 1
    return None


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
