"""Key data: a table of chosen facts for each company, as of one date — the numbers a reader
will quote, side by side and of one moment.

A table, not a chart: `TABLE` tells the charts stage to draw nothing and the compose stage to
write the rows (each value worked out as a live fact is, with its citation). A row is a
figure every company has (`@raised`, `@leaders-left`, `@left(founders)`, `founded` …) or,
for a record of each company's own, a mapping `{label: …, facts: {case: record.field}}`.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from ...model.base import ShortText, Slug, Strict
from ...model.dates import PartialDate
from . import Options as Common

KIND = "key-data"
RANK = 4
TABLE = True

SharedFact = Annotated[str, Field(pattern=r"^@?[a-z0-9][a-z0-9_-]*(?:\([a-z0-9-]+\))?$")]


class OwnFacts(Strict):
    """A row of each company's own record: `{label: Flagship price, facts: {a: x.input}}`."""

    label: ShortText
    facts: dict[Slug, Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*(?:\.[a-z_]+)?$")]]


class Options(Common):
    rows: Annotated[list[SharedFact | OwnFacts], Field(min_length=1, max_length=40)]
    as_of: PartialDate | None = Field(None, description="take every value as of this day")

    @model_validator(mode="after")
    def _no_window(self) -> Options:
        if self.window is not None or self.shade:
            raise ValueError("a key-data table takes `as_of`, not a window or shaded periods")
        return self

    def references(self, at, cases, hints):
        from ...load.references import dangling
        from ...model.marks import Operand

        problems = super().references(at, cases, hints)
        compared = self.cases or list(cases)
        for j, row in enumerate(self.rows):
            if isinstance(row, str):
                record, _, group = row.partition("(")
                operands = [(("rows", j), Operand(name, record, None, group[:-1] or None))
                            for name in compared if name in cases]
            else:
                operands = [(("rows", j, "facts", name), Operand(name, *_split(fact)))
                            for name, fact in row.facts.items()]
            for loc, operand in operands:
                why = dangling(operand, cases, hints, hints.groups)
                if why:
                    problems.append(at(loc, why))
                    break
        return problems


def _split(fact: str) -> tuple[str, str | None]:
    record, _, field = fact.partition(".")
    return record, field or None


def draw(c, style, options, frame):
    return None  # a table: composing writes it
