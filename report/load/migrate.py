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

The file is read and written as a build reads and publishes: a regular file only (never a
link: writing through one would rewrite a file elsewhere), read once and checked as
`report check` reads YAML (no tags, no duplicate keys, aliases bounded, no control
character); the original is kept as FILE.format1.bak, which is never overwritten nor
written through a link, and the new text replaces the file in one rename, so a full disk or
a kill leaves the file as it was.
"""

from __future__ import annotations

import io
import os
import re
import stat
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import EnvironmentFault, InputError, Problem, display_path
from ..model import FORMAT

BACKUP = ".format1.bak"  # the original, kept beside the rewritten file
# Line breaks in YAML 1.1, which the round-trip reader reads, but characters in YAML 1.2,
# which `report check` reads: a file holding one would not read the same twice.
_OLD_BREAKS = re.compile("[\u0085\u2028\u2029]")

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
    for release in _list(data, ("releases",)):
        _rename(release, "model", "name")
    for section, key in _FACT_FIELDS:
        parent = data.get(section)
        versions = parent.get(key) if isinstance(parent, dict) else None
        if isinstance(versions, list) and versions and all(isinstance(v, dict)
                                                           for v in versions):
            parent[key] = _versions_to_disputes(versions)
            notes.append(f"{section}.{key}: the other versions are now disputes of the first; "
                         "if the value changed over time, write it as a series instead")
    _add_ids(data, notes)
    for i, funding_round in enumerate(_list(data, ("profile", "funding_rounds"))):
        if isinstance(funding_round, dict) and "status" not in funding_round:
            _insert_after(funding_round, "date", "status", "announced")
            funding_round.yaml_add_eol_comment("set by report migrate: check", "status")
            notes.append(f"profile.funding_rounds[{i}].status: set to 'announced'; say "
                         "whether the round was rumoured, in talks, announced or closed")
    out = io.StringIO()
    yaml.dump(data, out)
    return Migrated(out.getvalue(), notes)


def migrate_file(path: Path) -> Migrated | None:
    """Rewrite `path` in the current format, keeping the original beside it as `.bak`;
    raise InputError when it cannot be (a link, no regular file, not UTF-8 text, YAML that
    `report check` would refuse, a `.bak` already there) and EnvironmentFault when it cannot
    be written (the file is then as it was)."""
    from .files import InputFiles
    from .yamlfile import parse, read_text

    shown = display_path(path)
    if os.path.islink(path):
        raise InputError([Problem(shown, 0, 0, "", (
            f"is a symbolic link (→ {_link(path)}); migrate the file itself: rewriting it "
            "through the link would change a file elsewhere"))])
    files = InputFiles(path.parent)
    text = read_text(path, shown, files=files)
    original = files.read(path, shown).data
    odd = _OLD_BREAKS.search(text)
    if odd:
        line = text.count("\n", 0, odd.start()) + 1
        column = odd.start() - (text.rfind("\n", 0, odd.start()) + 1) + 1
        raise InputError([Problem(shown, line, column, "", (
            f"U+{ord(odd.group()):04X} (a line or paragraph separator) in the text: YAML "
            "readers disagree on whether it ends a line; write a newline or a space"))])
    parse(text, shown)  # every problem `report check` finds in the YAML itself, at its line
    try:
        migrated = migrate_text(text)
    except Exception as err:  # noqa: BLE001 (a layout no format-1 file has: said, not raised)
        raise InputError([Problem(shown, 0, 0, "", (
            "is not laid out as a format-1 case file, so it cannot be migrated "
            f"({type(err).__name__}); `report check` says what it holds"))]) from None
    if migrated is not None:
        write_migrated(path, original, migrated.text)
    return migrated


def write_migrated(path: Path, original: bytes, text: str) -> None:
    """Keep `original` as FILE.format1.bak (a new file: never one already there, never
    through a link), then put `text` in place of the file in one rename; on any failure
    nothing has changed."""
    shown = display_path(path)
    backup = path.with_name(path.name + BACKUP)
    mode = stat.S_IMODE(os.stat(path).st_mode)
    made: list[Path] = []
    try:
        try:
            fd = os.open(backup, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW |
                         os.O_CLOEXEC, mode)
        except FileExistsError:
            what = f"a symbolic link (→ {_link(backup)})" if os.path.islink(backup) else \
                "there already"
            raise InputError([Problem(shown, 0, 0, "", (
                f"cannot keep the original: {display_path(backup)} is {what}; move it away "
                "(it may be the original of an earlier migration), then migrate again"))]) \
                from None
        made.append(backup)
        _write_all(fd, original)
        fd, new = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".new")
        made.append(Path(new))
        os.fchmod(fd, mode)
        _write_all(fd, text.encode("utf-8"))
        os.replace(new, path)
        made.remove(Path(new))
        _sync_folder(path.parent)
        made.clear()
    except OSError as err:
        raise EnvironmentFault(f"cannot rewrite {shown}: {err.strerror}; it is unchanged: free "
                               "some disk space, or make its folder writable") from None
    finally:
        for leftover in made:
            try:
                os.unlink(leftover)
            except OSError:
                pass


def _write_all(fd: int, data: bytes) -> None:
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _link(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"


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
        disputes = first.get("disputes")
        disputes = disputes if isinstance(disputes, list) else []
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
