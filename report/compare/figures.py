"""A live fact's value, worked out from the registers: a Figure, with what a fair comparison
needs to know about it — its measure, the moment it is of, whether it is only a bound.

Nothing here writes a word; composing turns a Figure into the house style. `evaluate`
raises Incomparable when a mark cannot be worked out (a unit mismatch, a division by zero);
`comparison_warnings` says when one can be worked out but would mislead (values of different
moments, a bound set against a total).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace

from ..model import Case, Confidence, FundingRound, Money, PartialDate, PricePoint, current
from ..model.groups import Group
from ..model.marks import Expr, Operand
from ..model.references import FIELDS, PROFILE_FACTS
from . import CaseFacts, Comparison, Conversion, cites
from .moments import Moment, case_as_of, profile_fact_as_of
from .registers import register

# Measures a value can be of; values are compared only within one measure.
MONEY, PRICE, COUNT, SHARE, RATIO, DATE, DURATION, TEXT, RECORD = (
    "money", "price", "count", "share", "ratio", "date", "duration", "text", "record")
NUMERIC = {MONEY, PRICE, COUNT}
PRICE_FIELDS = ("input", "input_cache_hit", "output")
ROUND_MONEY = ("amount", "valuation")
DATE_FIELDS = {"date", "from", "seen", "until", "last_seen", "joined", "left", "launched",
               "ended", "outcome_date"}
FAR_APART = dt.timedelta(days=365)  # values further apart than this are of different moments
COUNTS = {"models": "models", "open-weight": "open_weight", "scored": "scored",
          "other-releases": "other_releases", "leaders": "leaders", "departed": "departed"}


class Incomparable(ValueError):
    """A mark that cannot be worked out; the message says why and what to write instead."""


@dataclass(frozen=True)
class Figure:
    """A value and what a fair comparison needs to know about it."""

    measure: str
    cites: tuple[str, ...]
    confidence: Confidence | None
    moment: Moment | None = None
    number: float | None = None  # in `currency` for money and prices
    currency: str | None = None
    conversion: Conversion | None = None  # when the number was converted: how
    money: Money | None = None  # as recorded: a range or a bound keeps its ends
    bound: str | None = None  # at_least | at_most | range
    date: PartialDate | None = None
    record: object | None = None
    field: str | None = None
    case_id: str | None = None
    of: int | None = None  # a count over a group: `number` of `of`
    group: str | None = None  # the group counted over (its id; "leaders" by default)
    parts: tuple[int, int] | None = None  # a total: rounds with an amount, rounds counted
    operands: tuple[Figure, ...] = ()
    op: str | None = None
    chosen: int | None = None  # max / min: which operand
    as_of: dt.date | None = None

    @property
    def empty(self) -> bool:
        """No value: it would print as a dash."""
        return self.measure != RECORD and self.number is None and self.date is None \
            and self.record is None and self.money is None


def evaluate(c: Comparison, expr: Expr, groups: Mapping[str, Group] | None = None) -> Figure:
    """Work out a mark's value from the comparison (as of its date, when it gives one)."""
    day = expr.as_of.end() if expr.as_of else None
    groups = groups or {}
    figures = tuple(_operand(c, o, expr.currency, day, groups) for o in expr.operands)
    if expr.currency:  # a date or a count "in USD" printed as if converted
        for o, figure in zip(expr.operands, figures):
            if figure.measure not in (MONEY, PRICE):
                raise Incomparable(f"{o} is {_KIND_OF.get(figure.measure, figure.measure)}, "
                                   f"not money: `in {expr.currency}` converts money and prices "
                                   "only")
    return figures[0] if expr.op is None else _combine(c, expr, figures)


_KIND_OF = {COUNT: "a count", DATE: "a date", TEXT: "text", RECORD: "a record",
            SHARE: "a share", RATIO: "a ratio", DURATION: "a duration"}


# ---------------------------------------------------------------- operands


def facts_at(c: Comparison, case_id: str, day: dt.date | None) -> CaseFacts:
    """One company's registers, as they stood on `day` (or on everything recorded)."""
    facts = c.by_id(case_id)
    if day is None:
        return facts
    cache = c.moments
    if (case_id, day) not in cache:
        cache[(case_id, day)] = register(case_as_of(facts.case, day), c.converter, c.currency,
                                         day)
    return cache[(case_id, day)]


