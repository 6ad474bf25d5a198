"""The chronology: every company's key events in one table."""

from __future__ import annotations

from .base import Cell, Table, TableMaker, cell


class Timeline(TableMaker):
    def chronology(self) -> Table:
        """The key events of every company in one chronology (the full register is in each
        section's own table)."""
        t, s = self.t, self.s
        rows = []
        for item in self.c.timeline:
            if not (item.key or item.kind in ("move", "event", "round", "left", "founded")):
                continue
            case = self.c.by_id(item.case_id).case
            rows.append((Cell(s.date(item.date)), Cell(self.s.plain_name(case.name)),
                         Cell(t(f"category.{item.category.value}")),
                         cell(case, self.happening(item), item.record)))
        return self.listing("timeline", ("date", "company", "category", "event"),
                            (11, 11, 12, 66), rows)
