"""Every example in `report/words/labels/STYLE.md`, pinned: the house style is the project's own,
so it holds whatever Babel (CLDR) is installed, and an example added to STYLE.md without a
case here fails."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pypandoc
import pytest

from report.compare.convert import Conversion
from report.compose.tables import Tables
from report.escape import sourced
from report.model import Money, PartialDate
from report.model.rates import Rate
from report.words.style import Style

REPORT = Path(__file__).resolve().parent.parent / "report"
STYLE_MD = REPORT / "words" / "labels" / "STYLE.md"
S = Style()
T = Tables(None, S)


def partial(text: str) -> PartialDate:
    return PartialDate.parse(text)


def usd_2024() -> Rate:
    return Rate.model_validate({"id": "cny-2024", "period": "2024", "base": "USD",
                                "quote": "CNY", "rate": 7.189, "kind": "annual-average",
                                "cite": ["irs"], "confidence": "confirmed"})


def confidence_mark() -> str:
    """The Markdown a live fact below confirmed gets (the print style sets it in italics)."""
    css = (REPORT / "render" / "styles" / "print.css").read_text(encoding="utf-8")
    assert re.search(r"\.confidence \{[^}]*font-style: italic", css)
    text = S.amount(1e9, "USD") + f" [({S.labels('confidence.rumour')})]{{.confidence}}"
    return text.replace(" [(", " *(").replace(")]{.confidence}", ")*")


def citation_third_source() -> str:
    """A value citing the third source of the bibliography, through pandoc's citeproc and
    the briefing's CSL style."""
    refs = [{"id": f"k{i}", "type": "webpage", "title": f"Source {i}"} for i in (1, 2, 3)]
    body = f"{S.price(1, 'CNY')} [@k1; @k2]. {sourced(S.price(1, 'CNY'), ['k3'], None)}\n"
    csl = REPORT / "render" / "styles" / "briefing.csl"
    out = pypandoc.convert_text(
        "---\nreferences: " + json.dumps(refs) + "\n---\n\n" + body, "plain", format="markdown",
        extra_args=["--citeproc", f"--csl={csl}", "--wrap=none"])
    return out.split(". ", 1)[1].split("\n")[0].rstrip(".")


EXAMPLES = {
    "CNY 0.99": lambda: S.amount(0.99, "CNY"),
    "USD 300M": lambda: S.amount(300e6, "USD"),
    "CNY 50B": lambda: S.amount(50e9, "CNY"),
    "USD 3–4B": lambda: S.money(Money(low=3e9, high=4e9, currency="USD")),
    "USD 300M–1.2B": lambda: S.money(Money(low=300e6, high=1.2e9, currency="USD")),
    "at least USD 100M": lambda: S.money(Money(low=100e6, currency="USD")),
    "USD 0.028": lambda: S.price(0.028, "USD"),
    "USD 0.003625": lambda: S.price(0.003625, "USD"),
    "≈ USD 0.14 at CNY 7.189 per USD, 2024 average": lambda: T.conversion(Conversion(
        1 / 7.189, "USD", 1.0, "CNY", usd_2024())),
    "7.1×": lambda: S.ratio(50 / 7),
    "62%": lambda: S.percent(0.62),
    "14 model releases": lambda: f"{S.count(14)} model releases",
    "1,350": lambda: S.count(1350),
    "15 Aug 2024": lambda: S.date(dt.date(2024, 8, 15)),
    "5 Sept 2025": lambda: S.date(partial("2025-09-05")),
    "Aug 2024": lambda: S.date(partial("2024-08")),
    "Q4 2025": lambda: S.date(partial("2025-Q4")),
    "H2 2024": lambda: S.date(partial("2024-H2")),
    "2024": lambda: S.date(partial("2024")),
    "c. May 2024": lambda: S.date(partial("~2024-05")),
    "May 2024 – Jan 2025": lambda: S.period(partial("2024-05"), partial("2025-01")),
    "from Jan 2025": lambda: S.period(partial("2025-01"), None),
    "01.AI (零一万物)": lambda: S.name(type("Name", (), {"en": "01.AI", "zh": "零一万物"})()),
    "USD 1B *(rumour)*": confidence_mark,
    "CNY 1 [3]": citation_third_source,
}


def style_examples() -> list[str]:
    """The examples column of STYLE.md's table, one example per item."""
    found = []
    for line in STYLE_MD.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] not in ("what", "---"):
            found += [e.strip() for e in cells[2].split(" · ")]
    return found


def test_every_example_in_style_md_has_a_case_here():
    examples = style_examples()
    assert len(examples) >= 25
    assert [e for e in examples if e not in EXAMPLES] == []


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_the_house_style_writes_the_example(example):
    assert example in style_examples(), "an example here that STYLE.md no longer shows"
    assert EXAMPLES[example]().replace("\u00a0", " ") == example


@pytest.mark.parametrize(("value", "digits", "written"), [
    (0.125, 2, "0.12"),        # half to even
    (0.135, 2, "0.14"),
    (0.0009984, 2, "0.001"),   # Babel's significant digits wrote 0.0001 here
    (999.5, 3, "1,000"),
    (12345.6, 3, "12,346"),
    (7.0, 3, "7"),
    (1234.5, 4, "1,234"),
])
def test_numbers_follow_the_stated_rules(value, digits, written):
    assert S.number(value, digits) == written


@pytest.mark.parametrize(("amount", "written"), [
    (999.96e6, "USD\u00a01B"),  # rounds up into the next unit
    (1e6, "USD\u00a01M"),
    (2.25e12, "USD\u00a02.2T"),
    (999_999.5, "USD\u00a01,000,000"),
])
def test_compact_amounts_follow_the_stated_rules(amount, written):
    assert S.amount(amount, "USD") == written


def test_months_come_from_the_catalogue_not_cldr():
    months = [S.date(dt.date(2024, m, 1)).split()[1] for m in range(1, 13)]
    assert months == S.labels.data["date"]["months"]
    assert months[8] == "Sept"
