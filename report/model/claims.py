"""The claims register: what sources claim, checked. Each claim carries who made it, the quote,
a verdict, the evidence with its citations and a one-line reason (schema.org ClaimReview's
vocabulary: the claim, its author, the rating, the review)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Literal

from pydantic import Field

from .base import Quote, ShortText, Slug, Strict
from .case import Source

CiteKey = Annotated[str, Field(pattern=r"^([a-z0-9][a-z0-9-]*:)?[a-z0-9][a-z0-9-]*$",
                               description="a source: case-id:source-id, or a source of "
                                           "this file by its id")]


class Verdict(str, Enum):
    supported = "supported"
    partly_supported = "partly-supported"
    unsupported = "unsupported"
    contradicted = "contradicted"
    unverifiable = "unverifiable"

    @property
    def rating(self) -> int:
        """ClaimReview's ratingValue, 1 (worst) to 5 (best); unverifiable has none."""
        return {"contradicted": 1, "unsupported": 2, "partly-supported": 3,
                "supported": 5}.get(self.value, 0)


class Claimant(Strict):
    source: CiteKey  # where the claim was made
    who: ShortText  # who made it, as the reader should see it


class Evidence(Strict):
    text: ShortText
    cite: Annotated[list[CiteKey], Field(min_length=1)]


FactKey = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*:[a-z0-9][a-z0-9_-]*$",
                               description="a case fact: case-id:record-id")]


class Claim(Strict):
    id: Slug
    claimant: Claimant
    quote: Quote
    about: Slug | None = None
    facts: Annotated[list[FactKey], Field(
        max_length=50, description="the case facts that repeat this claim: the fact pack "
                                   "points from each to the verdict")] = []
    verdict: Verdict
    reason: ShortText = Field(description="why this verdict, in one line")
    evidence: Annotated[list[Evidence], Field(min_length=1)]


class ClaimsFile(Strict):
    format: Literal[2]
    sources: list[Source] = []
    claims: Annotated[list[Claim], Field(min_length=1)]


def key_of(ref: str) -> str:
    """The bibliography key of a claims file's citation: its own sources get `claims:`."""
    return ref if ":" in ref else f"claims:{ref}"


def verdicts_by_fact(claims: ClaimsFile | None) -> dict[tuple[str, str], tuple[Verdict, ...]]:
    """Each case fact a claim names (case id, record id), with the verdicts on it."""
    found: dict[tuple[str, str], tuple[Verdict, ...]] = {}
    for claim in claims.claims if claims else ():
        for fact in claim.facts:
            key = tuple(fact.split(":", 1))
            found[key] = (*found.get(key, ()), claim.verdict)
    return found
