"""The root command group, which imports a command's module only when that command runs.

typer builds every command up front, so ``dlrig --help`` used to import all eleven command
modules and what they import (the build, rule, perf and LLM models, the bench runner...);
a command paid for all the others. ``LazyGroup`` keeps a static table of the top-level
commands: the module that defines each and the one-line help ``dlrig --help`` shows, so
the root help is drawn from the table and ``dlrig plan`` imports ``dlrig.cli.plan`` only.
``tests/test_startup.py`` keeps the table equal to the commands' real names, order and help.
"""

from __future__ import annotations

import importlib

import typer
from typer.core import TyperCommand, TyperGroup

# Top-level command -> (module under dlrig.cli that registers it, the first paragraph of
# its help), in the order ``dlrig --help`` lists them (the whole app's help too).
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("check", "Check a build's compatibility and deep-learning balance."),
    "power": ("check", "Estimate a build's power: draw by part, transient peak, PSU size and "
                       "headroom,\nwall power and the yearly electricity cost."),
    "swap": ("swap", "Every other part for one slot of a build, checked in its place: price, "
                     "throughput and\nwhether it fits the rest (the same rules as 'dlrig check')."),
    "plan": ("plan", "Find the best build for a budget, market and workload (CP-SAT, proven "
                     "optimal)."),
    "sweep": ("plan", "The best build at each budget from --from to --to: a table, CSV and a "
                      "chart."),
    "markets": ("prices", "The markets dlrig can price a build in, and how each estimates "
                          "missing local prices."),
    "update": ("update", "Refresh the catalog (open-db), US street prices (pc-part-dataset) "
                         "and Argentine\ndollar rates (DolarAPI, ArgentinaDatos), then say "
                         "what changed."),
    "bench": ("bench", "Measure GPU, PCIe, disk and data loading; name the bottleneck."),
    "serve": ("serve", "Serve the web UI (Plan, Swap, Check, Sweep, GPUs, Prices) on "
                       "localhost."),
    "demo": ("demo", "Plan the founding post's 1,000 USD machine in its 2017 market and "
                     "today."),
    "workloads": ("perf", "List the workload profiles (built-in and your own TOML files) with "
                          "their numbers."),
    "gpus": ("perf", "Rank NVIDIA GPUs for a workload by estimated throughput (RTX 3090 = "
                     "1.0)."),
    "models": ("llm", "List the LLM table (built-in and your own TOML files) with architecture "
                      "facts."),
    "fit": ("llm", "The GPU memory a model needs and which GPUs run it."),
    "catalog": ("catalog", "List, show and import catalog parts."),
    "db": ("db", "The local database: what it holds, check it, repair it."),
    "prices": ("prices", "Import and review prices; show a part's price history."),
    "rates": ("prices", "Exchange rates by date and kind."),
    "config": ("config", "Your defaults file: market, currency, workload and database."),
}

# Option name -> the placeholder its help shows (where the name alone would not say it).
_METAVARS = {"db": "PATH", "date": "YYYY-MM-DD", "since": "YYYY-MM-DD", "as_of": "YYYY-MM-DD",
             "timeout": "SECONDS", "time_limit": "SECONDS", "json_file": "FILE",
             "directory": "DIR", "budget": "AMOUNT", "start": "AMOUNT", "stop": "AMOUNT",
             "step": "AMOUNT", "search": "WORDS", "columns": "FIELD=COLUMN,...",
             "csv_path": "FILE", "plot": "FILE", "save": "FILE", "build_file": "FILE",
             "bench_file": "FILE", "only": "NAME", "currency": "CODE", "market": "CODE"}


def placeholder(param) -> str:
    """What an option's help shows for its value: a word for what to write (``--market
    CODE``, ``--limit N``, ``--db PATH``), nothing for a flag, an argument's name in
    capitals. typer's own default is the Python type (``<str>``, ``<bool>``,
    ``<list[str]>``), which says nothing to a person reading the help."""
    if param.param_type_name == "argument":
        return (param.name or "value").upper()
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return ""
    if param.name in _METAVARS:
        return _METAVARS[param.name]
    kind = _kind(param)
    if kind in ("int", "float", "path"):
        return {"int": "N", "float": "NUMBER", "path": "PATH"}[kind]
    return (param.name or "value").upper().replace("_", "-")


