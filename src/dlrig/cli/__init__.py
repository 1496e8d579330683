"""The ``dlrig`` command: thin typer wrappers over the library.

The root app and what the commands share live in ``root``; each command module
(``plan``, ``check``, ...) registers its commands on it when imported. The console
script, ``main``, answers ``dlrig --version`` before importing typer (and ``dlrig
--help`` from its cache, ``helpcache``), and otherwise
imports only the module of the command it runs (``lazy.LazyGroup``), so no command pays
for the others' imports. ``dlrig.cli.app`` is the whole app, every command registered,
for what drives it from Python (typer's CliRunner in tests, the reference docs).
"""

from __future__ import annotations

import sys

# What command modules share, still importable from ``dlrig.cli``.
_SHARED = frozenset({"console", "err_console", "DB_HELP", "DB_READ", "NO_DB", "seconds",
                     "open_catalog", "timeout_option", "RETRIES", "fail", "guarded"})


def _load() -> None:
    """Import every command module named in ``lazy.COMMANDS`` (each registers its
    commands on ``root.app``)."""
    from .lazy import COMMANDS, import_command_module

    for module in dict.fromkeys(m for m, _ in COMMANDS.values()):
        import_command_module(module)


def __getattr__(name: str):
    if name == "app":
        _load()
        from .root import app

        globals()["app"] = app
        return app
    if name in _SHARED:
        from . import root

        return getattr(root, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _usage_line(e: Exception) -> str:
    """One line for a usage error (bad option value, missing option), with where to look."""
    msg = e.format_message() if hasattr(e, "format_message") else str(e)
    msg = " ".join(msg.split())
    ctx = getattr(e, "ctx", None)
    where = f"{ctx.command_path} --help" if ctx is not None else "dlrig --help"
    return f"{msg} (see '{where}')"


def _root_help() -> None:
    """``dlrig --help``: the text kept for this terminal and source (``helpcache``), else
    typer's rendering of it, kept for the next time."""
    from . import helpcache

    key = helpcache.key()
    text = helpcache.cached(key)
    if text is not None:
        sys.stdout.write(text)
        sys.stdout.flush()
        sys.exit(0)
    import typer

    from .root import app

    tee = sys.stdout = helpcache.Tee(sys.stdout)
    code = 0
    try:
        rv = typer.main.get_command(app).main(args=["--help"], prog_name="dlrig",
                                             standalone_mode=False)
        code = rv if isinstance(rv, int) else 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    finally:
        sys.stdout = tee._stream
    if code == 0 and tee.text:
        helpcache.keep(key, tee.text)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """The console script: one line on stderr and exit 2 for any bad input.

    Runs the click command in non-standalone mode so usage errors (a budget
    that is not a number, a missing option) are printed as one line, not as
    typer's multi-line boxes.
    """
    args = list(argv if argv is not None else sys.argv[1:])
    if args == ["--version"]:  # what the root's eager --version prints, without typer
        from .. import __version__

        print(f"dlrig {__version__}")
        sys.exit(0)
    if args == ["--help"]:
        _root_help()
    import typer
    from rich.markup import escape

    from ..errors import DlrigError
    from .root import app, err_console

    command = typer.main.get_command(app)
    try:
        rv = command.main(args=args, prog_name="dlrig", standalone_mode=False)
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
