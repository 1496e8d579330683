"""``dlrig bench``: measure this machine and name its bottleneck."""

from __future__ import annotations

import json
import os
from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from .. import files
from ..bench import compare as cmp
from ..bench import render
from ..bench.runner import SECTIONS, Options, Reporter, run
from ..bench.schema import json_schema
from ..bench.verdict import judge
from ..errors import BenchError, InputError
from .progress import QUIET
from .root import app, console, err_console, guarded


class _Bars(Reporter):
    """One rich progress bar per section, advanced per test."""

    def __init__(self, progress: Progress):
        self.p, self.task, self.started = progress, None, False

    def section(self, name: str, steps: int) -> None:
        if self.task is not None:
            self.p.update(self.task, completed=self.p.tasks[self.task].total)
        self.task = self.p.add_task(name, total=max(1, steps))
        self.started = False

    def step(self, text: str) -> None:
        if self.task is None:
            return
        if self.started:
            self.p.advance(self.task)
        self.started = True
        self.p.update(self.task, description=text)

    def done(self) -> None:
        if self.task is not None:
            self.p.update(self.task, completed=self.p.tasks[self.task].total)


def _parse_only(only: str | None) -> tuple[str, ...]:
    if only is None:
        return SECTIONS
    parts = tuple(p.strip().lower() for p in only.split(",") if p.strip())
    bad = [p for p in parts if p not in SECTIONS]
    if bad or not parts:
        raise InputError(f"--only: unknown part {', '.join(bad) or '(empty)'}",
                         hint=f"use a comma-separated list of {','.join(SECTIONS)}")
    return parts


@app.command()
@guarded
def bench(
    quick: bool = typer.Option(False, "--quick", help="Smaller sizes and shorter runs (20 s measured on an H200; the full run: 76 s)."),
    json_file: Path | None = typer.Option(None, "--json", metavar="FILE",
                                          help="Write the result to FILE ('-': print it)."),
    directory: Path = typer.Option(Path("."), "--dir",
                                   help="Folder for the disk test file and the loader's JPEGs."),
    only: str | None = typer.Option(None, "--only",
                                    help="Comma-separated subset of gpu,pcie,disk,loader."),
    compare: Path | None = typer.Option(None, "--compare",
                                        help="An earlier result (JSON) to compare with."),
    result: Path | None = typer.Option(None, "--result",
                                       help="Show a saved result instead of measuring."),
    schema: bool = typer.Option(False, "--schema", help="Print the result's JSON Schema."),
    quiet: bool = QUIET,
) -> None:
    """Measure GPU, PCIe, disk and data loading; name the bottleneck.

    `--json -` prints the result (the JSON Schema of `--schema`) instead of the tables.
    """
    if schema:
        console.print_json(json.dumps(json_schema()))
        return
    to_stdout = json_file is not None and str(json_file) == "-"
    if json_file is not None and not to_stdout:  # before measuring: a bad path must not cost a run
        files.check_output(json_file, "result file", field="json")
    old = cmp.load(compare) if compare else None
    if result is not None:
        res = cmp.load(result)
        res.verdict = judge(res)  # re-judged: a newer dlrig reads old figures with its own rules
    else:
        sections = _parse_only(only)
        if not directory.is_dir() or not os.access(directory, os.W_OK):
            raise InputError(f"--dir: {directory} is not a writable folder",
                             hint="point it at a folder on the disk you want measured")
        opts = Options(quick=quick, directory=directory.resolve(), only=sections)
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                      TimeElapsedColumn(), console=err_console, transient=False,
                      disable=quiet or to_stdout or not err_console.is_terminal) as p:
            bars = _Bars(p)
            res = run(opts, bars)
            bars.done()
    if to_stdout:
        print(res.model_dump_json(indent=1))
    elif json_file is not None:
        files.write_output(json_file, res.model_dump_json(indent=1), "result file", field="json")
    if not to_stdout:
        render.show(console, res)
    if old is not None and not to_stdout:
        console.print(render.compare_table(cmp.compare(old, res)))
    if json_file is not None and not to_stdout:
        console.print(f"result written to {escape(str(json_file))}", highlight=False)
    if res.failed:
        names = ", ".join(f"{m.id} ({m.reason})" for m in res.failed[:3])
        raise BenchError(f"{len(res.failed)} measurement(s) failed: {names}",
                         hint="the rest of the result is valid; see the JSON for each method")
