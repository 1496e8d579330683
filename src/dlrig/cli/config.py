"""``dlrig config show|set|unset|path``: the defaults file (``dlrig.config``).

These commands never apply the file (the root skips it for them), so a broken file can
always be looked at and mended from here.
"""

from __future__ import annotations

import json

import typer
from rich.markup import escape
from rich.table import Table

from .root import app, console, guarded

config_app = typer.Typer(help="Your defaults file: market, currency, workload and database.",
                         no_args_is_help=True)
app.add_typer(config_app, name="config")


@config_app.command("show")
@guarded
def show_cmd(as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
    """Each key's value in effect and where it comes from: the config file, $DLRIG_DB,
    or the default (a command's own: the build's market, the market's currency...).

    An option given on the command line always wins over all of these.
    """
    from .. import config

    where = config.path()
    rows = config.settings(where)
    if as_json:
        print(json.dumps({"file": str(where), "exists": where.is_file(),
                          "settings": [s.to_dict() for s in rows]}, indent=2))
        return
    t = Table(title=f"dlrig config ({'file ' + str(where) if where.is_file() else 'no file'})")
    for col in ("key", "value", "from", "default of"):
        t.add_column(col, overflow="fold")
    for s in rows:
        t.add_row(s.key, escape(s.value) if s.value is not None else "-", s.source,
                  escape(s.meaning))
    console.print(t)
    console.print("options given on the command line win; 'dlrig config set KEY VALUE' "
                  "changes a default", highlight=False)


@config_app.command("set")
@guarded
def set_cmd(
    key: str = typer.Argument(..., help="market, currency, workload or db"),
    value: str = typer.Argument(..., help="the default, e.g. 'us', 'USD', 'cnn', "
                                          "'~/dlrig.db'"),
) -> None:
    """Set a default, e.g. `dlrig config set market ar` (checked before it is written)."""
    from .. import config

    stored = config.set_value(key, value)
    console.print(escape(f"{key} = {stored} (in {config.path()})"), highlight=False)


@config_app.command("unset")
@guarded
def unset_cmd(key: str = typer.Argument(..., help="the key to remove")) -> None:
    """Remove a default, e.g. `dlrig config unset market`."""
    from .. import config

    gone = config.unset(key)
    console.print(escape(f"{key} removed from {config.path()}" if gone
                         else f"{key} was not set in {config.path()}"), highlight=False)


@config_app.command("path")
@guarded
def path_cmd() -> None:
    """Print where the config file is (or would be): $DLRIG_CONFIG, else the user config
    folder."""
    from .. import config

    print(config.path())