def _operand(c: Comparison, o: Operand, currency: str | None, day: dt.date | None,
             groups: Mapping[str, Group]) -> Figure:
    facts = facts_at(c, o.case, day)
    if o.derived:
        figure = _derived(c, facts, o, day, groups)
        if currency and figure.currency and currency != figure.currency:
            raise Incomparable(f"{o} is worked out in {figure.currency}, the brief's "
                               f"currency: leave out `in {currency}`")
        return replace(figure, as_of=day)
    case = facts.case
    if o.record in PROFILE_FACTS:
        section, key = PROFILE_FACTS[o.record]
        raw = getattr(getattr(case, section), key)
        fact = profile_fact_as_of(raw, day) if day else current(raw)
        if fact is None:
            return Figure(TEXT, (), None, case_id=case.id, as_of=day)
        value = fact.value
        if isinstance(value, PartialDate):
            return Figure(DATE, cites(case, fact), fact.confidence, Moment.of(value),
                          date=value, record=fact, field="value", case_id=case.id, as_of=day)
        return Figure(TEXT, cites(case, fact), fact.confidence, record=fact, field="value",
                      case_id=case.id, as_of=day)
    record = case.records().get(o.record)
    if record is None:  # not yet there on `day`
        raise Incomparable(f"{o.case}:{o.record} had not happened by "
                           f"{day.isoformat() if day else 'then'}")
    name = o.field or FIELDS[type(record)][0]
    return replace(_field(c, case, record, name, currency), as_of=day)


def _field(c: Comparison, case: Case, record, name: str, currency: str | None) -> Figure:
    where, sure = cites(case, record), record.confidence
    if isinstance(record, PricePoint) and name in PRICE_FIELDS:
        amount = getattr(record, name)
        moment = _price_moment(c, case, record)
        conv = c.converter.convert(amount, record.currency, record.start, currency) \
            if currency else None
        if currency and conv is None:
            raise Incomparable(f"no exchange rate from {record.currency} to {currency}")
        shown = conv if conv is not None else Conversion(amount, record.currency, amount,
                                                         record.currency)
        return Figure(PRICE, where + c.converter.cites(conv), sure, moment, shown.value,
                      shown.currency, conv if conv and conv.converted else None,
                      record=record, field=name, case_id=case.id)
    if isinstance(record, FundingRound) and name in ROUND_MONEY:
        money = getattr(record, name)
        moment = Moment.of(record.date)
        if money is None:
            return Figure(MONEY, where, sure, moment, record=record, field=name,
                          case_id=case.id)
        target = currency or money.currency
        conv = c.converter.convert(money.best(), money.currency, record.date, target)
        if conv is None:
            raise Incomparable(f"no exchange rate from {money.currency} to {target}")
        return Figure(MONEY, where + c.converter.cites(conv), sure, moment, conv.value,
                      conv.currency, conv if conv.converted else None, money, _bound(money),
                      record=record, field=name, case_id=case.id)
    if name in DATE_FIELDS:
        value = record.effective_from if name == "from" else getattr(record, name, None)
        if value is None:
            return Figure(DATE, where, sure, record=record, field=name, case_id=case.id)
        return Figure(DATE, where, sure, Moment.of(value), date=value, record=record,
                      field=name, case_id=case.id)
    date = getattr(record, "date", None) or getattr(record, "start", None)
    return Figure(RECORD, where, sure, Moment.of(date) if isinstance(date, PartialDate)
                  else None, record=record, field=name, case_id=case.id)


def _price_moment(c: Comparison, case: Case, point: PricePoint) -> Moment:
    """The days a price is known to have applied (as the charts draw it)."""
    from .registers import price_span

    same_model = [q for q in case.pricing if q.model == point.model
                  and q.currency == point.currency]
    start, end = price_span(point, same_model)
    written = str(point.start)
    return Moment(start, end, written if end == start else f"{written} to {end.isoformat()}")


