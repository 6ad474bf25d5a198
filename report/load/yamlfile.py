"""Read YAML with line numbers: plain data plus where each key and value stands, and pydantic's
errors turned into `path:line:col: field.path: message` problems a text editor can jump to.

YAML is composed into nodes (never constructed into arbitrary objects) so that each value keeps
its position. Every input the tool reads as YAML (case files, exchange rates, claims, the
brief's front matter) goes through here.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from ..errors import InputError, Problem
from .files import InputFiles

MAX_NODES = 200_000  # values in one file after alias expansion
MAX_NUMBER_CHARS = 40  # a number longer than this is no figure a source gives
MAX_WORD = 160  # characters without a break: longer model names exist; 2,000 made 400 pages
# A run of characters a line cannot break inside (Chinese and Japanese break anywhere).
_WORD = re.compile("[^\\s\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]{%d,}"
                   % (MAX_WORD + 1))
# Control characters (tab and newlines aside) and lone surrogates: no text holds them.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

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
# The tags pydantic puts in an error's location for a union member (`Timed` facts).
UNION_TAGS = {"one", "series"}


@dataclass
class Doc:
    """Plain data read from one YAML text, with where each key and value stands."""

    data: Any
    values: dict[Loc, tuple[int, int]]
    keys: dict[Loc, tuple[int, int]]
    shown: str  # the file's name as problems print it
    line_offset: int = 0  # lines before the YAML in its file (a brief's front matter)

    def at(self, loc: Loc, message: str, *, key: bool = False) -> Problem:
        """Return a problem at the key or value `loc`, or the nearest enclosing value."""
        position = (self.keys.get(loc) if key else None) or self.values.get(loc) \
            or _nearest(loc, self) or (1, 1)
        return Problem(self.shown, position[0] + self.line_offset, position[1],
                       field_path(loc), message)


def read_text(path: Path, shown: str, what: str = "case file",
              files: InputFiles | None = None) -> str:
    """Return the file's text; raise InputError when it is not a regular file (see
    files.py), too big, binary or not UTF-8. `files` is the build's snapshot of its inputs;
    without one the file is read as one found in its own folder."""
    files = files if files is not None else InputFiles(path.parent)
    raw = files.read(path, shown, what).data
    if b"\x00" in raw:  # said at the first NUL byte, for an editor to jump to
        before = raw[:raw.index(b"\x00")].decode("utf-8", "replace")
        line = before.count("\n") + 1
        raise InputError([Problem(shown, line, len(before) - (before.rfind("\n") + 1) + 1, "",
                                  "binary file, not text")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        column = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        raise InputError([Problem(shown, line, column, "", (
            f"not UTF-8 text (byte 0x{raw[err.start]:02x}); save the file as UTF-8"))]) from None
    return text.removeprefix("\ufeff")


# The last reading of each file: `report preview` reads every input again on each save, and
# only the file that changed needs parsing again (nothing changes a Doc once it is made).
_last_parsed: dict[tuple[str, int], tuple[str, Doc]] = {}


def parse(text: str, shown: str, line_offset: int = 0) -> Doc:
    """Return the YAML text as plain data with positions; raise InputError on bad YAML."""
    known = _last_parsed.get((shown, line_offset))
    if known is not None and known[0] == text:
        return known[1]
    doc = _parse(text, shown, line_offset)
    _last_parsed[(shown, line_offset)] = (text, doc)
    return doc


def _parse(text: str, shown: str, line_offset: int) -> Doc:
    try:
        yaml, root = _compose(text, pure=False)
    except (YAMLError, RecursionError):
        # The C parser's complaint is libyaml's; the pure parser's says where and what in
        # the words the problems print. Both read valid YAML to the same nodes.
        yaml = root = None
    try:
        if yaml is None:
            yaml, root = _compose(text, pure=True)
    except RecursionError:
        raise InputError([Problem(shown, 1 + line_offset, 1, "",
                                  "YAML nested too deeply")]) from None
    except MarkedYAMLError as err:
        raise InputError([_syntax_problem(err, text, shown, line_offset)]) from None
    except ReaderError as err:  # a character no YAML holds, even in a comment
        raise InputError([_character_problem(err, text, shown, line_offset)]) from None
    except YAMLError as err:
        raise InputError([Problem(shown, 1 + line_offset, 1, "", f"YAML error: {err}")]) from None
    if root is None:
        raise InputError([Problem(shown, 1 + line_offset, 1, "", "file is empty")])
    doc = Doc(data=None, values={}, keys={}, shown=shown, line_offset=line_offset)
    problems: list[Problem] = []
    try:
        doc.data = _to_plain(root, (), doc, yaml, problems, [MAX_NODES])
    except RecursionError:
        raise InputError([Problem(shown, 1 + line_offset, 1, "", "YAML nested too deeply, "
                                  "or an alias contains itself")]) from None
    if problems:
        raise InputError(problems)
    return doc


def _compose(text: str, pure: bool) -> tuple[YAML, Node | None]:
    """Compose the text into nodes: with libyaml (ruamel.yaml.clib, seven times faster on a
    case file) unless `pure`; YAML 1.2, where `no` and `off` are strings, not false."""
    yaml = YAML(typ="safe", pure=pure)
    yaml.version = (1, 2)
    return yaml, yaml.compose(text)


def _character_problem(err: ReaderError, text: str, shown: str, offset: int) -> Problem:
    """A character the YAML reader refuses, at its line: it was said at 1:1 with the
    reader's offset in characters."""
    at = err.position if isinstance(err.position, int) and 0 <= err.position <= len(text) \
        else 0
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    code = err.character if isinstance(err.character, int) else ord(str(err.character)[:1] or " ")
    return Problem(shown, line + offset, column, "", f"control character U+{code:04X} in the "
                   "text; delete it (it has no printed form)")


