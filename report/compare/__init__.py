"""Cases → Comparison: per-company registers, the merged timeline, the facts below confirmed.

Everything here is values (numbers, dates, records, ids) with citations attached; no sentence
is written here. The words a reader sees come from the templates and the label catalogue.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from pydantic import BaseModel

from ..model import (
    Case,
    Category,
    Confidence,
    PartialDate,
    RatesFile,
    Recorded,
    Source,
    Sourced,
    SourceKind,
    Tier,
)
from ..model.case import OwnSource
from ..model.money import DEFAULT_CURRENCY
from .convert import Conversion, Converter
from .registers import CaseFacts, PriceStep, best_scored, by_date, latest, register

__all__ = ["CaseFacts", "Comparison", "Conversion", "Converter", "PriceComparison",
           "PriceStep", "Reference", "merge_duplicates", "price_ranking",
           "TimelineItem", "Uncertain", "best_scored", "by_date", "cite_key", "compare",
           "latest"]


@dataclass(frozen=True)
class Reference:
    """A source as the bibliography lists it; `key` is unique across all inputs."""

    key: str
    owner: str  # the case id, or `rates` / `claims`
    source: Source


@dataclass(frozen=True)
class TimelineItem:
    """One dated happening, from whichever record holds it."""

    date: PartialDate
    case_id: str
    kind: str  # release | price | round | move | joined | left | event | launch | licence
    category: Category
    record: Recorded
    key: bool


@dataclass(frozen=True)
class Uncertain:
    """A fact below `confirmed`, or one that sources dispute, for the appendix."""

    case_id: str
    topic: str  # the case-file section: profile, funding, strategy, team, pricing, releases …
    loc: tuple
    record: BaseModel
    confidence: Confidence
    reason: str  # why it is below confirmed: a key of `reason.*` in the label catalogue
    cites: tuple[str, ...]


@dataclass(frozen=True)
class Comparison:
    facts: tuple[CaseFacts, ...]
    as_of: PartialDate
    build_date: dt.date
    currency: str
    converter: Converter
    timeline: tuple[TimelineItem, ...]
    uncertain: tuple[Uncertain, ...]
    references: tuple[Reference, ...] = field(repr=False)  # each source once (`merged`)
    # the key of a source recorded again (in another case file, the rates or the claims) ->
    # the key of the one reference it was merged into
    aliases: dict[str, str] = field(default_factory=dict, repr=False)
    # (case id, day) -> that company's registers as of the day, worked out once (figures.py)
    moments: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def cases(self) -> tuple[Case, ...]:
        return tuple(f.case for f in self.facts)

    def by_id(self, case_id: str) -> CaseFacts:
        return next(f for f in self.facts if f.case.id == case_id)

    @property
    def currency_used(self) -> bool:
        """Whether money in other currencies is converted into the comparison currency."""
        money = [p.currency for c in self.cases for p in c.pricing]
        money += [m.currency for c in self.cases for r in c.profile.funding_rounds
                  for m in (r.amount, r.valuation) if m is not None]
        return any(cur != self.currency for cur in money)

    def sources(self) -> dict[str, Source]:
        """Every bibliography key, a merged duplicate's too, with the source it names."""
        found = {ref.key: ref.source for ref in self.references}
        return found | {alias: found[key] for alias, key in self.aliases.items()}

    def canonical(self, key: str) -> str:
        """The key the source list knows a source by (a duplicate's is its first record's)."""
        return self.aliases.get(key, key)


def cite_key(owner: str, source_id: str) -> str:
    """Return the bibliography key of a source; the owner (case id) keeps keys unique."""
    return f"{owner}:{source_id}"


def cites(case: Case, *records: Sourced | OwnSource | None) -> tuple[str, ...]:
    """Return the bibliography keys a record (or several) cite, in order, once each."""
    keys: list[str] = []
    for record in records:
        for source_id in (getattr(record, "cite", None) or ()):
            key = cite_key(case.id, source_id)
            if key not in keys:
                keys.append(key)
    return tuple(keys)


# ---------------------------------------------------------------- the stage


