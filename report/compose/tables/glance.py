"""At a glance: one column per company, the facts a reader compares first."""

from __future__ import annotations

from dataclasses import replace

from ...compare import CaseFacts
from .base import Cell, Table, TableMaker, cell


class Glance(TableMaker):
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
