"""The sources as CSL-JSON, the bibliography citeproc numbers and formats."""

from __future__ import annotations

import json
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
                  "genre": genre}
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