def compare(cases: list[Case], build_date: dt.date, rates: RatesFile | None = None,
            currency: str = DEFAULT_CURRENCY, extra_sources: tuple[Source, ...] = ()) -> Comparison:
    """Return the comparison of `cases`, in the order given, with money in `currency`."""
    rate_keys = {r.id: tuple(cite_key("rates", s) for s in r.cite) for r in
                 (rates.rates if rates else [])}
    converter = Converter(list(rates.rates) if rates else [], rate_keys)
    as_of = _as_of(cases, build_date)
    facts = tuple(register(c, converter, currency, as_of.end()) for c in cases)
    references = [Reference(cite_key(c.id, s.id), c.id, s) for c in cases for s in c.sources]
    if rates:
        references += [Reference(cite_key("rates", s.id), "rates", s) for s in rates.sources]
    references += [Reference(cite_key("claims", s.id), "claims", s) for s in extra_sources]
    merged, aliases = merge_duplicates(references)
    return Comparison(
        facts=facts,
        as_of=as_of,
        build_date=build_date,
        currency=currency,
        converter=converter,
        timeline=tuple(sorted(_timeline(cases), key=lambda t: (t.date.sort_key(), t.case_id,
                                                              t.record.id, t.kind))),
        uncertain=tuple(u for c in cases for u in _uncertain(c)),
        references=merged,
        aliases=aliases,
    )


def merge_duplicates(references: list[Reference]) -> tuple[tuple[Reference, ...],
                                                            dict[str, str]]:
    """Return the references with each source once, and the key of every duplicate -> the
    key it was merged into.

    Two case files (or a case file and the rates or the claims) often record one article:
    the list of sources shows it once, with one number. Two records are one source when
    they give the same address, or, when one of them gives none, the same title, publisher
    and date (a publisher's remark in brackets aside: "lapis.cafe (personal blog)" is
    lapis.cafe). Two different addresses are two sources. The first record stays; what it
    leaves out (an address, author, date) is taken from the others, and it is a seed when
    any of them is."""
    kept: list[Reference] = []
    aliases: dict[str, str] = {}
    by_url: dict[str, int] = {}
    by_title: dict[tuple, list[int]] = {}
    for ref in references:
        s = ref.source
        url = _url(s.url)
        same = by_url.get(url) if url else None
        if same is None:
            same = next((i for i in by_title.get(_identity(s), ())
                         if not (url and kept[i].source.url)), None)
        if same is None:
            kept.append(ref)
            if url:
                by_url[url] = len(kept) - 1
            by_title.setdefault(_identity(s), []).append(len(kept) - 1)
            continue
        first = kept[same]
        aliases[ref.key] = first.key
        kept[same] = Reference(first.key, first.owner, _completed(first.source, s))
        if url and not first.source.url:
            by_url[url] = same
    return tuple(kept), aliases


def _url(url: str | None) -> str:
    """An address as compared: scheme and host in any case, without a closing slash."""
    if not url:
        return ""
    scheme, _, rest = url.strip().partition("://")
    host, slash, path = rest.partition("/")
    return f"{scheme.lower()}://{host.lower()}{slash}{path}".rstrip("/")


def _identity(s: Source) -> tuple:
    """Title, publisher (its remarks in brackets left out) and date, as compared."""
    def plain(text: str | None) -> str:
        return " ".join(re.sub(r"\s*[(（][^()（）]*[)）]", " ", text or "").casefold().split())

    return plain(s.title), plain(s.publisher), str(s.date)


def _completed(first: Source, other: Source) -> Source:
    """The first record of a source, with what it leaves out taken from another record."""
    update = {name: getattr(other, name) for name in ("url", "author", "date", "publisher")
              if getattr(first, name) is None and getattr(other, name) is not None}
    if other.seed and not first.seed:
        update["seed"] = True
    return first.model_copy(update=update) if update else first


def _as_of(cases: list[Case], build_date: dt.date) -> PartialDate:
    """The latest date any case records, not counting dates after the build (a planned
    retirement, say)."""
    dates = [d for c in cases for _, d in _walk(c) if isinstance(d, PartialDate)
             and d.start() <= build_date]
    return max(dates, key=lambda d: d.sort_key(), default=PartialDate(build_date.year))


def _walk(value, loc: tuple = ()) -> Iterator[tuple[tuple, object]]:
    """Yield (location, value) through a model tree; sources' own dates are left out."""
    yield loc, value
    if isinstance(value, Source):
        return
    if isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            yield from _walk(getattr(value, name), (*loc, info.alias or name))
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _walk(item, (*loc, i))


# ---------------------------------------------------------------- the merged timeline


@dataclass(frozen=True)
class _Founding:
    """The founding date seen as a timeline record: it cites what the profile fact cites."""

    case: Case

    @property
    def id(self) -> str:
        return "founded"

    @property
    def cite(self) -> list[str]:
        return self.case.profile.founded.cite

    @property
    def confidence(self) -> Confidence:
        return self.case.profile.founded.confidence


