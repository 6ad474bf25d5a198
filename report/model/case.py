"""A case file: one company, every fact with its sources and confidence (format 2).

No I/O here: `load/cases.py` reads YAML and hands plain data to `Case.model_validate`.
"""

from __future__ import annotations

from enum import Enum
from functools import cached_property
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from .base import (
    MAX_LIST,
    Cite,
    Confidence,
    Fact,
    Name,
    Quote,
    Recorded,
    ShortText,
    Slug,
    Sourced,
    Strict,
    Timed,
)
from .dates import PartialDate
from .money import Amount, Currency, Money, Valuation
from .openness import Scorecard

FORMAT = 2  # the case-file format this version of the tool writes and reads

Url = Annotated[str, Field(pattern=r"^https?://\S+$", max_length=2000)]


def Many(item: type) -> type:  # noqa: N802 - reads as a type in the models below
    """A list of records, bounded so a runaway file fails clearly instead of slowly."""
    return Annotated[list[item], Field(max_length=MAX_LIST)]


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
    url: Url | None = None
    language: Annotated[str, Field(pattern=r"^[a-z]{2}(-[A-Za-z]{2,4})?$")] = "en"
    kind: SourceKind
    seed: bool = Field(False, description="one of the articles the briefing answers")
    accessed: PartialDate | None = None
    note: ShortText | None = None


# ---------------------------------------------------------------- profile


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


class Backer(Recorded):
    name: Name
    relation: ShortText | None = None


class RoundStatus(str, Enum):
    """How far a funding round had got when a source reported it."""

    rumoured = "rumoured"
    in_talks = "in-talks"
    announced = "announced"
    closed = "closed"


class MoneyFrom(str, Enum):
    """Whose money it was: the derived figures tell outside money from the founder's."""

    founder = "founder"
    backer = "backer"  # the company's own backer or parent, not an outside investor
    outside = "outside"  # outside investors
    state = "state"  # a state fund: outside money with a government behind it


class Contribution(Sourced):
    """Part of a round that one kind of investor put in, where sources say."""

    by: MoneyFrom
    amount: Money | None = None
    investors: list[ShortText] = []


class RoundStage(Sourced):
    """An earlier report of a funding round: what was said of it, and when."""

    date: PartialDate
    status: RoundStatus
    amount: Money | None = None
    valuation: Valuation | None = None
    lead_investors: list[ShortText] = []
    investors: list[ShortText] = []


class FundingRound(RoundStage, Recorded):
    """One funding round as last reported; `history` keeps its earlier reports."""

    round: ShortText | None = None
    key: bool = False
    history: Annotated[list[RoundStage], Field(max_length=100)] = []
    contributions: Annotated[list[Contribution], Field(max_length=100)] = Field(
        [], description="who put the money in, where sources say: founder, backer, outside "
                        "investors, state fund")


class Profile(Strict):
    legal_name: Timed(Name) | None = None
    founded: Fact[PartialDate]
    headquarters: Timed(str) | None = None
    founders: Timed(list[str]) | None = None
    status: Timed(str) | None = None
    backers: Many(Backer) = []
    funding_rounds: Many(FundingRound) = []


# ---------------------------------------------------------------- strategy


class BusinessKind(str, Enum):
    developer_api = "developer_api"
    enterprise = "enterprise"
    consumer = "consumer"
    cloud = "cloud"
    hardware = "hardware"
    other = "other"


class BusinessLine(Recorded):
    name: ShortText
    kind: BusinessKind
    launched: PartialDate | None = None
    ended: PartialDate | None = None
    description: ShortText | None = None

    _ended_after_launch = _not_before("ended", "launched")


class Move(Recorded):
    """A dated strategic move or public statement, and what happened after."""

    date: PartialDate
    title: ShortText
    quote: Quote | None = None
    outcome: ShortText | None = None
    outcome_date: PartialDate | None = None
    key: bool = False

    _outcome_after_move = _not_before("outcome_date", "date", "the move's date")