def _syntax_problem(err: MarkedYAMLError, text: str, shown: str, offset: int) -> Problem:
    mark = err.problem_mark or err.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    lines = text.splitlines()
    bad_line = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in bad_line[: len(bad_line) - len(bad_line.lstrip())] or "'\\t'" in str(err.problem):
        return Problem(shown, line + offset, column, "",
                       "tab character in indentation; indent with spaces")
    what = " ".join(part for part in (err.context, err.problem) if part)
    opened = err.context_mark
    if opened is not None and mark is not None and opened.line != mark.line:
        what += f" (it was opened at line {opened.line + 1 + offset})"
    return Problem(shown, line + offset, column, "", f"YAML syntax error: {what}")


def _to_plain(node: Node, loc: Loc, doc: Doc, yaml: YAML, problems: list[Problem],
              budget: list[int]) -> Any:
    """Return the plain value of `node`, recording positions; odd tags are errors.

    Aliases are expanded (an analyst may reuse a scorecard with `&name`/`*name`), within a
    node budget so that a few lines of nested aliases cannot expand into gigabytes.
    """
    doc.values[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
    budget[0] -= 1
    if budget[0] < 0:
        if budget[0] == -1:
            problems.append(doc.at(loc, (
                f"more than {MAX_NODES} values after expanding aliases; "
                "is an alias nested in itself?")))
        return None
    if isinstance(node, ScalarNode):
        if node.tag == _TIMESTAMP:
            return node.value  # dates stay text: the model parses partial dates itself
        if node.tag not in _PLAIN_TAGS:
            problems.append(doc.at(loc, f"tag {_tag(node.tag)} is not allowed"))
            return None
        why = _bad_scalar(node)
        if why:
            problems.append(doc.at(loc, why))
            return None
        return yaml.constructor.construct_object(node, deep=True)
    if node.tag not in _COLLECTION_TAGS:
        problems.append(doc.at(loc, f"tag {_tag(node.tag)} is not allowed"))
        return None
    if isinstance(node, SequenceNode):
        return [_to_plain(item, (*loc, i), doc, yaml, problems, budget)
                for i, item in enumerate(node.value)]
    if isinstance(node, MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            why = ("a key is plain text, not a list or a mapping"
                   if not isinstance(key_node, ScalarNode) else _bad_scalar(key_node))
            if why:
                problems.append(Problem(doc.shown, key_node.start_mark.line + 1 + doc.line_offset,
                                        key_node.start_mark.column + 1, field_path(loc), why))
                continue
            key = str(key_node.value)
            doc.keys.setdefault((*loc, key), (key_node.start_mark.line + 1,
                                              key_node.start_mark.column + 1))
            if key in result or key == "<<":
                why = ("duplicate key; the first is at line "
                       f"{doc.keys[(*loc, key)][0] + doc.line_offset}" if key in result
                       else "merge keys (<<) are not supported")
                position = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                problems.append(Problem(doc.shown, position[0] + doc.line_offset, position[1],
                                        field_path((*loc, key)), why))
                continue
            result[key] = _to_plain(value_node, (*loc, key), doc, yaml, problems, budget)
        return result
    problems.append(doc.at(loc, "unsupported YAML node"))
    return None


def _bad_scalar(node: ScalarNode) -> str | None:
    """Return why a scalar cannot be read, or None: a number too long to be a figure (Python
    refuses to read integers of more than 4,300 digits), a control character or half of a
    character (a lone surrogate, which only a `\\ud800` escape can write)."""
    if node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float") \
            and len(node.value) > MAX_NUMBER_CHARS:
        return (f"a number written with {len(node.value):,} characters; a number has at most "
                f"{MAX_NUMBER_CHARS}")
    long_word = next((w for w in _WORD.findall(node.value) if "://" not in w), None)
    if long_word is not None:
        return (f"a word of {len(long_word):,} characters without a space would run off the "
                f"page; words are at most {MAX_WORD} characters (a web address may be longer)")
    bad = _UNPRINTABLE.search(node.value)
    if bad is None:
        return None
    code = ord(bad.group())
    if 0xD800 <= code <= 0xDFFF:
        return f"U+{code:04X} is half of a character (a lone surrogate); write the whole one"
    return f"control character U+{code:04X} in the text; delete it (it has no printed form)"


def _tag(tag: object) -> str:
    return str(tag).replace("tag:yaml.org,2002:", "!!")


# ---------------------------------------------------------------- pydantic errors → problems


def validate(model: type[BaseModel], doc: Doc, data: Any = None,
             skip: typing.Callable[[Loc, dict], bool] = lambda loc, e: False, at: Loc = ()):
    """Return `model` validated from the document, or (None, problems). `at`: where in the
    document `data` stands (an exhibit's settings), for the problems' positions."""
    try:
        return model.model_validate(doc.data if data is None else data), []
    except ValidationError as err:
        return None, translate(err, doc, model, skip, at)


def translate(err: ValidationError, doc: Doc, model: type[BaseModel],
              skip=lambda loc, e: False, at: Loc = ()) -> list[Problem]:
    problems = []
    for e in err.errors(include_url=False):
        loc = data_loc((*at, *e["loc"]), doc)
        if skip(loc, e):
            continue
        kind = e["type"]
        if kind == "extra_forbidden":
            allowed = fields_at(model, loc[len(at):-1])
            problems.append(doc.at(loc, f"unknown field '{loc[-1]}'"
                                        f"{did_you_mean(str(loc[-1]), allowed)}", key=True))
        elif kind == "missing":
            problems.append(replace(doc.at(loc[:-1], "required field is missing"),
                                    field=field_path(loc)))
        else:
            problems.append(doc.at(loc, message(e)))
    return problems


def data_loc(loc: Loc, doc: Doc) -> Loc:
    """Map a pydantic location onto the YAML data: drop the union tags of a `Timed` fact."""
    out: Loc = ()
    for part in loc:
        if part in UNION_TAGS and (*out, part) not in doc.values:
            continue
        out = (*out, part)
    return out


def _nearest(loc: Loc, doc: Doc) -> tuple[int, int] | None:
    for end in range(len(loc), -1, -1):
        if loc[:end] in doc.values:
            return doc.values[loc[:end]]
    return None


def message(e: dict) -> str:
    msg = e["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    if e["type"] in {"string_pattern_mismatch"}:
        pattern = e.get("ctx", {}).get("pattern", "")
        shown = str(e["input"])[:60]
        if pattern.startswith("^[a-z0-9]"):
            return f"'{shown}' is not an id: use lower-case letters, digits and dashes"
        if pattern.startswith("^https?"):
            return f"'{shown}' is not an http(s) URL"
    if e["type"] == "literal_error" and e["loc"] and e["loc"][-1] == "format":
        return f"format {e['input']!r} is not one this version reads; write `format: 2`"
    return msg[0].lower() + msg[1:] if msg else msg


def fields_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """Return the keys a mapping at `loc` may hold, by walking the model's annotations."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", {})
        match = next((f for n, f in fields.items() if part in (n, f.alias)), None)
        if match is None:
            return []
        current = model_in(match.annotation)
        if current is None:
            return []
    return [f.alias or n for n, f in getattr(current, "model_fields", {}).items()]


def model_in(annotation: Any) -> type[BaseModel] | None:
    """Return the first model class found inside a type annotation."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation) or ():
        found = model_in(arg)
        if found is not None:
            return found
    if isinstance(annotation, types.UnionType):
        for arg in annotation.__args__:
            found = model_in(arg)
            if found is not None:
                return found
    return None


def did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word, [c for c in choices if isinstance(c, str)], n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


class Suggestions:
    """`did_you_mean` for many words against one set of choices: each word is looked up
    once, and no more than `limit` different words are looked up at all. 20,000 misspelt
    source ids against 2,000 sources took more than five minutes one by one (a fuzzy
    comparison with every choice, each time); now they cost `limit` look-ups."""

    def __init__(self, choices, limit: int = 50) -> None:
        self.choices = [c for c in choices if isinstance(c, str)]
        self.limit = limit
        self.found: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        if word not in self.found:
            if len(self.found) >= self.limit:
                return ""
            self.found[word] = did_you_mean(word, self.choices)
        return self.found[word]


def field_path(loc: Loc) -> str:
    """Return `team.people[3].left` for ('team', 'people', 3, 'left')."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def walk(value: Any, loc: Loc = ()):
    """Yield (location, value) for every value of plain data, depth first."""
    yield loc, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from walk(v, (*loc, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from walk(v, (*loc, i))


def get(data: Any, loc: Loc) -> Any:
    """Return the value at `loc` in plain data, or None."""
    for part in loc:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data
