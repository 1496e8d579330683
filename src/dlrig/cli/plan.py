"""``dlrig plan`` and ``dlrig sweep``: thin wrappers over ``dlrig.optimize``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import typer

from ..errors import InputError
from ..units import Money, check_currency
from . import app, console, guarded


def load(db: str | None, as_of: dt.date | None):
    """The catalog to plan on: the built-in one, or merged with a local database."""
    if db is not None:
        try:
            from ..store import load_catalog
        except ImportError as e:  # pragma: no cover - the store ships with dlrig
            raise InputError(f"--db needs dlrig.store, which failed to import: {e}") from None
        return load_catalog(db, as_of=as_of)
    from .. import catalog

    if catalog._BUILTIN is None:
        from ..catalog.builtin import load_builtin

        catalog._BUILTIN = load_builtin()
    return catalog._BUILTIN


def parse_date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"bad --as-of date '{text}'", hint="use YYYY-MM-DD, e.g. 2017-05-31") from None


def _request(catalog, budget, currency, market, workload, gpus, require, exclude,
             allow_bios_update, as_of, time_limit, circuit_w, dataset_gb, explain=True):
    from ..optimize import PlanRequest

    m = catalog.market(market)
    cur = check_currency(currency) if currency else m.currency
    if budget is not None and budget <= 0:
        raise InputError(f"--budget must be positive (got {budget:g})", hint="e.g. --budget 1000")
    if workload:
        from ..perf import get_workload

        get_workload(workload)  # unknown names fail here, before any solve
    return PlanRequest(
        budget=Money.of(budget, cur) if budget is not None else None, market=m.code,
        workload=workload, gpus=gpus, require=tuple(require or ()), exclude=tuple(exclude or ()),
        allow_bios_update=allow_bios_update, as_of=as_of, time_limit_s=time_limit,
        circuit_w=circuit_w, dataset_gb=dataset_gb, explain=explain,
    )


@app.command("plan")
@guarded
def plan_cmd(
    budget: float = typer.Option(..., "--budget", "-b", help="the most the build may cost"),
    market: str = typer.Option(..., "--market", "-m", help="where the parts are bought (us, ar, ar-2017-05, ...)"),
    currency: str | None = typer.Option(None, "--currency", "-c",
                                        help="currency of the budget (default: the market's)"),
    workload: str | None = typer.Option(None, "--workload", "-w",
                                        help="workload profile: its VRAM, RAM, SSD and thread floors"),
    gpus: int = typer.Option(1, "--gpus", help="number of identical GPUs (0-8)"),
    require: list[str] = typer.Option(None, "--require", help="part id/name or GPU chip that must be in"),
    exclude: list[str] = typer.Option(None, "--exclude", help="part id/name or GPU chip to leave out"),
    allow_bios_update: bool = typer.Option(False, "--allow-bios-update",
                                           help="allow a board that needs a BIOS update for the CPU"),
    as_of: str | None = typer.Option(None, "--as-of", help="plan with prices known on this date (YYYY-MM-DD)"),
    db: str | None = typer.Option(None, "--db", help="local database with imported parts and prices"),
    circuit_w: int | None = typer.Option(None, "--circuit-w", min=100, max=20000,
                                         help="continuous watts of the wall circuit"),
    dataset_gb: int | None = typer.Option(None, "--dataset-gb", min=1, help="dataset the SSDs must hold"),
    time_limit: float = typer.Option(10.0, "--time-limit", min=0.1, max=600,
                                     help="solver time limit in seconds"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
    as_md: bool = typer.Option(False, "--md", help="print a forum-style markdown part list"),
    save: str | None = typer.Option(None, "--save", help="write the build as a TOML build file"),
) -> None:
    """Find the best build for a budget, market and workload (CP-SAT, proven optimal).

    Exit code 0 with a plan, 1 when nothing fits (the answer says why), 2 for bad input.

    Example: dlrig plan --market ar-2017-05 --budget 1000 --currency USD
    """
    from ..optimize import plan
    from ..report.plan import plan_markdown, render_plan

    if as_json and as_md:
        raise InputError("--json and --md exclude each other", hint="pick one output format")
    when = parse_date(as_of)
    catalog = load(db, when)
    req = _request(catalog, budget, currency, market, workload, gpus, require, exclude,
                   allow_bios_update, when, time_limit, circuit_w, dataset_gb)
    res = plan(catalog, req)
    if save and res.build is not None:
        import tomli_w

        Path(save).write_text(tomli_w.dumps(res.build.to_toml_dict()), encoding="utf-8")
    if as_json:
        print(json.dumps(res.to_dict(), indent=2, default=str))
    elif as_md:
        print(plan_markdown(res), end="")
    else:
        render_plan(console, res)
    if not res.ok:
        raise typer.Exit(1)


@app.command("sweep")
@guarded
def sweep_cmd(
    market: str = typer.Option(..., "--market", "-m", help="where the parts are bought"),
    start: float = typer.Option(..., "--from", help="first budget"),
    stop: float = typer.Option(..., "--to", help="last budget"),
    step: float = typer.Option(..., "--step", help="budget step"),
    currency: str | None = typer.Option(None, "--currency", "-c", help="currency of the budgets"),
    workload: str | None = typer.Option(None, "--workload", "-w", help="workload profile"),
    gpus: int = typer.Option(1, "--gpus", help="number of identical GPUs"),
    allow_bios_update: bool = typer.Option(False, "--allow-bios-update"),
    as_of: str | None = typer.Option(None, "--as-of", help="prices known on this date"),
    db: str | None = typer.Option(None, "--db", help="local database"),
    csv_path: str | None = typer.Option(None, "--csv", help="write the table as CSV ('-': stdout)"),
    plot: str | None = typer.Option(None, "--plot", help="write a PNG of throughput against budget"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """The best build at each budget from --from to --to: a table, CSV and a PNG plot.

    Example: dlrig sweep --market ar-2017-05 --currency USD --from 500 --to 1500 --step 100 --plot sweep.png
    """
    from ..optimize.sweep import budgets, sweep
    from ..report.plan import sweep_csv, sweep_plot, sweep_table

    when = parse_date(as_of)
    catalog = load(db, when)
    cur = check_currency(currency) if currency else catalog.market(market).currency
    amounts = budgets(start, stop, step, cur)
    base = _request(catalog, amounts[0].amount, cur, market, workload, gpus, (), (),
                    allow_bios_update, when, 10.0, None, None, explain=False)
    rows = sweep(catalog, base, amounts)
    title = f"dlrig sweep: {market}, workload {workload or 'none'}"
    if plot:
        sweep_plot(rows, plot, title)
    if csv_path == "-":
        print(sweep_csv(rows), end="")
    else:
        if csv_path:
            Path(csv_path).write_text(sweep_csv(rows), encoding="utf-8")
        if as_json:
            print(json.dumps([r.to_dict() for r in rows], indent=2))
        else:
            console.print(sweep_table(rows, title))
            if plot:
                console.print(f"plot written to {plot}")
