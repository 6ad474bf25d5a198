"""Label catalogues: every word a reader sees, one YAML file per language (`labels/en.yaml`).

A catalogue may be partial: a key it lacks is taken from English, with one warning per key
(`MissingLabel`), as Quarto's and mkdocs' catalogues fall back to theirs.
"""

from __future__ import annotations

import warnings
from importlib import resources
from pathlib import Path
from typing import Any

FALLBACK = "en"
_MISSING = object()


class MissingLabel(UserWarning):
    """A label the edition's catalogue lacks: the English one is used."""


# Catalogues parsed, by their text: a build, a check and every preview save make a Style,
# and parsing the English catalogue took 0.19 s each time. Read-only once parsed.
_PARSED: dict[str, dict] = {}


def _catalogue(language: str, folder: Path | None) -> dict:
    from ruamel.yaml import YAML

    name = f"{language}.yaml"
    path = (folder or resources.files("report.words") / "labels") / name
    text = path.read_text("utf-8")
    if text not in _PARSED:
        _PARSED[text] = YAML(typ="safe", pure=True).load(text) or {}
    return _PARSED[text]


def _lookup(node: Any, key: str) -> Any:
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return node


class Labels:
    """The label catalogue of one language, read once; `folder` holds catalogues other than
    the package's own (a test's partial one)."""

    def __init__(self, language: str = FALLBACK, folder: Path | None = None):
        self.language = language
        self.data: dict = _catalogue(language, folder)
        self.fallback = None if language == FALLBACK else Labels(FALLBACK)
        self.warned: set[str] = set()

    def node(self, key: str) -> Any:
        """Return what the catalogue holds at a dotted key: text, plural forms or a list."""
        found = _lookup(self.data, key)
        if found is not _MISSING:
            return found
        if self.fallback is None:
            raise KeyError(f"no label '{key}' in the catalogue")
        found = self.fallback.node(key)
        if key not in self.warned:  # one warning per key, however often it is asked for
            self.warned.add(key)
            warnings.warn(MissingLabel(f"no label '{key}' in the {self.language} catalogue; "
                                       "the English one is used"), stacklevel=3)
        return found

    def __call__(self, key: str, **values: Any) -> str:
        """Return the label at a dotted key, with `{placeholders}` filled in."""
        node = self.node(key)
        if isinstance(node, dict):  # plural forms: {one: …, other: …}
            n = values.get("n", 0)
            node = node["one"] if n == 1 and "one" in node else node["other"]
        return str(node).format_map(values) if values else str(node)

    def join(self, key: str, parts) -> str:
        """Join parts with the separator at `key`; before a separator that starts with
        punctuation a part's closing full stop gives way ("both; then", never "both.; then")."""
        sep, parts = self(key), list(parts)
        if sep[:1] in ";,":
            parts = [p[:-1] if p.endswith(".") and not p.endswith("..") else p
                     for p in parts[:-1]] + parts[-1:]
        return sep.join(parts)

    def and_list(self, parts) -> str:
        """Join as "A", "A and B" or "A, B and C", in the catalogue's words."""
        parts = list(parts)
        if len(parts) <= 1:
            return "".join(parts)
        return self("list_and").join([self("list.join").join(parts[:-1]), parts[-1]])

    def has(self, key: str) -> bool:
        try:
            self(key)
        except (KeyError, IndexError, ValueError):
            return False
        return True
