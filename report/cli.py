"""`report build | check | schema`: argument parsing and exit codes only.

Exit codes: 0 success, 1 a broken environment (the message names the fix), 2 bad input.
Heavy libraries are imported by the commands that need them, so `--help` and `check` stay fast.
"""

from __future__ import annotations

import dataclasses
import errno
import inspect
import json
import os
import signal
import sys
import threading
import time
import typing
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from .build import BuildOptions
from .errors import InputError, ReportError
from .escape import terminal

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Build comparative case-study briefings from sourced case files.")



def _flag(name: str) -> typer.Option:
    """The CLI option of a BuildOptions field, as every command offers it."""
    meta = next(f for f in dataclasses.fields(BuildOptions) if f.name == name).metadata
    return typer.Option(meta["flag"], help=meta["help"])


CasesOpt = Annotated[Path, _flag("cases_dir")]
BriefOpt = Annotated[Path | None, _flag("brief")]
StrictOpt = Annotated[bool, _flag("strict")]


def error_lines(err: ReportError) -> list[str]:
    """An error the way an editor or CI log wants it: `path:line:col: field: message` per
    problem in the input, or one `error:` line for a broken environment."""
    if isinstance(err, InputError):
        return [str(p) for p in err.problems]  # each safe for a terminal (Problem.__str__)
    return [terminal(f"error: {err}")]


def say(*lines: str, err: bool = False) -> None:
    """Print lines for a person, each safe for a terminal (no raw newline or escape code from
    a file name). A standard output that cannot take them is one error line and exit 1:
    a full disk (`> /dev/full`), a closed descriptor (`>&-`). A reader that stops reading
    (`| head -1`) is not an error: the command ends quietly."""
    stream = sys.stderr if err else sys.stdout
    try:
        if stream is None:
            raise OSError(errno.EBADF, "standard output is closed")
        for line in lines:
            print(terminal(line), file=stream, flush=True)
    except BrokenPipeError:
        raise typer.Exit(0) from None
    except OSError as fault:
        if err:  # nowhere left to say it
            raise typer.Exit(1) from None
        cause = fault.strerror or str(fault)
        say(f"error: cannot write to standard output ({cause}); the command's work is done "
            "but its report is lost: send it to a file or a terminal", err=True)
        raise typer.Exit(1) from None


def problems_found(n: int) -> str:
    return f"{n} problem{'s' * (n != 1)}"


def fail(err: ReportError) -> None:
    """Print an error, then exit with its code."""
    say(*error_lines(err), err=True)
    if isinstance(err, InputError):
        say(f"{problems_found(len(err.problems))} found", err=True)
    raise typer.Exit(err.exit_code)


@app.command()
def check(cases: CasesOpt = Path("cases"), brief: BriefOpt = None,
          strict: StrictOpt = False) -> None:
    """Validate the case files, exchange rates, claims and brief; list every problem as
    path:line:col: field: message."""
    from .build import day_of
    from .check import checked_inputs
    from .load.builddate import source_date_epoch
    from .load.files import InputFiles

    try:
        # The build's own date and snapshot of the files: check works out every value as of
        # the day the build would, and refuses what the build would refuse.
        files = InputFiles(cases)
        inputs = checked_inputs(cases, brief, strict, files,
                                day_of(source_date_epoch(cases, files)))
    except ReportError as err:
        fail(err)
    loaded = inputs.case_files
    say(f"{len(loaded)} case files OK: " + ", ".join(cf.path.name for cf in loaded))
    if inputs.rates is not None:
        say(f"{len(inputs.rates.rates)} exchange rates OK")
    if inputs.claims is not None:
        say(f"{len(inputs.claims.claims)} claims OK")
    if inputs.brief is not None:
        say(f"brief OK: {inputs.brief.shown} ({len(inputs.brief.facts)} live facts, "
            f"{len(inputs.brief.exhibits)} exhibits)")
    warn(inputs.warnings)
    say(*(f"note: {line}" for line in inputs.notes), err=True)


def warn(warnings) -> None:
    """Print problems that do not stop a build, then how many there were."""
    say(*(str(line) for line in warnings), err=True)
    if warnings:
        say(f"{len(warnings)} warning{'s' * (len(warnings) != 1)} "
            "(--strict makes them errors)", err=True)


