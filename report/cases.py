"""Read case files: YAML with line numbers → validated `Case` models, every problem at once.

YAML is composed into nodes (never constructed into arbitrary objects) so that each value keeps
the line and column it was written at; those positions turn pydantic's error locations into
`path:line:col: field.path: message` lines a text editor can jump to.
"""

from __future__ import annotations

import difflib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import InputError, Problem, display_path
from .model import Case

MAX_FILE_BYTES = 2 * 1024 * 1024  # a hand-written case file is a few tens of kB
MIN_CASES = 2
MAX_NODES = 200_000  # values in one file after alias expansion

Loc = tuple[str | int, ...]
_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


@dataclass
class CaseFile:
    """A validated case and the file it came from."""

    path: Path
    case: Case
    text: str = field(repr=False)


@dataclass
class _Doc:
    """Plain data read from one YAML file, with where each key and value stands."""

    data: Any
    values: dict[Loc, tuple[int, int]]
    keys: dict[Loc, tuple[int, int]]


def is_case_name(name: str) -> bool:
    """*.yaml or *.yml, and not a hidden file or an editor's lock or backup: Emacs keeps
    `.#alpha.yaml`, often a symlink to nowhere, while a buffer has unsaved edits."""
    return name.endswith((".yaml", ".yml")) and not name.startswith((".", "#"))


def case_paths(directory: Path) -> list[Path]:
    """Return the case files in `directory`, sorted; none if there is no such folder (the
    loader says so, with the folder's name)."""
    try:
        return sorted(p for p in directory.iterdir() if is_case_name(p.name))
    except (FileNotFoundError, NotADirectoryError):
        return []


def load_cases(directory: Path) -> list[CaseFile]:
    """Return every case in `directory`, validated; raise InputError listing all problems."""
    shown = display_path(directory)
    if not directory.is_dir():
        raise InputError([Problem(shown, 0, 0, "", "no such directory of case files")])
    paths = case_paths(directory)
    problems: list[Problem] = []
    loaded: list[CaseFile] = []
    for path in paths:
        try:
            loaded.append(load_case(path))
        except InputError as err:
            problems.extend(err.problems)
    if not paths:
        problems.append(Problem(shown, 0, 0, "", (
            f"no case files (*.yaml) found; a comparison needs at least {MIN_CASES}")))
    elif len(paths) < MIN_CASES:
        problems.append(Problem(shown, 0, 0, "", (
            f"only one case file ({paths[0].name}); a comparison needs at least {MIN_CASES}: "
            "add another company's case file")))
    problems.extend(_duplicate_case_ids(loaded))
    if problems:
        raise InputError(problems)
    return loaded


def load_case(path: Path) -> CaseFile:
    """Return the validated case in one file; raise InputError listing all its problems."""
    shown = display_path(path)
    text = _read_text(path, shown)
    doc = _parse(text, shown)
    if not isinstance(doc.data, dict):
        raise InputError([Problem(shown, 1, 1, "", (
            "a case file is a mapping of fields (id, name, sources, profile, ...), "
            f"not a {type(doc.data).__name__}"))])
    problems = _check_references(doc, shown)
    try:
        case = Case.model_validate(doc.data)
    except ValidationError as err:
        problems.extend(_translate(err, doc, shown))
        case = None
    if problems:
        raise InputError(problems)
    return CaseFile(path=path, case=case, text=text)


# ---------------------------------------------------------------- reading


