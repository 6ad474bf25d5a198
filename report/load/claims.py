"""The claims register: what sources claim, checked. Each claim carries who made it, the quote,
a verdict, the evidence with its citations and a one-line reason (schema.org ClaimReview's
vocabulary: the claim, its author, the rating, the review)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field

from ..errors import InputError, Problem, display_path
from ..model import Quote, Source, Strict
from ..model.base import ShortText, Slug
from .files import InputFiles
from .yamlfile import Doc, parse, read_text, validate

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


def load_claims(path: Path, files: InputFiles | None = None) -> tuple[ClaimsFile, Doc]:
    shown = display_path(path)
    doc = parse(read_text(path, shown, "claims file", files), shown)
    if not isinstance(doc.data, dict):
        raise InputError([Problem(shown, 1, 1, "", "a claims file is a mapping of format, "
                                  "sources and claims")])
    claims, problems = validate(ClaimsFile, doc)
    if claims is not None:
        problems += _duplicates(claims, doc)
    if problems:
        raise InputError(problems)
    return claims, doc


def _duplicates(claims: ClaimsFile, doc: Doc) -> list[Problem]:
    problems, seen = [], set()
    for i, claim in enumerate(claims.claims):
        if claim.id in seen:
            problems.append(doc.at(("claims", i, "id"), f"duplicate claim id '{claim.id}'"))
        seen.add(claim.id)
    seen = set()
    for i, source in enumerate(claims.sources):
        if source.id in seen:
            problems.append(doc.at(("sources", i, "id"), f"duplicate id '{source.id}'"))
        seen.add(source.id)
    return problems


def key_of(ref: str) -> str:
    """The bibliography key of a claims file's citation: its own sources get `claims:`."""
    return ref if ":" in ref else f"claims:{ref}"


def check_claims(claims: ClaimsFile, doc: Doc, known: set[str],
                 records: dict[str, set[str]] | None = None) -> list[Problem]:
    """Return a problem for every citation of the register that names no source, and for
    every fact it names that no case file holds (`records`: each case's record ids)."""
    from .yamlfile import Suggestions

    hint = Suggestions(known)
    records = records or {}
    fact_hint = Suggestions({f"{case}:{r}" for case, ids in records.items() for r in ids})
    problems = []
    for i, claim in enumerate(claims.claims):
        for j, fact in enumerate(claim.facts):
            case, record = fact.split(":", 1)
            if record not in records.get(case, ()):
                problems.append(doc.at(("claims", i, "facts", j),
                                       f"no fact '{fact}' in the case files{fact_hint(fact)}"))
        refs = [(("claims", i, "claimant", "source"), claim.claimant.source)]
        refs += [(("claims", i, "evidence", j, "cite", k), ref)
                 for j, ev in enumerate(claim.evidence) for k, ref in enumerate(ev.cite)]
        for loc, ref in refs:
            if key_of(ref) not in known:
                problems.append(doc.at(loc, f"unknown source '{ref}'"
                                            f"{hint(key_of(ref))}"))
    return problems


def verdicts_by_fact(claims: ClaimsFile | None) -> dict[tuple[str, str], tuple[Verdict, ...]]:
    """Each case fact a claim names (case id, record id), with the verdicts on it."""
    found: dict[tuple[str, str], tuple[Verdict, ...]] = {}
    for claim in claims.claims if claims else ():
        for fact in claim.facts:
            key = tuple(fact.split(":", 1))
            found[key] = (*found.get(key, ()), claim.verdict)
    return found


__all__ = ["Claim", "ClaimsFile", "Verdict", "check_claims", "key_of", "load_claims",
           "verdicts_by_fact"]