@app.command()
def migrate(
    files: Annotated[list[Path], typer.Argument(help="Case files to rewrite in the current "
                                                     "format.")],
) -> None:
    """Rewrite case files written for an earlier format in the current one, keeping comments.

    The original is kept beside each file as FILE.format1.bak (never over one already
    there). What needs your judgement (a funding round's status, ids made up from content)
    is listed. Exit 2: a file could not be read or is refused (its problems are listed);
    exit 1: a file could not be written (it is unchanged).
    """
    from .errors import EnvironmentFault, display_path
    from .load.migrate import BACKUP, migrate_file

    bad_input = broken = False
    for path in files:
        try:
            result = migrate_file(path)
        except InputError as err:  # a link, no regular file, not text, YAML check refuses …
            say(*(str(p) if p.line else f"{p.path}: cannot migrate: {p.message}"
                  for p in err.problems), err=True)
            bad_input = True
            continue
        except EnvironmentFault as err:  # a full disk, a read-only folder: nothing changed
            say(f"error: {err}", err=True)
            broken = True
            continue
        except OSError as err:  # vanished between reading and writing, …
            say(f"error: {display_path(path)}: cannot migrate: {err.strerror}", err=True)
            broken = True
            continue
        if result is None:
            say(f"{display_path(path)}: already in the current format")
            continue
        say(f"{display_path(path)}: rewritten (the original is "
            f"{display_path(path)}{BACKUP})")
        for note in result.notes:
            say(f"  check: {note}")
    raise typer.Exit(1 if broken else 2 if bad_input else 0)


QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")]


def with_build_options(options_class: type = BuildOptions, **help: str):
    """Give a command whose first parameter is `options` one CLI option per field of the
    build options (flag, help and default from the field; `help` overrides a field's help),
    followed by the command's own. A new field of BuildOptions is a new option here too."""
    def wrap(command):
        fields = dataclasses.fields(options_class)

        def run(**values):
            options = build_options(options_class, {f.name: values.pop(f.name) for f in fields})
            return command(options, **values)

        own = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in
               list(inspect.signature(command, eval_str=True).parameters.values())[1:]]
        run.__signature__ = inspect.Signature([*options_parameters(options_class, help), *own])
        run.__name__, run.__doc__ = command.__name__, command.__doc__
        return run

    return wrap


def options_parameters(options_class: type, help: dict[str, str]) -> list[inspect.Parameter]:
    """The CLI's parameters for the fields of `options_class` (a list is comma-separated)."""
    hints = typing.get_type_hints(options_class)
    parameters = []
    for f in dataclasses.fields(options_class):
        kind, default = hints[f.name], f.default
        if typing.get_origin(kind) is tuple:
            kind, default = str, ",".join(default)
        option = typer.Option(f.metadata["flag"], help=help.get(f.name, f.metadata["help"]))
        parameters.append(inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY,
                                            default=default, annotation=Annotated[kind, option]))
    return parameters


@app.command()
@with_build_options()
def build(
    options: BuildOptions,
    quiet: QuietOpt = False,
    timings: Annotated[bool, typer.Option(
        "--timings", help="Print how long each step took (to standard error).")] = False,
    given: Annotated[str | None, typer.Option(
        "--options", hidden=True, help="The build options as JSON (BuildOptions.to_json), "
                                       "instead of the options above: the background build "
                                       "of `report preview` gets its options so.")] = None,
) -> None:
    """Build the briefing as PDF, DOCX and HTML."""
    from .build import build as run_build

    if given is not None:
        options = BuildOptions.from_json(given)
    clock = StepClock()
    try:
        with progress(quiet, clock) as on_step:
            result = run_build(options, on_step=on_step)
    except ReportError as err:
        fail(err)
    except KeyboardInterrupt:
        say("error: interrupted; earlier documents are unchanged", err=True)
        raise typer.Exit(130) from None
    if timings:
        say(*clock.report().splitlines(), err=True)
    warn(result.warnings)
    for kind in shown_documents(result.documents, options.formats):
        say(f"{'up to date' if result.up_to_date else 'wrote'} {result.documents[kind]}")


def shown_documents(documents: dict, formats) -> list[str]:
    """The documents a build names when it is done: the briefing's, the annex's and the
    workbook; not the Markdown sources, nor the CSVs beside the workbook."""
    return [*(k for k in formats if k in documents),
            *(f"annex.{k}" for k in formats if f"annex.{k}" in documents),
            *(k for k in ("data.xlsx",) if k in documents)]


@app.command()
@with_build_options()
def watch(options: BuildOptions, quiet: QuietOpt = False) -> None:
    """Build, then rebuild each time a case file is saved; Ctrl-C stops.

    A bad case file prints its problems and the loop waits for the next save; the last good
    documents stay in place.
    """
    from .live.watch import Outcome
    from .live.watch import watch as run_watch

    cases = options.cases_dir
    if not cases.is_dir():
        say(f"error: {cases} is not a folder of case files", err=True)
        raise typer.Exit(2)

    def report(outcome: Outcome) -> None:
        stamp = time.strftime("%H:%M:%S")
        if outcome.error is not None:
            lines = error_lines(outcome.error)
            say(*lines, err=True)
            say(f"{stamp} not built ({problems_found(len(lines))}); waiting for the next save")
        else:
            documents = ", ".join(str(outcome.result.documents[k]) for k in shown_documents(
                outcome.result.documents, options.formats))
            verb = ("up to date" if outcome.result.up_to_date
                    else f"built in {outcome.seconds:.1f} s")
            say(f"{stamp} {verb}: {documents}")

    say(f"watching {cases} (Ctrl-C stops)")
    try:
        run_watch(options, report, lambda: progress(quiet, StepClock()))
    except KeyboardInterrupt:
        say("stopped watching")


