"""The appendix: every fact below confirmed, one table per topic, each saying why."""

from __future__ import annotations

from itertools import groupby

from ...compare import Uncertain, cite_key
from ...escape import Md, citation, escape
from ...model import Case
from .base import Cell, Table, TableMaker


class Appendix(TableMaker):
    # Reasons common enough to group: a fact resting on the press alone, on a copy of a
    # company page, or on blogs and analysis. Anything less sure is listed fact by fact.
    ORDINARY = ("press_only", "copy_of_primary", "secondary_only")

    def uncertain(self) -> list[Table]:
        """Facts below confirmed, one table per topic, each saying why.

        A fact that rests on a claim, a rumour, a seed article alone, or sources that
        disagree gets a row of its own with its note and every other version. The many
        facts that rest only on press reports or copies are grouped, one row per company
        and reason, so the appendix stays short enough to read.
        """
        t = self.t
        tables = []
        order = ["profile", "funding", "strategy", "team", "pricing", "releases", "timeline"]
        items = sorted(self.c.uncertain, key=lambda u: (order.index(u.topic), u.case_id))
        for topic, group in groupby(items, key=lambda u: u.topic):
            group = list(group)
            rows = []
            def ordinary(u: Uncertain) -> bool:  # grouped: nothing to say of it alone
                return (u.reason in self.ORDINARY and not getattr(u.record, "disputes", ())
                        and not self.rated(self.c.by_id(u.case_id).case, u.record))

            for u in group:
                if ordinary(u):
                    continue
                case = self.c.by_id(u.case_id).case
                rows.append((Cell(self.s.plain_name(case.name)), Cell(self.describe(u), u.cites),
                             Cell(t(f"confidence.{u.confidence.value}")),
                             Cell(self.why(u, case))))
            for (case_id, reason), members in groupby(
                    sorted((u for u in group if ordinary(u)),
                           key=lambda u: (u.case_id, self.ORDINARY.index(u.reason))),
                    key=lambda u: (u.case_id, u.reason)):
                members = list(members)
                case = self.c.by_id(case_id).case
                facts = Md(t("list.sep").join(
                    f"{escape(self.describe(u))} {citation(u.cites)}" for u in members))
                rows.append((Cell(self.s.plain_name(case.name)), Cell(facts),
                             Cell(t("confidence.reported")),
                             Cell(t("reason.grouped", reason=t(f"reason.{reason}"),
                                    n=len(members)))))
            tables.append(self.listing_topic(topic, rows))
        return tables

    def listing_topic(self, topic: str, rows) -> Table:
        t = self.t
        return Table(f"tbl-uncertain-{topic}", t("table.uncertain.caption",
                                                 topic=t(f"topic.{topic}")),
                     tuple(t(f"table.uncertain.col.{k}") for k in
                           ("company", "fact", "confidence", "why")),
                     (11, 45, 11, 33), tuple(rows))

    def why(self, u: Uncertain, case: Case) -> Md:
        """Why a fact is below confirmed, other sources' versions (each cited) and the note."""
        t = self.t
        parts = [escape(t(f"reason.{u.reason}")), *map(escape, self.rated(case, u.record))]
        for d in getattr(u.record, "disputes", ()):
            version = t("reason.version", field=self.field_label(d.field),
                        value=self.dispute_value(u.record, d))
            parts.append(f"{escape(version)} {citation(cite_key(case.id, x) for x in d.cite)}")
        note = getattr(u.record, "note", None)
        if note:
            parts.append(escape(note))
        return Md(t.join("list.sep", parts))
