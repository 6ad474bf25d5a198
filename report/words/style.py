"""The house style, applied by code: one way to write money, dates, numbers and names.

The rules are in `labels/STYLE.md`. Numbers, money and dates follow the project's own
patterns with the symbols, suffixes and month names of the label catalogue, never the
installed CLDR data, so a new Babel release cannot change a document; a Chinese edition is a
second catalogue, not a rewrite.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
from functools import cached_property, wraps

from ..model import Money, Name, PartialDate
from .labels import Labels

# Enough digits for any float written out in full (the largest has 309): with Python's
# default 28, a figure converted at an extreme rate failed to print (InvalidOperation).
_DIGITS = Context(prec=400, Emax=999_999, Emin=-999_999)


def _exact(method):
    """Run a formatting method with enough decimal digits for any float."""
    @wraps(method)
    def run(*args, **kwargs):
        with localcontext(_DIGITS):
            return method(*args, **kwargs)

    return run


@dataclass(frozen=True)
class Style:
    """Formats values the one house way for a locale."""

    locale: str = "en_GB"
    language: str = "en"

    @cached_property
    def labels(self) -> Labels:
        return Labels(self.language)

    # ------------------------------------------------------------ dates

    def date(self, value: PartialDate | dt.date | None) -> str:
        """`15 Aug 2024`, `Aug 2024`, `Q4 2025`, `H2 2024`, `2024`, `c. May 2024`."""
        if value is None:
            return self.labels("none")
        if isinstance(value, dt.date):
            return self._day(value)
        if value.day:
            text = self._day(value.start())
        elif value.month:
            text = self.labels("date.month", month=self._month(value.month),
                               year=self._year(value.year))
        elif value.quarter:
            text = self.labels("date.quarter", q=value.quarter, year=self._year(value.year))
        elif value.half:
            text = self.labels("date.half", h=value.half, year=self._year(value.year))
        else:
            text = self._year(value.year)
        return self.labels("date.approximate", date=text) if value.approximate else text

    def _day(self, day: dt.date) -> str:
        return self.labels("date.day", day=day.day, month=self._month(day.month),
                           year=self._year(day.year))

    def _month(self, month: int) -> str:
        return self.labels.node("date.months")[month - 1]

    def _year(self, year: int) -> str:
        return self.labels("date.year", year=year)

    def period(self, start: PartialDate | None, until: PartialDate | None) -> str:
        """`May 2024 – Jan 2025`, or `from May 2024` while it lasts."""
        if start is None:
            return self.labels("none")
        if until is None:
            return self.labels("date.from", date=self.date(start))
        return self.labels("date.span", start=self.date(start), until=self.date(until))

    # ------------------------------------------------------------ numbers
    # The project's own rules (labels/STYLE.md), not the installed CLDR data: a new Babel
    # release once turned "USD 100M" into "USD 100m" overnight. Rounding is half to even.

    @_exact
    def number(self, x: float, digits: int = 3) -> str:
        """A figure to at most `digits` significant digits: `7.14`, `0.0036`, `1,234`."""
        if x == int(x) and abs(x) < 10 ** digits * 10:
            return self._grouped(int(x))
        value = Decimal(str(x))
        if abs(x) >= 10 ** digits:
            return self._grouped(int(value.quantize(Decimal(1), ROUND_HALF_EVEN)))
        return self._decimal(_significant(value, digits))

    def count(self, n: int) -> str:
        return self._grouped(n)

    @_exact
    def percent(self, share: float) -> str:
        whole = int((Decimal(str(share)) * 100).quantize(Decimal(1), ROUND_HALF_EVEN))
        return self.labels("number.percent", x=self._grouped(whole))

    def ratio(self, x: float) -> str:
        return self.labels("ratio", x=self.number(x, 2))

    def _grouped(self, n: int) -> str:
        """`1,234,567` with the catalogue's group separator."""
        sign, digits = ("-", str(-n)) if n < 0 else ("", str(n))
        groups = [digits[max(0, i - 3):i] for i in range(len(digits), 0, -3)][::-1]
        return sign + self.labels("number.group").join(groups)

    def _decimal(self, value: Decimal) -> str:
        """A decimal written out in full, integer part grouped, trailing zeros dropped."""
        text = format(value, "f")
        whole, _, fraction = text.partition(".")
        fraction = fraction.rstrip("0")
        grouped = self._grouped(int(whole)) if whole not in ("-0", "0") else whole
        return grouped + (self.labels("number.decimal") + fraction if fraction else "")

    # ------------------------------------------------------------ money

    def amount(self, x: float, currency: str) -> str:
        """`USD 300M`, `CNY 50B`, `CNY 0.99`: the code, then the amount, compact when large."""
        return self.labels("money.amount", code=currency, figure=self._compact(x))

    @_exact
    def _compact(self, x: float) -> str:
        """From a million up, `300M`, `7.2B`, `1.5T`, with at most one decimal."""
        units = [(Decimal(str(unit["from"])), unit["suffix"])
                 for unit in self.labels.node("number.compact")]
        value = Decimal(str(x))
        for i, (size, suffix) in enumerate(units):
            if abs(value) < size:
                continue
            scaled = (value / size).quantize(Decimal("0.1"), ROUND_HALF_EVEN)
            if abs(scaled) >= 1000 and i > 0:  # 999.96M rounds to a whole billion
                size, suffix = units[i - 1]
                scaled = (value / size).quantize(Decimal("0.1"), ROUND_HALF_EVEN)
            return self._decimal(scaled) + suffix
        return self.number(x, 4)

    def money(self, m: Money | None) -> str:
        """An amount or a range of money, in the house style."""
        if m is None:
            return self.labels("none")
        if m.amount is not None:
            return self.amount(m.amount, m.currency)
        if m.low is not None and m.high is not None:
            low, high = self._compact(m.low), self._compact(m.high)
            unit = high.lstrip("-0123456789" + self.labels("number.group")
                               + self.labels("number.decimal"))
            if unit and low.endswith(unit):  # the unit once: USD 3–4B
                low = low[: -len(unit)]
            return self.labels("money.range", low=self.labels(
                "money.amount", code=m.currency, figure=low), high=high)
        if m.low is not None:
            return self.labels("money.at_least", x=self.amount(m.low, m.currency))
        return self.labels("money.at_most", x=self.amount(m.high, m.currency))

    @_exact
    def price(self, x: float | None, currency: str) -> str:
        """A price per 1M tokens: `CNY 0.99`, to at most four significant digits."""
        if x is None:
            return self.labels("none")
        return self.labels("money.amount", code=currency, figure=self.number(x, 4))

    # ------------------------------------------------------------ names

    def name(self, name: Name, both: bool = True) -> str:
        """`Alpha Labs (阿尔法实验室)` where both are wanted and there is a Chinese name;
        else the name in the edition's language, or in English when it has none."""
        if both and name.zh:
            return self.labels("name.both", en=name.en, zh=name.zh)
        return self.plain_name(name)

    def plain_name(self, name: Name) -> str:
        """The name alone, in the edition's language (in English where it has none)."""
        return getattr(name, self.language, None) or name.en


def _significant(value: Decimal, digits: int) -> Decimal:
    """`value` rounded half to even to at most `digits` significant digits."""
    if value == 0:
        return value
    exponent = value.adjusted() - digits + 1
    return value.quantize(Decimal(1).scaleb(exponent), ROUND_HALF_EVEN)
