"""A case as of one day: what had happened by then, and nothing after.

Two values set side by side should be of the same moment. `case_as_of` cuts a case at a day
so the registers can be worked out as they stood then: the releases out, the rounds closed by
then (a round still in talks shows the stage it had reached), the people in post (someone who
left later was still there), the prices in force. A record whose date is known only to a
month, quarter or year counts from the middle of that period, as the charts draw it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..model import Case, FundingRound, PartialDate, current


@dataclass(frozen=True)
class Moment:
    """The days a value is of: one day, or a span (a price in force, a period)."""

    start: dt.date
    end: dt.date
    label: str | None = None  # as the case file writes it (2024-05), for messages

    @classmethod
    def of(cls, date: PartialDate | dt.date) -> Moment:
        if isinstance(date, dt.date):
            return cls(date, date)
        return cls(date.start(), date.end(), str(date))

    def __str__(self) -> str:
        if self.label:
            return self.label
        if self.start == self.end:
            return self.start.isoformat()
        return f"{self.start.isoformat()} to {self.end.isoformat()}"

    def gap(self, other: Moment) -> dt.timedelta:
        """Days between the two, nothing when they overlap."""
        if self.end < other.start:
            return other.start - self.end
        if other.end < self.start:
            return self.start - other.end
        return dt.timedelta(0)


def by(date: PartialDate | None, day: dt.date) -> bool:
    """Whether something dated `date` had happened by `day` (the middle of a partial date's
    period, as the charts place it)."""
    return date is not None and date.mid() <= day


def case_as_of(case: Case, day: dt.date) -> Case:
    """Return the case as it stood at the end of `day`."""
    profile = case.profile.model_copy(update={
        "funding_rounds": [r for r in (_round_as_of(r, day) for r in case.profile.funding_rounds)
                           if r is not None],
        "backers": list(case.profile.backers),
    })
    strategy = case.strategy.model_copy(update={
        "moves": [m for m in case.strategy.moves if by(m.date, day)],
        "business_lines": [b.model_copy(update={"ended": b.ended if by(b.ended, day) else None})
                           for b in case.strategy.business_lines
                           if b.launched is None or by(b.launched, day)],
    })
    team = case.team.model_copy(update={
        "people": [_person_as_of(p, day) for p in case.team.people
                   if p.joined is None or by(p.joined, day)],
    })
    releases = [r.model_copy(update={"licence_changes": [
        c for c in r.licence_changes if by(c.date, day)]})
        for r in case.releases if by(r.date, day)]
    cut = case.model_copy(update={
        "profile": profile, "strategy": strategy, "team": team, "releases": releases,
        # Prices stay whole: a later price is what ends an earlier one's evidence, and the
        # price in force on the day is the step that covers it (registers.price_steps).
        "pricing": list(case.pricing),
        "timeline": [e for e in case.timeline if by(e.date, day)],
    })
    cut.__dict__.pop("_records", None)  # model_copy keeps the whole case's cached index
    return cut


def _person_as_of(person, day: dt.date):
    """Someone who left after `day` was still in post on it. A departure with no date
    (`departed: true`) is kept: nothing says when it happened."""
    if person.left is not None and not by(person.left, day):
        return person.model_copy(update={"left": None, "departed": False, "went_to": None})
    return person


def _round_as_of(r: FundingRound, day: dt.date) -> FundingRound | None:
    """The round as it had been reported by `day`: its last stage by then, or nothing."""
    if by(r.date, day):
        return r
    earlier = [s for s in r.history if by(s.date, day)]
    if not earlier:
        return None
    stage = max(earlier, key=lambda s: s.date.sort_key())
    return r.model_copy(update={
        "date": stage.date, "status": stage.status, "amount": stage.amount,
        "valuation": stage.valuation, "lead_investors": stage.lead_investors,
        "investors": stage.investors, "cite": stage.cite, "confidence": stage.confidence,
        "history": [s for s in r.history if s is not stage and by(s.date, day)],
    })


def profile_fact_as_of(fact, day: dt.date):
    """The phase of a series that held on `day` (or the one fact, when it had begun)."""
    if isinstance(fact, list):
        held = [phase for phase in fact if by(phase.start, day)]
        return held[-1] if held else None
    return current(fact)
