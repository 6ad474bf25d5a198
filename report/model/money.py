"""Money: amounts and ranges in an ISO 4217 currency, and valuations with their basis."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from pydantic import AfterValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from .base import ShortText, Strict

DEFAULT_CURRENCY = "USD"  # the comparison currency when the brief names none
MAX_AMOUNT = 1e15  # more than any company's valuation in any currency

# What people write instead of an ISO 4217 code, and the code they mean.
_CURRENCY_HINTS = {
    "RMB": "CNY", "YUAN": "CNY", "元": "CNY", "人民币": "CNY", "CNH": "CNY",
    "US$": "USD", "$": "USD", "DOLLAR": "USD", "美元": "USD", "HK$": "HKD", "€": "EUR",
    "£": "GBP",
}


def iso_currency(code: Any) -> str:
    """Return `code` if it is an ISO 4217 currency code; otherwise say which code to use."""
    from babel.numbers import list_currencies

    if not isinstance(code, str):
        raise PydanticCustomError("currency_type", "a currency is a three-letter ISO 4217 "
                                  "code such as CNY or USD")
    hint = _CURRENCY_HINTS.get(code.strip().upper())
    if hint:
        raise PydanticCustomError("currency_alias", "'{code}' is not an ISO 4217 code; use "
                                  "{hint}", {"code": code, "hint": hint})
    if code.strip() == "¥":
        raise PydanticCustomError("currency_alias", "'¥' is ambiguous; use CNY (yuan) or "
                                  "JPY (yen)")
    if code not in list_currencies():
        raise PydanticCustomError("currency_unknown", "'{code}' is not an ISO 4217 currency "
                                  "code; use e.g. CNY, USD, EUR or HKD", {"code": code[:20]})
    return code


Currency = Annotated[str, AfterValidator(iso_currency),
                     Field(description="ISO 4217 code, e.g. CNY or USD",
                           json_schema_extra={"pattern": "^[A-Z]{3}$"})]
Amount = Annotated[float, Field(ge=0, le=MAX_AMOUNT)]


class Money(Strict):
    """An amount of money: exact (`amount`) or a range (`low`/`high`); never without currency."""

    amount: Amount | None = None
    low: Amount | None = None
    high: Amount | None = None
    currency: Currency
    note: ShortText | None = None

    @model_validator(mode="after")
    def _has_amount(self) -> Money:
        if self.amount is None and self.low is None and self.high is None:
            raise ValueError("give `amount`, or `low` and/or `high`")
        if self.low is not None and self.high is not None and self.high < self.low:
            raise ValueError("`high` is below `low`")
        return self

    def best(self) -> float:
        """Return the single figure to compare by: the amount, else the low end, else the high."""
        return next(v for v in (self.amount, self.low, self.high) if v is not None)


class Basis(str, Enum):
    """What a valuation is of: before or after the new money, a goal, or not said."""

    pre_money = "pre-money"
    post_money = "post-money"
    target = "target"
    unstated = "unstated"


class Valuation(Money):
    basis: Basis = Basis.unstated
