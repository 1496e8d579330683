"""The ``dlrig`` command: thin typer wrappers over the library.

Each sub-module registers its commands on ``app``; every command converts
``DlrigError`` into one line on stderr and exit code 2 (``main``), so bad
input never shows a traceback.
"""

from __future__ import annotations

import functools
import importlib
import sys

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

# Command modules; each adds its commands to ``app`` on import.
COMMAND_MODULES = ("check", "catalog", "plan", "prices", "bench", "serve", "demo", "perf")


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
            raise fail(e.one_line(), e.exit_code) from None

    return wrapper


def main() -> None:
    _load()
    try:
        app()
    except DlrigError as e:
        err_console.print(f"[bold red]error:[/] {escape(e.one_line())}", highlight=False, soft_wrap=True)
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        err_console.print("interrupted; nothing was changed")
        sys.exit(130)


_load()