@app.command()
@with_build_options(formats="Documents to build into --out in the background after each "
                            "page: comma-separated pdf,docx,html.")
def preview(
    options: BuildOptions,
    port: Annotated[int, typer.Option(
        "--port", help="Port on 127.0.0.1 to serve the page on (0: any free port).")] = 8765,
    open_browser: Annotated[bool, typer.Option(
        "--open", help="Open the page in the web browser.")] = False,
) -> None:
    """Serve the HTML briefing on http://127.0.0.1:PORT and reload it on every save.

    Each save of a case file, the brief, the claims or the exchange rates remakes the page,
    and the browser reloads it where it was scrolled to. A bad save shows its problems over
    the last good page (and here). The documents in --out follow in the background; on
    Ctrl-C a build under way finishes first (Ctrl-C again stops it).
    """
    from .live.preview import Hub, PageMaker, PreviewServer
    from .live.watch import (
        BackgroundBuild,
        EditLoop,
        Finished,
        Problems,
        Ready,
        Recovered,
        case_file_saves,
    )

    cases = options.cases_dir
    if not cases.is_dir():
        say(f"error: {cases} is not a folder of case files", err=True)
        raise typer.Exit(2)
    hub = Hub()
    try:
        server = PreviewServer(hub, port)
    except (OSError, OverflowError) as err:
        why = getattr(err, "strerror", None) or str(err)
        say(f"error: cannot serve on 127.0.0.1:{port} ({why}); choose another port with "
            "--port (0 picks a free one)", err=True)
        raise typer.Exit(1) from None
    terminal_ = Terminal()
    opened = False

    def report(event) -> None:
        nonlocal opened
        if isinstance(event, Ready):
            hub.publish(event.value)
            terminal_.out(f"{stamp()} page {'reloaded' if hub.version > 1 else 'ready'} in "
                          f"{event.seconds:.1f} s; building {background.describe()} in the "
                          "background")
        elif isinstance(event, Problems):
            lines = error_lines(event.error)
            hub.problems(lines)
            terminal_.err(*lines)
            terminal_.out(f"{stamp()} not rebuilt ({problems_found(len(lines))}); the page "
                          "shows the last good build")
        elif isinstance(event, Recovered):
            hub.clear()
            terminal_.out(f"{stamp()} back as it was last built; nothing to redo")
        elif isinstance(event, Finished):
            if event.code == 0:
                verb = "up to date" if event.up_to_date else f"built in {event.seconds:.1f} s"
                terminal_.out(f"{stamp()} {verb}: {', '.join(event.documents)}")
            else:
                terminal_.err(*event.err)
                terminal_.out(f"{stamp()} documents not built (report build exit "
                              f"{event.code}); the page is current")
        if open_browser and not opened and not isinstance(event, Finished):
            import webbrowser

            opened = True
            webbrowser.open(server.url)

    background = BackgroundBuild(options, report, nice=10)  # the page comes first
    pages = PageMaker()
    loop = EditLoop(options, report, page=pages, background=background)
    # A save is taken 50 ms after the editor wrote it: a file caught half-written shows its
    # problems for a moment, then the next event brings the whole file.
    saves = case_file_saves(cases, quiet_ms=50)
    server.start()
    terminal_.out(f"serving {server.url} (Ctrl-C stops); watching {cases}")
    try:
        run_until_stopped(loop, saves, terminal_)
    finally:
        from .publish import interrupts_deferred

        with interrupts_deferred():  # a second SIGTERM does not cut the clean-up short
            server.stop()
            pages.close()
    terminal_.out("stopped previewing")


def run_until_stopped(loop, saves, out: Terminal) -> None:
    """Run the edit loop until Ctrl-C; then let a build under way finish (a second Ctrl-C,
    or SIGTERM, stops it instead). Nothing the loop started is left running."""
    from .publish import interrupts_deferred

    background = loop.background
    try:
        finish = True
        try:
            loop.run(saves)
        except KeyboardInterrupt as stop:
            finish = not isinstance(stop, Terminated)
        try:
            if finish and background.running:
                out.out(f"finishing the {background.describe()} build under way; Ctrl-C again "
                        "stops it and keeps the documents of the last finished build")
                background.wait()
        except KeyboardInterrupt:
            pass
    finally:
        # However the loop ended (Ctrl-C, SIGTERM, a bug), the build it may have paused is
        # resumed and stopped, with all it started; neither signal interrupts that.
        with interrupts_deferred():
            background.cancel()


