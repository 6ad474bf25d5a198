"""Every fact as data: `data.xlsx` (one sheet per dimension, and the sources) and one CSV per
dimension, for the analyst who wants to sort, filter and check rather than read.

A row is one field of one record: the company, the dimension, the record's id and where it
sits in its case file, the field as the case file names it, the value (a number stays a
number), its unit or currency, the record's dates, how sure it is, and its sources with their
titles and addresses. A dispute is a row of its own beside the version the tables show.
The files are reproducible: the workbook's dates are the build's, and XlsxWriter writes fixed
times into the zip.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from enum import Enum
from pathlib import Path

from pydantic import BaseModel

from ..compare import Comparison
from ..load.cases import sourced_records
from ..model.base import Dispute, Fact, Name, Quote, Sourced
from ..model.case import OwnSource
from ..model.dates import PartialDate
from ..model.money import Money, Valuation
from ..words.style import Style

# The dimensions, in the order of the fact pack; each is a sheet and a CSV (data-NAME.csv).
DIMENSIONS = ("profile", "funding", "strategy", "team", "pricing", "releases", "timeline")
WORKBOOK = "data.xlsx"
SOURCES = "sources"
FILES = (WORKBOOK, *(f"data-{name}.csv" for name in (*DIMENSIONS, SOURCES)))

COLUMNS = ("company", "case", "dimension", "record", "location", "field", "value", "unit",
           "date", "until", "confidence", "version", "source_ids", "source_titles",
           "source_urls")
SOURCE_COLUMNS = ("company", "case", "id", "title", "publisher", "author", "date", "kind",
                  "seed", "language", "url", "accessed", "cited_by")
# Where a record's dates are, first found first.
DATE_FIELDS = ("date", "effective_from", "start", "seen", "joined", "launched")
UNTIL_FIELDS = ("until", "left", "ended", "last_seen")
SKIPPED = Sourced.META_FIELDS | {"key", "history", "licence_changes", "scorecard", "unit",
                                 "currency"}
_TOPICS = {"funding_rounds": "funding", "backers": "funding"}
SEPARATOR = " | "


def fact_rows(c: Comparison, style: Style) -> dict[str, list[tuple]]:
    """Return every fact's rows, by dimension."""
    out: dict[str, list[tuple]] = {name: [] for name in DIMENSIONS}
    for case in c.cases:
        sources = {s.id: s for s in case.sources}
        company = style.plain_name(case.name)
        ids: dict[tuple, str] = {}  # a record's id by its place: a nested record takes its parent's
        for loc, record in sourced_records(case):
            dimension = _TOPICS.get(loc[1], "profile") if loc[0] == "profile" and len(loc) > 1 \
                else loc[0]
            if dimension not in out:
                dimension = "profile"
            where = _location(loc)
            record_id = getattr(record, "id", None) or next(
                (ids[loc[:n]] for n in range(len(loc) - 1, 0, -1) if loc[:n] in ids),
                _record_name(loc))
            ids[loc] = record_id
            date, until = _dates(record)

            row = _row_maker(sources, (company, case.id, dimension, record_id, where),
                             (date, until), record)

            for name, value in _fields(record):
                if isinstance(value, OwnSource):
                    own_conf = value.confidence or record.confidence
                    own_cite = value.cite or record.cite
                    for part, part_value, unit in _own_parts(name, value):
                        out[dimension].append(row(part, part_value, unit, own_conf, own_cite))
                    continue
                for field, cell, unit in _cells(name, value, record):
                    out[dimension].append(row(field, cell, unit))
            for dispute in record.disputes:
                out[dimension].append(_dispute_row(row, dispute))
    return out


def _row_maker(sources: dict, head: tuple, dates: tuple, record):
    """Rows of one record: what it is and where, its dates, and a field's value, unit,
    confidence and sources (its own, or the record's)."""
    def row(field: str, value, unit: str = "", confidence=record.confidence,
            cite=record.cite, version: str = "shown") -> tuple:
        cited = [sources[s] for s in cite if s in sources]
        return (*head, field, value, unit, *dates, _text(confidence), version,
                SEPARATOR.join(cite),
                SEPARATOR.join(s.title for s in cited),
                SEPARATOR.join(str(s.url) for s in cited if s.url))
    return row


def source_rows(c: Comparison, style: Style) -> list[tuple]:
    """Every source of every case, with what cites it."""
    rows = []
    for case in c.cases:
        cited: dict[str, list[str]] = {}
        for loc, record in sourced_records(case):
            for s in record.cite:
                cited.setdefault(s, []).append(_location(loc))
        for s in case.sources:
            rows.append((style.plain_name(case.name), case.id, s.id, s.title,
                         s.publisher or "", s.author or "", _text(s.date), _text(s.kind),
                         s.seed, s.language, str(s.url) if s.url else "", _text(s.accessed),
                         len(cited.get(s.id, []))))
    return rows