def _timeline(cases: list[Case]) -> Iterator[TimelineItem]:
    """Every dated record of every case: the timeline is merged, never written twice."""
    for c in cases:
        def item(date, kind, category, record, key=None, case_id=c.id):
            return TimelineItem(date, case_id, kind, category, record,
                                getattr(record, "key", False) if key is None else key)

        yield item(c.profile.founded.value, "founded", Category.strategy, _Founding(c), True)
        for r in c.releases:
            yield item(r.date, "release", Category.model, r)
            for change in r.licence_changes:
                yield item(change.date, "licence", Category.model, r, False)
        for p in c.pricing:
            if p.tier in (Tier.list, Tier.promotional) and not p.only_seen:
                yield item(p.start, "price", Category.pricing, p)
        for f in c.profile.funding_rounds:
            yield item(f.date, "round", Category.funding, f)
        for m in c.strategy.moves:
            yield item(m.date, "move", Category.strategy, m)
        for b in c.strategy.business_lines:
            if b.launched:
                yield item(b.launched, "launch", Category.product, b, False)
        for person in c.team.people:
            if person.left:
                yield item(person.left, "left", Category.people, person)
        for e in c.timeline:
            yield item(e.date, "event", e.category, e)


# ---------------------------------------------------------------- facts below confirmed

_TOPICS = {"profile": "profile", "funding_rounds": "funding", "backers": "funding",
           "strategy": "strategy", "team": "team", "pricing": "pricing",
           "releases": "releases", "timeline": "timeline"}


def _uncertain(case: Case) -> Iterator[Uncertain]:
    from ..load.cases import sourced_records

    sources = {s.id: s for s in case.sources}
    for loc, record in sourced_records(case):
        topic = _TOPICS.get(loc[1] if len(loc) > 1 and loc[1] in _TOPICS else loc[0], "profile")
        if record.confidence is not Confidence.confirmed or record.disputes:
            yield Uncertain(case.id, topic, loc, record, record.confidence,
                            reason(record.confidence, [sources[s] for s in record.cite],
                                   bool(record.disputes)), cites(case, record))
        for part_name in ("licence", "parameters"):
            part = getattr(record, part_name, None)
            if isinstance(part, OwnSource) and part.confidence not in (None, Confidence.confirmed):
                yield Uncertain(case.id, topic, (*loc, part_name), part, part.confidence,
                                reason(part.confidence, [sources[s] for s in part.cite or
                                                         record.cite], False),
                                cites(case, part) or cites(case, record))


def reason(confidence: Confidence, sources: list[Source], disputed: bool) -> str:
    """Return why a fact is below confirmed, as a catalogue key."""
    if confidence is Confidence.confirmed:
        return "others_disagree" if disputed else "confirmed"
    if confidence in (Confidence.disputed, Confidence.denied, Confidence.claimed):
        return confidence.value
    if sources and all(s.seed for s in sources):
        return "seed_only"
    kinds = {s.kind for s in sources}
    if confidence is Confidence.rumour:
        return "single_account"
    if kinds <= {SourceKind.press}:
        return "press_only"
    if SourceKind.primary in kinds:
        return "copy_of_primary"
    return "secondary_only"


@dataclass(frozen=True)
class PriceComparison:
    """Lowest list input prices compared like with like: on one day, when every priced
    company has a price on record for it, else each company's latest."""

    day: dt.date | None  # None: no day has a price on record for every company
    # (company, its price step, the price in the comparison currency at the rate for `day`),
    # cheapest first, ties by case order
    ranking: tuple[tuple[CaseFacts, PriceStep, Conversion], ...]


def price_ranking(c: Comparison) -> PriceComparison:
    """Return the lowest list input prices on the latest day all priced companies share."""
    priced = [(i, f) for i, f in enumerate(c.facts) if f.input_steps]

    def on(day: dt.date, f: CaseFacts) -> PriceStep | None:
        return next((s for s in f.input_steps if s.start <= day <= s.end), None)

    days = sorted({d for _, f in priced for s in f.input_steps for d in (s.start, s.end)},
                  reverse=True)
    day = next((d for d in days if all(on(d, f) for _, f in priced)), None)
    steps = [(i, f, on(day, f) if day else f.lowest_input) for i, f in priced]
    # On one day, every price converts at that day's rate: like with like.
    values = [(i, f, step, c.converter.convert(step.value.original, step.value.original_currency,
                                                day, c.currency) if day else step.value)
              for i, f, step in steps]
    ranked = sorted(values, key=lambda x: (x[3].value, x[0]))
    return PriceComparison(day, tuple((f, step, value) for _, f, step, value in ranked))
