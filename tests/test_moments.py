"""A case as of one day: releases out, rounds as reported by then, people in post, prices
in force. Synthetic cases only (tests/data/good)."""

from __future__ import annotations

import datetime as dt

from report.compare.moments import Moment, case_as_of
from report.load.cases import load_case
from report.model import RoundStatus
from tests.conftest import GOOD

ALPHA = load_case(GOOD / "alpha.yaml").case


def test_releases_and_events_after_the_day_are_not_there_yet():
    then = case_as_of(ALPHA, dt.date(2024, 6, 1))
    assert [r.id for r in then.releases] == ["alpha-34b", "alpha-large"]
    assert len(then.pricing) == len(ALPHA.pricing)  # the steps say which was in force
    assert then.timeline == []
    # the licence change of 30 May 2024 had happened; the kernels (2025-Q1) were not out
    assert [c.date.start() for c in then.releases[0].licence_changes] == [dt.date(2024, 5, 30)]
    assert "alpha-kernels" not in then.records()
    assert "alpha-kernels" in ALPHA.records()  # the whole case is untouched


def test_someone_who_left_later_was_in_post_and_a_later_joiner_is_not_counted():
    then = case_as_of(ALPHA, dt.date(2024, 12, 31))
    bo = next(p for p in then.team.people if p.id == "bo")
    assert bo.left is None and not bo.has_left and bo.went_to is None
    # Cy left on a date nobody gives: kept as departed, since nothing says when
    cy = next(p for p in then.team.people if p.id == "cy")
    assert cy.has_left
    before_bo = case_as_of(ALPHA, dt.date(2023, 4, 1))
    assert [p.id for p in before_bo.team.people] == ["ada"]


def test_a_round_shows_the_stage_it_had_reached_on_the_day():
    def series_b(day):
        return next((r for r in case_as_of(ALPHA, day).profile.funding_rounds
                     if r.id == "series-b"), None)

    assert series_b(dt.date(2024, 5, 1)) is None
    june = series_b(dt.date(2024, 6, 20))
    assert june.status is RoundStatus.rumoured and june.valuation.amount == 15e9
    assert june.history == []
    assert series_b(dt.date(2024, 9, 1)).status is RoundStatus.in_talks


def test_a_moment_measures_the_gap_between_two_values():
    may = Moment.of(dt.date(2024, 5, 6))
    assert may.gap(Moment(dt.date(2024, 5, 1), dt.date(2024, 10, 15))) == dt.timedelta(0)
    assert Moment.of(dt.date(2026, 6, 30)).gap(may).days == 785