def _kind(param) -> str:
    """'int', 'float', 'path' or '' for a parameter: from click's type (click, older typer)
    or from typer's type descriptor (typer 0.29 keeps the annotation instead)."""
    t = getattr(param, "type", None)
    if t is not None:
        name = getattr(t, "name", "")
        return ("int" if "integer" in name else "float" if "float" in name
                else "path" if name == "path" else "")
    d = getattr(param, "type_descriptor", None)
    if d is None:
        return ""
    if d.is_path:
        return "path"
    ann = d.annotation
    return "int" if ann is int else "float" if ann is float else ""


def _no_type(ctx=None) -> str:
    return ""


def tidy(cmd) -> None:
    """Give every parameter of ``cmd`` (and of its subcommands) without a metavar its
    ``placeholder``: done once where commands are built, so every help page and the
    reference in docs/cli.md show words, never ``<type>`` placeholders; and the value
    completion its name calls for (``complete.COMPLETERS``: ``--market`` completes market
    codes on every command)."""
    from .complete import completer

    for p in getattr(cmd, "params", ()):
        if p.metavar is None:
            p.metavar = placeholder(p)
        if p.param_type_name == "argument" and hasattr(p, "display_type_rich"):
            # typer 0.29 shows an argument's type beside its name ('BASE <str>'): the
            # name is the placeholder already
            p.display_type_rich = _no_type
        if getattr(p, "_custom_shell_complete", False) is None:
            p._custom_shell_complete = completer(cmd.name, p.name)
    if getattr(cmd, "add_help_option", False) and hasattr(cmd, "_help_option"):
        # --help is made on first use; made here so it gets no placeholder either
        h = cmd._help_option or cmd.get_help_option(cmd.context_class(cmd))
        if h is not None and h.metavar is None:
            h.metavar = ""
    for sub in getattr(cmd, "commands", {}).values():
        tidy(sub)


def _typer_app() -> typer.Typer:
    from .root import app

    return app


def _convert(app: typer.Typer, known) -> dict:
    """The click commands of ``app``'s registrations not in ``known``, by typer's own
    conversion (the same calls ``typer.main.get_command`` makes for every command)."""
    out = {}
    for info in app.registered_commands:
        name = info.name or typer.main.get_command_name(info.callback.__name__)
        if name not in known:
            out[name] = typer.main.get_command_from_info(
                info, pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode)
    for info in app.registered_groups:
        if info.name not in known:
            out[info.name] = typer.main.get_group_from_info(
                info, pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode, suggest_commands=app.suggest_commands)
    return out


def import_command_module(module: str) -> bool:
    """Import ``dlrig.cli.<module>`` (registering its commands); False when this install
    lacks it."""
    try:
        importlib.import_module(f"{__package__}.{module}")
    except ModuleNotFoundError as e:
        if e.name != f"{__package__}.{module}":
            raise
        return False
    return True


class LazyGroup(TyperGroup):
    """A ``TyperGroup`` whose commands are imported on first use, found in ``COMMANDS``."""

    _listing = False  # drawing the root help: the table's one-line help, no imports

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for cmd in self.commands.values():
            tidy(cmd)

    def list_commands(self, ctx: typer.Context) -> list[str]:
        return list(COMMANDS) + [n for n in self.commands if n not in COMMANDS]

    def get_command(self, ctx: typer.Context, cmd_name: str):
        cmd = self.commands.get(cmd_name)
        if cmd is not None or cmd_name not in COMMANDS:
            return cmd
        module, short = COMMANDS[cmd_name]
        if self._listing:
            return TyperCommand(name=cmd_name, help=short)
        if import_command_module(module):
            self._add(_convert(_typer_app(), self.commands))
        return self.commands.get(cmd_name)

    def _add(self, commands: dict) -> None:
        for cmd in commands.values():
            tidy(cmd)
        self.commands.update(commands)

    def format_help(self, ctx: typer.Context, formatter) -> None:
        tidy(self)  # the root's own options (added after the group is built)
        self._listing = True
        try:
            return super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def shell_complete(self, ctx: typer.Context, incomplete: str):
        """Completing a command name: the table's names and help, no module imported."""
        self._listing = True
        try:
            return super().shell_complete(ctx, incomplete)
        finally:
            self._listing = False

    def resolve_command(self, ctx: typer.Context, args: list[str]):
        if args and self.get_command(ctx, args[0]) is None:
            # No such command: build them all first, so typer's "Did you mean ...?" weighs
            # every name, not only those built so far (a cost paid on this error path only).
            from . import _load

            _load()
            self._add(_convert(_typer_app(), self.commands))
        return super().resolve_command(ctx, args)
