"""Pydantic models of a case file: one company, every fact with its sources and confidence.

No I/O here: `cases.py` reads YAML and hands plain data to `Case.model_validate`.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from functools import total_ordering
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError, core_schema

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
ShortText = Annotated[str, Field(min_length=1, max_length=2000)]


class Strict(BaseModel):
    """Base of every model: unknown keys are errors, so a typo never vanishes silently."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )


# ---------------------------------------------------------------- partial dates

_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@total_ordering
class PartialDate:
    """A date known to the year, the month or the day: `2024`, `2024-08`, `2024-08-15`."""

    __slots__ = ("year", "month", "day")

    def __init__(self, year: int, month: int | None = None, day: int | None = None):
        self.year, self.month, self.day = year, month, day

    @classmethod
    def parse(cls, raw: Any) -> PartialDate:
        if isinstance(raw, PartialDate):
            return raw
        if isinstance(raw, dt.date):
            return cls(raw.year, raw.month, raw.day)
        if isinstance(raw, bool) or not isinstance(raw, (int, str)):
            raise PydanticCustomError(
                "partial_date_type",
                "expected a date such as 2024, 2024-08 or 2024-08-15",
            )
        match = _DATE_RE.match(str(raw).strip())
        if not match:
            raise PydanticCustomError(
                "partial_date_format",
                "'{raw}' is not a date; write 2024, 2024-08 or 2024-08-15",
                {"raw": raw},
            )
        year, month, day = (int(g) if g else None for g in match.groups())
        try:
            dt.date(year, month or 1, day or 1)
        except ValueError:
            raise PydanticCustomError(
                "partial_date_impossible", "'{raw}' is not a real calendar date", {"raw": raw}
            ) from None
        return cls(year, month, day)

    def start(self) -> dt.date:
        """Return the first day the partial date may mean."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    def end(self) -> dt.date:
        """Return the last day the partial date may mean."""
        if self.day:
            return self.start()
        if self.month:
            nxt = dt.date(self.year + self.month // 12, self.month % 12 + 1, 1)
            return nxt - dt.timedelta(days=1)
        return dt.date(self.year, 12, 31)

    def _key(self) -> tuple[int, int, int]:
        return (self.year, self.month or 0, self.day or 0)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PartialDate) and self._key() == other._key()

    def __lt__(self, other: PartialDate) -> bool:
        return self._key() < other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __str__(self) -> str:
        parts = [f"{self.year:04d}"]
        if self.month:
            parts.append(f"{self.month:02d}")
        if self.day:
            parts.append(f"{self.day:02d}")
        return "-".join(parts)

    def __repr__(self) -> str:
        return f"PartialDate({self})"

    def human(self) -> str:
        """Return the date as a reader writes it: `15 Aug 2024`, `Aug 2024`, `2024`."""
        if self.day:
            return self.start().strftime("%-d %b %Y")
        if self.month:
            return self.start().strftime("%b %Y")
        return str(self.year)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler):
        return core_schema.no_info_plain_validator_function(
            cls.parse, serialization=core_schema.plain_serializer_function_ser_schema(str)
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: GetJsonSchemaHandler):
        return {
            "anyOf": [
                {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"},
                {"type": "integer", "minimum": 1000, "maximum": 9999},
            ],
            "description": "A date known to the year, month or day: 2024, 2024-08, 2024-08-15",
        }


# ---------------------------------------------------------------- facts


class Confidence(str, Enum):
    """How sure a fact is, strongest first."""

    confirmed = "confirmed"  # primary source: repository, model card, official page
    reported = "reported"  # press
    claimed = "claimed"  # the company says so, unverified
    rumour = "rumour"
    denied = "denied"  # reported, then officially denied
    disputed = "disputed"  # sources disagree

    @property
    def rank(self) -> int:
        return list(Confidence).index(self)


Cite = Annotated[list[Slug], Field(min_length=1, description="ids of entries in `sources`")]


class Quote(Strict):
    """A short quotation in its original language, with a translation."""

    zh: ShortText | None = None
    en: ShortText | None = None

    @model_validator(mode="after")
    def _one_language(self) -> Quote:
        if not (self.zh or self.en):
            raise ValueError("a quote needs `zh` or `en` text")
        return self


class Dispute(Strict):
    """Another source's version of one field of the record it sits on."""

    field: Annotated[str, Field(min_length=1)]
    value: str | int | float
    cite: Cite
    confidence: Confidence = Confidence.disputed
    note: ShortText | None = None


class Sourced(Strict):
    """A record that states facts: it cites sources and says how sure it is."""

    cite: Cite
    confidence: Confidence
    note: ShortText | None = None
    disputes: list[Dispute] = []


T = TypeVar("T")


class Fact(Sourced, Generic[T]):
    """One sourced value."""

    value: T
    quote: Quote | None = None


def _one_or_many(raw: Any) -> Any:
    return raw if isinstance(raw, list) else [raw]


