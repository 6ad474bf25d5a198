"""`report migrate`: rewrite a format-1 case file in format 2, keeping its comments and layout.

What changed from format 1, and what this does about it:
- `openness` is now `releases`, and a release's `model` is its `name`;
- a profile or strategy fact written as a list meant "sources disagree": the first version
  stays the value and the others become `disputes` (a list now means a series over time);
- every record a brief may refer to has an `id`: one is made from its content;
- a funding round has a `status`: format 1 could not say, so `announced` is set and marked
  for review;
- `format: 2` is added at the top.
Whatever needs a person's judgement is listed in the returned notes.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model import FORMAT

_FACT_FIELDS = (("profile", "legal_name"), ("profile", "founded"), ("profile", "headquarters"),
                ("profile", "founders"), ("profile", "status"), ("strategy", "positioning"),
                ("strategy", "target_customers"))


@dataclass(frozen=True)
class Migrated:
    text: str
    notes: list[str]


def yaml_round_trip():
    from ruamel.yaml import YAML

    yaml = YAML()  # round-trip: comments, key order and flow style survive
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def migrate_text(text: str) -> Migrated | None:
    """Return the file rewritten in the current format, or None if it already is."""
    yaml = yaml_round_trip()
    data = yaml.load(text)
    if not isinstance(data, dict) or data.get("format") == FORMAT:
        return None
    notes: list[str] = []
    data.insert(0, "format", FORMAT)
    _rename(data, "openness", "releases")
    for release in data.get("releases") or []:
        _rename(release, "model", "name")
    for section, key in _FACT_FIELDS:
        parent = data.get(section) or {}
        if isinstance(parent.get(key), list):
            parent[key] = _versions_to_disputes(parent[key])
            notes.append(f"{section}.{key}: the other versions are now disputes of the first; "
                         "if the value changed over time, write it as a series instead")
    _add_ids(data, notes)
    for i, funding_round in enumerate((data.get("profile") or {}).get("funding_rounds") or []):
        if "status" not in funding_round:
            _insert_after(funding_round, "date", "status", "announced")
            funding_round.yaml_add_eol_comment("set by report migrate: check", "status")
            notes.append(f"profile.funding_rounds[{i}].status: set to 'announced'; say "
                         "whether the round was rumoured, in talks, announced or closed")
    out = io.StringIO()
    yaml.dump(data, out)
    return Migrated(out.getvalue(), notes)


def migrate_file(path: Path) -> Migrated | None:
    """Rewrite `path` in the current format, keeping the original beside it as `.bak`;
    raise InputError when it is no regular file or not UTF-8 text."""
    from ..errors import display_path
    from .files import InputFiles
    from .yamlfile import read_text

    text = read_text(path, display_path(path), files=InputFiles(None))
    migrated = migrate_text(text)
    if migrated is not None:
        path.with_name(path.name + ".format1.bak").write_text(text, encoding="utf-8")
        path.write_text(migrated.text, encoding="utf-8")
    return migrated


# ---------------------------------------------------------------- pieces


def _rename(mapping: Any, old: str, new: str) -> None:
    """Rename a key in place, keeping its position and its comments."""
    if not isinstance(mapping, dict) or old not in mapping:
        return
    position = list(mapping.keys()).index(old)
    value = mapping.pop(old)
    comment = mapping.ca.items.pop(old, None) if hasattr(mapping, "ca") else None
    mapping.insert(position, new, value)
    if comment is not None:
        mapping.ca.items[new] = comment


def _insert_after(mapping: Any, after: str, key: str, value: Any) -> None:
    keys = list(mapping.keys())
    mapping.insert(keys.index(after) + 1 if after in keys else len(keys), key, value)


def _versions_to_disputes(versions: list) -> Any:
    first = versions[0]
    if len(versions) > 1:
        disputes = first.get("disputes") or []
        for other in versions[1:]:
            dispute = {"field": "value", "value": _as_text(other.get("value"))}
            for key in ("cite", "confidence", "note"):
                if key in other:
                    dispute[key] = other[key]
            disputes.append(dispute)
        first["disputes"] = disputes
    return first


def _as_text(value: Any) -> Any:
    if isinstance(value, dict):
        en, zh = value.get("en"), value.get("zh")
        return f"{en} ({zh})" if zh else str(en)
    if isinstance(value, list):
        return ", ".join(str(_as_text(v)) for v in value)
    return value if isinstance(value, (int, float)) else str(value)


# Where records without ids live, and what their made-up id is made of.
_ID_SOURCES = (
    (("profile", "backers"), lambda r: _name(r.get("name"))),
    (("profile", "funding_rounds"), lambda r: f"round-{r.get('date')}"),
    (("strategy", "business_lines"), lambda r: r.get("name")),
    (("strategy", "moves"), lambda r: f"{r.get('date')}-{r.get('title')}"),
    (("team", "facts"), lambda r: r.get("label")),
    (("pricing",), lambda r: f"{r.get('model')}-{r.get('tier', '')}-{r.get('from')}-"
                             f"{r.get('currency')}"),
    (("timeline",), lambda r: f"{r.get('date')}-{r.get('title')}"),
)


def _add_ids(data: Any, notes: list[str]) -> None:
    taken = {r.get("id") for loc in (("team", "people"), ("releases",))
             for r in _list(data, loc) if isinstance(r, dict)}
    made = 0
    for loc, source in _ID_SOURCES:
        for record in _list(data, loc):
            if isinstance(record, dict) and "id" not in record:
                record.insert(0, "id", _unique(slug(str(source(record)), loc[-1]), taken))
                made += 1
    if made:
        notes.append(f"{made} records got an id made from their content; rename any before a "
                     "brief refers to it")


def _list(data: Any, loc: tuple[str, ...]) -> list:
    for part in loc:
        data = data.get(part) if isinstance(data, dict) else None
    return data if isinstance(data, list) else []


def _name(name: Any) -> str:
    return name.get("en", "") if isinstance(name, dict) else str(name)


def slug(text: str, fallback: str) -> str:
    """Return an id made of `text`: lower-case ASCII letters, digits and dashes."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return words[:48].rstrip("-") or fallback.replace("_", "-")


def _unique(base: str, taken: set) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate
