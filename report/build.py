"""The whole pipeline in one function: load → compare → charts → compose → render → publish.

`build()` wires the stages in order; each lives in its own package and hands the next a typed
value. `BuildOptions` is the one declaration of what a build takes: the CLI's options, the
fingerprint and the background build of `report preview` are all derived from its fields.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

# The stages are imported where they run: `report --help` reads BuildOptions from here and
# must not wait for pydantic, Jinja2 or plotly.
if TYPE_CHECKING:
    from .charts import Chart
    from .compare import Comparison
    from .compose import Briefing
    from .load import Inputs
    from .words.style import Style

FORMATS = ("pdf", "docx", "html")  # the order documents are named in


def option(flag: str, help: str, *, role: str = "setting", choices: tuple[str, ...] = (),
           **kwargs):
    """A build option: its command-line flag and help, the values a list may hold, and its
    role in the fingerprint: `setting` (hashed by value), `input` (the files it names are
    hashed) or `place` (where things go: not hashed)."""
    return field(metadata={"flag": flag, "help": help, "role": role, "choices": choices},
                 **kwargs)


@dataclass(frozen=True)
class BuildOptions:
    """What a build takes. A new option is one field here: `report build`, `watch` and
    `preview` offer it, the fingerprint covers it, and the background build receives it."""

    cases_dir: Path = option("--cases", "Folder of case files (*.yaml).", role="input",
                             default=Path("cases"))
    out_dir: Path = option("--out", "Folder for the documents.", role="place",
                           default=Path("output"))
    figures_dir: Path = option("--figures", "Folder for chart images.", role="place",
                               default=Path("figures"))
    formats: tuple[str, ...] = option("--format", "Comma-separated: pdf,docx,html.",
                                      choices=FORMATS, default=FORMATS)
    # default: brief.md beside the case files, if there is one
    brief: Path | None = option("--brief", "The analyst's brief (default: brief.md in the "
                                "cases folder, if any).", role="input", default=None)
    strict: bool = option("--strict", "Numbers in the brief's prose without a source are "
                          "errors, not warnings.", default=False)

    def settings(self) -> dict[str, str]:
        """Every option that changes the documents by its value, written out (fingerprint)."""
        return {f.name: ",".join(v) if isinstance(v := getattr(self, f.name), tuple) else str(v)
                for f in dataclasses.fields(self) if f.metadata.get("role") == "setting"}

    def to_json(self) -> str:
        return json.dumps({f.name: _plain(getattr(self, f.name))
                           for f in dataclasses.fields(self)})

    @classmethod
    def from_json(cls, text: str) -> BuildOptions:
        hints = typing.get_type_hints(cls)
        data = json.loads(text)
        return cls(**{f.name: _typed(hints[f.name], data[f.name])
                      for f in dataclasses.fields(cls) if f.name in data})


def _plain(value):
    return str(value) if isinstance(value, Path) else list(value) \
        if isinstance(value, tuple) else value


def _typed(hint, value):
    """`value` read back from JSON as the field's type (Path, Path | None, tuple …)."""
    kinds = typing.get_args(hint) or (hint,)
    if value is None:
        return None
    if Path in kinds:
        return Path(value)
    return tuple(value) if typing.get_origin(hint) is tuple else value


@dataclass(frozen=True)
class BuildResult:
    documents: dict[str, Path]
    manifest: Path
    charts_exported: int
    up_to_date: bool = False  # nothing changed since the last build: nothing was rendered
    warnings: tuple = ()  # problems that do not stop a build (unsourced numbers in the brief)


def build(options: BuildOptions, on_step: Callable[[str], None] = lambda step: None) -> BuildResult:
    """Build the briefing documents; earlier documents stay untouched unless all succeed."""
    from .charts.export import prune_figures
    from .check import checked_inputs
    from .errors import InputError
    from .load.builddate import source_date_epoch
    from .load.cases import BRIEF_FILE
    from .load.files import InputFiles
    from .publish import MANIFEST, build_lock, prepare_dir, publish_staged, staging_folder
    from .publish.fingerprint import fingerprint
    from .publish.manifest import annex_key, previous_build, previous_part, write_manifest
    from .render import render
    from .render.environment import check_environment, environment, fewer_gc_passes
    from .render.workbook import write_data

    on_step("Reading case files")
    # Every input is read once, here: the fingerprint, the build date and the documents all
    # come from these bytes, and a file that is no regular file is refused before anything.
    files = InputFiles(options.cases_dir)
    epoch = source_date_epoch(options.cases_dir, files)
    # The annex is dated by the inputs other than the brief, worked out here: inside the
    # build SOURCE_DATE_EPOCH is the briefing's date, which an edit to the brief moves.
    annex_epoch = min(source_date_epoch(options.cases_dir, files, frozenset({BRIEF_FILE})),
                      epoch)
    try:
        key = fingerprint(options, epoch, files)
    except InputError:
        checked_inputs(options.cases_dir, options.brief, options.strict, files,
                       day_of(epoch))  # every problem
        raise
    done = previous_build(options.out_dir, key)
    if done is not None:
        return BuildResult(done, options.out_dir / MANIFEST, 0, up_to_date=True)
    # pandoc and WeasyPrint read the date from the environment. It is put back afterwards,
    # so that the next build in this process (`report watch`) works out its own date.
    with environment("SOURCE_DATE_EPOCH", str(epoch)), fewer_gc_passes():
        inputs = checked_inputs(options.cases_dir, options.brief, options.strict, files,
                                day_of(epoch))
        check_environment(options.formats)
        prepare_dir(options.out_dir, "--out")
        prepare_dir(options.figures_dir, "--figures")
        # Two builds into one folder take turns, so neither sees the other's half-written files.
        with build_lock(options.out_dir):
            composed = compose_briefing(inputs, epoch, options, on_step)
            annex = compose_annex_of(inputs, annex_epoch, epoch, composed)
            with staging_folder(options.out_dir) as staging:
                on_step("Rendering " + ", ".join(f.upper() for f in options.formats))
                rendered = render(composed.briefing, composed.charts, composed.images,
                                  list(options.formats), staging, on_step,
                                  origin=docx_origin(inputs, files, key))
                staged = dict(rendered.documents)
                pages = {f"{composed.briefing.name}.pdf": rendered.pdf_pages}
                parts = {}
                if annex is not None:
                    part_key = annex_key(annex, options)
                    kept = previous_part(options.out_dir, "annex", part_key, staging,
                                         options.formats)
                    if kept is None:
                        with environment("SOURCE_DATE_EPOCH", str(annex.epoch)):
                            more = render(annex.briefing, composed.charts, composed.images,
                                          list(options.formats), staging, on_step)
                        kept = ({f"annex.{kind}": path for kind, path in more.documents.items()},
                                more.pdf_pages)
                    staged.update(kept[0])
                    pages["annex.pdf"] = kept[1]
                    parts["annex"] = part_key
                on_step("Writing the data workbook")
                staged.update(write_data(composed.comparison, composed.style, staging, epoch))
                published = publish_staged(options.out_dir, staging, staged, lambda path, docs:
                                           write_manifest(path, docs, pages, inputs.case_files,
                                                          epoch, key, files, parts),
                                           on_step)
            prune_figures(options.figures_dir, set(composed.images.values()))
    manifest = published.pop("manifest")
    return BuildResult(published, manifest, composed.exported, warnings=inputs.warnings)


