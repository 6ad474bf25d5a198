"""Per-company registers: the one place every count, "latest" and "best" is worked out.

The findings, the at-a-glance table, the fact-pack tables, the charts and the brief's live
facts all read these, so a number on page 2 cannot differ from the table on page 12. Ties are
broken one way everywhere: by date (the middle of its period), then by id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from ..model import (
    Case,
    FundingRound,
    Level,
    Person,
    PricePoint,
    Release,
    RoundStatus,
    Tier,
)
from .convert import Conversion, Converter

R = TypeVar("R")

# Licences the Open Source Initiative approved that model weights are commonly released under.
OSI_LICENCES = {"MIT", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "ISC", "MPL-2.0",
                "GPL-2.0-only", "GPL-3.0-only", "LGPL-3.0-only", "AGPL-3.0-only"}

# The like-for-like group departures are compared in: the same kind of people in each company.
LEADER_LEVELS = frozenset({Level.founder, Level.executive, Level.head})


def by_date(records: Iterable[R]) -> list[R]:
    """Return records oldest first; the tie-break every table and finding shares."""
    return sorted(records, key=lambda r: (r.date.sort_key(), r.id))


def latest(records: Iterable[R]) -> R | None:
    ordered = by_date(records)
    return ordered[-1] if ordered else None


def best_scored(releases: Iterable[Release]) -> Release | None:
    """The highest openness score; on a tie the later release, then the higher id."""
    scored = [r for r in releases if r.scorecard is not None]
    return max(scored, key=lambda r: (r.scorecard.score(), r.date.sort_key(), r.id),
               default=None)


def worst_scored(releases: Iterable[Release]) -> Release | None:
    scored = [r for r in releases if r.scorecard is not None]
    return min(scored, key=lambda r: (r.scorecard.score(), r.date.sort_key(), r.id),
               default=None)


def current_licence(release: Release):
    """Return the licence a release is under now: its last recorded change, else its first."""
    if release.licence_changes:
        return max(release.licence_changes, key=lambda ch: ch.date.sort_key()).licence
    return release.licence


def is_leader(person: Person) -> bool:
    return person.cofounder or person.level in LEADER_LEVELS


@dataclass(frozen=True)
class PriceStep:
    """The lowest list price on offer from `start`, in the comparison currency."""

    start: dt.date
    end: dt.date  # the last day there is evidence for
    point: PricePoint
    value: Conversion


@dataclass(frozen=True)
class Funding:
    rounds: tuple[FundingRound, ...]  # every round, oldest first, one row each
    closed: tuple[FundingRound, ...]
    raised: float | None  # closed rounds' amounts added up in the comparison currency
    raised_parts: tuple[Conversion, ...]  # each round's amount, with the rate it was converted at
    raised_is_minimum: bool  # some amount was only "at least", or unknown
    latest_valuation: FundingRound | None  # the latest closed round that gives a valuation
    latest_valuation_value: Conversion | None


@dataclass(frozen=True)
class CaseFacts:
    """One company's registers."""

    case: Case
    models: tuple[Release, ...]  # model releases, open or closed, oldest first
    other_releases: tuple[Release, ...]  # software and datasets
    open_weight: tuple[Release, ...]
    latest_model: Release | None
    latest_flagship: Release | None
    scored: tuple[Release, ...]
    best: Release | None
    worst: Release | None
    downloadable: tuple[Release, ...]  # weights open or gated
    osi_now: tuple[Release, ...]  # downloadable and under an OSI-approved licence now
    relicensed: tuple[Release, ...]
    list_prices: tuple[PricePoint, ...]
    input_steps: tuple[PriceStep, ...]
    output_steps: tuple[PriceStep, ...]
    funding: Funding
    people: tuple[Person, ...]
    leaders: tuple[Person, ...]  # founders, executives and heads of functions
    leaders_left: tuple[Person, ...]
    departed: tuple[Person, ...]

    @property
    def id(self) -> str:
        return self.case.id

    @property
    def lowest_input(self) -> PriceStep | None:
        """The lowest list input price in the latest price evidence."""
        return self.input_steps[-1] if self.input_steps else None


