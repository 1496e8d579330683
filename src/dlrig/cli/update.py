"""``dlrig update``: catalog, prices and rates in one command (``dlrig.update``)."""

from __future__ import annotations

import dataclasses

import typer

from .progress import QUIET, bar
from .root import JSON_OPT, RETRIES, app, console, guarded, print_json, timeout_option

ONLY_HELP = "refresh only these: catalog, prices, rates (repeatable; default: all three)"


@app.command("update")
@guarded
def update_cmd(
    only: list[str] = typer.Option(None, "--only", metavar="STEP", help=ONLY_HELP),
    catalog_url: str | None = typer.Option(None, "--catalog-url",
                                           help="open-db archive URL (default: GitHub)"),
    prices_url: str | None = typer.Option(None, "--prices-url",
                                          help="folder URL of pc-part-dataset's CATEGORY.json"),
    rates_url: str | None = typer.Option(None, "--rates-url",
                                         help="a mirror of DolarAPI and ArgentinaDatos"),
    since: str | None = typer.Option(None, "--since",
                                     help="rate history from this day on (YYYY-MM-DD)"),
    timeout: float = timeout_option(60.0),
    retries: int = RETRIES,
    db: str | None = typer.Option(None, "--db", help="database file (default: $DLRIG_DB or "
                                  "the user data dir)"),
    quiet: bool = QUIET,
    as_json: bool = JSON_OPT,
) -> None:
    """Refresh the catalog (open-db), US street prices (pc-part-dataset) and Argentine
    dollar rates (DolarAPI, ArgentinaDatos), then say what changed.

    Everything is downloaded and checked before the database is opened: offline, or with
    any server failing, the answer is one line (exit code 1) and nothing has changed.
    """
    from ..update import STEPS, update
    from .prices import parse_day

    steps = tuple(only) if only else STEPS
    day = parse_day(since, "--since") if since else None
    with bar("dlrig update: downloading and checking", hidden=quiet or as_json) as step:

        def tick(name: str, done: int, total: int) -> None:
            step(done, total, f"dlrig update: {name} checked")

        report = update(db, steps=steps, catalog_url=catalog_url, prices_url=prices_url,
                        rates_url=rates_url, rates_since=day, timeout=timeout, retries=retries,
                        progress=tick)
    if as_json:
        print_json(dataclasses.asdict(report))
        return
    for line in report.lines():
        console.print(line, highlight=False)