def _derived(c: Comparison, f: CaseFacts, o: Operand, day: dt.date | None,
             groups: Mapping[str, Group]) -> Figure:
    name, case = o.record[1:], f.case
    moment = Moment.of(day) if day else Moment.of(c.as_of)
    if name in COUNTS or name in ("rounds", "closed-rounds"):
        funding = {"rounds": f.funding.rounds, "closed-rounds": f.funding.closed}
        records = funding[name] if name in funding else getattr(f, COUNTS[name])
        return Figure(COUNT, cites(case, *records), _weakest(*records), moment,
                      float(len(records)), case_id=case.id)
    if name == "leaders-left":
        return Figure(COUNT, cites(case, *f.leaders_left), _weakest(*f.leaders_left), moment,
                      float(len(f.leaders_left)), of=len(f.leaders), group="leaders",
                      case_id=case.id)
    if name in ("left", "stayed", "members"):
        if o.group is None or o.group not in groups:
            raise Incomparable(f"@{name} counts over a group: write @{name}(GROUP) with a group "
                               "the front matter defines under `groups:`")
        group = groups[o.group]
        members = [p for p in f.people if group.holds(case.id, p)]
        chosen = {"left": [p for p in members if p.has_left],
                  "stayed": [p for p in members if not p.has_left],
                  "members": members}[name]
        # The whole group is cited: the reader can check who was counted, and who was not.
        return Figure(COUNT, cites(case, *chosen, *members), _weakest(*members), moment,
                      float(len(chosen)), of=None if name == "members" else len(members),
                      group=o.group, case_id=case.id)
    if name in ("latest-model", "latest-flagship", "best-openness"):
        release = {"latest-model": f.latest_model, "latest-flagship": f.latest_flagship,
                   "best-openness": f.best}[name]
        if release is None:
            return Figure(RECORD, (), None, moment, case_id=case.id, field=name)
        return Figure(RECORD, cites(case, release), release.confidence,
                      Moment.of(release.date), record=release, field=name, case_id=case.id)
    if name == "lowest-input":
        step = f.lowest_input
        if day is not None:
            step = next((s for s in f.input_steps if s.start <= day <= s.end), None)
        if step is None:
            return Figure(PRICE, (), None, moment, case_id=case.id, field=name)
        return Figure(PRICE, cites(case, step.point) + c.converter.cites(step.value),
                      step.point.confidence, Moment(step.start, step.end), step.value.value,
                      step.value.currency, step.value if step.value.converted else None,
                      record=step.point, field=name, case_id=case.id)
    if name in ("raised", "raised-outside", "raised-founder"):
        return _raised(c, f, name, moment)
    # latest-valuation
    r, conv = f.funding.latest_valuation, f.funding.latest_valuation_value
    if r is None:
        return Figure(MONEY, (), None, moment, case_id=case.id, field=name)
    return Figure(MONEY, cites(case, r) + c.converter.cites(conv), r.confidence,
                  Moment.of(r.date), conv.value if conv else None, conv.currency if conv
                  else None, conv if conv and conv.converted else None, r.valuation,
                  _bound(r.valuation), record=r, field=name, case_id=case.id)


def _raised(c: Comparison, f: CaseFacts, name: str, moment: Moment) -> Figure:
    """Closed rounds' money added up in the comparison currency; a total built from bounds,
    or with rounds of unknown amount, is a lower bound and says from how many rounds.
    `raised-founder` adds the founder's contributions where sources give them;
    `raised-outside` is each round's amount less its founder's and backer's parts."""
    fund, case = f.funding, f.case
    rounds = fund.closed
    total, parts, minimum, keys = 0.0, 0, False, list(cites(case, *rounds))
    counted = 0
    for r in rounds:
        own = [p for p in r.contributions if p.by.value in ("founder", "backer")]
        if name == "raised-founder":
            pieces = [p.amount for p in r.contributions if p.by.value == "founder"]
            if not pieces:
                continue
            keys += [k for k in cites(case, *r.contributions) if k not in keys]
        else:
            pieces = [r.amount]
        counted += 1
        value, bound = 0.0, False
        for money in pieces:
            conv = c.converter.convert(money.best(), money.currency, r.date, c.currency) \
                if money is not None else None
            if conv is None:
                bound = True
                break
            value += conv.value
            bound = bound or money.amount is None
            keys += [k for k in c.converter.cites(conv) if k not in keys]
        if name == "raised-outside" and own and value:
            for p in own:
                conv = c.converter.convert(p.amount.best(), p.amount.currency, r.date,
                                           c.currency) if p.amount else None
                if conv is None:  # the founder's share is not known: nor is the rest
                    value, bound = 0.0, True
                    break
                value -= conv.value
                keys += [k for k in cites(case, p) if k not in keys]
        if bound and value == 0.0:
            minimum = True
            continue
        minimum = minimum or bound
        total += value
        parts += 1
    if name == "raised-founder":
        rounds = tuple(r for r in rounds if any(p.by.value == "founder" for p in r.contributions))
    if not parts:
        return Figure(MONEY, tuple(keys), _weakest(*rounds), moment, case_id=case.id,
                      field=name, parts=(0, counted))
    span = Moment(min(r.date.start() for r in rounds), max(r.date.end() for r in rounds))
    return Figure(MONEY, tuple(keys), _weakest(*rounds), span, total, c.currency,
                  bound="at_least" if minimum else None, case_id=case.id, field=name,
                  parts=(parts, counted))


# ---------------------------------------------------------------- arithmetic