class Strategy(Strict):
    positioning: Timed(str) | None = None
    target_customers: Timed(list[str]) | None = None
    business_lines: Many(BusinessLine) = []
    moves: Many(Move) = []


# ---------------------------------------------------------------- team


class TeamFact(Recorded):
    label: ShortText
    value: ShortText


class Level(str, Enum):
    """How senior someone was: the like-for-like departure comparison takes one group."""

    founder = "founder"
    executive = "executive"
    head = "head"  # heads a function (pre-training, infrastructure, product …)
    researcher = "researcher"
    staff = "staff"


class Function(str, Enum):
    leadership = "leadership"
    pre_training = "pre-training"
    infrastructure = "infrastructure"
    post_training = "post-training"
    multimodal = "multimodal"
    research = "research"
    product = "product"
    business = "business"
    finance = "finance"
    other = "other"


class Person(Recorded):
    name: Name
    role: ShortText
    level: Level | None = None
    function: Function | None = None
    cofounder: bool = False
    joined: PartialDate | None = None
    left: PartialDate | None = None
    departed: bool = Field(False, description="has left, even where `left` is not known")
    went_to: ShortText | None = None
    background: ShortText | None = None
    key: bool = False

    _left_after_joined = _not_before("left", "joined")

    @property
    def has_left(self) -> bool:
        return self.departed or self.left is not None


class Team(Strict):
    facts: Many(TeamFact) = []
    people: Many(Person) = []


# ---------------------------------------------------------------- pricing


class Tier(str, Enum):
    """Which kind of price a price point is; charts and findings compare list prices."""

    list = "list"  # the standard published price
    promotional = "promotional"  # a time-limited discount
    off_peak = "off-peak"  # a discount for some hours of the day
    third_party = "third-party"  # a reseller's or cloud host's price, not the company's


Price = Annotated[float, Field(ge=0, le=1e6)]


class PricePoint(Recorded):
    """The published API price of one model for a period, per `unit`.

    `from` is the day the price took effect; a price only seen on a page on some day, with no
    known start, gives `seen` instead.
    """

    model: ShortText
    release: Slug | None = Field(None, description="id of the release this price is for")
    tier: Tier = Tier.list
    effective_from: PartialDate | None = Field(None, alias="from")
    seen: PartialDate | None = None
    until: PartialDate | None = None
    last_seen: PartialDate | None = Field(
        None, description="the latest day a source shows the price still in force")
    hours: ShortText | None = Field(None, description="for off-peak prices: when they apply")
    currency: Currency
    unit: Literal["1M tokens"] = "1M tokens"
    input: Price
    input_cache_hit: Price | None = None
    output: Price | None = None
    key: bool = False

    @field_validator("until")
    @classmethod
    def _until_after_start(cls, v: PartialDate | None, info: ValidationInfo):
        name = "from" if info.data.get("effective_from") else "seen"
        start = info.data.get("effective_from") or info.data.get("seen")
        if v is not None and start is not None and v.end() < start.start():
            raise PydanticCustomError("before_start", "until ({v}) is before {name} ({start})",
                                      {"v": str(v), "name": name, "start": str(start)})
        return v

    @field_validator("last_seen")
    @classmethod
    def _seen_after_start(cls, v: PartialDate | None, info: ValidationInfo):
        start = info.data.get("effective_from") or info.data.get("seen")
        if v is not None and start is not None and v.end() < start.start():
            raise PydanticCustomError("before_start", "last_seen ({v}) is before the price's "
                                      "start ({start})", {"v": str(v), "start": str(start)})
        return v

    @model_validator(mode="after")
    def _one_start(self) -> PricePoint:
        if self.effective_from is None and self.seen is None:
            raise ValueError("give `from` (the day the price took effect) or `seen` (the day "
                             "it was seen on a price page)")
        if self.effective_from is not None and self.seen is not None:
            raise ValueError("give either `from` (the day the price took effect) or `seen` "
                             "(the day it was only seen on a price page), not both")
        return self

    @property
    def start(self) -> PartialDate:
        """Return the first date the price is known to apply."""
        return self.effective_from or self.seen

    @property
    def only_seen(self) -> bool:
        return self.effective_from is None


