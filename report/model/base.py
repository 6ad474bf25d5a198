"""The building blocks of every record: strict models, sources cited, confidence, disputes."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .dates import PartialDate

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
ShortText = Annotated[str, Field(min_length=1, max_length=2000)]
MAX_LIST = 5000  # items in any one list of a case file


class Strict(BaseModel):
    """Base of every model: unknown keys are errors, so a typo never vanishes silently."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )


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


Cite = Annotated[list[Slug], Field(min_length=1, max_length=100,
                                   description="ids of entries in `sources`")]


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

    field: Annotated[str, Field(min_length=1, max_length=64)]
    value: Annotated[str, Field(max_length=2000)] | int | float
    cite: Cite
    confidence: Confidence = Confidence.disputed
    note: ShortText | None = None


class Sourced(Strict):
    """A record that states facts: it cites sources and says how sure it is."""

    cite: Cite
    confidence: Confidence
    note: ShortText | None = None
    disputes: Annotated[list[Dispute], Field(max_length=100)] = []

    # Fields a dispute may not name: they say where a fact comes from, not what it is.
    META_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"cite", "confidence", "note", "disputes", "id"})

    @classmethod
    def disputable_fields(cls) -> list[str]:
        """Return the names a dispute's `field` may take on this kind of record."""
        return [f.alias or name for name, f in cls.model_fields.items()
                if name not in cls.META_FIELDS]


class Recorded(Sourced):
    """A sourced record with a stable id, so a brief can refer to it."""

    id: Slug


T = TypeVar("T")


class Fact(Sourced, Generic[T]):
    """One sourced value."""

    value: T
    quote: Quote | None = None


class Phase(Fact[T], Generic[T]):
    """One value of a series: what held from one date until another."""

    start: PartialDate = Field(alias="from")
    until: PartialDate | None = None

    @field_validator("until")
    @classmethod
    def _until_after_from(cls, v: PartialDate | None, info: ValidationInfo):
        start = info.data.get("start")
        if v is not None and start is not None and v.end() < start.start():
            raise ValueError(f"until ({v}) is before from ({start})")
        return v


def _series_in_order(phases: list[Phase]) -> list[Phase]:
    for before, after in zip(phases, phases[1:]):
        if after.start.start() < before.start.start():
            raise ValueError(f"a series runs oldest first: {after.start} comes after "
                             f"{before.start}")
        if before.until is not None and after.start.start() <= before.until.start() \
                and before.until.precision == "day" and after.start.precision == "day":
            raise ValueError(f"the value from {after.start} starts before the one before it "
                             f"ends ({before.until})")
    return phases


def _one_or_series(raw: Any) -> str:
    return "series" if isinstance(raw, list) else "one"


def Timed(inner: Any) -> Any:  # noqa: N802 - reads as a type in the models
    """A fact that is one sourced value, or a series of values over time (oldest first)."""
    series = Annotated[list[Phase[inner]], Field(min_length=1, max_length=100),
                       AfterValidator(_series_in_order)]
    return Annotated[Annotated[Fact[inner], Tag("one")] | Annotated[series, Tag("series")],
                     Discriminator(_one_or_series)]


def current(fact: Fact | list[Phase] | None) -> Fact | None:
    """Return the value that holds now: the fact itself, or the last phase of a series."""
    if isinstance(fact, list):
        return fact[-1] if fact else None
    return fact


class Name(Strict):
    """A name in English and, where it has one, Chinese."""

    en: ShortText
    zh: ShortText | None = None
