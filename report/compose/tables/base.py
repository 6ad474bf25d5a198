"""What every table is made of: rows of cells, and the helpers that lay out a table.

A cell holds text as the reader sees it (escaped when rendered) plus the citation keys behind
it and, below confirmed, its confidence. This is part of the compose stage: the comparison
holds values, these functions write them in the house style.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...compare import Comparison, Conversion, cites
from ...model import (
    Case,
    Confidence,
)
from ...words.phrases import Phrases
from ...words.style import Style

MARKED = {Confidence.claimed, Confidence.rumour, Confidence.denied, Confidence.disputed}
GRADE_MARK = {"open": "●", "partial": "◐", "closed": "○", "n/a": "–"}


@dataclass(frozen=True)
class Cell:
    """One table cell: text (escaped when rendered, unless it is `Md`), its citation keys
    and how sure the weakest fact behind it is (printed when it is below `reported`)."""

    text: str = ""
    cites: tuple[str, ...] = ()
    confidence: Confidence | None = None
    notes: tuple[str, ...] = ()  # printed as footnotes


@dataclass(frozen=True)
class Table:
    id: str
    caption: str
    header: tuple[str, ...]
    widths: tuple[int, ...]  # relative column widths, so DOCX and PDF tables fit the page
    rows: tuple[tuple[Cell, ...], ...]
    cites: tuple[str, ...] = ()  # sources for the caption's source line
    side_by_side: bool = False  # first column labels rows, one column per case after it

    def chunks(self, per_table: int, label) -> list[Table]:
        """Return this table split into tables of at most `per_table` case columns each.

        A page holds about four companies side by side; more are continued in further
        tables that repeat the row labels.
        """
        n = len(self.header) - 1
        if not self.side_by_side or n <= per_table:
            return [self]
        parts = []
        for k, start in enumerate(range(1, n + 1, per_table)):
            cols = [0, *range(start, min(start + per_table, n + 1))]
            width = (100 - self.widths[0]) // (len(cols) - 1)
            parts.append(Table(
                id=self.id if k == 0 else f"{self.id}-{k + 1}",
                caption=label("table.continued", caption=self.caption, first=start,
                              last=cols[-1], n=n),
                header=tuple(self.header[c] for c in cols),
                widths=(self.widths[0], *([width] * (len(cols) - 1))),
                rows=tuple(tuple(row[c] for c in cols) for row in self.rows),
                cites=self.cites, side_by_side=True))
        return parts


def cell(case: Case, text: str, *records) -> Cell:
    """Return a cell citing `records`, marked with the weakest confidence among them."""
    real = [r for r in records if r is not None]
    levels = [r.confidence for r in real if getattr(r, "confidence", None) is not None]
    return Cell(text, cites(case, *real), max(levels, key=lambda c: c.rank, default=None))

class TableMaker(Phrases):
    """The helpers every table uses; the tables themselves are in this package's modules."""

    def __init__(self, c: Comparison, style: Style, verdicts=None):
        super().__init__(c, style)
        # (case id, record id) -> verdicts of the claims register on a fact that repeats a claim
        self.verdicts: dict = verdicts or {}

    def rated(self, case: Case, *records, key: str = "claims.rated") -> tuple[str, ...]:
        """"rated contradicted in Claims checked", for each record that repeats a checked
        claim (`key` "claims.rated_note": the sentence a table note is)."""
        return tuple(dict.fromkeys(
            self.t(key, verdict=self.t(f"verdict.{v.value}"))
            for r in records for v in self.verdicts.get((case.id, getattr(r, "id", None)), ())))

    def side_by_side(self, id: str, rows) -> Table:
        """A table with one column per company; `rows` maps a label key to a cell per case."""
        n = len(self.c.facts)
        label_width = 18
        return Table(
            id=f"tbl-{id}", caption=self.t(f"table.{id}.caption"),
            header=("", *(self.s.plain_name(f.case.name) for f in self.c.facts)),
            widths=(label_width, *([(100 - label_width) // n] * n)),
            rows=tuple((Cell(self.t(f"table.{id}.row.{key}")), *(make(f) for f in self.c.facts))
                       for key, make in rows),
            side_by_side=True)

    def listing(self, id: str, columns: tuple[str, ...], widths: tuple[int, ...],
                rows) -> Table:
        return Table(f"tbl-{id}", self.t(f"table.{id}.caption"),
                     tuple(self.t(f"table.{id}.col.{k}") for k in columns), widths, tuple(rows))

    def fact(self, case: Case, fact, fmt=None) -> Cell:
        """A profile or strategy fact: one value, or its series over time, oldest first."""
        fmt = fmt or self.value
        if fact is None:
            return Cell(self.t("none"))
        if isinstance(fact, list):
            parts = [self.t("series.phase", period=self.phase_period(p), value=fmt(p.value))
                     for p in fact]
            return cell(case, self.t.join("series.join", parts), *fact)
        return cell(case, fmt(fact.value), fact)

    def current(self, case: Case, fact) -> Cell:
        """The value that holds now; for a series, the last one and since when."""
        if not isinstance(fact, list):
            return self.fact(case, fact)
        now = fact[-1]
        return cell(case, self.t("series.since", date=self.s.date(now.start),
                                 value=self.value(now.value)), now)

    def conversion_cites(self, conv: Conversion | None) -> tuple[str, ...]:
        return self.c.converter.cites(conv)
