"""Cases → Comparison: the rows of every table, the derived findings and the merged timeline.

Everything here is plain data with citations attached; nothing is formatted as Markdown yet
(that is `compose.py`'s job), so the same comparison can feed tables, charts and tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from pydantic import BaseModel

from .model import (
    DIMENSIONS,
    Case,
    Confidence,
    Event,
    Fact,
    FundingRound,
    Money,
    Move,
    PartialDate,
    Person,
    PricePoint,
    Release,
    Source,
    Sourced,
    Tier,
)

# ---------------------------------------------------------------- typed values handed to compose


@dataclass(frozen=True)
class Cell:
    """One table cell: untrusted plain text plus the citation keys that back it."""

    text: str = ""
    cites: tuple[str, ...] = ()
    confidence: Confidence | None = None  # shown when below `confirmed`


@dataclass(frozen=True)
class Table:
    id: str
    caption: str
    header: tuple[str, ...]
    widths: tuple[int, ...]  # relative column widths, so DOCX and PDF tables fit the page
    rows: tuple[tuple[Cell, ...], ...]
    cites: tuple[str, ...] = ()  # sources for the caption's source line
    side_by_side: bool = False  # first column labels rows, one column per case after it

    def chunks(self, per_table: int) -> list[Table]:
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
                caption=f"{self.caption} (companies {start}–{cols[-1]} of {n})",
                header=tuple(self.header[c] for c in cols),
                widths=(self.widths[0], *([width] * (len(cols) - 1))),
                rows=tuple(tuple(row[c] for c in cols) for row in self.rows),
                cites=self.cites, side_by_side=True))
        return parts


@dataclass(frozen=True)
class Finding:
    headline: str
    text: str
    cites: tuple[str, ...]


@dataclass(frozen=True)
class Uncertain:
    """A fact below `confirmed`, or another source's version of one, for the appendix."""

    case: str
    what: str
    confidence: Confidence
    cites: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class Reference:
    """A source as the bibliography lists it; `key` is unique across cases."""

    key: str
    case_id: str
    source: Source


@dataclass(frozen=True)
class Comparison:
    cases: tuple[Case, ...]
    as_of: PartialDate
    build_date: dt.date
    findings: tuple[Finding, ...]
    glance: Table
    funding: Table
    strategy: Table
    moves: Table
    team: Table
    people: Table
    pricing: Table
    releases: Table
    scorecard: Table
    timeline: Table
    appendix: tuple[Table, ...]  # per case: facts short of a primary source
    evidence: tuple[Table, ...]  # per scored release: the judgement behind each cell
    uncertain: tuple[Uncertain, ...]
    references: tuple[Reference, ...] = field(repr=False)

    @property
    def names(self) -> list[str]:
        return [c.name.en for c in self.cases]


def cite_key(case: Case, source_id: str) -> str:
    """Return the bibliography key of a case's source; case ids keep keys unique."""
    return f"{case.id}:{source_id}"


# ---------------------------------------------------------------- the stage


def compare(cases: list[Case], build_date: dt.date) -> Comparison:
    """Return the comparison of `cases`, in the order given."""
    return Comparison(
        cases=tuple(cases),
        as_of=max(_dates(cases)),
        build_date=build_date,
        findings=tuple(_findings(cases)),
        glance=_glance(cases),
        funding=_funding(cases),
        strategy=_strategy(cases),
        moves=_moves(cases),
        team=_team(cases),
        people=_people(cases),
        pricing=_pricing(cases),
        releases=_releases(cases),
        scorecard=_scorecard(cases),
        timeline=_timeline(cases),
        appendix=tuple(_appendix(cases)),
        evidence=tuple(_evidence(cases)),
        uncertain=tuple(_uncertain(cases)),
        references=tuple(Reference(cite_key(c, s.id), c.id, s) for c in cases for s in c.sources),
    )


# ---------------------------------------------------------------- helpers


def _cites(case: Case, *records: Sourced | None) -> tuple[str, ...]:
    keys: list[str] = []
    for record in records:
        if record is None:
            continue
        for source_id in record.cite:
            key = cite_key(case, source_id)
            if key not in keys:
                keys.append(key)
    return tuple(keys)


