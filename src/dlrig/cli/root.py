"""The root ``dlrig`` app and what every command module shares.

Each command module registers its commands on ``app``; every command converts
``DlrigError`` into one line on stderr and its exit code (``guarded``), so bad
input never shows a traceback. The root group is a ``LazyGroup``: a command's
module is imported when that command runs, not when ``dlrig`` starts.
"""

from __future__ import annotations

import functools
import math
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from ..errors import DlrigError
from .lazy import LazyGroup

app = typer.Typer(
    name="dlrig",
    help="Plan, check and measure a budget deep-learning machine.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion (typer's)
    pretty_exceptions_enable=False,
    cls=LazyGroup,
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
        # typer's own BadParameter (it vendors click): a usage error, exit code 2
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise typer.BadParameter(f"{option} '{value}' is not a number of seconds") from None
        if not math.isfinite(v) or not lo <= v <= hi:
            raise typer.BadParameter(f"{option} {value} is not a number of seconds from "
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


JSON_OPT = typer.Option(False, "--json", help="print JSON (its keys: docs/cli.md)")


def print_json(data) -> None:
    """A command's answer as JSON on stdout (stable keys, listed in docs/cli.md)."""
    import json

    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


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
    ctx: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Plan, check and measure a budget deep-learning machine."""
    if ctx.invoked_subcommand and ctx.invoked_subcommand != "config":  # config mends a bad file
        from .defaults import apply_config

        try:
            apply_config(ctx)
        except DlrigError as e:
            from .wording import say

            raise fail(say(e), e.exit_code) from None
