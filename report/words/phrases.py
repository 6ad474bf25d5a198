"""Values → phrases: a date's period, a conversion with its rate, a release with its date, a
licence with its changes, what a timeline event says happened, a record named for the
appendix. The tables, the live facts and the charts all write values through these, in
the catalogue's words and the house style.
"""

from __future__ import annotations

from collections import defaultdict

from ..compare import CaseFacts, Comparison, Conversion, Uncertain
from ..model import Fact, FundingRound, PartialDate, Person, PricePoint, Release, RoundStage
from .style import Style


class Phrases:
    """Writes single values as a reader reads them, for one comparison in one style."""

    def __init__(self, c: Comparison, style: Style):
        self.c, self.s, self.t = c, style, style.labels

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
        amount = self.t("money.amount", code=conv.currency, figure=self.s.number(
            conv.value, 2)) if conv.value < 1e6 else self.s.amount(conv.value, conv.currency)
        return self.t("money.converted", amount=amount, rate=self.rate(conv))

    def rate(self, conv: Conversion) -> str:
        r = conv.rate
        return self.t(f"rate.{r.kind.value}", rate=self.s.number(r.rate, 4), quote=r.quote,
                      base=r.base, period=self.s.date(r.period))

    def conversion_short(self, conv: Conversion | None) -> str:
        """`≈ USD 0.14 at 7.19 (2024)`: for a table column whose header names the rate."""
        if conv is None or not conv.converted:
            return self.t("none")
        return self.t("money.converted_short", amount=self.t(
            "money.amount", code=conv.currency, figure=self.s.number(conv.value, 2)),
                      rate=self.s.number(conv.rate.rate, 4),
                      period=self.s.date(conv.rate.period))

    def release_name(self, r: Release | None) -> str:
        if r is None:
            return self.t("none")
        return self.t("release.with_date", name=r.name, date=self.s.date(r.date))

    def valuation(self, r: FundingRound, value: Conversion | None) -> str:
        v = r.valuation
        text = self.s.money(v)
        if value is not None and value.converted:
            text += " " + self.t("paren", text=self.conversion(value))
        return self.t("valuation", value=text, basis=self.t(f"basis.{v.basis.value}"),
                      date=self.s.date(r.date))

    def investors(self, r: FundingRound) -> str:
        parts = []
        if r.lead_investors:
            parts.append(self.t("funding.lead", names=self.t("list.join").join(r.lead_investors)))
        if r.investors:
            parts.append(self.t("funding.also", names=self.t("list.join").join(r.investors)))
        return self.t("list.sep").join(parts) or self.t("none")

    def tenure(self, p: Person) -> str:
        t, s = self.t, self.s
        if p.left:
            return s.period(p.joined, p.left) if p.joined else t("person.left_on",
                                                                 date=s.date(p.left))
        if p.departed:
            start = t("date.from", date=s.date(p.joined)) if p.joined else ""
            return (start + t("list.sep") if start else "") + t("person.left_undated")
        return s.period(p.joined, None) if p.joined else t("none")

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
            return t("happening.founded", name=self.s.plain_name(r.case.name))
        return r.title

    def dispute_value(self, record, dispute) -> str:
        """Another source's version, written the way the field itself is written."""
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