def _cell(case: Case, text: str, *records: Sourced | None) -> Cell:
    real = [r for r in records if r is not None]
    weakest = max((r.confidence for r in real), key=lambda c: c.rank, default=None)
    shown = weakest if weakest and weakest is not Confidence.confirmed else None
    return Cell(text, _cites(case, *real), shown)


def _fact_cell(case: Case, versions: list[Fact] | None, fmt=None) -> Cell:
    """Return a cell for a profile fact; other sources' versions follow the first."""
    if not versions:
        return Cell("—")
    fmt = fmt or format_value
    first, *others = versions
    text = fmt(first.value)
    if others:
        text += "; other versions: " + "; ".join(fmt(v.value) for v in others)
    return _cell(case, text, *versions)


def money(m: Money | None) -> str:
    """Return `USD 1.0 bn`, `CNY 200 m`, or a range, as a reader writes money."""
    if m is None:
        return "—"

    def short(x: float) -> str:
        for size, suffix in ((1e9, " bn"), (1e6, " m"), (1e3, " k")):
            if x >= size:
                return f"{x / size:,.3g}{suffix}"
        return f"{x:,.4g}"

    if m.amount is not None:
        text = short(m.amount)
    elif m.low is not None and m.high is not None:
        text = f"{short(m.low)}–{short(m.high)}"
    elif m.low is not None:
        text = f"≥ {short(m.low)}"
    else:
        text = f"≤ {short(m.high)}"
    return f"{m.currency} {text}"


def price(x: float | None) -> str:
    return "—" if x is None else f"{x:,.4g}"


def _period(start: PartialDate | None, end: PartialDate | None) -> str:
    if start is None:
        return "—"
    return f"{start} – {end}" if end else f"from {start}"


def _dates(cases: Iterable[Case]) -> Iterator[PartialDate]:
    for case in cases:
        for _, value in _walk_model(case):
            if isinstance(value, PartialDate):
                yield value


def _walk_model(value, path: str = "") -> Iterator[tuple[str, object]]:
    """Yield (path, value) for every value in a model tree, sources' own dates excluded."""
    yield path, value
    if isinstance(value, Source):
        return
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _walk_model(getattr(value, name), f"{path}.{name}" if path else name)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _walk_model(item, f"{path}[{i}]")


def _departed(case: Case) -> list[Person]:
    return [p for p in case.team.people if p.has_left]


def _scored(case: Case) -> list[Release]:
    return [r for r in case.openness if r.scorecard is not None]


def _sorted_prices(case: Case) -> list[PricePoint]:
    return sorted(case.pricing, key=lambda p: (p.model, p.effective_from))


# ---------------------------------------------------------------- findings


def _findings(cases: list[Case]) -> Iterator[Finding]:
    yield from _price_finding(cases)
    yield from _openness_finding(cases)
    yield from _licence_finding(cases)
    yield from _departure_finding(cases)
    yield from _funding_finding(cases)
    yield from _release_finding(cases)


# Licences the Open Source Initiative approved that model weights are commonly released under.
OSI_LICENCES = {"MIT", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "ISC", "MPL-2.0",
                "GPL-2.0-only", "GPL-3.0-only", "LGPL-3.0-only", "AGPL-3.0-only"}


def current_licence(release: Release):
    """Return the licence a release is under now: its last recorded change, else its first."""
    if release.licence_changes:
        return max(release.licence_changes, key=lambda ch: ch.date).licence
    return release.licence


def _licence_finding(cases: list[Case]) -> Iterator[Finding]:
    parts, cites = [], []
    for case in cases:
        weights = [r for r in case.openness if r.weights != "none"]
        if not weights:
            continue
        osi = [r for r in weights if (lic := current_licence(r)) and lic.spdx in OSI_LICENCES]
        changed = [r for r in weights if r.licence_changes]
        text = (f"{case.name.en} {len(osi)} of {len(weights)} releases with downloadable "
                f"weights under an OSI-approved licence now")
        if changed:
            text += " (" + "; ".join(
                f"{r.model}: {r.licence.label() if r.licence else '—'} → "
                + " → ".join(f"{ch.licence.label()} ({ch.date})"
                             for ch in sorted(r.licence_changes, key=lambda ch: ch.date))
                for r in changed) + ")"
        parts.append(text)
        cites.extend(k for r in (changed or osi[:1]) for k in _cites(case, r, *r.licence_changes))
    if parts:
        yield Finding("Licences", "; ".join(parts) + ".", tuple(dict.fromkeys(cites)))


