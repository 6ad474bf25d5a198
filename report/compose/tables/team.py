"""The team: counts side by side, and every named person with their tenure."""

from __future__ import annotations

from dataclasses import replace

from ...compare import CaseFacts
from ...model import Level
from .base import Cell, Table, TableMaker, cell


class Team(TableMaker):
    def team(self) -> Table:
        t = self.t
        labels = list(dict.fromkeys(x.label for f in self.c.facts for x in f.case.team.facts))

        def team_fact(label: str):
            def make(f: CaseFacts) -> Cell:
                facts = [x for x in f.case.team.facts if x.label == label]
                if not facts:
                    return Cell(t("none"))
                return replace(cell(f.case, t.join("list.sep", (x.value for x in facts)), *facts),
                               notes=self.rated(f.case, *facts, key="claims.rated_note"))
            return make

        table = self.side_by_side("team", [
            ("named", lambda f: Cell(self.s.count(len(f.people)))),
            ("leaders", lambda f: Cell(self.s.count(len(f.leaders)))),
            ("leaders_left", lambda f: cell(f.case, self.s.count(len(f.leaders_left)),
                                            *f.leaders_left)),
        ])
        extra = tuple((Cell(label[:1].upper() + label[1:]), *(team_fact(label)(f)
                                                             for f in self.c.facts))
                      for label in labels)
        return replace(table, rows=table.rows + extra)

    def people(self) -> Table:
        t, s = self.t, self.s
        rows = []
        levels = list(Level)
        for f in self.c.facts:
            # Most senior first, then by name: the order a reader scans a staff list in.
            for p in sorted(f.people, key=lambda p: (
                    levels.index(p.level) if p.level else len(levels),
                    s.plain_name(p.name).casefold())):
                tags = [t(f"level.{p.level.value}")] if p.level else []
                if p.cofounder:
                    tags.append(t("person.cofounder"))
                if p.function:
                    tags.append(t(f"function.{p.function.value}"))
                rows.append((Cell(s.plain_name(f.case.name)), cell(f.case, s.name(p.name), p),
                             Cell(p.role),
                             Cell(t("list.join").join(tags) or t("none")),
                             Cell(self.tenure(p)),
                             Cell(p.went_to or (t("none") if p.has_left else t(
                                 "person.there", date=s.date(self.c.as_of))))))
        return self.listing("people", ("company", "name", "role", "level", "tenure", "went"),
                            (10, 17, 23, 16, 16, 18), rows)
