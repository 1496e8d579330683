"""The config file's values as option defaults (``dlrig.config``), for the command that runs.

click reads an option's default from its context's ``default_map`` before the option's own
default, and an option given on the command line wins over both: exactly "explicit options
win, then the config file, then the built-in default". The map is built for the one command
being run, from its own options, so a key reaches only options of that name.

``db`` is not an option default: it becomes ``$DLRIG_DB`` for the process (unless that is
set), so a configured database behaves as the default one everywhere (a path that does not
exist yet means the built-in catalog for reading, and is where imports create it), the web
server included.
"""

from __future__ import annotations

# Options the config does not default, by command path: what a build file or an imported
# file says (the build's market and workload, a price list's market and currency) must not
# be replaced by a personal default without anyone noticing.
NOT_FROM_CONFIG: dict[tuple[str, ...], frozenset[str]] = {
    ("check",): frozenset({"market", "workload"}),
    ("power",): frozenset({"market", "currency"}),
    ("swap",): frozenset({"market", "workload"}),
    ("prices", "import", "csv"): frozenset({"market", "currency"}),
}
OPTION_KEYS = ("market", "currency", "workload")


def default_map(cmd, path: tuple[str, ...], values: dict[str, str]) -> dict:
    """click's ``default_map`` for ``cmd`` (at ``path``) and its subcommands."""
    subs = getattr(cmd, "commands", None)
    if subs is not None:
        return {name: default_map(sub, (*path, name), values) for name, sub in subs.items()}
    skip = NOT_FROM_CONFIG.get(path, frozenset())
    return {p.name: values[p.name] for p in cmd.params
            if p.param_type_name == "option" and p.name in OPTION_KEYS and p.name in values
            and p.name not in skip}


def apply_config(ctx) -> None:
    """Read the config file (a bad one is one ``InputError`` line) and make its values the
    defaults of the command ``ctx`` is about to run."""
    from .. import config

    values = config.load()
    if not values:
        return
    config.export_db(values)
    name = ctx.invoked_subcommand
    cmd = ctx.command.get_command(ctx, name)
    if cmd is not None:
        ctx.default_map = {name: default_map(cmd, (name,), values)}
