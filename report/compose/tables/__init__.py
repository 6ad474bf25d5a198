"""The fact pack's tables: registers → rows of cells, every word from the label catalogue.

A cell holds text as the reader sees it (escaped when rendered) plus the citation keys behind
it and, below confirmed, its confidence. This is part of the compose stage: the comparison
holds values, these functions write them in the house style.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from itertools import groupby

from ...compare import CaseFacts, Comparison, Conversion, Uncertain, cite_key, cites
from ...escape import Md, citation, escape
from ...model import (
    DIMENSIONS,
    Case,
    Confidence,
    Fact,
    FundingRound,
    Level,
    Person,
    PricePoint,
    Release,
    RoundStage,
)
from ...words.style import Style

MARKED = {Confidence.claimed, Confidence.rumour, Confidence.denied, Confidence.disputed}
GRADE_MARK = {"open": "●", "partial": "◐", "closed": "○", "n/a": "–"}


@dataclass(frozen=True)
class Cell:
    """One table cell: text (escaped when rendered, unless it is `Md`), its citation keys
    and how sure the weakest fact behind it is (printed when it is below `reported`)."""

    text: str = ""
    cites: tuple[str, ...] = ()
    confidence: Confidence | None = None
    notes: tuple[str, ...] = ()  # printed as footnotes


@dataclass(frozen=True)
class Table:
    id: str
    caption: str
    header: tuple[str, ...]
    widths: tuple[int, ...]  # relative column widths, so DOCX and PDF tables fit the page
    rows: tuple[tuple[Cell, ...], ...]
    cites: tuple[str, ...] = ()  # sources for the caption's source line
    side_by_side: bool = False  # first column labels rows, one column per case after it

    def chunks(self, per_table: int, label) -> list[Table]:
        """Return this table split into tables of at most `per_table` case columns each.

        A page holds about four companies side by side; more are continued in further
        tables that repeat the row labels.
        """
        n = len(self.header) - 1
        if not self.side_by_side or n <= per_table:
            return [self]
        parts = []
        for k, start in enumerate(range(1, n + 1, per_table)):
            cols = [0, *range(start, min(start + per_table, n + 1))]
            width = (100 - self.widths[0]) // (len(cols) - 1)
            parts.append(Table(
                id=self.id if k == 0 else f"{self.id}-{k + 1}",
                caption=label("table.continued", caption=self.caption, first=start,
                              last=cols[-1], n=n),
                header=tuple(self.header[c] for c in cols),
                widths=(self.widths[0], *([width] * (len(cols) - 1))),
                rows=tuple(tuple(row[c] for c in cols) for row in self.rows),
                cites=self.cites, side_by_side=True))
        return parts


def cell(case: Case, text: str, *records) -> Cell:
    """Return a cell citing `records`, marked with the weakest confidence among them."""
    real = [r for r in records if r is not None]
    levels = [r.confidence for r in real if getattr(r, "confidence", None) is not None]
    return Cell(text, cites(case, *real), max(levels, key=lambda c: c.rank, default=None))


class Tables:
    """Builds every table of the fact pack in one house style."""

    def __init__(self, c: Comparison, style: Style, verdicts=None):
        self.c, self.s, self.t = c, style, style.labels
        # (case id, record id) -> verdicts of the claims register on a fact that repeats a claim
        self.verdicts: dict = verdicts or {}

    def rated(self, case: Case, *records, key: str = "claims.rated") -> tuple[str, ...]:
        """"rated contradicted in Claims checked", for each record that repeats a checked
        claim (`key` "claims.rated_note": the sentence a table note is)."""
        return tuple(dict.fromkeys(
            self.t(key, verdict=self.t(f"verdict.{v.value}"))
            for r in records for v in self.verdicts.get((case.id, getattr(r, "id", None)), ())))

    # ------------------------------------------------------------ helpers

    def side_by_side(self, id: str, rows) -> Table:
        """A table with one column per company; `rows` maps a label key to a cell per case."""
        n = len(self.c.facts)
        label_width = 18
        return Table(
            id=f"tbl-{id}", caption=self.t(f"table.{id}.caption"),
            header=("", *(f.case.name.en for f in self.c.facts)),
            widths=(label_width, *([(100 - label_width) // n] * n)),
            rows=tuple((Cell(self.t(f"table.{id}.row.{key}")), *(make(f) for f in self.c.facts))
                       for key, make in rows),
            side_by_side=True)

    def listing(self, id: str, columns: tuple[str, ...], widths: tuple[int, ...],
                rows) -> Table:
        return Table(f"tbl-{id}", self.t(f"table.{id}.caption"),
                     tuple(self.t(f"table.{id}.col.{k}") for k in columns), widths, tuple(rows))

    def fact(self, case: Case, fact, fmt=None) -> Cell:
        """A profile or strategy fact: one value, or its series over time, oldest first."""
        fmt = fmt or self.value
        if fact is None:
            return Cell(self.t("none"))
        if isinstance(fact, list):
            parts = [self.t("series.phase", period=self.phase_period(p), value=fmt(p.value))
                     for p in fact]
            return cell(case, self.t.join("series.join", parts), *fact)
        return cell(case, fmt(fact.value), fact)

    def current(self, case: Case, fact) -> Cell:
        """The value that holds now; for a series, the last one and since when."""
        if not isinstance(fact, list):
            return self.fact(case, fact)
        now = fact[-1]
        return cell(case, self.t("series.since", date=self.s.date(now.start),
                                 value=self.value(now.value)), now)

    def phase_period(self, phase) -> str:
        if phase.until is None:
            return self.t("date.from", date=self.s.date(phase.start))
        return self.t("date.span", start=self.s.date(phase.start), until=self.s.date(phase.until))

    def value(self, value) -> str:
        if hasattr(value, "en"):
            return self.s.name(value)
        if isinstance(value, (list, tuple)):
            return self.t("list.join").join(self.value(v) for v in value)
        if hasattr(value, "sort_key"):
            return self.s.date(value)
        return str(value)

    def conversion(self, conv: Conversion | None) -> str:
        """`≈ USD 0.14 (CNY 7.19 per USD, 2024 average)`; the rate always goes with it."""
        if conv is None:
            return self.t("none")
        if not conv.converted:
            return self.s.price(conv.value, conv.currency) if conv.value < 1e6 else \
                self.s.amount(conv.value, conv.currency)
        amount = f"{conv.currency}\u00a0{self.s.number(conv.value, 2)}" if conv.value < 1e6 \
            else self.s.amount(conv.value, conv.currency)
        return self.t("money.converted", amount=amount, rate=self.rate(conv))

    def rate(self, conv: Conversion) -> str:
        r = conv.rate
        return self.t(f"rate.{r.kind.value}", rate=self.s.number(r.rate, 4), quote=r.quote,
                      base=r.base, period=self.s.date(r.period))

    def conversion_short(self, conv: Conversion | None) -> str:
        """`≈ USD 0.14 at 7.19 (2024)`: for a table column whose header names the rate."""
        if conv is None or not conv.converted:
            return self.t("none")
        return self.t("money.converted_short", amount=f"{conv.currency}\u00a0"
                      f"{self.s.number(conv.value, 2)}", rate=self.s.number(conv.rate.rate, 4),
                      period=self.s.date(conv.rate.period))

    def conversion_cites(self, conv: Conversion | None) -> tuple[str, ...]:
        return self.c.converter.cites(conv)

    def release_name(self, r: Release | None) -> str:
        if r is None:
            return self.t("none")
        return self.t("release.with_date", name=r.name, date=self.s.date(r.date))

    # ------------------------------------------------------------ at a glance

    def glance(self) -> Table:
        t, s = self.t, self.s

        def funding(f: CaseFacts) -> Cell:
            fund = f.funding
            if not fund.rounds:
                return Cell(t("glance.no_rounds"))
            text = t("glance.rounds", n=len(fund.rounds), closed=len(fund.closed))
            records = list(fund.closed) or [fund.rounds[-1]]
            extra: tuple[str, ...] = ()
            if fund.raised is not None:
                text += t("list.sep") + t("glance.raised", amount=s.amount(
                    fund.raised, self.c.currency), minimum=t("glance.at_least")
                    if fund.raised_is_minimum else "")
                extra += tuple(k for p in fund.raised_parts for k in self.conversion_cites(p))
            if fund.latest_valuation is not None:
                text += t("list.sep") + t("glance.valuation", value=self.valuation(
                    fund.latest_valuation, fund.latest_valuation_value))
                extra += self.conversion_cites(fund.latest_valuation_value)
            made = cell(f.case, text, *records)
            return replace(made, cites=tuple(dict.fromkeys(made.cites + extra)))

        def releases(f: CaseFacts) -> Cell:
            if not f.models:
                return Cell(t("none"))
            text = t("glance.releases", n=len(f.models), open=len(f.open_weight),
                     latest=self.release_name(f.latest_model))
            if f.latest_flagship and f.latest_flagship is not f.latest_model:
                text += t("list.sep") + t("glance.flagship",
                                         flagship=self.release_name(f.latest_flagship))
            return cell(f.case, text, f.latest_model, f.latest_flagship)

        def other(f: CaseFacts) -> Cell:
            if not f.other_releases:
                return Cell(t("none"))
            return cell(f.case, t("glance.other_releases", n=len(f.other_releases),
                                  names=t("list.join").join(r.name for r in f.other_releases[-3:])),
                        *f.other_releases[-3:])

        def price(f: CaseFacts) -> Cell:
            step = f.lowest_input
            if step is None:
                return Cell(t("none"))
            p = step.point
            price = self.s.price(p.input, p.currency)
            if step.value.converted:
                price += " " + self.conversion(step.value)
            text = t("glance.price", price=price, model=p.model, date=s.date(p.start))
            made = cell(f.case, text, p)
            return replace(made, cites=made.cites + self.conversion_cites(step.value))

        def openness(f: CaseFacts) -> Cell:
            if f.best is None:
                return Cell(t("glance.not_scored"))
            return cell(f.case, t("glance.best", score=s.percent(f.best.scorecard.score()),
                                  name=f.best.name), f.best)

        def leaders(f: CaseFacts) -> Cell:
            if not f.leaders:
                return Cell(t("glance.no_leaders"))
            return cell(f.case, t("glance.leaders_left", left=len(f.leaders_left),
                                  n=len(f.leaders)), *f.leaders_left)

        def backers(f: CaseFacts) -> Cell:
            b = f.case.profile.backers
            text = t.join("list.sep", (
                s.name(x.name) + (t("glance.relation", relation=x.relation) if x.relation
                                  else "") for x in b))
            return cell(f.case, text or t("none"), *b)

        p = lambda f: f.case.profile  # noqa: E731
        return self.side_by_side("glance", [
            ("zh", lambda f: Cell(f.case.name.zh or t("none"))),
            ("legal_name", lambda f: self.fact(f.case, p(f).legal_name)),
            ("founded", lambda f: self.fact(f.case, p(f).founded)),
            ("headquarters", lambda f: self.fact(f.case, p(f).headquarters)),
            ("founders", lambda f: self.fact(f.case, p(f).founders)),
            ("backers", backers),
            ("funding", funding),
            ("status", lambda f: self.current(f.case, p(f).status)),
            ("models", releases),
            ("other_releases", other),
            ("price", price),
            ("openness", openness),
            ("leaders", leaders),
        ])

    def valuation(self, r: FundingRound, value: Conversion | None) -> str:
        v = r.valuation
        text = self.s.money(v)
        if value is not None and value.converted:
            text += " " + self.t("paren", text=self.conversion(value))
        return self.t("valuation", value=text, basis=self.t(f"basis.{v.basis.value}"),
                      date=self.s.date(r.date))

    # ------------------------------------------------------------ funding

    def funding(self) -> Table:
        t, s = self.t, self.s
        rows = []
        for f in self.c.facts:
            for r in f.funding.rounds:
                history = t("list.sep").join(
                    t("funding.stage", status=t(f"status.{h.status.value}"), date=s.date(h.date),
                      value=s.money(h.valuation) if h.valuation else t("none"))
                    for h in r.history)
                what = r.round or t("funding.round")
                if history:
                    what += t("funding.earlier", history=history)
                rows.append((Cell(f.case.name.en), cell(f.case, what, r, *r.history),
                             Cell(s.date(r.date)), Cell(t(f"status.{r.status.value}")),
                             self.money_cell(r.amount), self.money_cell(r.valuation, basis=True),
                             Cell(self.investors(r))))
        return self.listing("funding", ("company", "round", "date", "status", "amount",
                                        "valuation", "investors"),
                            (11, 23, 10, 11, 13, 14, 18), rows)

    def money_cell(self, m, basis: bool = False) -> Cell:
        """An amount, its basis for a valuation, and its note as a footnote."""
        if m is None:
            return Cell(self.t("none"))
        text = self.s.money(m)
        if basis and m.basis.value != "unstated":
            text += " " + self.t("paren", text=self.t(f"basis.{m.basis.value}"))
        return Cell(text, notes=(m.note,) if m.note else ())

    def investors(self, r: FundingRound) -> str:
        parts = []
        if r.lead_investors:
            parts.append(self.t("funding.lead", names=self.t("list.join").join(r.lead_investors)))
        if r.investors:
            parts.append(self.t("funding.also", names=self.t("list.join").join(r.investors)))
        return self.t("list.sep").join(parts) or self.t("none")

    # ------------------------------------------------------------ strategy

    def strategy(self) -> Table:
        t = self.t

        def lines(f: CaseFacts) -> Cell:
            bl = f.case.strategy.business_lines
            text = t("list.join").join(b.name for b in bl)
            return cell(f.case, text or t("none"), *bl)

        return self.side_by_side("strategy", [
            ("positioning", lambda f: self.fact(f.case, f.case.strategy.positioning)),
            ("customers", lambda f: self.fact(f.case, f.case.strategy.target_customers)),
            ("lines", lines),
        ])

    def moves(self) -> Table:
        t, s = self.t, self.s
        items = [(m.date.sort_key(), f.case, m) for f in self.c.facts
                 for m in f.case.strategy.moves]
        rows = []
        for _, case, m in sorted(items, key=lambda x: (x[0], x[1].id, x[2].id)):
            said = m.title
            if m.quote:
                said += t("quote.inline", text=t("quote.join").join(
                    q for q in (m.quote.zh, m.quote.en) if q))
            after = (m.outcome or t("none")) + (
                " " + t("paren", text=s.date(m.outcome_date)) if m.outcome_date else "")
            rows.append((Cell(s.date(m.date)), Cell(case.name.en), cell(case, said, m),
                         Cell(after)))
        return self.listing("moves", ("date", "company", "move", "after"), (11, 11, 46, 32),
                            rows)

    # ------------------------------------------------------------ team

    def team(self) -> Table:
        t = self.t
        labels = list(dict.fromkeys(x.label for f in self.c.facts for x in f.case.team.facts))

        def team_fact(label: str):
            def make(f: CaseFacts) -> Cell:
                facts = [x for x in f.case.team.facts if x.label == label]
                if not facts:
                    return Cell(t("none"))
                return replace(cell(f.case, t.join("list.sep", (x.value for x in facts)), *facts),
                               notes=self.rated(f.case, *facts, key="claims.rated_note"))
            return make

        table = self.side_by_side("team", [
            ("named", lambda f: Cell(self.s.count(len(f.people)))),
            ("leaders", lambda f: Cell(self.s.count(len(f.leaders)))),
            ("leaders_left", lambda f: cell(f.case, self.s.count(len(f.leaders_left)),
                                            *f.leaders_left)),
        ])
        extra = tuple((Cell(label[:1].upper() + label[1:]), *(team_fact(label)(f)
                                                             for f in self.c.facts))
                      for label in labels)
        return replace(table, rows=table.rows + extra)

    def people(self) -> Table:
        t, s = self.t, self.s
        rows = []
        levels = list(Level)
        for f in self.c.facts:
            # Most senior first, then by name: the order a reader scans a staff list in.
            for p in sorted(f.people, key=lambda p: (
                    levels.index(p.level) if p.level else len(levels), p.name.en.casefold())):
                tags = [t(f"level.{p.level.value}")] if p.level else []
                if p.cofounder:
                    tags.append(t("person.cofounder"))
                if p.function:
                    tags.append(t(f"function.{p.function.value}"))
                rows.append((Cell(f.case.name.en), cell(f.case, s.name(p.name), p), Cell(p.role),
                             Cell(t("list.join").join(tags) or t("none")),
                             Cell(self.tenure(p)),
                             Cell(p.went_to or (t("none") if p.has_left else t("person.there")))))
        return self.listing("people", ("company", "name", "role", "level", "tenure", "went"),
                            (10, 17, 23, 16, 16, 18), rows)

    def tenure(self, p: Person) -> str:
        t, s = self.t, self.s
        if p.left:
            return s.period(p.joined, p.left) if p.joined else t("person.left_on",
                                                                 date=s.date(p.left))
        if p.departed:
            start = t("date.from", date=s.date(p.joined)) if p.joined else ""
            return (start + t("list.sep") if start else "") + t("person.left_undated")
        return s.period(p.joined, None) if p.joined else t("none")

    # ------------------------------------------------------------ pricing

    def pricing(self) -> Table:
        t, s = self.t, self.s
        rows = []
        for f in self.c.facts:
            for p in sorted(f.case.pricing, key=lambda p: (p.model, p.start.sort_key(), p.id)):
                conv = self.c.converter.convert(p.input, p.currency, p.start, self.c.currency)
                made = cell(f.case, p.model, p)
                rows.append((Cell(f.case.name.en),
                             replace(made, cites=made.cites + self.conversion_cites(conv)),
                             Cell(t(f"tier.{p.tier.value}"),
                                  notes=(t("price.hours", hours=p.hours),) if p.hours else ()),
                             Cell(self.price_period(p)),
                             Cell(s.price(p.input, p.currency)),
                             Cell(s.price(p.input_cache_hit, p.currency)
                                  if p.input_cache_hit is not None else t("none")),
                             Cell(s.price(p.output, p.currency) if p.output is not None
                                  else t("none")),
                             Cell(self.conversion_short(conv))))
        table = self.listing("pricing", ("company", "model", "tier", "period", "input",
                                         "cache_hit", "output", "converted"),
                             (10, 17, 12, 15, 9, 9, 9, 19), rows)
        return replace(table, header=table.header[:-1] + (
            t("table.pricing.col.converted", currency=self.c.currency),))

    def business_lines(self) -> Table:
        t, s = self.t, self.s
        rows = []
        for f in self.c.facts:
            for b in sorted(f.case.strategy.business_lines,
                            key=lambda b: (b.launched.sort_key() if b.launched else
                                           (dt.date.max,), b.id)):
                rows.append((Cell(f.case.name.en), cell(f.case, b.name, b),
                             Cell(t(f"business.{b.kind.value}")),
                             Cell(s.period(b.launched, b.ended) if b.launched else t("none")),
                             Cell(b.description or t("none"))))
        return self.listing("lines", ("company", "line", "kind", "period", "description"),
                            (11, 20, 12, 15, 42), rows)

    def price_period(self, p: PricePoint) -> str:
        t, s = self.t, self.s
        if p.only_seen:
            text = t("price.seen", date=s.date(p.seen))
            if p.until:
                text += t("list.sep") + t("date.until", date=s.date(p.until))
        else:
            text = s.period(p.effective_from, p.until)
        if p.last_seen and not p.until:
            text += t("list.sep") + t("price.last_seen", date=s.date(p.last_seen))
        return text

    # ------------------------------------------------------------ releases and openness

    def releases(self) -> Table:
        t, s = self.t, self.s
        rows = []
        for f in self.c.facts:
            for r in (*f.models, *f.other_releases):
                params = t("none")
                if r.parameters:
                    params = t("params.total", b=s.number(r.parameters.total_b))
                    if r.parameters.active_b:
                        params += " " + t("paren", text=t("params.active", b=s.number(
                            r.parameters.active_b)))
                rows.append((Cell(f.case.name.en),
                             cell(f.case, r.name + (" " + t("release.flagship_mark")
                                                    if r.flagship else ""),
                                  r, r.parameters, r.licence, *r.licence_changes),
                             Cell(s.date(r.date)), Cell(t(f"kind.{r.kind.value}")),
                             Cell(params),
                             Cell(t(f"weights.{r.weights}") if r.weights else t("none")),
                             Cell(self.licence(r))))
        return self.listing("releases", ("company", "release", "date", "kind", "params",
                                         "weights", "licence"), (11, 21, 11, 11, 12, 10, 24),
                            rows)

    def relicensing(self, f: CaseFacts) -> str:
        """`14 moved to Apache-2.0 (30 May 2024)`: relicensed releases, grouped by where
        they ended up and when."""
        groups: dict[tuple, list[Release]] = defaultdict(list)
        for r in f.relicensed:
            last = max(r.licence_changes, key=lambda ch: ch.date.sort_key())
            groups[(last.licence.spdx or last.licence.name, str(last.date))].append(r)
        return self.t("list.sep").join(
            self.t("licence.moved", n=len(rs), licence=licence,
                   date=self.s.date(max(rs[0].licence_changes,
                                        key=lambda ch: ch.date.sort_key()).date))
            for (licence, _), rs in groups.items())

    def licence(self, r: Release) -> str:
        if r.licence is None:
            return self.t("none")
        text = r.licence.spdx or r.licence.name
        for change in sorted(r.licence_changes, key=lambda ch: ch.date.sort_key()):
            text += self.t("licence.change", licence=change.licence.spdx or change.licence.name,
                           date=self.s.date(change.date))
        return text

    def scorecard(self) -> Table:
        t, s = self.t, self.s
        rows = []
        for f in self.c.facts:
            for r in f.scored:
                keys = tuple(dict.fromkeys(cite_key(f.case.id, src) for _, c in r.scorecard.cells()
                                           for src in c.cite))
                rows.append((Cell(f.case.name.en), Cell(r.name, keys),
                             *(Cell(GRADE_MARK[c.grade.value]) for _, c in r.scorecard.cells()),
                             Cell(s.percent(r.scorecard.score()))))
        header = (t("table.scorecard.col.company"), t("table.scorecard.col.release"),
                  *(str(i) for i in range(1, len(DIMENSIONS) + 1)),
                  t("table.scorecard.col.score"))
        legend = t("list.sep").join(t("scorecard.legend_item", n=i, name=t(f"dimension.{k}"))
                                    for i, k in enumerate(DIMENSIONS, start=1))
        return Table("tbl-scorecard", t("table.scorecard.caption", legend=legend), header,
                     (10, 20, *([5] * len(DIMENSIONS)), 7), tuple(rows))

    def evidence(self) -> list[Table]:
        """One table per distinct judgement: releases scored identically share a table."""
        t, s = self.t, self.s
        groups: dict[tuple, list[tuple[CaseFacts, Release]]] = defaultdict(list)
        for f in self.c.facts:
            for r in f.scored:
                groups[(f.case.id, r.scorecard.same_judgement())].append((f, r))
        tables = []
        for (case_id, _), members in groups.items():
            f, first = members[0]
            names = t("list.join").join(r.name for _, r in members)
            rows = tuple(
                (Cell(t(f"dimension.{key}")), Cell(t(f"grade.{c.grade.value}")),
                 Cell(c.evidence, tuple(cite_key(case_id, x) for x in c.cite)))
                for key, c in first.scorecard.cells())
            tables.append(Table(f"tbl-evidence-{case_id}-{first.id}",
                                t("table.evidence.caption", names=names, company=f.case.name.en,
                                  score=s.percent(first.scorecard.score()), n=len(members)),
                                (t("table.evidence.col.dimension"), t("table.evidence.col.grade"),
                                 t("table.evidence.col.evidence")), (22, 10, 68), rows))
        return tables

    # ------------------------------------------------------------ timeline

    def chronology(self) -> Table:
        """The key events of every company in one chronology (the full register is in each
        section's own table)."""
        t, s = self.t, self.s
        rows = []
        for item in self.c.timeline:
            if not (item.key or item.kind in ("move", "event", "round", "left", "founded")):
                continue
            case = self.c.by_id(item.case_id).case
            rows.append((Cell(s.date(item.date)), Cell(case.name.en),
                         Cell(t(f"category.{item.category.value}")),
                         cell(case, self.happening(item), item.record)))
        return self.listing("timeline", ("date", "company", "category", "event"),
                            (11, 11, 12, 66), rows)

    def happening(self, item) -> str:
        """What a timeline item says happened, in a few words."""
        t, s, r = self.t, self.s, item.record
        if item.kind == "release":
            return t("happening.release", name=r.name, kind=t(f"kind.{r.kind.value}"))
        if item.kind == "licence":
            return t("happening.licence", name=r.name)
        if item.kind == "price":
            return t("happening.price", model=r.model, price=s.price(r.input, r.currency))
        if item.kind == "round":
            return t("happening.round", round=r.round or t("funding.round"),
                     status=t(f"status.{r.status.value}"))
        if item.kind == "left":
            return t("happening.left", name=s.name(r.name), role=r.role)
        if item.kind == "launch":
            return t("happening.launch", name=r.name)
        if item.kind == "founded":
            return t("happening.founded", name=r.case.name.en)
        return r.title

    # ------------------------------------------------------------ appendices

    # Reasons common enough to group: a fact resting on the press alone, on a copy of a
    # company page, or on blogs and analysis. Anything less sure is listed fact by fact.
    ORDINARY = ("press_only", "copy_of_primary", "secondary_only")

    def uncertain(self) -> list[Table]:
        """Facts below confirmed, one table per topic, each saying why.

        A fact that rests on a claim, a rumour, a seed article alone, or sources that
        disagree gets a row of its own with its note and every other version. The many
        facts that rest only on press reports or copies are grouped, one row per company
        and reason, so the appendix stays short enough to read.
        """
        t = self.t
        tables = []
        order = ["profile", "funding", "strategy", "team", "pricing", "releases", "timeline"]
        items = sorted(self.c.uncertain, key=lambda u: (order.index(u.topic), u.case_id))
        for topic, group in groupby(items, key=lambda u: u.topic):
            group = list(group)
            rows = []
            def ordinary(u: Uncertain) -> bool:  # grouped: nothing to say of it alone
                return (u.reason in self.ORDINARY and not getattr(u.record, "disputes", ())
                        and not self.rated(self.c.by_id(u.case_id).case, u.record))

            for u in group:
                if ordinary(u):
                    continue
                case = self.c.by_id(u.case_id).case
                rows.append((Cell(case.name.en), Cell(self.describe(u), u.cites),
                             Cell(t(f"confidence.{u.confidence.value}")),
                             Cell(self.why(u, case))))
            for (case_id, reason), members in groupby(
                    sorted((u for u in group if ordinary(u)),
                           key=lambda u: (u.case_id, self.ORDINARY.index(u.reason))),
                    key=lambda u: (u.case_id, u.reason)):
                members = list(members)
                case = self.c.by_id(case_id).case
                facts = Md(t("list.sep").join(
                    f"{escape(self.describe(u))} {citation(u.cites)}" for u in members))
                rows.append((Cell(case.name.en), Cell(facts),
                             Cell(t("confidence.reported")),
                             Cell(t("reason.grouped", reason=t(f"reason.{reason}"),
                                    n=len(members)))))
            tables.append(self.listing_topic(topic, rows))
        return tables

    def listing_topic(self, topic: str, rows) -> Table:
        t = self.t
        return Table(f"tbl-uncertain-{topic}", t("table.uncertain.caption",
                                                 topic=t(f"topic.{topic}")),
                     tuple(t(f"table.uncertain.col.{k}") for k in
                           ("company", "fact", "confidence", "why")),
                     (11, 45, 11, 33), tuple(rows))

    def why(self, u: Uncertain, case: Case) -> Md:
        """Why a fact is below confirmed, other sources' versions (each cited) and the note."""
        t = self.t
        parts = [escape(t(f"reason.{u.reason}")), *map(escape, self.rated(case, u.record))]
        for d in getattr(u.record, "disputes", ()):
            version = t("reason.version", field=self.field_label(d.field),
                        value=self.dispute_value(u.record, d))
            parts.append(f"{escape(version)} {citation(cite_key(case.id, x) for x in d.cite)}")
        note = getattr(u.record, "note", None)
        if note:
            parts.append(escape(note))
        return Md(t.join("list.sep", parts))

    def dispute_value(self, record, dispute) -> str:
        """Another source's version, written the way the field itself is written."""
        from ...model import PartialDate

        current = getattr(record, dispute.field if dispute.field != "from" else "start", None)
        if isinstance(current, bool) and str(dispute.value).lower() in ("true", "false"):
            return self.t(f"boolean.{str(dispute.value).lower()}")
        if isinstance(current, PartialDate):
            try:
                return self.s.date(PartialDate.parse(dispute.value))
            except ValueError:
                pass
        return str(dispute.value)

    def field_label(self, field: str) -> str:
        key = f"field.{field}"
        return self.t(key) if self.t.has(key) else field.replace("_", " ")

    def describe(self, u: Uncertain) -> str:
        """A short label for a record in the appendix, in words a reader uses."""
        t, s, r = self.t, self.s, u.record
        if u.loc and u.loc[-1] in ("licence", "parameters"):
            return t(f"describe.{u.loc[-1]}", name=self.owner_name(u))
        if isinstance(r, Fact):
            key = str(u.loc[1]) if len(u.loc) > 1 else str(u.loc[0])
            return t("describe.fact", field=self.field_label(key), value=self.value(r.value))
        for kind, template in (("name", "describe.named"), ("title", "describe.titled")):
            if hasattr(r, kind) and hasattr(r, "date") and not isinstance(r, Release):
                return t(template, date=s.date(r.date), text=str(getattr(r, kind)))
        if isinstance(r, Release):
            return self.release_name(r)
        if isinstance(r, Person):
            return t("describe.person", name=s.name(r.name), role=r.role)
        if isinstance(r, PricePoint):
            return t("describe.price", model=r.model, price=s.price(r.input, r.currency),
                     date=s.date(r.start))
        if isinstance(r, FundingRound):
            return t("describe.round", round=r.round or t("funding.round"), date=s.date(r.date))
        if isinstance(r, RoundStage):
            return t("describe.stage", status=t(f"status.{r.status.value}"), date=s.date(r.date))
        if hasattr(r, "label"):
            return t("describe.fact", field=r.label, value=r.value)
        if hasattr(r, "name"):
            return s.name(r.name) if hasattr(r.name, "en") else str(r.name)
        if hasattr(r, "title"):
            return t("describe.titled", date=s.date(r.date), text=r.title)
        return t("describe.other")

    def owner_name(self, u: Uncertain) -> str:
        case = self.c.by_id(u.case_id).case
        record = case
        for part in u.loc[:-1]:
            record = record[part] if isinstance(part, int) else getattr(record, part)
        return getattr(record, "name", "")

    def rates(self) -> Table:
        t, s = self.t, self.s
        rows = tuple((Cell(t("rates.pair", base=r.base, quote=r.quote)),
                      Cell(s.date(r.period)), Cell(s.number(r.rate, 5)),
                      Cell(t(f"ratekind.{r.kind.value}")),
                      Cell("", self.c.converter.cite_keys.get(r.id, ())))
                     for r in sorted(self.c.converter.rates,
                                     key=lambda r: (r.base, r.quote, r.period.sort_key())))
        return self.listing("rates", ("pair", "period", "rate", "kind", "source"),
                            (18, 16, 14, 26, 26), rows)