def _combine(c: Comparison, expr: Expr, figures: tuple[Figure, ...]) -> Figure:
    op = expr.op
    keys = tuple(dict.fromkeys(k for f in figures for k in f.cites))
    sure = _weakest(*figures)
    for f, o in zip(figures, expr.operands):
        if f.empty:
            raise Incomparable(f"{o} has no value to {_VERB[op]}")
    if op == "between":
        if any(f.measure != DATE for f in figures):
            raise Incomparable("between() measures the time between two dates")
        a, b = (f.date for f in figures)
        days = (b.mid() - a.mid()).days
        return Figure(DURATION, keys, sure, Moment(min(a.start(), b.start()),
                                                  max(a.end(), b.end())), float(days),
                      operands=figures, op=op, date=a if a.precision != "day" else b)
    measures = {f.measure for f in figures}
    if not measures <= NUMERIC or len(measures) > 1:
        kinds = " and ".join(sorted(measures))
        raise Incomparable(f"{_VERB[op]} needs values of one kind; these are {kinds}")
    currencies = {f.currency for f in figures if f.measure in (MONEY, PRICE)}
    if len(currencies) > 1:
        raise Incomparable(f"the values are in {' and '.join(sorted(currencies))}: add "
                           f"`in {c.currency}` to compare them in one currency (the rates "
                           "are printed)")
    a = figures[0].number
    if op == "ratio":
        b = figures[1].number
        if not b:
            raise Incomparable(f"{expr.operands[1]} is 0: a ratio cannot divide by it")
        return Figure(RATIO, keys, sure, None, a / b, operands=figures, op=op)
    if op == "change":
        if not a:
            raise Incomparable(f"{expr.operands[0]} is 0: a change from 0 has no percentage")
        return Figure(SHARE, keys, sure, None, (figures[1].number - a) / a, operands=figures,
                      op=op)
    if op == "difference":
        first = figures[0]
        return Figure(first.measure, keys, sure, None, a - figures[1].number, first.currency,
                      operands=figures, op=op)
    pick = (max if op == "max" else min)(range(len(figures)),
                                          key=lambda i: (figures[i].number, -i))
    return replace(figures[pick], operands=figures, op=op, chosen=pick)


_VERB = {"ratio": "divide", "difference": "subtract", "change": "compare", "between":
         "measure", "max": "compare", "min": "compare", None: "print"}


# ---------------------------------------------------------------- fair comparisons


def comparison_warnings(expr: Expr, figure: Figure) -> list[str]:
    """What makes a computed comparison unfair: values of moments far apart (with no common
    `as of`), or a bound or range set against a value."""
    if not figure.operands or figure.op == "between":
        return []
    found = []
    ops = figure.operands
    if expr.as_of is None:
        found += far_apart(list(zip(expr.operands, ops)))
    for o, f in zip(expr.operands, ops):
        if f.bound in ("at_least", "at_most"):
            found.append(f"{o} is only a bound ({_BOUND[f.bound]}): a {_NOUN[figure.op]} with "
                         "it is no more than a bound")
        elif f.bound == "range":
            found.append(f"{o} is a range: its low and high ends give different "
                         f"{_NOUN[figure.op]}s; compare one end, or say both")
    return found


def far_apart(pairs: list[tuple[object, Figure]]) -> list[str]:
    """A warning for the first two values (named by their marks) of moments more than a year
    apart."""
    dated = [(name, f) for name, f in pairs if f.moment is not None]
    for i, (n1, f1) in enumerate(dated):
        for n2, f2 in dated[i + 1:]:
            if f1.moment.gap(f2.moment) > FAR_APART:
                early, late = sorted(((n1, f1), (n2, f2)), key=lambda x: x[1].moment.start)
                return [f"compares values of moments {_months(early[1].moment, late[1].moment)}"
                        f" apart ({early[0]}: {early[1].moment}; {late[0]}: "
                        f"{late[1].moment}); take both `as of` one date, or mark each "
                        "`dated` so the sentence shows its date"]
    return []


def _months(a: Moment, b: Moment) -> str:
    days = a.gap(b).days
    return f"{days // 30} months" if days < 730 else f"{days / 365.25:.1f} years"


_BOUND = {"at_least": "at least", "at_most": "at most"}
_NOUN = {"ratio": "ratio", "difference": "difference", "change": "change", "max": "comparison",
         "min": "comparison"}


def _bound(money: Money | None) -> str | None:
    """at_least, at_most or range for money not known as one amount, else None."""
    if money is None or money.amount is not None:
        return None
    if money.low is not None and money.high is not None:
        return "range"
    return "at_least" if money.low is not None else "at_most"


def _weakest(*records) -> Confidence | None:
    levels = [r.confidence for r in records if getattr(r, "confidence", None) is not None]
    return max(levels, key=lambda c: c.rank, default=None)