def stamp() -> str:
    return time.strftime("%H:%M:%S")


class Terminal:
    """Prints whole lines, each safe for a terminal, from any thread (the background build
    reports from its own). A closed pipe loses the lines; the loop goes on."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def out(self, *lines: str) -> None:
        self._print(lines, sys.stdout)

    def err(self, *lines: str) -> None:
        self._print(lines, sys.stderr)

    def _print(self, lines, stream) -> None:
        with self._lock:
            try:
                for line in lines:
                    stream.write(terminal(line) + "\n")
                stream.flush()
            except (OSError, ValueError, AttributeError):  # closed, or None
                pass


def build_options(options_class: type, values: dict):
    """Return the build options from the CLI's values (a list comma-separated), or exit 2
    naming a value a list may not hold (`--format pfd`)."""
    for f in dataclasses.fields(options_class):
        if isinstance(f.default, tuple):
            items = tuple(dict.fromkeys(x.strip().lower() for x in values[f.name].split(",")
                                        if x.strip()))
            choices = f.metadata.get("choices", ())
            unknown = [x for x in items if choices and x not in choices]
            if unknown or not items:
                say(f"error: unknown {f.metadata['flag'][2:]} {', '.join(unknown) or '(none)'}; "
                    f"choose from {', '.join(choices)}", err=True)
                raise typer.Exit(2)
            values[f.name] = items
    return options_class(**values)


@contextmanager
def progress(quiet: bool, clock: StepClock):
    """Yield the `on_step` callback: it times each step, and shows it unless `quiet`."""
    if quiet:
        yield clock.step
        return
    from rich.console import Console

    with Console(stderr=True).status("Starting") as status:
        def show(step: str) -> None:
            clock.step(step)
            status.update(step + " …")

        yield show


class StepClock:
    """Times the build's steps: each lasts until the next one starts."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.marks: list[tuple[str, float]] = [("Starting", self.start)]

    def step(self, name: str) -> None:
        self.marks.append((name, time.perf_counter()))

    def report(self) -> str:
        end = time.perf_counter()
        bounds = [*(t for _, t in self.marks[1:]), end]
        width = max((len(name) for name, _ in self.marks), default=0)
        lines = [f"{name:<{width}}  {stop - begin:6.2f} s"
                 for (name, begin), stop in zip(self.marks, bounds)]
        lines.append(f"{'total':<{width}}  {end - self.start:6.2f} s")
        return "\n".join(lines)


@app.command()
def absorb(
    docx: Annotated[Path, typer.Argument(help="A DOCX that `report build` wrote, edited in "
                                              "Word or LibreOffice.")],
    cases: CasesOpt = Path("cases"),
    brief: BriefOpt = None,
    apply: Annotated[bool, typer.Option(
        "--apply", help="Write the brief (atomically; the previous one is kept beside it as "
                        "BRIEF.before-absorb).")] = False,
) -> None:
    """Read an edited DOCX back into the brief.

    Prints the change to the brief as a diff (--apply writes it): edits of the analyst's
    prose, added, deleted and moved paragraphs, each live fact kept as its reference and
    each citation as its key. Edits of text the tool writes (a live number typed over, the
    fact pack's tables, findings, captions' numbers and sources) are listed with where to
    make them instead, and the editor's comments with the lines they stand at. When the
    brief changed since the build, the edits are merged three ways; conflicts are listed
    by line and the brief's version kept.
    """
    from .absorb.command import run

    raise typer.Exit(run(docx, cases, brief, apply, say))


@app.command()
def schema() -> None:
    """Print the JSON Schema of a case file (for editors: yaml-language-server)."""
    from .model import case_schema

    say(*json.dumps(case_schema(), indent=2, ensure_ascii=False).splitlines())


class Terminated(KeyboardInterrupt):
    """SIGTERM: stop as on Ctrl-C (`report preview` stops its background builds so)."""


def _terminated(_signum, _frame) -> None:
    """SIGTERM ends a command as Ctrl-C does: no pandoc or half-written files left behind."""
    raise Terminated()


def main() -> None:
    """Run the command, then leave without tearing the interpreter down.

    After a build, Python's own shutdown (a last garbage collection over WeasyPrint's layout
    objects, then every module) took about half a second; by then every file is written
    and closed, the lock released and the browser gone, so there is nothing left to do.
    """
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminated)
        signal.signal(signal.SIGHUP, _terminated)  # the terminal closed: stop as on SIGTERM
    try:
        app()
        code = 0
    except SystemExit as done:
        if done.code is not None and not isinstance(done.code, int):
            raise
        code = done.code or 0
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:  # None: the descriptor was closed before we started
                stream.flush()
        except (OSError, ValueError):  # a closed pipe (`report build | head`)
            pass
    os._exit(code)
