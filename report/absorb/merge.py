"""A three-way merge of lines: the brief as built, the brief now, and the brief as the
edited DOCX would have it. Where only one side changed a stretch, that change is taken;
where both changed it differently, the brief now keeps its lines and the stretch is
reported as a conflict, by line."""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class Conflict:
    line: int  # the first line of the stretch in the brief now (from 1)
    lines: int  # how many lines of the brief now it covers
    ours: tuple[str, ...]  # the brief now
    theirs: tuple[str, ...]  # the DOCX's version


def merge(base: str, ours: str, theirs: str) -> tuple[str, list[Conflict]]:
    """Return the merged text and the conflicts (where `ours` was kept)."""
    if ours == base or theirs == ours:
        return theirs, []
    if theirs == base:
        return ours, []
    b, o, t = (x.splitlines(keepends=True) for x in (base, ours, theirs))
    out: list[str] = []
    conflicts: list[Conflict] = []
    for region in _regions(b, o, t):
        kind, (b0, b1), (o0, o1), (t0, t1) = region
        if kind == "same":
            out += o[o0:o1]
            continue
        mine, yours, was = o[o0:o1], t[t0:t1], b[b0:b1]
        if mine == was:
            out += yours
        elif yours == was or yours == mine:
            out += mine
        else:
            conflicts.append(Conflict(len("".join(out).splitlines()) + 1, o1 - o0,
                                      tuple(x.rstrip("\n") for x in mine),
                                      tuple(x.rstrip("\n") for x in yours)))
            out += mine
    return "".join(out), conflicts


def _regions(b: list[str], o: list[str], t: list[str]):
    """Stretches of the base that both sides keep alike ("same"), and those between
    ("changed"), each with its extent in the base, ours and theirs."""
    def matches(x):
        m = difflib.SequenceMatcher(None, b, x, autojunk=False)
        return {i + k: j + k for i, j, size in m.get_matching_blocks() for k in range(size)}

    mo, mt = matches(o), matches(t)
    common = [i for i in range(len(b)) if i in mo and i in mt]
    bi = oi = ti = 0
    k = 0
    while k < len(common):
        i = common[k]
        j = k
        # a run of base lines kept, in order, by both sides
        while j + 1 < len(common) and common[j + 1] == common[j] + 1 and \
                mo[common[j + 1]] == mo[common[j]] + 1 and mt[common[j + 1]] == mt[common[j]] + 1:
            j += 1
        start, end = i, common[j] + 1
        if (bi, oi, ti) != (start, mo[start], mt[start]):
            yield "changed", (bi, start), (oi, mo[start]), (ti, mt[start])
        yield "same", (start, end), (mo[start], mo[start] + end - start), \
            (mt[start], mt[start] + end - start)
        bi, oi, ti = end, mo[start] + end - start, mt[start] + end - start
        k = j + 1
    if (bi, oi, ti) != (len(b), len(o), len(t)):
        yield "changed", (bi, len(b)), (oi, len(o)), (ti, len(t))
