"""Progress bars for commands that take more than a second (imports, downloads, sweeps).

The library reports progress through plain callbacks (``on_progress(done, total)``, with
``total`` None while it is unknown) and never draws anything; here a callback becomes a
rich bar on stderr, so stdout stays the command's answer (a table, JSON, CSV). No bar is
drawn when stderr is not a terminal (a pipe, a log file, CI), or with --quiet or --json:
what is left on stderr is then only warnings and errors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer

QUIET = typer.Option(False, "--quiet", help="no progress bar on stderr")

Step = Callable[..., None]


def _nothing(*_args, **_kwargs) -> None:
    return None


@contextmanager
def bar(description: str, *, hidden: bool = False) -> Iterator[Step]:
    """A progress bar on stderr for the block; yields ``step(done, total=None, what=None)``
    (``what`` replaces the description, e.g. the file being read). The bar goes away when
    the block ends."""
    from .root import err_console

    if hidden or not err_console.is_terminal:
        yield _nothing
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), console=err_console,
                  transient=True) as p:
        task = p.add_task(description, total=None)

        def step(done: int, total: int | None = None, what: str | None = None) -> None:
            p.update(task, completed=done, total=total, description=what or description)

        yield step
