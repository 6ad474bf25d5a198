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

    def price_summary(self) -> Table:
        """Each model's list price at launch and its latest, in the comparison currency (at
        the rate for each price's date), input and output per 1M tokens: the history is the
        full pricing table's. A model's prices in the comparison currency are taken before
        the same prices in another."""
        from ...model import Tier

        t, s, target = self.t, self.s, self.c.currency
        rows = []
        for f in self.c.facts:
            by_model: dict[str, list] = {}
            for p in f.case.pricing:
                if p.tier is Tier.list:
                    by_model.setdefault(p.model, []).append(p)
            ordered = sorted(by_model.items(), key=lambda kv: (
                min(p.start.sort_key() for p in kv[1]), kv[0]))
            for model, points in ordered:
                points.sort(key=lambda p: (p.start.sort_key(), p.currency != target, p.id))
                first = [p for p in points if p.start == points[0].start]
                last = [p for p in points if p.start == points[-1].start]
                # The first and latest price in one currency where the company gave both in
                # it: a USD list price beside a CNY one converted would show a change that is
                # only the exchange rate's.
                both = {p.currency for p in first} & {p.currency for p in last}
                currency = target if target in both else min(both, default=None)
                launch = next((p for p in first if p.currency == currency), first[0])
                latest = next((p for p in last if p.currency == currency), last[0])

                def price(p, amount):
                    if amount is None:
                        return t("none"), ()
                    conv = self.c.converter.convert(amount, p.currency, p.start, target)
                    if conv is None:
                        return s.price(amount, p.currency), ()
                    return s.price(conv.value, target), self.conversion_cites(conv)

                cells = []
                for p in (launch, latest) if latest is not launch else (launch,):
                    inp, inp_cites = price(p, p.input)
                    out, out_cites = price(p, p.output)
                    cells.append((p, inp, out, inp_cites + out_cites))
                made = cell(f.case, model, *(c[0] for c in cells))
                extra = tuple(k for c in cells for k in c[3])
                launch_cells = cells[0]
                if len(cells) == 1:
                    now = (Cell(t("table.prices.unchanged")), Cell(t("none")), Cell(t("none")))
                else:
                    q = cells[1]
                    period = self.price_period(q[0])
                    if latest.currency != launch.currency:  # say the change may be the rate's
                        period = t("table.prices.other_currency", period=period,
                                   currency=latest.currency, first=launch.currency)
                    now = (Cell(period), Cell(q[1]), Cell(q[2]))
                rows.append((Cell(s.plain_name(f.case.name)),
                             replace(made, cites=tuple(dict.fromkeys(made.cites + extra))),
                             Cell(t("price.seen", date=s.date(launch.seen)) if launch.only_seen
                                  else s.date(launch.start)), Cell(launch_cells[1]),
                             Cell(launch_cells[2]), *now))
        table = self.listing("prices", ("company", "model", "launched", "input", "output",
                                        "latest", "latest_input", "latest_output"),
                             (10, 22, 14, 9, 9, 18, 9, 9), rows)
        return replace(table, caption=t("table.prices.caption", currency=target))

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