def _funding_finding(cases: list[Case]) -> Iterator[Finding]:
    parts, cites = [], []
    for case in cases:
        rounds = sorted(case.profile.funding_rounds, key=lambda r: r.date)
        valued = [r for r in rounds if r.valuation]
        if not rounds:
            parts.append(f"{case.name.en} no external round recorded")
            continue
        text = f"{case.name.en} {len(rounds)} round{'s' * (len(rounds) != 1)} recorded"
        if valued:
            last = valued[-1]
            text += f", latest valuation {money(last.valuation)} ({last.date})"
            cites.extend(_cites(case, last))
        parts.append(text)
    yield Finding("Funding", "; ".join(parts) + ".", tuple(dict.fromkeys(cites)))


def list_prices(case: Case) -> list[PricePoint]:
    """Return the standard published prices: no discounts, no resellers."""
    return [p for p in case.pricing if p.tier is Tier.list]


def lowest_price_steps(points: list[PricePoint], kind: str, end: dt.date):
    """Return (dates, prices, models) of the lowest `kind` price on offer at each date.

    Step-wise: a price holds from its start until the next change; None marks a gap in which
    no price was published.
    """
    # `until` is the last day a price applied, so a span ends the day after it.
    spans = [(p.effective_from.start(),
              p.until.end() + dt.timedelta(days=1) if p.until else end, getattr(p, kind),
              p.model) for p in points]
    spans = [s for s in spans if s[2] is not None and s[2] > 0 and s[0] < s[1]]
    cuts = sorted({d for s in spans for d in (s[0], s[1])})
    xs: list[str] = []
    ys: list[float | None] = []
    models: list[str] = []

    def emit(day: dt.date, value: float | None, model: str) -> None:
        xs.append(day.isoformat())
        ys.append(value)
        models.append(model)

    shown: tuple[float, str] | None = None  # the price the line is drawing now
    for left in cuts[:-1]:
        live = [s for s in spans if s[0] <= left < s[1]]
        now = min(((s[2], s[3]) for s in live), default=None)
        if now == shown:
            continue
        if now is None:
            emit(left, shown[0], shown[1])  # close the last step before the gap
            emit(left, None, "")
        else:
            emit(left, now[0], now[1])
        shown = now
    if shown is not None:
        emit(cuts[-1], shown[0], shown[1])
    return xs, ys, models


def _cheapest(case: Case, currency: str) -> PricePoint | None:
    points = [p for p in list_prices(case) if p.currency == currency]
    return min(points, key=lambda p: (p.input, p.effective_from), default=None)


def _price_finding(cases: list[Case]) -> Iterator[Finding]:
    priced = [c for c in cases if list_prices(c)]
    if len(priced) < 2:
        return
    # Prices are compared only within one currency: the case files hold no exchange rates.
    shared = set.intersection(*({p.currency for p in list_prices(c)} for c in priced))
    if not shared:
        return
    currency = max(sorted(shared), key=lambda cur: sum(
        p.currency == cur for c in priced for p in list_prices(c)))
    lowest = sorted(((c, _cheapest(c, currency)) for c in priced), key=lambda cp: cp[1].input)
    parts = [f"{c.name.en} {price(p.input)} {currency} ({p.model}, from {p.effective_from})"
             for c, p in lowest]
    (cheap_case, cheap), (dear_case, dear) = lowest[0], lowest[-1]
    ratio = dear.input / cheap.input if cheap.input else None
    text = "Lowest list price for input per 1M tokens: " + "; ".join(parts) + "."
    if ratio and ratio >= 1.05:
        text += (f" {dear_case.name.en}'s lowest input price is {ratio:.1f}× "
                 f"{cheap_case.name.en}'s.")
    cites = [k for c, p in lowest for k in _cites(c, p)]
    cached = [(c, min(hits, key=lambda p: (p.input_cache_hit, p.effective_from)))
              for c in priced
              if (hits := [p for p in list_prices(c)
                           if p.currency == currency and p.input_cache_hit is not None])]
    if cached:
        text += " With cached input (cache hits) the lowest list prices are: " + "; ".join(
            f"{c.name.en} {price(p.input_cache_hit)} {currency} ({p.model}, from "
            f"{p.effective_from})" for c, p in cached) + "."
        cites.extend(k for c, p in cached for k in _cites(c, p))
    yield Finding("Price", text, tuple(dict.fromkeys(cites)))