class Name(Strict):
    """A name in English and, where it has one, Chinese."""

    en: ShortText
    zh: ShortText | None = None

    def both(self) -> str:
        return f"{self.en} ({self.zh})" if self.zh else self.en


# A profile fact may be one mapping, or a list of versions when sources disagree.
def Versions(inner: Any) -> Any:  # noqa: N802 - reads as a type in the models below
    return Annotated[list[Fact[inner]], BeforeValidator(_one_or_many), Field(min_length=1)]


# ---------------------------------------------------------------- money


class Money(Strict):
    """An amount of money: exact (`amount`) or a range (`low`/`high`); never without currency."""

    amount: Annotated[float, Field(ge=0)] | None = None
    low: Annotated[float, Field(ge=0)] | None = None
    high: Annotated[float, Field(ge=0)] | None = None
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")]
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


# ---------------------------------------------------------------- sources


class SourceKind(str, Enum):
    primary = "primary"
    press = "press"
    blog = "blog"
    analysis = "analysis"


class Source(Strict):
    """Something a fact was read in."""

    id: Slug
    title: ShortText
    publisher: ShortText | None = None
    author: ShortText | None = None
    date: PartialDate | None = None
    url: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None
    language: Annotated[str, Field(pattern=r"^[a-z]{2}(-[A-Za-z]{2,4})?$")] = "en"
    kind: SourceKind
    accessed: PartialDate | None = None
    note: ShortText | None = None


# ---------------------------------------------------------------- profile


class Backer(Sourced):
    name: Name
    relation: ShortText | None = None


class FundingRound(Sourced):
    date: PartialDate
    round: ShortText | None = None
    amount: Money | None = None
    valuation: Money | None = None
    lead_investors: list[ShortText] = []
    investors: list[ShortText] = []


class Profile(Strict):
    legal_name: Versions(Name) | None = None
    founded: Versions(PartialDate)
    headquarters: Versions(str) | None = None
    founders: Versions(list[str]) | None = None
    status: Versions(str) | None = None
    backers: list[Backer] = []
    funding_rounds: list[FundingRound] = []


# ---------------------------------------------------------------- strategy


class BusinessKind(str, Enum):
    developer_api = "developer_api"
    enterprise = "enterprise"
    consumer = "consumer"
    cloud = "cloud"
    hardware = "hardware"
    other = "other"


class BusinessLine(Sourced):
    name: ShortText
    kind: BusinessKind
    launched: PartialDate | None = None
    description: ShortText | None = None


class Move(Sourced):
    """A dated strategic move or public statement, and what happened after."""

    date: PartialDate
    title: ShortText
    quote: Quote | None = None
    outcome: ShortText | None = None
    outcome_date: PartialDate | None = None

    @field_validator("outcome_date")
    @classmethod
    def _outcome_after_move(cls, v: PartialDate | None, info: ValidationInfo):
        date = info.data.get("date")
        if v is not None and date is not None and v.end() < date.start():
            raise PydanticCustomError(
                "before_start", "outcome_date {v} is before the move's date {d}",
                {"v": str(v), "d": str(date)},
            )
        return v


class Strategy(Strict):
    positioning: Versions(str) | None = None
    target_customers: Versions(list[str]) | None = None
    business_lines: list[BusinessLine] = []
    moves: list[Move] = []


# ---------------------------------------------------------------- team


def _not_before(field: str, other: str, other_label: str | None = None):
    """Return a validator that rejects `field` earlier than the already-validated `other`."""
    label = other_label or other

    def check(cls, v: PartialDate | None, info: ValidationInfo):
        start = info.data.get(other)
        if v is not None and start is not None and v.end() < start.start():
            raise PydanticCustomError(
                "before_start",
                "{field} ({v}) is before {other} ({start})",
                {"field": field, "v": str(v), "other": label, "start": str(start)},
            )
        return v

    return field_validator(field)(classmethod(check))


class TeamFact(Sourced):
    label: ShortText
    value: ShortText


class Person(Sourced):
    id: Slug
    name: Name
    role: ShortText
    cofounder: bool = False
    joined: PartialDate | None = None
    left: PartialDate | None = None
    departed: bool = Field(False, description="has left, even where `left` is not known")
    went_to: ShortText | None = None
    background: ShortText | None = None

    _left_after_joined = _not_before("left", "joined")

    @property
    def has_left(self) -> bool:
        return self.departed or self.left is not None


class Team(Strict):
    facts: list[TeamFact] = []
    people: list[Person] = []


# ---------------------------------------------------------------- pricing


class Tier(str, Enum):
    """Which kind of price a price point is; charts and findings compare list prices."""

    list = "list"  # the standard published price
    promotional = "promotional"  # a time-limited discount
    off_peak = "off-peak"  # a discount for some hours of the day
    third_party = "third-party"  # a reseller's or cloud host's price, not the company's

    @property
    def label(self) -> str:
        return self.value.replace("-", " ")


