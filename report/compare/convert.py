"""Money in one currency: every conversion names the sourced rate it used and that rate's date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..model import PartialDate, Rate
from ..model.rates import CONVERTING as _PREFERENCE
from ..model.rates import can_convert


@dataclass(frozen=True)
class Conversion:
    """An amount in the comparison currency, and how it got there."""

    value: float
    currency: str
    original: float
    original_currency: str
    rate: Rate | None = None  # None: the amount was already in this currency
    inverted: bool = False  # the rate was quoted the other way round
    latest_available: bool = False  # the date is after every rate: the latest one was used

    @property
    def converted(self) -> bool:
        return self.rate is not None


class Converter:
    """Converts amounts at the sourced rate for their date."""

    def __init__(self, rates: list[Rate], cite_keys: dict[str, tuple[str, ...]] | None = None):
        self.rates = [r for r in rates if r.kind in _PREFERENCE]
        self.cite_keys = cite_keys or {}

    def can_convert(self, source: str, target: str) -> bool:
        return can_convert(self.rates, source, target)

    def convert(self, amount: float, currency: str, when: PartialDate | dt.date,
                target: str) -> Conversion | None:
        """Return `amount` in `target` at the rate for `when`, or None without a rate."""
        if currency == target:
            return Conversion(amount, target, amount, currency)
        day = when.mid() if isinstance(when, PartialDate) else when
        candidates = [r for r in self.rates if {r.base, r.quote} == {currency, target}]
        if not candidates:
            return None
        covering = [r for r in candidates if r.period.start() <= day <= r.period.end()]
        latest = False
        if covering:
            rate = min(covering, key=lambda r: (_PREFERENCE.index(r.kind), r.id))
        else:
            earlier = [r for r in candidates if r.period.end() < day]
            pool = earlier or candidates
            rate = max(pool, key=lambda r: (r.period.end(), -_PREFERENCE.index(r.kind), r.id)) \
                if earlier else min(pool, key=lambda r: (r.period.start(), r.id))
            latest = bool(earlier)
        inverted = rate.base != currency  # rate is target per … the other way round
        value = amount / rate.rate if rate.quote == currency else amount * rate.rate
        return Conversion(value, target, amount, currency, rate, inverted, latest)

    def cites(self, conversion: Conversion | None) -> tuple[str, ...]:
        if conversion is None or conversion.rate is None:
            return ()
        return self.cite_keys.get(conversion.rate.id, ())