# ---------------------------------------------------------------- releases


class OwnSource(Strict):
    """Part of a record that may rest on other sources than the record itself."""

    cite: Cite | None = None
    confidence: Confidence | None = None


class Licence(OwnSource):
    name: ShortText
    spdx: Annotated[str, Field(pattern=r"^[A-Za-z0-9.+-]+$", max_length=64)] | None = None
    url: Url | None = None


class LicenceChange(Sourced):
    date: PartialDate
    licence: Licence


class Parameters(OwnSource):
    total_b: Annotated[float, Field(gt=0, le=1e5, description="billions of parameters")]
    active_b: Annotated[float, Field(gt=0, le=1e5,
                                     description="billions active per token (MoE)")] | None = None


class ReleaseKind(str, Enum):
    base = "base"
    chat = "chat"
    reasoning = "reasoning"
    distilled = "distilled"
    multimodal = "multimodal"
    code = "code"
    math = "math"
    prover = "prover"
    other = "other"
    software = "software"  # a tool, library or inference engine
    dataset = "dataset"

    @property
    def is_model(self) -> bool:
        return self not in (ReleaseKind.software, ReleaseKind.dataset)


class Release(Recorded):
    """One release, open or closed: a model, or software or data a company published."""

    name: ShortText
    date: PartialDate
    kind: ReleaseKind
    flagship: bool = Field(False, description="the company's headline model at the time")
    parameters: Parameters | None = None
    weights: Literal["open", "gated", "none"] | None = None
    licence: Licence | None = None
    licence_changes: Annotated[list[LicenceChange], Field(max_length=100)] = []
    scorecard: Scorecard | None = None
    key: bool = False

    @model_validator(mode="after")
    def _weights_for_models(self) -> Release:
        if self.kind.is_model and self.weights is None:
            raise ValueError("a model release needs `weights`: open, gated or none")
        if not self.kind.is_model and (self.weights or self.parameters or self.scorecard):
            raise ValueError(f"a {self.kind.value} release has no weights, parameters or "
                             "openness scorecard; those are for models")
        return self


# ---------------------------------------------------------------- timeline


class Category(str, Enum):
    model = "model"
    funding = "funding"
    strategy = "strategy"
    people = "people"
    pricing = "pricing"
    partnership = "partnership"
    product = "product"


class Event(Recorded):
    """A dated happening that is no other kind of record."""

    date: PartialDate
    category: Category
    title: ShortText
    key: bool = False


# ---------------------------------------------------------------- the case


class Case(Strict):
    """One company, as one case file describes it."""

    format: Literal[2] = Field(description="the case-file format: 2")
    id: Slug
    name: Name
    sources: Annotated[list[Source], Field(min_length=1, max_length=MAX_LIST)]
    profile: Profile
    strategy: Strategy = Strategy()
    team: Team = Team()
    pricing: Many(PricePoint) = []
    releases: Many(Release) = []
    timeline: Many(Event) = []

    def records(self) -> dict[str, Recorded]:
        """Return every record with an id, by id (sources apart: they are cited, not
        stated)."""
        return self._records

    @cached_property
    def _records(self) -> dict[str, Recorded]:  # a brief asks once per mark: made once
        found: dict[str, Recorded] = {}
        for group in (self.profile.backers, self.profile.funding_rounds,
                      self.strategy.business_lines, self.strategy.moves, self.team.facts,
                      self.team.people, self.pricing, self.releases, self.timeline):
            for record in group:
                found.setdefault(record.id, record)
        return found


__all__ = ["Amount", "Case", "Confidence", "Fact", "FORMAT", "Money", "Valuation"]
