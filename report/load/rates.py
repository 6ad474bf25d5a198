"""The exchange rates: `exchange-rates.yaml` read and checked, and money that no rate can
bring into the comparison currency named where it is first used."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError, Problem, display_path
from ..model import RatesFile
from ..model.rates import can_convert
from .cases import RATES_FILE, CaseFile, cite_pattern, duplicates, present, unknown_sources
from .files import InputFiles
from .yamlfile import Doc, parse, read_text, validate


def load_rates(directory: Path, files: InputFiles | None = None
               ) -> tuple[RatesFile | None, Doc | None]:
    """Return the folder's exchange rates, or None when it has no rates file."""
    path = directory / RATES_FILE
    if not present(path):
        return None, None
    shown = display_path(path)
    doc = parse(read_text(path, shown, "rates file", files), shown)
    if not isinstance(doc.data, dict):
        raise InputError([Problem(shown, 1, 1, "", "an exchange-rates file is a mapping of "
                                  "format, sources and rates")])
    problems = duplicates(doc, [("sources",)]) + duplicates(doc, [("rates",)])
    problems += unknown_sources(doc)
    rates, model_problems = validate(RatesFile, doc, skip=cite_pattern)
    problems += model_problems
    if problems:
        raise InputError(problems)
    return rates, doc


def missing_rates(case_files: list[CaseFile], rates: RatesFile | None,
                  target: str) -> list[Problem]:
    """Money in a currency with no rate to the comparison currency cannot be compared: say
    so at its first use in each file."""
    problems = []
    for cf in case_files:
        seen: set[str] = set()
        money = [(("pricing", i, "currency"), p.currency) for i, p in enumerate(cf.case.pricing)]
        for i, r in enumerate(cf.case.profile.funding_rounds):
            for key in ("amount", "valuation"):
                m = getattr(r, key)
                if m is not None:
                    money.append((("profile", "funding_rounds", i, key, "currency"), m.currency))
        for loc, currency in sorted(money, key=lambda m: cf.doc.values.get(m[0], (0, 0))):
            if currency in seen or can_convert(rates.rates if rates else [], currency, target):
                continue
            seen.add(currency)
            problems.append(cf.doc.at(loc, (
                f"no exchange rate between {currency} and {target}: add one to "
                "exchange-rates.yaml (see cases/README.md), so this money can be compared")))
    return problems
