"""The ``dlrig`` command: thin typer wrappers over the library.

Each sub-module registers its commands on ``app``; every command converts
``DlrigError`` into one line on stderr and exit code 2 (``main``), so bad
input never shows a traceback.
"""

from __future__ import annotations

import functools
import importlib
import math
import sys
from typing import Annotated

import click
import typer
from rich.console import Console
from rich.markup import escape

from ..errors import DlrigError

app = typer.Typer(
    name="dlrig",
    help="Plan, check and measure a budget deep-learning machine.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

# One meaning of --db on every command that reads parts (dlrig.catalog.source): that
# database; --no-db: the built-in catalog only; neither: the local database if it exists.
DB_HELP = ("database file to read (default: $DLRIG_DB or the user data dir's, when it "
           "exists; else the built-in catalog only)")
DB_READ = typer.Option(None, "--db", metavar="PATH", help=DB_HELP)
NO_DB = typer.Option(False, "--no-db", help="use the built-in catalog only, not the local database")

def seconds(option: str, lo: float, hi: float):
    """A parser for an option of seconds in ``[lo, hi]`` (``typer.Option(parser=...)``):
    'nan' and 'inf' are named as what they are, not as "should be less than or equal to
    600" (a range check passes NaN)."""

    def parse(value) -> float:
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise click.BadParameter(f"{option} '{value}' is not a number of seconds") from None
        if not math.isfinite(v) or not lo <= v <= hi:
            raise click.BadParameter(f"{option} {value} is not a number of seconds from "
                                     f"{lo:g} to {hi:g}")
        return v

    return parse


def open_catalog(db: str | None = None, *, no_db: bool = False, source=None, as_of=None):
    """``dlrig.catalog.source.open_catalog`` for a command, saying on stderr when rows of
    the database were left out as damaged (and how to look at them)."""
    from ..catalog import source as src

    catalog = src.open_catalog(db, no_db=no_db, source=source, as_of=as_of)
    damage = getattr(catalog, "damage", None)
    if damage is not None and damage.total:
        err_console.print(f"[yellow]warning:[/] {escape(damage.line())}", highlight=False,
                          soft_wrap=True)
    return catalog


def timeout_option(default: float = 60.0):
    """``--timeout`` of every command that downloads: seconds, 0.1-3600, NaN refused."""
    return typer.Option(default, "--timeout", parser=seconds("--timeout", 0.1, 3600),
                        help="seconds to wait for a server to answer or send more (0.1-3600)")


RETRIES = typer.Option(2, "--retries", min=0, max=10,
                       help="tries after a failed connection, a timeout or a server error")


# Command modules; each adds its commands to ``app`` on import.
COMMAND_MODULES = ("check", "swap", "catalog", "plan", "prices", "update", "bench", "serve",
                   "demo", "perf", "llm")


def _load() -> None:
    for name in COMMAND_MODULES:
        try:
            importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{name}":
                raise


def fail(message: str, code: int = 2) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def guarded(fn):
    """Decorate a command so a ``DlrigError`` becomes one line and its exit code.

    Used under ``@app.command()`` so the same holds under typer's CliRunner
    in tests, not only through ``main``.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except DlrigError as e:
            from .wording import say

            raise fail(say(e), e.exit_code) from None

    return wrapper


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        console.print(f"dlrig {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Plan, check and measure a budget deep-learning machine."""


def _usage_line(e: Exception) -> str:
    """One line for a usage error (bad option value, missing option), with where to look."""
    msg = e.format_message() if hasattr(e, "format_message") else str(e)
    msg = " ".join(msg.split())
    ctx = getattr(e, "ctx", None)
    where = f"{ctx.command_path} --help" if ctx is not None else "dlrig --help"
    return f"{msg} (see '{where}')"


def main(argv: list[str] | None = None) -> None:
    """The console script: one line on stderr and exit 2 for any bad input.

    Runs the click command in non-standalone mode so usage errors (a budget
    that is not a number, a missing option) are printed as one line, not as
    typer's multi-line boxes.
    """
    _load()
    command = typer.main.get_command(app)
    try:
        rv = command.main(args=argv if argv is not None else sys.argv[1:], prog_name="dlrig",
                          standalone_mode=False)
    except DlrigError as e:
        from .wording import say

        err_console.print(f"[bold red]error:[/] {escape(say(e))}", highlight=False, soft_wrap=True)
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        err_console.print("interrupted; nothing was changed")
        sys.exit(130)
    except Exception as e:  # click's UsageError/BadParameter/Abort (vendored by typer)
        name = type(e).__name__
        if name == "Abort":
            err_console.print("aborted; nothing was changed")
            sys.exit(1)
        if hasattr(e, "format_message") and hasattr(e, "exit_code"):
            err_console.print(f"[bold red]error:[/] {escape(_usage_line(e))}", highlight=False,
                              soft_wrap=True)
            sys.exit(2 if e.exit_code in (1, 2) else e.exit_code)
        raise
    sys.exit(rv if isinstance(rv, int) else 0)


_load()
