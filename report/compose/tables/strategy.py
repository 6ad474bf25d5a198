"""Strategy: positioning, customers and business lines side by side, and the moves."""

from __future__ import annotations

import datetime as dt

from ...compare import CaseFacts
from .base import Cell, Table, TableMaker, cell


class Strategy(TableMaker):
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
            rows.append((Cell(s.date(m.date)), Cell(s.plain_name(case.name)), cell(case, said, m),
                         Cell(after)))
        return self.listing("moves", ("date", "company", "move", "after"), (11, 11, 46, 32),
                            rows)

    def business_lines(self) -> Table:
        t, s = self.t, self.s
        rows = []
        for f in self.c.facts:
            for b in sorted(f.case.strategy.business_lines,
                            key=lambda b: (b.launched.sort_key() if b.launched else
                                           (dt.date.max,), b.id)):
                rows.append((Cell(self.s.plain_name(f.case.name)), cell(f.case, b.name, b),
                             Cell(t(f"business.{b.kind.value}")),
                             Cell(s.period(b.launched, b.ended) if b.launched else t("none")),
                             Cell(b.description or t("none"))))
        return self.listing("lines", ("company", "line", "kind", "period", "description"),
                            (11, 20, 12, 15, 42), rows)
