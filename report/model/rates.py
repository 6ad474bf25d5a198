"""Exchange rates as sourced facts: how much of a currency one unit of another bought, when."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from .base import MAX_LIST, Recorded, Strict
from .case import Source
from .dates import PartialDate
from .money import Currency


class RateKind(str, Enum):
    annual_average = "annual-average"
    month_average = "month-average"
    quarter_rate = "quarter-rate"
    spot = "spot"
    central_parity = "central-parity"
    source_conversion = "source-conversion"  # the rate a source itself used to convert


# The kinds of rate a conversion may use, the most precise first (preferred when several
# cover a date). A rate a source used for its own conversion is kept as evidence, never used
# for ours (one consistent series).
CONVERTING = (RateKind.central_parity, RateKind.spot, RateKind.month_average,
              RateKind.quarter_rate, RateKind.annual_average)


def can_convert(rates, source: str, target: str) -> bool:
    """Whether `rates` hold a rate between the two currencies that a conversion may use."""
    return source == target or frozenset((source, target)) in {
        frozenset((r.base, r.quote)) for r in rates if r.kind in CONVERTING}


MIN_RATE, MAX_RATE = 1e-6, 1e6


class Rate(Recorded):
    """Over `period`, one unit of `base` bought `rate` units of `quote`."""

    period: PartialDate
    base: Currency
    quote: Currency
    rate: float
    kind: RateKind

    @field_validator("rate")
    @classmethod
    def _plausible(cls, v: float) -> float:
        # The widest real rates are tens of thousands to one (IRR, VND per USD) and their
        # inverses; 1e-300 made every figure converted with it fail to print.
        if not MIN_RATE <= v <= MAX_RATE:
            raise ValueError(f"a rate is between {MIN_RATE:.6f} and {MAX_RATE:,.0f} units of "
                             "`quote` for one of `base`; check the figure and which way it "
                             "runs")
        return v

    @model_validator(mode="after")
    def _two_currencies(self) -> Rate:
        if self.base == self.quote:
            raise ValueError(f"a rate converts between two currencies, not {self.base} to "
                             "itself")
        return self


class RatesFile(Strict):
    """`exchange-rates.yaml`: the rates and the sources they were read in."""

    format: Literal[2]
    sources: Annotated[list[Source], Field(min_length=1, max_length=MAX_LIST)]
    rates: Annotated[list[Rate], Field(min_length=1, max_length=MAX_LIST)]

    def can_convert(self, source: str, target: str) -> bool:
        return can_convert(self.rates, source, target)
