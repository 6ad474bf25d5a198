"""Live facts worked out as values (compare.figures), and the marks that name them
(model.marks): as of a date, over a group, the arithmetic, and what makes a comparison unfair.
Synthetic cases only (tests/data/good)."""

from __future__ import annotations

import datetime as dt

import pytest

from report.compare import compare
from report.compare.figures import Incomparable, comparison_warnings, evaluate
from report.load import load_inputs
from report.model.groups import Group
from report.model.marks import MarkError, parse_mark
from tests.conftest import GOOD

INPUTS = load_inputs(GOOD)
C = compare(INPUTS.cases, dt.date(2026, 1, 1), INPUTS.rates, "USD")
GROUPS = {"founding": Group(name="the founding team", cofounders=True),
          "in-2023": Group(name="the leaders in post at the end of 2023",
                           levels=["founder", "head"], in_post="2023-12-31")}


def value(mark: str):
    return evaluate(C, parse_mark(mark), GROUPS)


@pytest.mark.parametrize(("mark", "message"), [
    ("a:@raised as of 2024-13", "'as of 2024-13': write a date such as 2024-12-31, 2024-12 "
                                "or 2024"),
    ("foo(a:x)", "no function 'foo'; there are change(), between(), max(), min()"),
    ("a:x(g)", "'a:x(g)': only a derived figure (@…) takes a group"),
    ("a:x in usd", "'in usd': convert into an ISO 4217 currency code such as USD"),
    ("change(a:x.input)", "change() takes 2 values, separated by commas"),
    ("a:x.input in USD in EUR", "'in' is given twice"),
])
def test_a_malformed_mark_says_what_to_write(mark, message):
    with pytest.raises(MarkError) as err:
        parse_mark(mark)
    assert str(err.value) == message


def test_modifiers_come_in_any_order():
    expr = parse_mark("alpha:series-a.amount dated as of 2024-06 in USD")
    assert (expr.currency, str(expr.as_of), expr.dated) == ("USD", "2024-06", True)


def test_a_count_over_a_group_names_its_group_and_its_whole():
    founding = value("alpha:@left(founding)")
    assert (founding.number, founding.of, founding.group) == (1, 2, "founding")
    # as of the end of 2024 Bo (left March 2025) was still there
    assert value("alpha:@left(founding) as of 2024-12-31").number == 0
    # Cy, a researcher, is no leader; only Ada and Bo were in post at the end of 2023
    assert value("alpha:@members(in-2023)").number == 2
    with pytest.raises(Incomparable, match=r"@left counts over a group"):
        value("alpha:@left")


def test_a_count_of_nothing_is_zero():
    assert value("beta:@closed-rounds").number == 0  # Beta raised no outside round
    assert value("alpha:@closed-rounds as of 2023-06-30").number == 0


def test_a_total_from_a_lower_bound_is_itself_a_lower_bound_and_says_from_how_many_rounds():
    raised = value("alpha:@raised")
    assert (raised.number, raised.bound, raised.parts) == (100e6, "at_least", (1, 1))


def test_the_price_in_force_on_a_day():
    may = value("alpha:@lowest-input as of 2024-06")
    assert may.record.id == "large-2024-05"
    assert round(may.number, 4) == round(20 / 7.0, 4) or may.conversion is not None
    assert value("alpha:@lowest-input as of 2024-10-16").record.id == "lightning-2024-10"
    # Lightning's CNY price has no end and no later sighting: nothing shows it in force
    # two weeks on, so there is no price to give, not a guess.
    assert value("alpha:@lowest-input as of 2024-11-01").empty


def test_arithmetic_difference_change_between_max():
    change = value("change(alpha:large-2024-05.input, alpha:lightning-2024-10.input)")
    assert round(change.number, 4) == -0.9505
    days = value("between(alpha:alpha-34b.date, alpha:alpha-large.date)")
    assert days.number == (dt.date(2024, 5, 13) - dt.date(2023, 11, 2)).days
    biggest = value("max(alpha:large-2024-05.input, alpha:lightning-2024-10.input)")
    assert (biggest.chosen, biggest.record.id) == (0, "large-2024-05")


