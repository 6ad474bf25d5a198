"""The sources as CSL-JSON, the bibliography citeproc numbers and formats."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from ..compare import Comparison, Reference
from ..model import PartialDate
from ..words.style import Style

if TYPE_CHECKING:
    from . import Briefing


def bibliography(c: Comparison, style: Style) -> list[dict]:
    common = common_access_date(c)
    return [csl_item(ref, style, common) for ref in c.references]


# The source list's groups, in the order it shows them (headings: `source_tier.*` in the
# label catalogue). A seed article is one author's account, whatever its outlet: press.
TIERS = ("primary", "press", "secondary")


def tier(source) -> str:
    """The group of the source list a source is listed under."""
    if source.seed:
        return "press"
    return {"primary": "primary", "press": "press"}.get(source.kind.value, "secondary")


def canonical_citations(markdown: str, aliases: dict[str, str]) -> str:
    """The Markdown with every citation of a merged duplicate's key citing the key the
    source list knows it by: both lead to one entry with one number."""
    if not aliases:
        return markdown
    keys = "|".join(re.escape(k) for k in sorted(aliases, key=len, reverse=True))
    # a key as pandoc reads it: not part of a longer key, and not an escaped `\@`
    pattern = re.compile(rf"(?<![\\\w@])@({keys})(?![\w]|[:.#$%&+?<>~/-][\w])")
    return pattern.sub(lambda m: "@" + aliases[m.group(1)], markdown)


def common_access_date(c: Comparison):
    """The access date most sources share: the source list gives it once."""
    dates = Counter(str(ref.source.accessed) for ref in c.references if ref.source.accessed)
    if not dates:
        return None
    return PartialDate.parse(dates.most_common(1)[0][0])


def csl_item(ref: Reference, style: Style, common_access=None) -> dict:
    """Return the CSL-JSON entry citeproc formats for a source."""
    s = ref.source
    kind = {"primary": "webpage", "press": "article-newspaper", "blog": "post-weblog",
            "analysis": "report"}[s.kind.value]
    genre = style.labels("source.seed" if s.seed else f"source.{s.kind.value}")
    item: dict = {"id": ref.key, "type": kind, "title": s.title, "language": s.language,
                  "genre": genre, "tier": tier(s)}  # `tier`: read by render's source-tiers.lua
    if s.author:
        item["author"] = [{"literal": s.author}]
    if s.publisher:
        item["publisher"] = s.publisher
    if s.date:
        item["issued"] = {"date-parts": [_parts(s.date)]}
    if s.url:
        item["URL"] = s.url
    if s.accessed and s.accessed != common_access:
        item["accessed"] = {"date-parts": [_parts(s.accessed)]}
    return item


def _parts(d) -> list[int]:
    return [p for p in (d.year, d.month or (3 * d.quarter - 2 if d.quarter else None), d.day)
            if p]


def write_bibliography(briefing: Briefing, path: Path) -> None:
    path.write_text(json.dumps(briefing.bibliography, ensure_ascii=False, indent=1),
                    encoding="utf-8")
