"""The brief's front matter: who wrote it, for whom, what it compares and the exhibits it
places. Its body (Markdown with live facts) is read by report/load/brief.py."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from .base import ShortText, Slug, Strict
from .dates import PartialDate
from .groups import Group
from .money import DEFAULT_CURRENCY, Currency


class Window(Strict):
    start: PartialDate = Field(alias="from")
    until: PartialDate

    @model_validator(mode="after")
    def _in_order(self) -> Window:
        if self.until.end() < self.start.start():
            raise ValueError(f"ends ({self.until}) before it starts ({self.start}); "
                             "swap `from` and `until`")
        return self


class Shade(Window):
    label: ShortText


# How likely the analyst judges a view, in the US Intelligence Community's words (ICD 203),
# least likely first; the catalogue says how each is written.
LIKELIHOOD = ("almost-no-chance", "very-unlikely", "unlikely", "roughly-even", "likely",
              "very-likely", "almost-certain")

# The fact pack's computed findings, by id: a brief may drop any (`drop_findings`) or write
# its own in their place (a `::: {.finding id="price"}` block in its body).
FINDINGS = ("price", "releases", "openness", "licences", "departures", "funding")

# What a brief may hold, far beyond what one needs: every exhibit, period and label is drawn,
# and 5,000 shaded periods on one chart ran for minutes.
MAX_EXHIBITS = 30
MAX_LABELLED = 40  # events labelled, prices drawn, rows of a table
MAX_SHADED = 12  # periods shaded on one chart
MAX_QUESTIONS = 12
MAX_GROUPS = 20

# A record of a case: case-id:record-id.
RecordKey = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*:[a-z0-9][a-z0-9-]*$")]


class Exhibit(Strict):
    """A chart the argument places: its id, kind and takeaway title. The rest of the mapping
    is the settings of that kind, checked by the kind's own options model (report/charts/
    exhibits/): the loading stage does not know the kinds of chart."""

    model_config = ConfigDict(**{**Strict.model_config, "extra": "allow"})

    id: Slug
    chart: Any = Field(description="the kind of chart (report/charts/exhibits/)")
    title: ShortText = Field(description="the takeaway, as a sentence")
    note: ShortText | None = None

    @property
    def settings(self) -> dict[str, Any]:
        """The kind's settings, as written in the front matter."""
        return dict(self.model_extra or {})


# The fact pack's sections, in the order they are printed.
FACT_PACK_PARTS = ("findings", "glance", "strategy", "team", "prices", "pricing", "releases",
                   "timeline")


class ShortBriefing(Strict):
    """What the short briefing holds besides the argument; the evidence annex holds all of it
    (the whole fact pack, every claim checked, the appendices and every source). `prices` is
    the short price table (launch and latest list price of each model, in one currency);
    `pricing` every price point."""

    fact_pack: Annotated[list[Literal[FACT_PACK_PARTS]], Field(  # type: ignore[valid-type]
        max_length=len(FACT_PACK_PARTS),
        description="the fact-pack sections the briefing prints, of: "
                    + ", ".join(FACT_PACK_PARTS))] = ["findings"]
    claims: Annotated[list[Slug], Field(
        max_length=200, description="ids of the load-bearing claims (claims.yaml) the "
                                    "briefing checks; the annex checks them all")] = []

    @field_validator("fact_pack", "claims")
    @classmethod
    def _once(cls, v: list[str]) -> list[str]:
        if len(set(v)) < len(v):
            raise ValueError("an entry is listed twice")
        return v


class FrontMatter(Strict):
    """The brief's front matter: who wrote it, for whom, and what it compares."""

    title: ShortText = Field(description="the thesis, as a sentence")
    short_title: Annotated[str, Field(min_length=1, max_length=80)] | None = Field(
        None, description="for running headers; default: the companies compared")
    subtitle: ShortText | None = None
    author: ShortText
    organisation: ShortText | None = None
    date: PartialDate
    audience: ShortText | None = None
    disclaimer: ShortText | None = None
    cases: list[Slug]
    questions: Annotated[list[ShortText], Field(max_length=MAX_QUESTIONS)] = []
    currency: Currency = DEFAULT_CURRENCY
    groups: Annotated[dict[Slug, Group], Field(max_length=MAX_GROUPS)] = Field(
        {}, description="groups of people a count is over: [[case:@left(group-id)]]")
    exhibits: Annotated[list[Exhibit], Field(max_length=MAX_EXHIBITS)] = []
    drop_findings: list[Literal[FINDINGS]] = Field(
        [], description="computed findings the fact pack leaves out: " + ", ".join(FINDINGS))
    briefing: ShortBriefing | None = Field(
        None, description="split the output into a short briefing, holding the argument and "
                          "what this chooses, and an evidence annex holding everything; "
                          "without it, one document holds everything")

    @field_validator("cases")
    @classmethod
    def _two_or_more(cls, v: list[str]) -> list[str]:
        if len(v) < 2:
            raise ValueError("a comparison needs at least 2 cases; list their ids")
        if len(set(v)) < len(v):
            raise ValueError("a case is listed twice")
        return v
