"""Markdown building blocks: a table as pipe tables (split when more companies than a page
holds), a cell with its citation and confidence, a figure with its caption and sources."""

from __future__ import annotations

from pathlib import Path

from ..charts import Chart
from ..escape import Md, attribute, citation, escape, sourced
from ..words.style import Style
from .tables import MARKED, Cell, Table

CASES_PER_TABLE = 4  # companies side by side that fit an A4 page's width


def render_cell(cell: Cell, style: Style) -> Md:
    text = cell.text if isinstance(cell.text, Md) else escape(cell.text) if cell.text else ""
    if cell.confidence in MARKED:
        text += f" [({escape(style.labels(f'confidence.{cell.confidence.value}'))})]{{.confidence}}"
    return sourced(text, cell.cites, confidence_label(cell.confidence, style))


def confidence_label(confidence, style: Style) -> str | None:
    return None if confidence is None else style.labels(f"confidence.{confidence.value}")


def render_table(table: Table, style: Style) -> Md:
    """Return the table as pipe tables, split when more companies than a page holds."""
    return Md("\n\n".join(_pipe_table(part, style) for part in
                          table.chunks(CASES_PER_TABLE, style.labels)))


def _pipe_table(table: Table, style: Style) -> str:
    """Return a pipe table whose separator sets relative widths (pandoc reads the dashes).

    A cell's notes are lettered (a, b, …) and set in a line of notes under the table, as
    tables in reports carry them.
    """
    def row(cells) -> str:
        return "| " + " | ".join(c.replace("\n", " ") for c in cells) + " |"

    notes: list[str] = []

    def with_notes(cell: Cell) -> str:
        text = render_cell(cell, style)
        for note in cell.notes:
            if note not in notes:  # one letter for one note, however many cells carry it
                notes.append(note)
            text += f"^{_letter(notes.index(note) + 1)}^"
        return text

    header = row([escape(h) for h in table.header])
    # The separator line is longer than pandoc's --columns, so pandoc keeps these widths.
    rule = "|" + "|".join("-" * max(3, w * 2) for w in table.widths) + "|"
    body = [row([with_notes(c) for c in cells]) for cells in table.rows]
    caption = escape(table.caption)
    if table.cites:
        caption += " " + citation(table.cites)
    lines = [header, rule, *body, "", f": {caption} {{#{table.id}}}"]
    if notes:
        listed = " ".join(f"^{_letter(i)}^ {escape(_sentence(note))}" for i, note in
                          enumerate(notes, start=1))
        lines += ["", "::: table-notes", f"{escape(style.labels('table.notes'))} {listed}",
                  ":::"]
    return "\n".join(lines)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text[-1:] in ".!?。)" else text + "."


def _letter(n: int) -> str:
    """a, b, … z, aa, ab …: the marks of a table's notes."""
    text = ""
    while n:
        n, rest = divmod(n - 1, 26)
        text = chr(ord("a") + rest) + text
    return text


def render_figure(chart: Chart, image: Path, style: Style, sources_below: bool = False) -> Md:
    """A figure with its caption and a Sources line. `sources_below`: the fact pack's tables
    list every point with its own sources, so the line says so instead of citing them all
    (the fact pack's timeline cited some 250)."""
    text = chart.caption.strip()
    caption = escape(text if text[-1:] in ".!?。" else text + ".")
    if chart.cites and sources_below:
        caption += " [" + escape(style.labels("chart.sources_below")) + "]{.sources}"
    elif chart.cites:
        note = f" {escape(chart.sources_note)}" if chart.sources_note else ""
        caption += (" [" + escape(style.labels("chart.sources")) + " " + citation(chart.cites)
                    + note + "]{.sources}")
    # A bare file name, found through pandoc's --resource-path: the Markdown (and every
    # document made from it) does not depend on the folder the build ran in.
    return Md(f'![{caption}]({image.name}){{#{chart.id} alt="{attribute(chart.alt)}" '
              'width=100%}')
