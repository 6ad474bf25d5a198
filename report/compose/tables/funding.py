"""Funding: every round, its stages, amount, valuation and investors."""

from __future__ import annotations

from .base import Cell, Table, TableMaker, cell


class Funding(TableMaker):
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
                rows.append((Cell(s.plain_name(f.case.name)), cell(f.case, what, r, *r.history),
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
