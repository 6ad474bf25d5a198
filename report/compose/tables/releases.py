"""Releases and openness: every release, the openness scorecard and its evidence."""

from __future__ import annotations

from collections import defaultdict

from ...compare import CaseFacts, cite_key
from ...model import DIMENSIONS, Release
from .base import GRADE_MARK, Cell, Table, TableMaker, cell


class Releases(TableMaker):
    def releases(self) -> Table:
        t, s = self.t, self.s
        rows = []
        for f in self.c.facts:
            for r in (*f.models, *f.other_releases):
                params = t("none")
                if r.parameters:
                    params = t("params.total", b=s.number(r.parameters.total_b))
                    if r.parameters.active_b:
                        params += " " + t("paren", text=t("params.active", b=s.number(
                            r.parameters.active_b)))
                rows.append((Cell(self.s.plain_name(f.case.name)),
                             cell(f.case, r.name + (" " + t("release.flagship_mark")
                                                    if r.flagship else ""),
                                  r, r.parameters, r.licence, *r.licence_changes),
                             Cell(s.date(r.date)), Cell(t(f"kind.{r.kind.value}")),
                             Cell(params),
                             Cell(t(f"weights.{r.weights}") if r.weights else t("none")),
                             Cell(self.licence(r))))
        return self.listing("releases", ("company", "release", "date", "kind", "params",
                                         "weights", "licence"), (11, 21, 11, 11, 12, 10, 24),
                            rows)

    def scorecard(self) -> Table:
        t, s = self.t, self.s
        rows = []
        for f in self.c.facts:
            for r in f.scored:
                keys = tuple(dict.fromkeys(cite_key(f.case.id, src) for _, c in r.scorecard.cells()
                                           for src in c.cite))
                rows.append((Cell(self.s.plain_name(f.case.name)), Cell(r.name, keys),
                             *(Cell(GRADE_MARK[c.grade.value]) for _, c in r.scorecard.cells()),
                             Cell(s.percent(r.scorecard.score()))))
        header = (t("table.scorecard.col.company"), t("table.scorecard.col.release"),
                  *(str(i) for i in range(1, len(DIMENSIONS) + 1)),
                  t("table.scorecard.col.score"))
        legend = t("list.sep").join(t("scorecard.legend_item", n=i, name=t(f"dimension.{k}"))
                                    for i, k in enumerate(DIMENSIONS, start=1))
        return Table("tbl-scorecard", t("table.scorecard.caption", legend=legend), header,
                     (10, 20, *([5] * len(DIMENSIONS)), 7), tuple(rows))

    def evidence(self) -> list[Table]:
        """One table per distinct judgement: releases scored identically share a table."""
        t, s = self.t, self.s
        groups: dict[tuple, list[tuple[CaseFacts, Release]]] = defaultdict(list)
        for f in self.c.facts:
            for r in f.scored:
                groups[(f.case.id, r.scorecard.same_judgement())].append((f, r))
        tables = []
        for (case_id, _), members in groups.items():
            f, first = members[0]
            names = t("list.join").join(r.name for _, r in members)
            rows = tuple(
                (Cell(t(f"dimension.{key}")), Cell(t(f"grade.{c.grade.value}")),
                 Cell(c.evidence, tuple(cite_key(case_id, x) for x in c.cite)))
                for key, c in first.scorecard.cells())
            tables.append(Table(f"tbl-evidence-{case_id}-{first.id}",
                                t("table.evidence.caption", names=names,
                                  company=s.plain_name(f.case.name),
                                  score=s.percent(first.scorecard.score()), n=len(members)),
                                (t("table.evidence.col.dimension"), t("table.evidence.col.grade"),
                                 t("table.evidence.col.evidence")), (22, 10, 68), rows))
        return tables
