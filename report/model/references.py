"""What a live fact in the brief may name: a profile or strategy fact by its name, a field of
a record, or a figure the comparison derives. The loading stage checks a brief's marks
against these lists and the compose stage writes them out, so the two cannot disagree."""

from __future__ import annotations

from .case import (
    Backer,
    BusinessLine,
    Case,
    Event,
    FundingRound,
    Move,
    Person,
    PricePoint,
    Release,
    TeamFact,
)

PROFILE_FACTS = {
    "founded": ("profile", "founded"), "headquarters": ("profile", "headquarters"),
    "founders": ("profile", "founders"), "status": ("profile", "status"),
    "legal_name": ("profile", "legal_name"), "positioning": ("strategy", "positioning"),
    "target_customers": ("strategy", "target_customers"),
}
DERIVED = ("models", "open-weight", "other-releases", "latest-model", "latest-flagship",
           "best-openness", "scored", "lowest-input", "leaders", "leaders-left", "departed",
           "rounds", "closed-rounds", "raised", "raised-outside", "raised-founder",
           "latest-valuation", "left", "stayed", "members")
# Derived figures counted over a group the front matter defines: @left(founding-team).
OVER_A_GROUP = ("left", "stayed", "members")
# The fields a live fact may name on each kind of record, and the first one is the default.
FIELDS: dict[type, tuple[str, ...]] = {
    PricePoint: ("input", "input_cache_hit", "output", "from", "seen", "until", "model", "tier",
                 "hours"),
    FundingRound: ("amount", "valuation", "date", "status", "round", "lead_investors",
                   "investors"),
    Person: ("name", "role", "joined", "left", "went_to", "tenure"),
    Release: ("name", "date", "licence", "parameters", "weights", "kind", "score"),
    Move: ("title", "date", "outcome", "outcome_date"),
    Event: ("title", "date"),
    TeamFact: ("value", "label"),
    BusinessLine: ("name", "launched", "ended", "description"),
    Backer: ("name", "relation"),
}
MONEY_FIELDS = {"input", "input_cache_hit", "output", "amount", "valuation"}


def profile_fact(case: Case, name: str):
    """The profile or strategy fact a brief names (`founded`, `positioning` …)."""
    section, key = PROFILE_FACTS[name]
    return getattr(getattr(case, section), key)