def _openness_finding(cases: list[Case]) -> Iterator[Finding]:
    parts: list[str] = []
    cites: list[str] = []
    for case in cases:
        releases = _scored(case)
        if not releases:
            continue
        best = max(releases, key=lambda r: (r.scorecard.score(), r.date))
        worst = min(releases, key=lambda r: (r.scorecard.score(), r.date))
        text = f"{case.name.en} {best.scorecard.score():.0%} at best ({best.model})"
        if worst is not best:
            text += f", {worst.scorecard.score():.0%} at worst ({worst.model})"
        parts.append(text + f", {len(releases)} release{'s' * (len(releases) != 1)} scored")
        cites.extend(_cites(case, best, worst))
    if parts:
        yield Finding("Openness", "Openness score (13 dimensions; open counts 1, partial 0.5): "
                      + "; ".join(parts) + ".", tuple(dict.fromkeys(cites)))


def _departure_finding(cases: list[Case]) -> Iterator[Finding]:
    parts, cites = [], []
    for case in cases:
        gone = _departed(case)
        cofounders = sum(p.cofounder for p in gone)
        parts.append(f"{case.name.en} {len(gone)} of {len(case.team.people)} named "
                     f"({cofounders} co-founder{'s' if cofounders != 1 else ''})")
        cites.extend(k for p in gone for k in _cites(case, p))
    text = "Named executives and co-founders who have left: " + "; ".join(parts) + "."
    yield Finding("Team", text, tuple(dict.fromkeys(cites)))


def _release_finding(cases: list[Case]) -> Iterator[Finding]:
    parts, cites = [], []
    for case in cases:
        if not case.openness:
            continue
        open_weights = [r for r in case.openness if r.weights == "open"]
        latest = max(case.openness, key=lambda r: r.date)
        n = len(case.openness)
        parts.append(f"{case.name.en} {n} release{'s' * (n != 1)} recorded, "
                     f"{len(open_weights)} with open weights, "
                     f"latest {latest.model} ({latest.date})")
        cites.extend(_cites(case, latest))
    if parts:
        yield Finding("Models", "; ".join(parts) + ".", tuple(cites))


# ---------------------------------------------------------------- side-by-side tables