class PricePoint(Sourced):
    """The published API price of one model for a period, per `unit`."""

    model: ShortText
    tier: Tier = Tier.list
    effective_from: PartialDate = Field(alias="from")
    until: PartialDate | None = None
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")]
    unit: Literal["1M tokens"] = "1M tokens"
    input: Annotated[float, Field(ge=0)]
    input_cache_hit: Annotated[float, Field(ge=0)] | None = None
    output: Annotated[float, Field(ge=0)] | None = None

    _until_after_from = _not_before("until", "effective_from", "from")


# ---------------------------------------------------------------- openness


class Grade(str, Enum):
    open = "open"
    partial = "partial"
    closed = "closed"
    na = "n/a"

    @property
    def points(self) -> float | None:
        return {"open": 1.0, "partial": 0.5, "closed": 0.0}.get(self.value)


class Cell(Strict):
    """One scorecard judgement with its evidence."""

    grade: Grade
    evidence: ShortText
    cite: Cite


# The 13 dimensions of the scorecard in the project's openness frame, in its order.
DIMENSIONS: dict[str, str] = {
    "base_weights": "Base-model weights",
    "released_weights": "Released-model weights",
    "weights_licence": "Weights licence",
    "intermediate_checkpoints": "Intermediate checkpoints",
    "training_code": "Training code",
    "inference_code": "Inference code & tooling",
    "architecture": "Architecture disclosure",
    "pretraining_data": "Pre-training data",
    "posttraining_data": "Post-training data",
    "paper": "Technical report & paper",
    "model_card": "Model card & evaluation",
    "compute": "Compute & cost disclosure",
    "access": "Access, API & usage policy",
}


# Labels short enough for a chart axis.
DIMENSION_SHORT: dict[str, str] = {
    "base_weights": "Base weights", "released_weights": "Released weights",
    "weights_licence": "Weights licence", "intermediate_checkpoints": "Checkpoints",
    "training_code": "Training code", "inference_code": "Inference code",
    "architecture": "Architecture", "pretraining_data": "Pre-training data",
    "posttraining_data": "Post-training data", "paper": "Report & paper",
    "model_card": "Model card", "compute": "Compute", "access": "Access & API",
}


class Scorecard(Strict):
    base_weights: Cell
    released_weights: Cell
    weights_licence: Cell
    intermediate_checkpoints: Cell
    training_code: Cell
    inference_code: Cell
    architecture: Cell
    pretraining_data: Cell
    posttraining_data: Cell
    paper: Cell
    model_card: Cell
    compute: Cell
    access: Cell

    def cells(self) -> list[tuple[str, Cell]]:
        return [(key, getattr(self, key)) for key in DIMENSIONS]

    def score(self) -> float:
        """Return points over applicable dimensions (n/a leaves the denominator), 0 to 1."""
        points = [c.grade.points for _, c in self.cells() if c.grade.points is not None]
        return sum(points) / len(points) if points else 0.0


class Licence(Strict):
    name: ShortText
    spdx: Annotated[str, Field(pattern=r"^[A-Za-z0-9.+-]+$")] | None = None
    url: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None

    def label(self) -> str:
        return self.spdx or self.name


class LicenceChange(Sourced):
    date: PartialDate
    licence: Licence


class Parameters(Strict):
    total_b: Annotated[float, Field(gt=0, description="billions of parameters")]
    active_b: Annotated[
        float, Field(gt=0, description="billions active per token (MoE)")] | None = None


class ReleaseKind(str, Enum):
    base = "base"
    chat = "chat"
    reasoning = "reasoning"
    distilled = "distilled"
    multimodal = "multimodal"
    code = "code"
    other = "other"


class Release(Sourced):
    """One model release: the unit the openness scorecard judges."""

    id: Slug
    model: ShortText
    date: PartialDate
    kind: ReleaseKind
    parameters: Parameters | None = None
    weights: Literal["open", "gated", "none"]
    licence: Licence | None = None
    licence_changes: list[LicenceChange] = []
    scorecard: Scorecard | None = None


# ---------------------------------------------------------------- timeline


class Category(str, Enum):
    model = "model"
    funding = "funding"
    strategy = "strategy"
    people = "people"
    pricing = "pricing"
    partnership = "partnership"
    product = "product"


class Event(Sourced):
    date: PartialDate
    category: Category
    title: ShortText


# ---------------------------------------------------------------- the case


class Case(Strict):
    """One company, as one case file describes it."""

    id: Slug
    name: Name
    sources: Annotated[list[Source], Field(min_length=1)]
    profile: Profile
    strategy: Strategy = Strategy()
    team: Team = Team()
    pricing: list[PricePoint] = []
    openness: list[Release] = []
    timeline: list[Event] = []


def case_schema() -> dict:
    """Return the JSON Schema of a case file, for editors (yaml-language-server)."""
    schema = Case.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "report case file", **schema}