def docx_origin(inputs: Inputs, files, key: str):
    """What the DOCX records it was built from (`report absorb` reads it back): the brief
    as it was read for this build (none: the fact pack alone), and the build's fingerprint."""
    from . import __version__
    from .render.docx import Origin

    brief = inputs.brief
    if brief is None:  # the fact pack alone: the DOCX says it was built, with no brief
        return Origin("", "", key, f"report {__version__}")
    text = files.read(brief.path, brief.shown, "brief").data.decode("utf-8")
    return Origin(brief.path.name, text, key, f"report {__version__}")


def day_of(epoch: int) -> dt.date:
    """The build's date (UTC) from its SOURCE_DATE_EPOCH."""
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).date()


@dataclass(frozen=True)
class Composed:
    """A briefing ready to render: its Markdown, its charts and where their images live."""

    briefing: Briefing
    charts: list[Chart]
    images: dict[str, Path]
    exported: int  # chart images drawn for it (0: all cached, or not asked for)
    comparison: Comparison | None = None
    style: Style | None = None


@dataclass(frozen=True)
class Annex:
    """The evidence annex to a short briefing, and the build time it is dated by."""

    briefing: Briefing
    epoch: int


def compose_annex_of(inputs: Inputs, own: int, epoch: int,
                     composed: Composed) -> Annex | None:
    """The evidence annex when the brief asks for a short briefing, else None.

    The annex does not read the brief's prose: it is dated by the other inputs, so an edit
    to the argument leaves it byte for byte as it was, and it is not rendered again (`own`
    is that date; `epoch` the briefing's)."""
    from .compose import compose_annex

    brief = inputs.brief
    if brief is None or brief.meta.briefing is None:
        return None
    comparison = composed.comparison
    if own != epoch:
        comparison = _compared(inputs, own)
    annex = compose_annex(comparison, composed.charts, composed.images, composed.style,
                          brief, inputs.claims)
    return Annex(annex, own) if annex is not None else None


def _compared(inputs: Inputs, epoch: int) -> Comparison:
    from .compare import compare

    return compare(inputs.cases, day_of(epoch), inputs.rates, inputs.currency,
                   tuple(inputs.claims.sources) if inputs.claims else ())


def compose_briefing(inputs: Inputs, epoch: int, options: BuildOptions,
                     on_step: Callable[[str], None] = lambda step: None,
                     export: bool = True) -> Composed:
    """Compare the cases, draw the charts and write the Markdown.

    `export=False` names the chart images without drawing them: the HTML page draws its
    charts itself, so `report preview` shows a page without waiting for the browser.
    """
    from .charts import build_charts, export_charts, image_paths
    from .charts.export import chart_size_problems
    from .compose import compose
    from .errors import InputError, display_path
    from .words.style import Style

    on_step("Comparing cases")
    style = Style()
    worked = inputs.worked_out  # what checking the inputs worked out on the build's date
    if worked is None or worked.build_date != day_of(epoch):
        worked = None
    if worked is not None:
        comparison, charts = worked.comparison, list(worked.charts)
    else:
        comparison = _compared(inputs, epoch)
        charts = build_charts(comparison, style,
                              inputs.brief.meta.exhibits if inputs.brief else ())
    on_step("Drawing charts")
    images = image_paths(charts, options.figures_dir)
    too_tall = chart_size_problems(charts, display_path(options.cases_dir))
    if too_tall:
        raise InputError(too_tall)
    # Drawing the charts is not overlapped with pandoc: on two cores Chromium and pandoc
    # only slow each other down (measured: 11.4 s overlapped, 11.1 s one after the other).
    exported = export_charts(charts, images) if export else 0
    on_step("Writing the briefing")
    if worked is not None and worked.briefing is not None:
        briefing = worked.briefing  # composed by the check (its Markdown names images only)
    else:
        briefing = compose(comparison, charts, images, style, inputs.brief, inputs.claims)
    return Composed(briefing, charts, images, exported, comparison, style)
