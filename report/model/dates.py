"""Dates as sources give them: to the year, quarter, half, month or day, and maybe approximate."""

from __future__ import annotations

import datetime as dt
import re
from functools import total_ordering
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import PydanticCustomError, core_schema

MIN_YEAR, MAX_YEAR = 1900, 2100

_DATE_RE = re.compile(
    r"^(?P<approx>~)?(?P<year>\d{4})"
    r"(?:-(?:(?P<month>\d{2})(?:-(?P<day>\d{2}))?|Q(?P<quarter>[1-4])|H(?P<half>[12])))?$")
PATTERN = r"^~?\d{4}(-(\d{2}(-\d{2})?|Q[1-4]|H[12]))?$"
EXAMPLES = "2024, 2024-08, 2024-08-15, 2025-Q4, 2024-H2 or ~2024-05"


@total_ordering
class PartialDate:
    """A date known to the year, half, quarter, month or day: `2024`, `2024-H2`, `2025-Q4`,
    `2024-08`, `2024-08-15`; a leading `~` marks it approximate."""

    __slots__ = ("year", "month", "day", "quarter", "half", "approximate")

    def __init__(self, year: int, month: int | None = None, day: int | None = None, *,
                 quarter: int | None = None, half: int | None = None,
                 approximate: bool = False):
        self.year, self.month, self.day = year, month, day
        self.quarter, self.half, self.approximate = quarter, half, approximate

    @classmethod
    def parse(cls, raw: Any) -> PartialDate:
        if isinstance(raw, PartialDate):
            return raw
        if isinstance(raw, dt.date):
            raw = raw.isoformat()
        if isinstance(raw, bool) or not isinstance(raw, (int, str)):
            raise PydanticCustomError("partial_date_type", f"expected a date such as {EXAMPLES}")
        text = str(raw).strip()
        match = _DATE_RE.match(text) if len(text) <= 16 else None
        if not match:
            raise PydanticCustomError(
                "partial_date_format", "'{raw}' is not a date; write " + EXAMPLES,
                {"raw": text[:40]})
        g = match.groupdict()
        year = int(g["year"])
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise PydanticCustomError(
                "partial_date_range", "year {year} is out of range; dates run from "
                f"{MIN_YEAR} to {MAX_YEAR}", {"year": year})
        month, day = (int(g[k]) if g[k] else None for k in ("month", "day"))
        try:
            dt.date(year, month or 1, day or 1)
        except ValueError:
            raise PydanticCustomError(
                "partial_date_impossible", "'{raw}' is not a real calendar date",
                {"raw": text}) from None
        return cls(year, month, day, quarter=int(g["quarter"]) if g["quarter"] else None,
                   half=int(g["half"]) if g["half"] else None, approximate=bool(g["approx"]))

    # ------------------------------------------------------------ the period it may mean

    def start(self) -> dt.date:
        """Return the first day the date may mean."""
        if self.quarter:
            return dt.date(self.year, 3 * self.quarter - 2, 1)
        if self.half:
            return dt.date(self.year, 6 * self.half - 5, 1)
        return dt.date(self.year, self.month or 1, self.day or 1)

    def end(self) -> dt.date:
        """Return the last day the date may mean."""
        if self.day:
            return self.start()
        months = 1 if self.month else 3 if self.quarter else 6 if self.half else 12
        first = self.start()
        index = first.month - 1 + months
        return dt.date(first.year + index // 12, index % 12 + 1, 1) - dt.timedelta(days=1)

    def mid(self) -> dt.date:
        """Return the middle of the period: where a chart places the date."""
        start = self.start()
        return start + (self.end() - start) / 2

    @property
    def precision(self) -> str:
        """`day`, `month`, `quarter`, `half` or `year`."""
        if self.day:
            return "day"
        if self.month:
            return "month"
        return "quarter" if self.quarter else "half" if self.half else "year"

    def sort_key(self) -> tuple:
        """Order by the middle of the period, then finer dates first: `2024` sits mid-year,
        not before every dated event of 2024."""
        return (self.mid(), (self.end() - self.start()).days, self.approximate)

    # ------------------------------------------------------------ comparisons and text

    def _key(self) -> tuple:
        return (self.year, self.month, self.day, self.quarter, self.half, self.approximate)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PartialDate) and self._key() == other._key()

    def __lt__(self, other: PartialDate) -> bool:
        return (self.sort_key(), str(self)) < (other.sort_key(), str(other))

    def __hash__(self) -> int:
        return hash(self._key())

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.quarter:
            text += f"-Q{self.quarter}"
        elif self.half:
            text += f"-H{self.half}"
        elif self.month:
            text += f"-{self.month:02d}" + (f"-{self.day:02d}" if self.day else "")
        return ("~" if self.approximate else "") + text

    def __repr__(self) -> str:
        return f"PartialDate({self})"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler):
        return core_schema.no_info_plain_validator_function(
            cls.parse, serialization=core_schema.plain_serializer_function_ser_schema(str))

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: GetJsonSchemaHandler):
        return {
            "anyOf": [
                {"type": "string", "pattern": PATTERN},
                {"type": "integer", "minimum": MIN_YEAR, "maximum": MAX_YEAR},
            ],
            "description": f"A date as precise as the source: {EXAMPLES}",
        }


def date_span(start: PartialDate, until: PartialDate | None) -> tuple[dt.date, dt.date | None]:
    """Return the first and last day of a span written as from/until partial dates."""
    return start.start(), until.end() if until else None
