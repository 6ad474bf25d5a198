"""Pydantic models of the inputs: case files, exchange rates, the brief and its claims.

No I/O here: the loaders read files and hand plain data to these models.
"""

from .base import (
    Cite,
    Confidence,
    Dispute,
    Fact,
    Name,
    Phase,
    Quote,
    Recorded,
    Sourced,
    Strict,
    current,
)
from .case import (
    FORMAT,
    Backer,
    BusinessLine,
    Case,
    Category,
    Event,
    Function,
    FundingRound,
    Level,
    Licence,
    LicenceChange,
    Move,
    Person,
    PricePoint,
    Release,
    ReleaseKind,
    RoundStage,
    RoundStatus,
    Source,
    SourceKind,
    TeamFact,
    Tier,
)
from .dates import PartialDate
from .money import Basis, Money, Valuation
from .openness import DIMENSIONS, Grade, Scorecard
from .rates import Rate, RateKind, RatesFile

__all__ = [
    "Backer", "Basis", "BusinessLine", "Case", "Category", "Cite", "Confidence", "DIMENSIONS",
    "Dispute", "Event", "FORMAT", "Fact", "Function", "FundingRound", "Grade", "Level",
    "Licence", "LicenceChange", "Money", "Move", "Name", "PartialDate", "Person", "Phase",
    "PricePoint", "Quote", "Rate", "RateKind", "RatesFile", "Recorded", "Release",
    "ReleaseKind", "RoundStage", "RoundStatus", "Scorecard", "Source", "SourceKind", "Sourced",
    "Strict", "TeamFact", "Tier", "Valuation", "current",
]


def case_schema() -> dict:
    """Return the JSON Schema of a case file, for editors (yaml-language-server)."""
    schema = Case.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "report case file", **schema}
