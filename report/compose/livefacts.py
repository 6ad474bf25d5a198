"""Live facts: a brief's `[[…]]` marks written out as the value, its citation and, below
confirmed, its confidence.

The comparing stage works out each mark's value (report/compare/figures.py: as of a date,
over a group, with its arithmetic); this module only writes it in the house style, from the
same registers as the tables, so prose and tables cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..compare import Comparison, Conversion, cites
from ..compare.figures import (
    COUNT,
    DATE,
    DURATION,
    MONEY,
    PRICE,
    RATIO,
    SHARE,
    TEXT,
    Figure,
    evaluate,
)
from ..escape import Md, escape, live_fact, sourced
from ..load.brief import FactRef
from ..model import Confidence, PricePoint, Release
from .tables import Tables


@dataclass(frozen=True)
class Value:
    """A resolved live fact: the words, where they come from, and the value behind them."""

    text: str
    cites: tuple[str, ...]
    confidence: Confidence | None
    figure: Figure | None = None


class FactWriter:
    """Writes live facts in the house style, from the comparison's registers."""

    def __init__(self, comparison: Comparison, tables: Tables, groups=None):
        self.c, self.tables = comparison, tables
        self.s, self.t = tables.s, tables.t
        self.groups = groups or {}

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
        figure = evaluate(self.c, ref.expr, self.groups)
        text = self.words(figure)
        if ref.expr.dated and (when := self.when(figure)):
            text += " " + self.t("paren", text=when)
        return Value(text, figure.cites, figure.confidence, figure)

    # ------------------------------------------------------------ one value

    def words(self, f: Figure) -> str:
        """A figure in the house style; a dash when there is no value."""
        s, t = self.s, self.t
        if f.op is not None and f.chosen is None:
            return self.arithmetic(f)
        if f.empty:
            return t("none")
        if f.op is not None:  # max / min: the chosen value, and which it is
            return t("fact.chosen", value=self.words(_unchosen(f)), which=self.which(f))
        if f.measure == PRICE:
            point: PricePoint = f.record
            if f.field == "lowest-input":
                text = s.price(point.input, point.currency)
                return text + (" " + self.tables.conversion(f.conversion) if f.conversion
                               else "")
            if f.conversion is not None:
                return self.tables.conversion(f.conversion)
            return s.price(getattr(point, f.field), point.currency)
        if f.measure == MONEY:
            return self.money(f)
        if f.measure == COUNT:
            return self.count(f)
        if f.measure == DATE:
            return s.date(f.date)
        if f.measure == TEXT:
            return self.tables.value(f.record.value)
        return self.field(f)

    def money(self, f: Figure) -> str:
        s, t = self.s, self.t
        if f.field in ("raised", "raised-outside", "raised-founder"):
            text = s.amount(f.number, f.currency)
            if f.bound == "at_least":
                text = t("money.at_least", x=text)
            done, counted = f.parts
            if done < counted:
                text += " " + t("paren", text=t("money.from_rounds", n=done, of=counted))
            return text
        if f.field == "latest-valuation":
            return self.tables.valuation(f.record, f.conversion)
        if f.conversion is not None:
            return self.converted_money(f.money, f.conversion)
        return s.money(f.money)

    def converted_money(self, money, conv: Conversion) -> str:
        """≈ the amount, a range as a range and a bound as a bound, with the rate."""
        s, t = self.s, self.t
        factor = conv.value / conv.original if conv.original else 0
        if money.amount is None and money.low is not None and money.high is not None:
            figure = s.money(money.model_copy(update={
                "low": money.low * factor, "high": money.high * factor,
                "currency": conv.currency}))
            return t("money.converted", amount=figure, rate=self.tables.rate(conv))
        text = self.tables.conversion(conv)
        if money.amount is None:
            text = t("money.at_least" if money.low is not None else "money.at_most", x=text)
        return text

    def count(self, f: Figure) -> str:
        s, t = self.s, self.t
        if f.group is None:
            return s.count(int(f.number))
        group = self.group_name(f.group)
        if f.of is None:
            return t("fact.in_group", n=s.count(int(f.number)), group=group)
        return t("fact.of_group", part=s.count(int(f.number)), whole=s.count(f.of),
                 group=group)

    def group_name(self, group: str) -> str:
        if group in self.groups:
            return self.groups[group].name
        return self.t(f"group.{group}")

    def field(self, f: Figure) -> str:
        """A record's field that is neither money nor a date: a name, a licence …"""
        s, t, record, name = self.s, self.t, f.record, f.field
        if record is None:
            return t("none")
        if name in ("latest-model", "latest-flagship"):
            return self.tables.release_name(record)
        if name == "best-openness":
            return t("glance.best", score=s.percent(record.scorecard.score()),
                     name=record.name)
        if name == "licence":
            return self.tables.licence(record)
        if name == "parameters":
            p = record.parameters
            text = t("params.total", b=s.number(p.total_b))
            if p.active_b:
                text += " " + t("paren", text=t("params.active", b=s.number(p.active_b)))
            return text
        if name == "score":
            return s.percent(record.scorecard.score())
        if name == "tenure":
            return self.tables.tenure(record)
        raw = getattr(record, name)
        if isinstance(record, Release) and name == "name":
            return self.tables.release_name(record)
        if hasattr(raw, "value") and hasattr(raw, "name"):  # an enum
            key = {"status": "status", "tier": "tier", "kind": "kind"}.get(name)
            return t(f"{key}.{raw.value}") if key else raw.value
        if name == "weights":
            return t(f"weights.{raw}")
        return self.tables.value(raw)

    # ------------------------------------------------------------ arithmetic

    def arithmetic(self, f: Figure) -> str:
        s, t = self.s, self.t
        if f.measure == RATIO:
            text = s.ratio(f.number)
        elif f.measure == SHARE:
            text = t("number.change", sign="+" if f.number >= 0 else "−",
                     x=s.percent(abs(f.number)))
        elif f.measure == DURATION:
            text = self.duration(f)
        else:  # a difference, in the unit of its operands
            magnitude = abs(f.number)
            if any(o.conversion for o in f.operands):  # converted: two significant digits
                figure = t("money.amount", code=f.currency, figure=s.number(magnitude, 2))
            elif f.measure == PRICE:
                figure = s.price(magnitude, f.currency)
            elif f.measure == MONEY:
                figure = s.amount(magnitude, f.currency)
            else:
                figure = s.count(round(magnitude))
            text = figure if f.number >= 0 else t("number.negative", x=figure)
        rates = [self.tables.rate(o.conversion) for o in f.operands if o.conversion]
        if rates:
            text += " " + t("paren", text=t("money.at_rates",
                                            rates=t("list.sep").join(dict.fromkeys(rates))))
        return text

    def duration(self, f: Figure) -> str:
        """Days when both dates are days and under two months apart, else months or years
        (a date known to its month is not counted in days)."""
        s, t = self.s, self.t
        days = abs(int(f.number))
        exact = all(o.date.precision == "day" for o in f.operands)
        if exact and days < 60:
            return t("duration.days", n=days, x=s.count(days))
        months = round(days / 30.44)
        if months < 24:
            return t("duration.months", n=months, x=s.count(months))
        return t("duration.years", n=2, x=s.number(days / 365.25, 2))

    def which(self, f: Figure) -> str:
        """What a max or min chose: the company when the values span companies, else the
        record's own name."""
        chosen = f.operands[f.chosen]
        if len({o.case_id for o in f.operands}) > 1:
            return self.s.name(self.c.by_id(chosen.case_id).case.name, both=False)
        record = chosen.record
        for attr in ("round", "name", "model", "title"):
            value = getattr(record, attr, None)
            if value:
                return self.tables.value(value)
        return self.t("none")

    def when(self, f: Figure) -> str | None:
        """The date a value is of, for `dated`."""
        if f.as_of is not None:
            return self.s.date(f.as_of)
        record = f.record
        if isinstance(record, PricePoint):
            return self.s.date(record.start)
        date = getattr(record, "date", None)
        if date is not None:
            return self.s.date(date)
        if f.moment is not None:
            return self.s.date(f.moment.end)
        return None


def _unchosen(f: Figure) -> Figure:
    """The operand a max or min chose, as itself."""
    return f.operands[f.chosen]


__all__ = ["FactWriter", "Value", "cites"]
