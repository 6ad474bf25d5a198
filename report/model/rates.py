"""Exchange rates as sourced facts: how much of a currency one unit of another bought, when."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Literal

from pydantic import Field, model_validator

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


class Rate(Recorded):
    """Over `period`, one unit of `base` bought `rate` units of `quote`."""

    period: PartialDate
    base: Currency
    quote: Currency
    rate: Annotated[float, Field(gt=0, le=1e6)]
    kind: RateKind

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