@pytest.mark.parametrize(("mark", "message"), [
    ("alpha:large-2024-05.input - alpha:series-a.amount",
     "subtract needs values of one kind; these are money and price"),
    ("alpha:@raised / beta:@raised", "beta:@raised has no value to divide"),
    ("between(alpha:alpha-34b.date, alpha:large-2024-05.input)",
     "between() measures the time between two dates"),
])
def test_a_mark_that_cannot_be_worked_out_says_why(mark, message):
    with pytest.raises(Incomparable) as err:
        value(mark)
    assert str(err.value) == message


def test_a_ratio_of_values_far_apart_or_of_a_bound_is_flagged():
    far = parse_mark("alpha:series-a.amount / alpha:large-2024-05.input")
    with pytest.raises(Incomparable):  # money by a price: not one kind
        evaluate(C, far, GROUPS)
    mixed = parse_mark("alpha:lightning-usd-seen.input / alpha:large-2024-05.input")
    with pytest.raises(Incomparable, match=r"^the values are in CNY and USD: add `in USD`"):
        evaluate(C, mixed, GROUPS)
    apart = parse_mark("beta:beta-chat-2024-05-06-cny.input / alpha:large-2024-05.input")
    assert comparison_warnings(apart, evaluate(C, apart, GROUPS)) == []
    far = parse_mark("gamma:gamma-pro-2024-01-cny.input / beta:beta-chat-2025-02-09-cny.input")
    assert comparison_warnings(far, evaluate(C, far, GROUPS)) == [
        "compares values of moments 13 months apart (gamma:gamma-pro-2024-01-cny.input: "
        "2024-01; beta:beta-chat-2025-02-09-cny.input: 2025-02-09); take "
        "both `as of` one date, or mark each `dated` so the sentence shows its date"]
    bound = parse_mark("alpha:series-a.amount / alpha:series-a.valuation")
    assert comparison_warnings(bound, evaluate(C, bound, GROUPS)) == [
        "alpha:series-a.amount is only a bound (at least): a ratio with it is no more than a "
        "bound"]


@pytest.mark.parametrize(("mark", "message"), [
    ("alpha:joint-lab.date in USD", "alpha:joint-lab.date is a date, not money: `in USD` "
                                    "converts money and prices only"),
    ("alpha:@leaders-left in USD", "alpha:@leaders-left is a count, not money: `in USD` "
                                   "converts money and prices only"),
    ("alpha:large-2024-05.input in EUR", "no exchange rate from CNY to EUR"),
])
def test_a_conversion_of_what_is_no_money_or_has_no_rate_is_refused(mark, message):
    with pytest.raises(Incomparable) as err:
        value(mark)
    assert str(err.value) == message


@pytest.mark.parametrize("x", [1e-300, 1.5e-12, 7e14, 1e20, 1e305, 1.7e308])
def test_a_figure_of_any_size_prints_in_full(x):
    """A rate of 1e-300 made converted figures fail to print (InvalidOperation); none is
    written with an exponent."""
    from report.words.style import Style

    style = Style()
    for text in (style.amount(x, "USD"), style.number(x), style.price(x, "USD")):
        assert "e+" not in text.lower() and "e-" not in text.lower(), text


def test_outside_money_is_told_from_the_founders(tmp_path):
    import shutil

    from report.load import load_inputs as load

    cases = tmp_path / "cases"
    shutil.copytree(GOOD, cases)
    alpha = cases / "alpha.yaml"
    alpha.write_text(alpha.read_text(encoding="utf-8").replace(
        "      lead_investors: [Big Cloud]\n",
        "      lead_investors: [Big Cloud]\n"
        "      contributions:\n"
        "        - {by: founder, amount: {amount: 30000000, currency: USD}, investors: [Ada],\n"
        "           cite: [news], confidence: reported}\n", 1), encoding="utf-8")
    inputs = load(cases)
    c = compare(inputs.cases, dt.date(2026, 1, 1), inputs.rates, "USD")
    founder = evaluate(c, parse_mark("alpha:@raised-founder"))
    outside = evaluate(c, parse_mark("alpha:@raised-outside"))
    everything = evaluate(c, parse_mark("alpha:@raised"))
    assert (founder.number, founder.bound) == (30e6, None)
    # the round was "at least USD 100M": what is left for outside investors is a bound too
    assert (everything.number, everything.bound) == (100e6, "at_least")
    assert (outside.number, outside.bound) == (70e6, "at_least")
