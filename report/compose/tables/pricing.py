"""Pricing: every price point with its period and conversion, and the rates used."""

from __future__ import annotations

from dataclasses import replace

from .base import Cell, Table, TableMaker, cell


class Pricing(TableMaker):
    def pricing(self) -> Table:
        t, s = self.t, self.s
        rows = []
        for f in self.c.facts:
            for p in sorted(f.case.pricing, key=lambda p: (p.model, p.start.sort_key(), p.id)):
                conv = self.c.converter.convert(p.input, p.currency, p.start, self.c.currency)
                made = cell(f.case, p.model, p)
                rows.append((Cell(self.s.plain_name(f.case.name)),
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
