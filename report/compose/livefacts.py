"""Live facts: a brief's `[[case:record.field]]` marks written out as the value, its citation
and, below confirmed, its confidence (report/load/references.py checked them).

What a mark may name is listed in report/model/references.py: a record's field, a profile or
strategy fact (the value that holds now), or a figure the comparison derives, from the same
registers as the tables, so prose and tables cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..compare import CaseFacts, Comparison, Conversion, cites
from ..escape import Md, escape, live_fact, sourced
from ..load.brief import FactRef, Operand
from ..model import Case, Confidence, PricePoint, Release, current
from ..model.references import FIELDS, MONEY_FIELDS, PROFILE_FACTS, profile_fact
from .tables import Tables


@dataclass(frozen=True)
class Value:
    """A resolved live fact: the words, where they come from, and the figure behind them."""

    text: str
    cites: tuple[str, ...]
    confidence: Confidence | None
    figure: Conversion | float | None = None  # what a ratio divides


# ---------------------------------------------------------------- writing


class FactWriter:
    """Writes live facts in the house style, from the comparison's registers."""

    def __init__(self, comparison: Comparison, tables: Tables):
        self.c, self.tables = comparison, tables
        self.s, self.t = tables.s, tables.t

    def markdown(self, value: Value, bare: bool = False) -> Md:
        """The value, its confidence when below confirmed, and its citation; `bare`, the
        value alone (a later fact in the same sentence carries the same citation). The whole
        is one span of class `fact`: Word shows it in the live-fact style, and `report absorb`
        tells it from the analyst's words."""
        text = escape(value.text)
        if bare:
            return live_fact(text)
        if value.confidence is not None and value.confidence is not Confidence.confirmed:
            text += f" [({escape(self.t(f'confidence.{value.confidence.value}'))})]{{.confidence}}"
        label = self.t(f"confidence.{value.confidence.value}") if value.confidence else None
        return live_fact(sourced(text, value.cites, label))

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
            fact = current(profile_fact(case, operand.record))
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