def _side_by_side(id: str, caption: str, cases: list[Case], rows) -> Table:
    """Return a table with one column per case; `rows` maps a label to a cell per case."""
    n = len(cases)
    label_width = 18
    return Table(
        id=id,
        caption=caption,
        header=("", *(c.name.en for c in cases)),
        widths=(label_width, *([(100 - label_width) // n] * n)),
        rows=tuple((Cell(label), *(cell(c) for c in cases)) for label, cell in rows),
        side_by_side=True,
    )


def _glance(cases: list[Case]) -> Table:
    def founded(c: Case) -> Cell:
        return _fact_cell(c, c.profile.founded)

    def funding(c: Case) -> Cell:
        rounds = c.profile.funding_rounds
        if not rounds:
            return Cell("none recorded")
        latest = max(rounds, key=lambda r: r.date)
        value = [r for r in rounds if r.valuation]
        text = f"{len(rounds)} round{'s' * (len(rounds) != 1)} recorded; latest {latest.date}"
        if value:
            top = max(value, key=lambda r: r.date)
            text += f"; valuation {money(top.valuation)} ({top.date})"
            return _cell(c, text, latest, top)
        return _cell(c, text, latest)

    def lowest_price(c: Case) -> Cell:
        if not list_prices(c):
            return Cell("—")
        parts, records = [], []
        for currency in sorted({p.currency for p in list_prices(c)}):
            p = _cheapest(c, currency)
            parts.append(f"{currency} {price(p.input)} input ({p.model}, from {p.effective_from})")
            records.append(p)
        return _cell(c, "; ".join(parts), *records)

    def releases(c: Case) -> Cell:
        if not c.openness:
            return Cell("—")
        latest = max(c.openness, key=lambda r: r.date)
        open_w = sum(r.weights == "open" for r in c.openness)
        return _cell(c, f"{len(c.openness)} recorded, {open_w} open-weight; latest "
                        f"{latest.model} ({latest.date})", latest)

    def openness(c: Case) -> Cell:
        scored = _scored(c)
        if not scored:
            return Cell("not scored")
        best = max(scored, key=lambda r: r.scorecard.score())
        return _cell(c, f"{best.scorecard.score():.0%} ({best.model})", best)

    def departures(c: Case) -> Cell:
        gone = _departed(c)
        return _cell(c, f"{len(gone)} of {len(c.team.people)} named people", *gone)

    rows = [
        ("Chinese name", lambda c: Cell(c.name.zh or "—")),
        ("Legal name", lambda c: _fact_cell(c, c.profile.legal_name)),
        ("Founded", founded),
        ("Headquarters", lambda c: _fact_cell(c, c.profile.headquarters)),
        ("Founders", lambda c: _fact_cell(c, c.profile.founders)),
        ("Backers", lambda c: _cell(c, "; ".join(
            b.name.both() + (f": {b.relation}" if b.relation else "") for b in c.profile.backers)
            or "—", *c.profile.backers)),
        ("Funding", funding),
        ("Status", lambda c: _fact_cell(c, c.profile.status)),
        ("Model releases", releases),
        ("Lowest API list price (per 1M tokens)", lowest_price),
        ("Best openness score", openness),
        ("Departures", departures),
    ]
    return _side_by_side("tbl-glance", "At a glance", cases, rows)


def _funding(cases: list[Case]) -> Table:
    rows = []
    for case in cases:
        for r in sorted(case.profile.funding_rounds, key=lambda r: r.date):
            who = [f"lead: {', '.join(r.lead_investors)}"] if r.lead_investors else []
            who += [f"also: {', '.join(r.investors)}"] if r.investors else []
            rows.append((Cell(case.name.en), _cell(case, str(r.date), r), Cell(r.round or "—"),
                         Cell(money(r.amount)), Cell(money(r.valuation)),
                         Cell("; ".join(who) or "—")))
    return Table("tbl-funding", "Funding rounds: amounts, valuations and lead investors",
                 ("Company", "Date", "Round", "Amount", "Valuation", "Investors"),
                 (12, 14, 16, 15, 15, 28), tuple(rows))


def _strategy(cases: list[Case]) -> Table:
    def lines(c: Case) -> Cell:
        bl = c.strategy.business_lines
        text = "; ".join(f"{b.name} ({b.kind.value.replace('_', ' ')}"
                         + (f", {b.launched}" if b.launched else "") + ")" for b in bl)
        return _cell(c, text or "—", *bl)

    rows = [
        ("Positioning", lambda c: _fact_cell(c, c.strategy.positioning)),
        ("Target customers", lambda c: _fact_cell(c, c.strategy.target_customers)),
        ("Business lines", lines),
        ("Strategic moves recorded", lambda c: Cell(str(len(c.strategy.moves)))),
    ]
    return _side_by_side("tbl-strategy", "Strategy compared", cases, rows)


def _moves(cases: list[Case]) -> Table:
    rows = []
    for case in cases:
        for m in sorted(case.strategy.moves, key=lambda m: m.date):
            said = m.title
            if m.quote:
                said += " — “" + " / ".join(q for q in (m.quote.zh, m.quote.en) if q) + "”"
            after = (m.outcome or "") + (f" ({m.outcome_date})" if m.outcome_date else "")
            rows.append((Cell(str(m.date)), Cell(case.name.en), _cell(case, said, m),
                         Cell(after or "—")))
    return Table("tbl-moves", "Strategic moves and public statements, and what followed",
                 ("Date", "Company", "Move or statement", "What followed"), (11, 12, 45, 32),
                 tuple(rows))


def _team(cases: list[Case]) -> Table:
    labels = list(dict.fromkeys(f.label for c in cases for f in c.team.facts))

    def team_fact(label: str):
        def cell(c: Case) -> Cell:
            facts = [f for f in c.team.facts if f.label == label]
            return _cell(c, "; ".join(f.value for f in facts), *facts) if facts else Cell("—")
        return cell

    rows = [
        ("Named people", lambda c: Cell(str(len(c.team.people)))),
        ("Co-founders named", lambda c: Cell(str(sum(p.cofounder for p in c.team.people)))),
        ("Departed", lambda c: Cell(str(len(_departed(c))))),
        *((label[:1].upper() + label[1:], team_fact(label)) for label in labels),
    ]
    return _side_by_side("tbl-team", "Team compared", cases, rows)


def _people(cases: list[Case]) -> Table:
    rows = []
    for case in cases:
        for p in sorted(case.team.people, key=lambda p: (p.joined or PartialDate(1900), p.id)):
            if p.joined:
                tenure = _period(p.joined, p.left)
            elif p.has_left:
                tenure = f"left {p.left or '(date not recorded)'}"
            else:
                tenure = "—"
            if p.joined and p.has_left and not p.left:
                tenure += ", left (date not recorded)"
            rows.append((Cell(case.name.en), _cell(case, p.name.both(), p),
                         Cell(p.role + (" (co-founder)" if p.cofounder else "")),
                         Cell(tenure), Cell(p.went_to or ("—" if p.has_left else "still there"))))
    return Table("tbl-people", "People: roles, tenure and where those who left went",
                 ("Company", "Name", "Role", "Tenure", "Went to"), (12, 22, 26, 16, 24),
                 tuple(rows))


def _pricing(cases: list[Case]) -> Table:
    rows = []
    for case in cases:
        for p in _sorted_prices(case):
            rows.append((Cell(case.name.en), _cell(case, p.model, p), Cell(p.tier.label),
                         Cell(_period(p.effective_from, p.until)), Cell(p.currency),
                         Cell(price(p.input)), Cell(price(p.input_cache_hit)),
                         Cell(price(p.output))))
    return Table("tbl-pricing", "API prices per 1M tokens",
                 ("Company", "Model", "Tier", "Period", "Cur.", "Input", "Input, cache hit",
                  "Output"),
                 (11, 23, 11, 19, 6, 9, 10, 9), tuple(rows))


def _releases(cases: list[Case]) -> Table:
    rows = []
    for case in cases:
        for r in sorted(case.openness, key=lambda r: r.date):
            params = "—"
            if r.parameters:
                params = f"{r.parameters.total_b:g}B"
                if r.parameters.active_b:
                    params += f" ({r.parameters.active_b:g}B active)"
            licence = r.licence.label() if r.licence else "—"
            for change in r.licence_changes:
                licence += f" → {change.licence.label()} ({change.date})"
            rows.append((Cell(case.name.en), _cell(case, r.model, r, *r.licence_changes),
                         Cell(str(r.date)), Cell(r.kind.value), Cell(params),
                         Cell(r.weights), Cell(licence)))
    return Table("tbl-releases", "Model releases, weights and licences",
                 ("Company", "Model", "Released", "Kind", "Parameters", "Weights", "Licence"),
                 (12, 20, 12, 10, 14, 9, 23), tuple(rows))


GRADE_MARK = {"open": "●", "partial": "◐", "closed": "○", "n/a": "–"}


def _scorecard(cases: list[Case]) -> Table:
    """Return one row per scored release and one narrow column per dimension."""
    rows = []
    for case in cases:
        for r in _scored(case):
            cites = tuple(dict.fromkeys(
                cite_key(case, s) for _, cell in r.scorecard.cells() for s in cell.cite))
            rows.append((Cell(case.name.en), Cell(r.model, cites),
                         *(Cell(GRADE_MARK[cell.grade.value]) for _, cell in r.scorecard.cells()),
                         Cell(f"{r.scorecard.score():.0%}")))
    header = ("Company", "Release", *(str(i) for i in range(1, len(DIMENSIONS) + 1)), "Score")
    legend = "; ".join(f"{i} {label}" for i, label in enumerate(DIMENSIONS.values(), start=1))
    return Table("tbl-scorecard",
                 "Openness scorecard (● open, ◐ partial, ○ closed, – not applicable). "
                 f"Dimensions: {legend}",
                 header, (10, 20, *([5] * len(DIMENSIONS)), 7), tuple(rows))


def _timeline(cases: list[Case]) -> Table:
    events: list[tuple[PartialDate, str, Case, Event]] = [
        (e.date, c.name.en, c, e) for c in cases for e in c.timeline]
    rows = tuple((Cell(str(d)), Cell(name), Cell(e.category.value), _cell(c, e.title, e))
                 for d, name, c, e in sorted(events, key=lambda t: (t[0], t[1])))
    return Table("tbl-timeline", "Merged timeline",
                 ("Date", "Company", "Category", "Event"), (11, 12, 12, 65), rows)


# ---------------------------------------------------------------- appendix


def describe(record: object) -> str:
    """Return a short English label for a sourced record, for the appendix."""
    match record:
        case Event(date=d, title=t) | Move(date=d, title=t):
            return f"{d}: {t}"
        case Person(name=n, role=r):
            return f"{n.both()}, {r}"
        case PricePoint():
            return (f"{record.model} price from {record.effective_from}: "
                    f"input {price(record.input)} {record.currency}")
        case Release(model=m, date=d):
            return f"{m} released {d}"
        case FundingRound(date=d, round=r, amount=a):
            return f"funding {r or 'round'} {d}" + (f", {money(a)}" if a else "")
        case Fact(value=v):
            return format_value(v)
    for attr in ("title", "label", "name", "model"):
        value = getattr(record, attr, None)
        if value is not None:
            return value.both() if hasattr(value, "both") else str(value)
    return type(record).__name__


def format_value(value: object) -> str:
    """Return a fact's value as a reader reads it: names in both languages, lists joined."""
    if hasattr(value, "both"):
        return value.both()
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(v) for v in value)
    return str(value)


def _uncertain(cases: list[Case]) -> Iterator[Uncertain]:
    for case in cases:
        for path, record in _walk_model(case):
            if not isinstance(record, Sourced):
                continue
            what = describe(record)
            if isinstance(record, Fact):
                what = f"{path.split('[')[0].split('.')[-1].replace('_', ' ')}: {what}"
            if record.confidence is not Confidence.confirmed:
                yield Uncertain(case.name.en, what, record.confidence, _cites(case, record),
                                record.note or "")
            for d in record.disputes:
                yield Uncertain(case.name.en, f"{what} — other version of {d.field}: {d.value}",
                                d.confidence, tuple(cite_key(case, s) for s in d.cite),
                                d.note or "")


def _appendix(cases: list[Case]) -> Iterator[Table]:
    for case in cases:
        rows = tuple((Cell(u.what, u.cites), Cell(u.confidence.value), Cell(u.note or "—"))
                     for u in _uncertain([case]))
        if rows:
            yield Table(f"tbl-uncertain-{case.id}",
                        f"Facts short of a primary source: {case.name.both()}",
                        ("Fact", "Confidence", "Note"), (50, 12, 38), rows)


def _evidence(cases: list[Case]) -> Iterator[Table]:
    for case in cases:
        for r in _scored(case):
            rows = tuple(
                (Cell(DIMENSIONS[key]), Cell(cell.grade.value),
                 Cell(cell.evidence, tuple(cite_key(case, s) for s in cell.cite)))
                for key, cell in r.scorecard.cells())
            yield Table(f"tbl-evidence-{case.id}-{r.id}",
                        f"Openness evidence: {r.model} ({case.name.en}, {r.date}), "
                        f"score {r.scorecard.score():.0%}",
                        ("Dimension", "Grade", "Evidence"), (22, 10, 68), rows)
