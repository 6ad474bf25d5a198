"""Live facts: a brief's `[[case:record.field]]` marks checked against the cases and written
out as the value, its citation and, below confirmed, its confidence.

What a mark may name: a record by its id and one of its fields; a profile or strategy fact by
its name (`founded`, `status`, `positioning` …, the value that holds now); or a figure the
comparison derives (`@leaders-left`, `@lowest-input` …), from the same registers as the
tables, so prose and tables cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..compare import CaseFacts, Comparison, Conversion, cites
from ..errors import Problem
from ..escape import Md, escape, sourced
from ..load.brief import Brief, FactRef, Operand
from ..load.yamlfile import Suggestions, did_you_mean
from ..model import (
    Backer,
    BusinessLine,
    Case,
    Confidence,
    Event,
    FundingRound,
    Move,
    Person,
    PricePoint,
    Release,
    TeamFact,
    current,
)
from .tables import Tables

PROFILE_FACTS = {
    "founded": ("profile", "founded"), "headquarters": ("profile", "headquarters"),
    "founders": ("profile", "founders"), "status": ("profile", "status"),
    "legal_name": ("profile", "legal_name"), "positioning": ("strategy", "positioning"),
    "target_customers": ("strategy", "target_customers"),
}
DERIVED = ("models", "open-weight", "other-releases", "latest-model", "latest-flagship",
           "best-openness", "scored", "lowest-input", "leaders", "leaders-left", "departed",
           "rounds", "closed-rounds", "raised", "latest-valuation")
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


@dataclass(frozen=True)
class Value:
    """A resolved live fact: the words, where they come from, and the figure behind them."""

    text: str
    cites: tuple[str, ...]
    confidence: Confidence | None
    figure: Conversion | float | None = None  # what a ratio divides


# ---------------------------------------------------------------- checking


def check_references(brief: Brief, cases: dict[str, Case],
                     citation_keys: set[str]) -> list[Problem]:
    """Return a problem for every mark or citation in the brief that points nowhere."""
    problems = []
    hints = Hints(cases)
    for name in brief.meta.cases:
        if name not in cases:
            problems.append(brief.doc.at(("cases", brief.meta.cases.index(name)), (
                f"no case file has the id '{name}'{hints.case(name)}")))
    for ref in brief.facts:
        for operand in (ref.left, ref.right):
            if operand is not None:
                why = _dangling(operand, cases, hints)
                if why:
                    problems.append(Problem(brief.shown, ref.line, ref.column, "",
                                            f"[[{ref.text}]]: {why}"))
        if ref.right is not None and not (_numeric(ref.left, cases) and
                                          _numeric(ref.right, cases)):
            problems.append(Problem(brief.shown, ref.line, ref.column, "", (
                f"[[{ref.text}]]: a ratio divides two prices or amounts of money")))
    exhibits = {e.id for e in brief.meta.exhibits}
    for mark in brief.exhibits:
        if mark.id not in exhibits:
            problems.append(Problem(brief.shown, mark.line, mark.column, "", (
                f"no exhibit '{mark.id}' in the front matter"
                f"{did_you_mean(mark.id, exhibits)}")))
    for i, exhibit in enumerate(brief.meta.exhibits):
        for j, name in enumerate(exhibit.cases):
            if name not in cases:
                problems.append(brief.doc.at(("exhibits", i, "cases", j), (
                    f"no case file has the id '{name}'{hints.case(name)}")))
        for j, target in enumerate(exhibit.prices):
            case_id, record_id = target.split(":", 1)
            case = cases.get(case_id)
            points = {p.id for p in case.pricing} if case else set()
            if record_id not in points:
                problems.append(brief.doc.at(("exhibits", i, "prices", j), (
                    f"no price point has the id '{target}'"
                    f"{did_you_mean(record_id if case else case_id, points or cases)}")))
        for j, target in enumerate(exhibit.annotate):
            case_id, record_id = target.split(":", 1)
            case = cases.get(case_id)
            if case is None or record_id not in case.records():
                problems.append(brief.doc.at(("exhibits", i, "annotate", j), (
                    f"nothing has the id '{target}'"
                    f"{hints.record(case, record_id) if case else hints.case(case_id)}")))
    cited = Suggestions(citation_keys)
    for key, line, column in brief.citations:
        if key not in citation_keys:
            problems.append(Problem(brief.shown, line, column, "", (
                f"unknown source '@{key}'{cited(key)}; cite a source as @case:source-id")))
    return problems


class Hints:
    """Suggestions for the ids a brief names, each set of ids looked through a bounded
    number of times however many marks a brief has."""

    def __init__(self, cases: dict[str, Case]) -> None:
        self.case = Suggestions(cases)
        self.records: dict[tuple, Suggestions] = {}

    def record(self, case: Case, record_id: str, also=()) -> str:
        key = (case.id, tuple(also))
        if key not in self.records:
            self.records[key] = Suggestions([*case.records(), *also])
        return self.records[key](record_id)


def _dangling(operand: Operand, cases: dict[str, Case], hints: Hints) -> str | None:
    """Return why a live fact names nothing, or None."""
    case = cases.get(operand.case)
    if case is None:
        return f"no case file has the id '{operand.case}'{hints.case(operand.case)}"
    if operand.record.startswith("@"):
        name = operand.record[1:]
        if name not in DERIVED:
            hint = did_you_mean(name, DERIVED) or "; there are " + ", ".join(
                "@" + d for d in DERIVED)
            return f"no derived figure '@{name}'{hint}"
        return None if operand.field is None else f"'@{name}' has no fields"
    if operand.record in PROFILE_FACTS:
        fact = current(_profile_fact(case, operand.record))
        if fact is None:
            return f"{case.id} records no {operand.record}"
        return None if operand.field in (None, "value") else \
            f"'{operand.record}' is one value; write {operand.case}:{operand.record}"
    records = case.records()
    record = records.get(operand.record)
    if record is None:
        return (f"{case.id} has no record '{operand.record}'"
                f"{hints.record(case, operand.record, PROFILE_FACTS)}")
    fields = FIELDS[type(record)]
    if operand.field is not None and operand.field not in fields:
        hint = did_you_mean(operand.field, fields) or "; it has " + ", ".join(fields)
        return f"'{operand.record}' has no field '{operand.field}'{hint}"
    field_name = operand.field or fields[0]
    if _raw(record, field_name) in (None, [], ""):
        return f"'{operand.record}' has no {field_name} in the case file"
    return None


def _numeric(operand: Operand, cases: dict[str, Case]) -> bool:
    if operand.record.startswith("@"):
        return operand.record[1:] in ("lowest-input", "raised", "latest-valuation")
    record = cases[operand.case].records().get(operand.record) if operand.case in cases else None
    return record is not None and (operand.field or FIELDS[type(record)][0]) in MONEY_FIELDS


def _profile_fact(case: Case, name: str):
    section, key = PROFILE_FACTS[name]
    return getattr(getattr(case, section), key)


def _raw(record, field_name: str):
    if field_name == "from":
        return record.effective_from
    if field_name in ("tenure", "score"):
        return True if field_name == "tenure" or record.scorecard else None
    return getattr(record, field_name, None)


# ---------------------------------------------------------------- writing


class FactWriter:
    """Writes live facts in the house style, from the comparison's registers."""

    def __init__(self, comparison: Comparison, tables: Tables):
        self.c, self.tables = comparison, tables
        self.s, self.t = tables.s, tables.t

    def markdown(self, value: Value, bare: bool = False) -> Md:
        """The value, its confidence when below confirmed, and its citation; `bare`, the
        value alone (a later fact in the same sentence carries the same citation)."""
        text = escape(value.text)
        if bare:
            return Md(text)
        if value.confidence is not None and value.confidence is not Confidence.confirmed:
            text += f" [({escape(self.t(f'confidence.{value.confidence.value}'))})]{{.confidence}}"
        label = self.t(f"confidence.{value.confidence.value}") if value.confidence else None
        return sourced(text, value.cites, label)

    def value(self, ref: FactRef) -> Value:
        left = self.operand(ref.left, ref.currency if ref.right is None else self.c.currency)
        if ref.right is None:
            return left
        right = self.operand(ref.right, self.c.currency)
        ratio = _number(left.figure) / _number(right.figure)
        return Value(self.s.ratio(ratio), left.cites + tuple(
            k for k in right.cites if k not in left.cites), _weakest(left, right), ratio)

    def operand(self, operand: Operand, currency: str | None) -> Value:
        facts = self.c.by_id(operand.case)
        case = facts.case
        if operand.record.startswith("@"):
            return self.derived(facts, operand.record[1:])
        if operand.record in PROFILE_FACTS:
            fact = current(_profile_fact(case, operand.record))
            return Value(self.tables.value(fact.value), cites(case, fact), fact.confidence)
        record = case.records()[operand.record]
        field_name = operand.field or FIELDS[type(record)][0]
        return self.field(case, record, field_name, currency)

    def field(self, case: Case, record, name: str, currency: str | None) -> Value:
        s, t = self.s, self.t
        where = cites(case, record)
        sure = record.confidence
        if name in MONEY_FIELDS:
            if isinstance(record, PricePoint):
                amount, code, when = getattr(record, name), record.currency, record.start
                text = s.price(amount, code)
            else:
                money = getattr(record, name)
                amount, code, when = money.best(), money.currency, record.date
                text = s.money(money)
            target = currency or code
            conv = self.c.converter.convert(amount, code, when, target)
            if currency and conv is not None and conv.converted:
                text = self.tables.conversion(conv)
                where += self.c.converter.cites(conv)
                bound = None if isinstance(record, PricePoint) else _bound(money)
                if bound:  # "more than CNY 50B" is "at least ≈ USD 7.2B", as in the tables
                    text = t(f"money.{bound}", x=text)
            return Value(text, where, sure, conv)
        if name == "licence":
            lic = record.licence
            return Value(self.tables.licence(record), where + cites(case, lic),
                         lic.confidence or sure)
        if name == "parameters":
            p = record.parameters
            text = t("params.total", b=s.number(p.total_b))
            if p.active_b:
                text += " " + t("paren", text=t("params.active", b=s.number(p.active_b)))
            return Value(text, where + cites(case, p), p.confidence or sure)
        if name == "score":
            return Value(s.percent(record.scorecard.score()), where, sure)
        if name == "tenure":
            return Value(self.tables.tenure(record), where, sure)
        if name == "from":
            return Value(s.date(record.effective_from), where, sure)
        raw = getattr(record, name)
        if isinstance(record, Release) and name == "name":
            return Value(self.tables.release_name(record), where, sure)
        if hasattr(raw, "value") and hasattr(raw, "name"):  # an enum
            key = {"status": "status", "tier": "tier", "kind": "kind"}.get(name)
            return Value(t(f"{key}.{raw.value}") if key else raw.value, where, sure)
        if name == "weights":
            return Value(t(f"weights.{raw}"), where, sure)
        return Value(self.tables.value(raw), where, sure)

    def derived(self, f: CaseFacts, name: str) -> Value:
        s, t, case = self.s, self.t, f.case
        count = {"models": f.models, "open-weight": f.open_weight, "scored": f.scored,
                 "other-releases": f.other_releases, "leaders": f.leaders,
                 "departed": f.departed, "rounds": f.funding.rounds,
                 "closed-rounds": f.funding.closed}
        if name in count:
            records = count[name]
            return Value(s.count(len(records)), cites(case, *records), _weakest(*records),
                         float(len(records)))
        if name == "leaders-left":
            return Value(t("fact.of", part=s.count(len(f.leaders_left)),
                           whole=s.count(len(f.leaders))),
                         cites(case, *f.leaders_left), _weakest(*f.leaders_left))
        if name in ("latest-model", "latest-flagship", "best-openness"):
            release = {"latest-model": f.latest_model, "latest-flagship": f.latest_flagship,
                       "best-openness": f.best}[name]
            if release is None:
                return Value(t("none"), (), None)
            text = self.tables.release_name(release)
            if name == "best-openness":
                text = t("glance.best", score=s.percent(release.scorecard.score()),
                         name=release.name)
            return Value(text, cites(case, release), release.confidence)
        if name == "lowest-input":
            step = f.lowest_input
            if step is None:
                return Value(t("none"), (), None)
            p = step.point
            text = s.price(p.input, p.currency)
            if step.value.converted:
                text += " " + self.tables.conversion(step.value)
            return Value(text, cites(case, p) + self.c.converter.cites(step.value),
                         p.confidence, step.value)
        if name == "raised":
            fund = f.funding
            if fund.raised is None:
                return Value(t("none"), (), None)
            text = s.amount(fund.raised, self.c.currency)
            if fund.raised_is_minimum:
                text = t("money.at_least", x=text)
            keys = cites(case, *fund.closed) + tuple(
                k for part in fund.raised_parts for k in self.c.converter.cites(part))
            return Value(text, keys, _weakest(*fund.closed), fund.raised)
        # latest-valuation
        r, conv = f.funding.latest_valuation, f.funding.latest_valuation_value
        if r is None:
            return Value(t("none"), (), None)
        return Value(self.tables.valuation(r, conv), cites(case, r) +
                     self.c.converter.cites(conv), r.confidence, conv)


def _number(figure) -> float:
    return figure.value if isinstance(figure, Conversion) else float(figure)


def _bound(money) -> str | None:
    """`at_least` or `at_most` for money known only from one side, else None."""
    if money.amount is not None or (money.low is None) == (money.high is None):
        return None
    return "at_least" if money.low is not None else "at_most"


def _weakest(*records) -> Confidence | None:
    levels = [r.confidence for r in records if getattr(r, "confidence", None) is not None]
    return max(levels, key=lambda c: c.rank, default=None)