def _read_text(path: Path, shown: str) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError([Problem(shown, 1, 1, "", (
                f"file is {size / 1e6:.1f} MB; a case file may be at most "
                f"{MAX_FILE_BYTES // (1024 * 1024)} MB"))])
        raw = path.read_bytes()
    except OSError as err:
        raise InputError([Problem(shown, 0, 0, "", f"cannot read: {err.strerror}")]) from None
    if b"\x00" in raw:
        raise InputError([Problem(shown, 1, 1, "", "binary file, not YAML text")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        column = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        raise InputError([Problem(shown, line, column, "", (
            f"not UTF-8 text (byte 0x{raw[err.start]:02x}); save the file as UTF-8"))]) from None
    return text.removeprefix("\ufeff")


def _parse(text: str, shown: str) -> _Doc:
    yaml = YAML(typ="safe", pure=True)
    yaml.version = (1, 2)  # YAML 1.2: `no` and `off` are strings, not false
    try:
        root = yaml.compose(text)
    except RecursionError:
        raise InputError([Problem(shown, 1, 1, "", "YAML nested too deeply")]) from None
    except MarkedYAMLError as err:
        raise InputError([_syntax_problem(err, text, shown)]) from None
    except YAMLError as err:
        raise InputError([Problem(shown, 1, 1, "", f"YAML error: {err}")]) from None
    if root is None:
        raise InputError([Problem(shown, 1, 1, "", "file is empty")])
    doc = _Doc(data=None, values={}, keys={})
    problems: list[Problem] = []
    try:
        doc.data = _to_plain(root, (), doc, yaml, shown, problems, [MAX_NODES])
    except RecursionError:
        raise InputError([Problem(shown, 1, 1, "", "YAML nested too deeply, "
                                  "or an alias contains itself")]) from None
    if problems:
        raise InputError(problems)
    return doc


def _syntax_problem(err: MarkedYAMLError, text: str, shown: str) -> Problem:
    mark = err.problem_mark or err.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    lines = text.splitlines()
    bad_line = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in bad_line[: len(bad_line) - len(bad_line.lstrip())] or "'\\t'" in str(err.problem):
        return Problem(shown, line, column, "", "tab character in indentation; indent with spaces")
    what = " ".join(part for part in (err.context, err.problem) if part)
    opened = err.context_mark
    if opened is not None and mark is not None and opened.line != mark.line:
        what += f" (it was opened at line {opened.line + 1})"
    return Problem(shown, line, column, "", f"YAML syntax error: {what}")


def _to_plain(node: Node, loc: Loc, doc: _Doc, yaml: YAML, shown: str,
              problems: list[Problem], budget: list[int]) -> Any:
    """Return the plain value of `node`, recording positions; odd tags are errors.

    Aliases are expanded (an analyst may reuse a scorecard with `&name`/`*name`), within a
    node budget so that a few lines of nested aliases cannot expand into gigabytes.
    """
    doc.values[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
    budget[0] -= 1
    if budget[0] < 0:
        if budget[0] == -1:
            problems.append(_at(doc.values[loc], shown, loc, (
                f"more than {MAX_NODES} values after expanding aliases; "
                "is an alias nested in itself?")))
        return None
    if isinstance(node, ScalarNode):
        if node.tag == _TIMESTAMP:
            return node.value  # dates stay text: the model parses partial dates itself
        if node.tag not in _PLAIN_TAGS:
            problems.append(_at(doc.values[loc], shown, loc,
                                f"tag {_tag(node.tag)} is not allowed"))
            return None
        return yaml.constructor.construct_object(node, deep=True)
    if node.tag not in _COLLECTION_TAGS:
        problems.append(_at(doc.values[loc], shown, loc, f"tag {_tag(node.tag)} is not allowed"))
        return None
    if isinstance(node, SequenceNode):
        return [_to_plain(item, (*loc, i), doc, yaml, shown, problems, budget)
                for i, item in enumerate(node.value)]
    if isinstance(node, MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, ScalarNode) else repr(key_node)
            key_pos = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key in result or key == "<<":
                why = ("duplicate key; the first is at line "
                       f"{doc.keys[(*loc, key)][0]}" if key in result
                       else "merge keys (<<) are not supported")
                problems.append(_at(key_pos, shown, (*loc, key), why))
                continue
            doc.keys[(*loc, key)] = key_pos
            result[key] = _to_plain(value_node, (*loc, key), doc, yaml, shown, problems, budget)
        return result
    problems.append(_at(doc.values[loc], shown, loc, "unsupported YAML node"))
    return None


def _tag(tag: object) -> str:
    return str(tag).replace("tag:yaml.org,2002:", "!!")


# ---------------------------------------------------------------- checks beyond the model


def _check_references(doc: _Doc, shown: str) -> list[Problem]:
    """Return problems with ids: duplicate ids in a list, and `cite` entries naming no source."""
    problems: list[Problem] = []
    data = doc.data if isinstance(doc.data, dict) else {}
    for list_loc in (("sources",), ("team", "people"), ("openness",)):
        seen: dict[str, int] = {}
        items = _get(data, list_loc)
        for i, item in enumerate(items if isinstance(items, list) else []):
            item_id = item.get("id") if isinstance(item, dict) else None
            if not isinstance(item_id, str):
                continue
            if item_id in seen:
                loc = (*list_loc, i, "id")
                problems.append(_at(doc.values[loc], shown, loc,
                                    f"duplicate id '{item_id}'; also used at item {seen[item_id]}"))
            seen.setdefault(item_id, i)
    # Only well-formed ids count here; the model reports the malformed ones.
    sources = data.get("sources")
    known = {s["id"] for s in (sources if isinstance(sources, list) else [])
             if isinstance(s, dict) and isinstance(s.get("id"), str)}
    for loc, value in _walk(data, ()):
        if loc and loc[-1] == "cite" and isinstance(value, list):
            for i, ref in enumerate(value):
                if isinstance(ref, str) and ref not in known:
                    hint = _did_you_mean(ref, known)
                    if not hint and ref.lower() in known:
                        hint = f"; did you mean '{ref.lower()}'?"
                    problems.append(_at(doc.values[(*loc, i)], shown, (*loc, i),
                                        f"unknown source id '{ref}'{hint}"))
    return problems


def _duplicate_case_ids(loaded: list[CaseFile]) -> list[Problem]:
    first: dict[str, CaseFile] = {}
    problems = []
    for cf in loaded:
        if cf.case.id in first:
            problems.append(Problem(display_path(cf.path), 1, 1, "id", (
                f"case id '{cf.case.id}' is also used by {first[cf.case.id].path.name}")))
        first.setdefault(cf.case.id, cf)
    return problems


def _walk(value: Any, loc: Loc):
    yield loc, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, (*loc, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk(v, (*loc, i))


def _get(data: Any, loc: Loc) -> Any:
    for part in loc:
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


# ---------------------------------------------------------------- pydantic errors → problems


def _translate(err: ValidationError, doc: _Doc, shown: str) -> list[Problem]:
    problems = []
    for e in err.errors(include_url=False):
        loc = _data_loc(tuple(e["loc"]), doc)
        if "cite" in loc and e["type"] == "string_pattern_mismatch":
            continue  # reported once, with a suggestion, as an unknown source id
        kind = e["type"]
        if kind == "extra_forbidden":
            allowed = _fields_at(Case, loc[:-1])
            message = f"unknown field '{loc[-1]}'{_did_you_mean(str(loc[-1]), allowed)}"
            position = doc.keys.get(loc) or doc.values.get(loc)
        elif kind == "missing":
            message = "required field is missing"
            parent = loc[:-1]
            position = doc.values.get(parent, (1, 1))
        else:
            message = _message(e)
            position = doc.values.get(loc) or _nearest(loc, doc)
        problems.append(_at(position or (1, 1), shown, loc, message))
    return problems


def _data_loc(loc: Loc, doc: _Doc) -> Loc:
    """Map a pydantic location onto the YAML data: drop the list index a one-or-many field adds."""
    out: Loc = ()
    for part in loc:
        if isinstance(part, int) and (*out, part) not in doc.values and out in doc.values:
            continue  # a single mapping written where a list of versions is allowed
        out = (*out, part)
    return out


def _nearest(loc: Loc, doc: _Doc) -> tuple[int, int] | None:
    for end in range(len(loc), -1, -1):
        if loc[:end] in doc.values:
            return doc.values[loc[:end]]
    return None


def _message(e: dict) -> str:
    msg = e["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    if e["type"] in {"string_pattern_mismatch"}:
        pattern = e.get("ctx", {}).get("pattern", "")
        if pattern.startswith("^[a-z0-9]"):
            return f"'{e['input']}' is not an id: use lower-case letters, digits and dashes"
        if pattern.startswith("^[A-Z]{3}"):
            return f"'{e['input']}' is not a currency code: use ISO 4217, e.g. CNY or USD"
        if pattern.startswith("^https?"):
            return f"'{e['input']}' is not an http(s) URL"
    return msg[0].lower() + msg[1:] if msg else msg


def _fields_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """Return the keys a mapping at `loc` may hold, by walking the model's annotations."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", {})
        match = next((f for n, f in fields.items() if part in (n, f.alias)), None)
        if match is None:
            return []
        current = _model_in(match.annotation)
        if current is None:
            return []
    return [f.alias or n for n, f in getattr(current, "model_fields", {}).items()]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    if isinstance(annotation, types.UnionType):
        for arg in annotation.__args__:
            found = _model_in(arg)
            if found is not None:
                return found
    return None


def _did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word, [c for c in choices if isinstance(c, str)], n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def _at(position: tuple[int, int], shown: str, loc: Loc, message: str) -> Problem:
    return Problem(shown, position[0], position[1], field_path(loc), message)


def field_path(loc: Loc) -> str:
    """Return `team.people[3].left` for ('team', 'people', 3, 'left')."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
