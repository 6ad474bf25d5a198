"""The house style, applied by code: one way to write money, dates, numbers and names.

The rules are in `labels/STYLE.md`. Numbers and dates are formatted by Babel for the
briefing's locale, and every word comes from the label catalogue, so a Chinese edition is a
second catalogue and locale, not a rewrite.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from typing import Any

from .model import Money, Name, PartialDate

NBSP = "\u00a0"


class Labels:
    """The label catalogue of one language: `labels/<lang>.yaml`, read once."""

    def __init__(self, language: str = "en"):
        from ruamel.yaml import YAML

        text = (resources.files("report") / "labels" / f"{language}.yaml").read_text("utf-8")
        self.data: dict = YAML(typ="safe", pure=True).load(text)

    def __call__(self, key: str, **values: Any) -> str:
        """Return the label at a dotted key, with `{placeholders}` filled in."""
        node: Any = self.data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise KeyError(f"no label '{key}' in the catalogue")
            node = node[part]
        if isinstance(node, dict):  # plural forms: {one: …, other: …}
            n = values.get("n", 0)
            node = node["one"] if n == 1 and "one" in node else node["other"]
        return str(node).format_map(values) if values else str(node)

    def join(self, key: str, parts) -> str:
        """Join parts with the separator at `key`; before a separator that starts with
        punctuation a part's closing full stop gives way ("both; then", never "both.; then")."""
        sep, parts = self(key), list(parts)
        if sep[:1] in ";,":
            parts = [p[:-1] if p.endswith(".") and not p.endswith("..") else p
                     for p in parts[:-1]] + parts[-1:]
        return sep.join(parts)

    def and_list(self, parts) -> str:
        """Join as "A", "A and B" or "A, B and C", in the catalogue's words."""
        parts = list(parts)
        if len(parts) <= 1:
            return "".join(parts)
        return self("list_and").join([self("list.join").join(parts[:-1]), parts[-1]])

    def has(self, key: str) -> bool:
        try:
            self(key)
        except (KeyError, IndexError, ValueError):
            return False
        return True


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
        from babel.dates import format_date

        if value is None:
            return self.labels("none")
        if isinstance(value, dt.date):
            return format_date(value, self.labels("date.day"), locale=self.locale)
        if value.day:
            text = format_date(value.start(), self.labels("date.day"), locale=self.locale)
        elif value.month:
            text = format_date(value.start(), self.labels("date.month"), locale=self.locale)
        elif value.quarter:
            text = self.labels("date.quarter", q=value.quarter, year=value.year)
        elif value.half:
            text = self.labels("date.half", h=value.half, year=value.year)
        else:
            text = str(value.year)
        return self.labels("date.approximate", date=text) if value.approximate else text

    def period(self, start: PartialDate | None, until: PartialDate | None) -> str:
        """`May 2024 – Jan 2025`, or `from May 2024` while it lasts."""
        if start is None:
            return self.labels("none")
        if until is None:
            return self.labels("date.from", date=self.date(start))
        return self.labels("date.span", start=self.date(start), until=self.date(until))

    # ------------------------------------------------------------ numbers

    def number(self, x: float, digits: int = 3) -> str:
        """A figure to at most `digits` significant digits: `7.14`, `0.0036`, `1,234`."""
        from babel.numbers import format_decimal

        if x == int(x) and abs(x) < 10 ** digits * 10:
            return format_decimal(int(x), locale=self.locale)
        pattern = "@" + "#" * (digits - 1)
        if abs(x) >= 10 ** digits:
            pattern = "#,##0"
        return format_decimal(x, pattern, locale=self.locale)

    def count(self, n: int) -> str:
        from babel.numbers import format_decimal

        return format_decimal(n, locale=self.locale)

    def percent(self, share: float) -> str:
        from babel.numbers import format_percent

        return format_percent(share, locale=self.locale)

    def ratio(self, x: float) -> str:
        return self.labels("ratio", x=self.number(x, 2))

    # ------------------------------------------------------------ money

    def amount(self, x: float, currency: str) -> str:
        """`USD 300M`, `CNY 50B`, `CNY 0.99`: the code, then the amount, compact when large."""
        from babel.numbers import format_compact_decimal

        if x >= 1e6:
            figure = format_compact_decimal(x, locale=self.locale, fraction_digits=1)
        else:
            figure = self.number(x, 4)
        return f"{currency}{NBSP}{figure}"

    def money(self, m: Money | None) -> str:
        """An amount or a range of money, in the house style."""
        if m is None:
            return self.labels("none")
        if m.amount is not None:
            return self.amount(m.amount, m.currency)
        if m.low is not None and m.high is not None:
            high = self.amount(m.high, m.currency).split(NBSP, 1)[1]
            return self.labels("money.range", low=self.amount(m.low, m.currency), high=high)
        if m.low is not None:
            return self.labels("money.at_least", x=self.amount(m.low, m.currency))
        return self.labels("money.at_most", x=self.amount(m.high, m.currency))

    def price(self, x: float | None, currency: str) -> str:
        """A price per 1M tokens: `CNY 0.99`, to at most four significant digits."""
        if x is None:
            return self.labels("none")
        return f"{currency}{NBSP}{self.number(x, 4)}"

    # ------------------------------------------------------------ names

    def name(self, name: Name, both: bool = True) -> str:
        """`Alpha Labs (阿尔法实验室)` where both are wanted and there is a Chinese name."""
        if both and name.zh:
            return self.labels("name.both", en=name.en, zh=name.zh)
        return name.en
