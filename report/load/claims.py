"""The claims register read and checked: every citation names a source, every fact it names
is in a case file."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError, Problem, display_path
from ..model.claims import ClaimsFile, key_of
from .files import InputFiles
from .yamlfile import Doc, Suggestions, parse, read_text, validate


def load_claims(path: Path, files: InputFiles | None = None) -> tuple[ClaimsFile, Doc]:
    shown = display_path(path)
    doc = parse(read_text(path, shown, "claims file", files), shown)
    if not isinstance(doc.data, dict):
        raise InputError([Problem(shown, 1, 1, "", "a claims file is a mapping of format, "
                                  "sources and claims")])
    claims, problems = validate(ClaimsFile, doc)
    if claims is not None:
        problems += _duplicates(claims, doc)
    if problems:
        raise InputError(problems)
    return claims, doc


def _duplicates(claims: ClaimsFile, doc: Doc) -> list[Problem]:
    problems, seen = [], set()
    for i, claim in enumerate(claims.claims):
        if claim.id in seen:
            problems.append(doc.at(("claims", i, "id"), f"duplicate claim id '{claim.id}'"))
        seen.add(claim.id)
    seen = set()
    for i, source in enumerate(claims.sources):
        if source.id in seen:
            problems.append(doc.at(("sources", i, "id"), f"duplicate id '{source.id}'"))
        seen.add(source.id)
    return problems


def check_claims(claims: ClaimsFile, doc: Doc, known: set[str],
                 records: dict[str, set[str]] | None = None) -> list[Problem]:
    """Return a problem for every citation of the register that names no source, and for
    every fact it names that no case file holds (`records`: each case's record ids)."""
    hint = Suggestions(known)
    records = records or {}
    fact_hint = Suggestions({f"{case}:{r}" for case, ids in records.items() for r in ids})
    problems = []
    for i, claim in enumerate(claims.claims):
        for j, fact in enumerate(claim.facts):
            case, record = fact.split(":", 1)
            if record not in records.get(case, ()):
                problems.append(doc.at(("claims", i, "facts", j),
                                       f"no fact '{fact}' in the case files{fact_hint(fact)}"))
        refs = [(("claims", i, "claimant", "source"), claim.claimant.source)]
        refs += [(("claims", i, "evidence", j, "cite", k), ref)
                 for j, ev in enumerate(claim.evidence) for k, ref in enumerate(ev.cite)]
        for loc, ref in refs:
            if key_of(ref) not in known:
                problems.append(doc.at(loc, f"unknown source '{ref}'"
                                            f"{hint(key_of(ref))}"))
    return problems