def register(case: Case, converter: Converter, currency: str, as_of: dt.date) -> CaseFacts:
    """Return the registers of one case, with money in `currency`."""
    releases = by_date(case.releases)
    models = tuple(r for r in releases if r.kind.is_model)
    downloadable = tuple(r for r in models if r.weights in ("open", "gated"))
    people = tuple(sorted(case.team.people, key=lambda p: (
        (p.joined.sort_key() if p.joined else (dt.date.min,)), p.id)))
    leaders = tuple(p for p in people if is_leader(p))
    list_prices = tuple(p for p in case.pricing if p.tier is Tier.list)
    return CaseFacts(
        case=case,
        models=models,
        other_releases=tuple(r for r in releases if not r.kind.is_model),
        open_weight=tuple(r for r in models if r.weights == "open"),
        latest_model=latest(models),
        latest_flagship=latest(r for r in models if r.flagship),
        scored=tuple(r for r in models if r.scorecard is not None),
        best=best_scored(models),
        worst=worst_scored(models),
        downloadable=downloadable,
        osi_now=tuple(r for r in downloadable
                      if (lic := current_licence(r)) is not None and lic.spdx in OSI_LICENCES),
        relicensed=tuple(r for r in models if r.licence_changes),
        list_prices=tuple(sorted(list_prices, key=lambda p: (p.start.sort_key(), p.id))),
        input_steps=tuple(price_steps(list_prices, "input", converter, currency)),
        output_steps=tuple(price_steps(list_prices, "output", converter, currency)),
        funding=_funding(case, converter, currency),
        people=people,
        leaders=leaders,
        leaders_left=tuple(p for p in leaders if p.has_left),
        departed=tuple(p for p in people if p.has_left),
    )


# ---------------------------------------------------------------- prices


def price_span(point: PricePoint, successors: list[PricePoint]) -> tuple[dt.date, dt.date]:
    """Return the days a price is known to have applied: from its start to its `until`, or to
    the day before the same model's next price, or to the last day a source shows it still in
    force, or else only the day it is evidenced."""
    start = point.start.start()
    if point.until is not None:
        return start, point.until.end()
    later = [p.start.start() for p in successors if p.start.start() > start]
    if later:
        return start, min(later) - dt.timedelta(days=1)
    if point.last_seen is not None:
        return start, point.last_seen.end()
    return start, start


def price_steps(points: Iterable[PricePoint], kind: str, converter: Converter,
                currency: str) -> list[PriceStep]:
    """Return the lowest list price on offer over time, one step per change.

    Each price counts from its start to the last day there is evidence for (see
    `price_span`); a step ends where the evidence ends, so a line never runs on past its
    last source.
    """
    spans = []
    points = list(points)
    for p in points:
        value = getattr(p, kind)
        if value is None:
            continue
        same_model = [q for q in points if q.model == p.model and q.currency == p.currency]
        start, end = price_span(p, same_model)
        converted = converter.convert(value, p.currency, p.start, currency)
        if converted is not None:
            spans.append((start, end, converted, p))
    cuts = sorted({d for s in spans for d in (s[0], s[1] + dt.timedelta(days=1))})
    steps: list[PriceStep] = []
    for left, right in zip(cuts, cuts[1:]):
        live = [s for s in spans if s[0] <= left <= s[1]]
        if not live:
            continue
        start, end, value, point = min(live, key=lambda s: (s[2].value, s[3].id))
        day_before = right - dt.timedelta(days=1)
        if steps and steps[-1].point is point and steps[-1].end == left - dt.timedelta(days=1):
            steps[-1] = PriceStep(steps[-1].start, day_before, point, value)
        else:
            steps.append(PriceStep(left, day_before, point, value))
    return steps


# ---------------------------------------------------------------- funding


def _funding(case: Case, converter: Converter, currency: str) -> Funding:
    rounds = tuple(by_date(case.profile.funding_rounds))
    closed = tuple(r for r in rounds if r.status is RoundStatus.closed)
    total, minimum = 0.0, False
    parts: list[Conversion] = []
    for r in closed:
        if r.amount is None:
            minimum = True
            continue
        converted = converter.convert(r.amount.best(), r.amount.currency, r.date, currency)
        if converted is None:
            minimum = True
            continue
        minimum = minimum or r.amount.amount is None
        total += converted.value
        parts.append(converted)
    valued = [r for r in closed if r.valuation is not None]
    last = valued[-1] if valued else None
    value = (converter.convert(last.valuation.best(), last.valuation.currency, last.date,
                               currency) if last else None)
    return Funding(rounds, closed, total if parts else None, tuple(parts), minimum, last, value)