def write_data(c: Comparison, style: Style, folder: Path, epoch: int) -> dict[str, Path]:
    """Write data.xlsx and one CSV per dimension into `folder`; return them by file name."""
    import xlsxwriter

    t = style.labels
    facts = fact_rows(c, style)
    sources = source_rows(c, style)
    headers = [t(f"workbook.column.{name}") for name in COLUMNS]
    source_headers = [t(f"workbook.source.{name}") for name in SOURCE_COLUMNS]
    written = {}
    path = folder / WORKBOOK
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False,
                                           "strings_to_formulas": False,
                                           "strings_to_urls": False})
    created = dt.datetime.fromtimestamp(epoch, dt.timezone.utc).replace(tzinfo=None)
    book.set_properties({"title": t("workbook.title"), "created": created,
                         "comments": t("workbook.comment")})
    head = book.add_format({"bold": True, "bg_color": "#DCE6F1", "text_wrap": True,
                            "valign": "top", "border": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    link = book.add_format({"font_color": "#0563C1", "underline": 1, "valign": "top"})
    widths = {"company": 12, "case": 10, "dimension": 10, "record": 22, "location": 22,
              "field": 16, "value": 48, "unit": 16, "date": 11, "until": 11,
              "confidence": 11, "version": 9, "source_ids": 24, "source_titles": 48,
              "source_urls": 48, "id": 24, "title": 48, "publisher": 24, "author": 20,
              "kind": 10, "seed": 6, "language": 8, "url": 48, "accessed": 11, "cited_by": 9}

    def sheet(name: str, header: list[str], columns: tuple, rows: list[tuple]) -> None:
        ws = book.add_worksheet(name[:31])
        ws.write_row(0, 0, header, head)
        for i, column in enumerate(columns):
            ws.set_column(i, i, widths.get(column, 14),
                          wrap if column in ("value", "source_titles", "title") else None)
        url_column = columns.index("url") if "url" in columns else None
        for r, values in enumerate(rows, start=1):
            for col, value in enumerate(values):
                if col == url_column and value:
                    ws.write_url(r, col, value, link, string=value)
                elif isinstance(value, bool):
                    ws.write_boolean(r, col, value)
                elif isinstance(value, (int, float)):
                    ws.write_number(r, col, value)
                else:
                    ws.write_string(r, col, value)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)

    for name in DIMENSIONS:
        sheet(t(f"topic.{name}"), headers, COLUMNS, facts[name])
    sheet(t("workbook.sources"), source_headers, SOURCE_COLUMNS, sources)
    book.close()
    written[WORKBOOK] = path
    for name, header, rows in [*((n, headers, facts[n]) for n in DIMENSIONS),
                               (SOURCES, source_headers, sources)]:
        csv_path = folder / f"data-{name}.csv"
        with csv_path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(header)
            writer.writerows([_csv(v) for v in row] for row in rows)
        written[csv_path.name] = csv_path
    return written


# ---------------------------------------------------------------- fields to cells


def _fields(record: BaseModel) -> Iterator[tuple[str, object]]:
    for name, info in type(record).model_fields.items():
        if name in SKIPPED:
            continue
        value = getattr(record, name)
        if value is None or value == [] or (value is False and name != "value"):
            continue
        if isinstance(value, list) and value and isinstance(value[0], Sourced):
            continue  # records of their own (rows of their own)
        if isinstance(value, Sourced):
            continue
        yield info.alias or name, value


def _cells(name: str, value, record) -> Iterator[tuple[str, object, str]]:
    """(field, value, unit) for one field: money is its amount in its currency, a price is
    per its unit. A range is two rows, `field.low` and `field.high` (one where the source
    gives only a bound), so every amount stays a number a spreadsheet can sum and filter."""
    if isinstance(value, Money):
        field = f"{name} ({_text(value.basis)})" if isinstance(value, Valuation) else name
        if value.amount is not None:
            yield field, value.amount, value.currency
            return
        for bound, amount in (("low", value.low), ("high", value.high)):
            if amount is not None:
                yield f"{field}.{bound}", amount, value.currency
        return
    currency = getattr(record, "currency", None)
    if name in ("input", "output", "input_cache_hit") and currency:
        yield name, value, f"{currency} per {getattr(record, 'unit', '')}".strip()
        return
    yield name, _value(value), ""


def _own_parts(name: str, part: OwnSource) -> Iterator[tuple[str, object, str]]:
    """A licence or parameter count, which may carry its own source and confidence."""
    for field_name, info in type(part).model_fields.items():
        if field_name in ("cite", "confidence"):
            continue
        value = getattr(part, field_name)
        if value is None:
            continue
        unit = "billion parameters" if field_name.endswith("_b") else ""
        yield f"{name}.{info.alias or field_name}", _value(value), unit


def _dispute_row(row, dispute: Dispute) -> tuple:
    value = dispute.value
    return row(dispute.field, value, "", dispute.confidence, dispute.cite, "disputed")


def _dates(record) -> tuple[str, str]:
    date = next((getattr(record, f) for f in DATE_FIELDS if getattr(record, f, None)), None)
    until = next((getattr(record, f) for f in UNTIL_FIELDS if getattr(record, f, None)), None)
    if date is None and isinstance(record, Fact) and isinstance(record.value, PartialDate):
        date = record.value
    return _text(date), _text(until)


def _value(value) -> object:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, Name):
        return f"{value.en} ({value.zh})" if value.zh else value.en
    if isinstance(value, Quote):
        return " / ".join(q for q in (value.zh, value.en) if q)
    if isinstance(value, list):
        return SEPARATOR.join(str(_value(v)) for v in value)
    if isinstance(value, BaseModel):
        return SEPARATOR.join(f"{k}: {_value(v)}" for k, v in value.model_dump(
            mode="json", exclude_none=True).items())
    return _text(value)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def _csv(value) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _location(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _record_name(loc: tuple) -> str:
    """A record without an id (a profile fact, a phase of a series): its field's name."""
    names = [p for p in loc if isinstance(p, str)]
    return names[-1] if names else ""


__all__ = ["DIMENSIONS", "FILES", "WORKBOOK", "fact_rows", "source_rows", "write_data"]
