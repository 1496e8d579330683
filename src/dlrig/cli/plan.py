"""``dlrig plan`` and ``dlrig sweep``: thin wrappers over ``dlrig.optimize``."""

from __future__ import annotations

import datetime as dt
import json
import math
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.markup import escape

from .. import files
from ..build import RANGES
from ..errors import InputError, MarketError
from ..units import Money, check_currency
from .progress import QUIET, bar
from .root import DB_READ, NO_DB, app, console, guarded, open_catalog, seconds


def load(db: str | None, no_db: bool, as_of: dt.date | None):
    """The catalog to plan on (``dlrig.catalog.source``): the database is checked first."""
    from ..catalog.source import locate

    src = locate(db, no_db=no_db)
    return open_catalog(source=src, as_of=as_of), src


def parse_date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"bad --as-of date '{text}'", hint="use YYYY-MM-DD, e.g. 2017-05-31") from None
    if day > dt.date.today():
        raise InputError(f"--as-of {day} is in the future",
                         hint="plan with prices known today or earlier; leave --as-of out for "
                              "the latest")
    return day


def output_path(path: str | None, option: str, *, stdout: bool = False) -> Path | None:
    """Where an output option writes (``dlrig.files.check_output``: a regular file or a new
    one, in a writable folder), checked before any solving so nothing is wasted; None when
    the option is not given, or is '-' (stdout) where ``stdout`` allows it."""
    if path is None or (stdout and path == "-"):
        return None
    if path == "-":
        raise InputError("cannot write this output to stdout ('-')", hint="give a file name",
                         field=option.lstrip("-"))
    return files.check_output(path, "file", field=option.lstrip("-"))


@contextmanager
def rates_hint(src):
    """A missing exchange rate on the built-in catalog: say where rates set locally live."""
    try:
        yield
    except MarketError as e:
        if src.path is None and e.code == "missing_rate":
            raise MarketError(e.message, hint=(e.hint + "; " if e.hint else "") + "rates set "
                              "with 'dlrig rates set' live in the local database, read when it "
                              "exists (or with --db PATH)", code=e.code, field=e.field) from None
        raise


def _request(catalog, budget, currency, market, workload, gpus, require, exclude,
             allow_bios_update, as_of, time_limit, circuit_w, dataset_gb, explain=True,
             model=None, task=None, quant=None, context=None, users=1, power_limit=None,
             allow_unverified=False, used=False, max_age=None, rate_kind=None):
    from ..optimize.request import PlanRequest
    from ..validate import amount

    m = catalog.market(market)
    cur = check_currency(currency) if currency else m.currency
    if budget is not None:
        budget = amount(budget, cur, what="budget")
    if workload:
        from ..perf import get_workload

        get_workload(workload)  # unknown names fail here, before any solve
    return PlanRequest(
        budget=Money.of(budget, cur) if budget is not None else None, market=m.code,
        workload=workload, gpus="default" if gpus is None else gpus,
        require=tuple(require or ()), exclude=tuple(exclude or ()),
        allow_bios_update=allow_bios_update, as_of=as_of, time_limit_s=time_limit,
        circuit_w=circuit_w, dataset_gb=dataset_gb, explain=explain, model=model,
        task=task or "inference", quant=quant, context=context, users=users,
        power_limit=power_limit, allow_unverified=allow_unverified, used=used,
        max_age_days=max_age, rate_kind=rate_kind,
    )


GPUS_HELP = ("identical GPUs: 0-8, or 'auto' to let the planner choose 1-4 (the default with "
             "--model; otherwise 1)")
# Options plan and sweep share (one definition each).
UNVERIFIED_OPT = typer.Option(False, "--allow-unverified",
                              help="let parts compete whose data an error rule needs is missing "
                                   "(the build is then unverified on that rule)")
USED_OPT = typer.Option(False, "--used", help="let used and refurbished quotes compete with new "
                        "ones (marked in the answer; warranty and risk noted)")
MAX_AGE_OPT = typer.Option(None, "--max-age", min=1, max=36500, metavar="DAYS",
                           help="leave out quotes older than DAYS (default: the market's cut-off)")
RATE_KIND_OPT = typer.Option(None, "--rate-kind",
                             help="exchange rate to price at: official, blue, mep, ccl, "
                                  "wholesale, crypto, card (default: the market's)")
MODEL_HELP = ("plan for a model the machine must run: a name from 'dlrig models', a Hugging "
              "Face config.json or a .gguf file")


@app.command("plan")
@guarded
def plan_cmd(
    budget: str = typer.Option(..., "--budget", "-b", help="the most the build may cost, written "
                               "as in the currency (1500, 1,500 USD; 1.500.000 ARS)"),
    market: str = typer.Option(..., "--market", "-m", help="where the parts are bought (us, ar, ar-2017-05, ...)"),
    currency: str | None = typer.Option(None, "--currency", "-c",
                                        help="currency of the budget (default: the market's)"),
    workload: str | None = typer.Option(None, "--workload", "-w",
                                        help="workload profile: its VRAM, RAM, SSD and thread floors"),
    gpus: str | None = typer.Option(None, "--gpus", metavar="N|auto", help=GPUS_HELP),
    model: str | None = typer.Option(None, "--model", help=MODEL_HELP),
    task: str | None = typer.Option(None, "--task",
                                    help="with --model: inference (default), lora, qlora or full"),
    quant: str | None = typer.Option(None, "--quant",
                                     help="with --model: weights' quantisation (q4_k_m, q8_0, ...)"),
    context_tokens: int | None = typer.Option(None, "--context", min=1, max=RANGES["context"][1],
                                              help="with --model: tokens of context"),
    users: int = typer.Option(1, "--users", min=1, max=RANGES["users"][1],
                              help="with --model inference: concurrent users"),
    power_limit: str | None = typer.Option(None, "--power-limit",
                                           help="cap the GPUs: 0.7 of board power, or 300W each"),
    require: list[str] = typer.Option(None, "--require",
                                      help="must be in: a part id or name, a GPU chip ('RTX 3060 "
                                           "12GB': any board), or a maker ('amd', 'nvidia')"),
    exclude: list[str] = typer.Option(None, "--exclude",
                                      help="leave out: a part, a GPU chip, or a maker ('intel' "
                                           "for its CPUs, 'asus gpu')"),
    allow_bios_update: bool = typer.Option(False, "--allow-bios-update",
                                           help="allow a board that needs a BIOS update for the CPU"),
    allow_unverified: bool = UNVERIFIED_OPT,
    used: bool = USED_OPT,
    max_age: int | None = MAX_AGE_OPT,
    rate_kind: str | None = RATE_KIND_OPT,
    as_of: str | None = typer.Option(None, "--as-of", help="plan with prices known on this date (YYYY-MM-DD)"),
    db: str | None = DB_READ,
    no_db: bool = NO_DB,
    circuit_w: int | None = typer.Option(None, "--circuit-w", min=RANGES["circuit_w"][0],
                                         max=RANGES["circuit_w"][1],
                                         help="continuous watts of the wall circuit"),
    dataset_gb: int | None = typer.Option(None, "--dataset-gb", min=1,
                                          max=RANGES["dataset_gb"][1],
                                          help="dataset the SSDs must hold"),
    time_limit: float = typer.Option(10.0, "--time-limit", parser=seconds("--time-limit", 0.1, 600),
                                     help="solver time limit in seconds (0.1-600)"),
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
    save_to = output_path(save, "--save")
    catalog, src = load(db, no_db, when)
    with rates_hint(src):
        req = _request(catalog, budget, currency, market, workload, gpus, require, exclude,
                       allow_bios_update, when, time_limit, circuit_w, dataset_gb,
                       model=model, task=task, quant=quant, context=context_tokens, users=users,
                       power_limit=power_limit, allow_unverified=allow_unverified, used=used,
                       max_age=max_age, rate_kind=rate_kind)
        res = plan(catalog, req)
    if save_to and res.build is not None:
        import tomli_w

        files.write_output(save_to, tomli_w.dumps(res.build.to_toml_dict()), "file",
                           field="save")
    if as_json:
        from ..report.plan import plan_dict

        print(json.dumps(plan_dict(res), indent=2, default=str))
    elif as_md:
        print(plan_markdown(res), end="")
    else:
        render_plan(console, res)
    if not res.ok:
        raise typer.Exit(1)


def _budget(text: str, currency: str, field: str, what: str) -> float:
    """A sweep bound as a float: '1e400' is a finite Decimal but an infinite float."""
    from ..validate import amount

    value = float(amount(text, currency, field=field, what=what))
    if not math.isfinite(value):
        raise InputError(f"{what} {text} is too large", hint="sweep budgets a PC can cost",
                         field=field)
    return value


@app.command("sweep")
@guarded
def sweep_cmd(
    market: str = typer.Option(..., "--market", "-m", help="where the parts are bought"),
    start: str = typer.Option(..., "--from", help="first budget"),
    stop: str = typer.Option(..., "--to", help="last budget"),
    step: str = typer.Option(..., "--step", help="budget step"),
    currency: str | None = typer.Option(None, "--currency", "-c", help="currency of the budgets"),
    workload: str | None = typer.Option(None, "--workload", "-w", help="workload profile"),
    gpus: str | None = typer.Option(None, "--gpus", metavar="N|auto", help=GPUS_HELP),
    model: str | None = typer.Option(None, "--model", help=MODEL_HELP),
    task: str | None = typer.Option(None, "--task", help="with --model: the task"),
    quant: str | None = typer.Option(None, "--quant", help="with --model: the quantisation"),
    power_limit: str | None = typer.Option(None, "--power-limit",
                                           help="cap the GPUs: 0.7 of board power, or 300W each"),
    allow_bios_update: bool = typer.Option(False, "--allow-bios-update"),
    allow_unverified: bool = UNVERIFIED_OPT,
    used: bool = USED_OPT,
    max_age: int | None = MAX_AGE_OPT,
    rate_kind: str | None = RATE_KIND_OPT,
    as_of: str | None = typer.Option(None, "--as-of", help="prices known on this date"),
    db: str | None = DB_READ,
    no_db: bool = NO_DB,
    csv_path: str | None = typer.Option(None, "--csv", help="write the table as CSV ('-': stdout)"),
    plot: str | None = typer.Option(None, "--plot", metavar="FILE",
                                    help="write a chart of throughput and total price against "
                                         "budget (.png, .svg or .pdf)"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
    quiet: bool = QUIET,
) -> None:
    """The best build at each budget from --from to --to: a table, CSV and a chart.

    Example: dlrig sweep --market ar-2017-05 --currency USD --from 500 --to 1500 --step 100 --plot sweep.png
    """
    from ..optimize.sweep import budgets, sweep
    from ..report.plan import plot_format, sweep_csv, sweep_plot_bytes, sweep_table

    when = parse_date(as_of)
    csv_to = output_path(csv_path, "--csv", stdout=True)
    plot_to = output_path(plot, "--plot")
    fmt = plot_format(plot_to) if plot_to else None  # x.xyz refused before solving
    catalog, src = load(db, no_db, when)
    cur = check_currency(currency) if currency else catalog.market(market).currency
    amounts = budgets(_budget(start, cur, "start", "first budget"),
                      _budget(stop, cur, "stop", "last budget"),
                      _budget(step, cur, "step", "budget step"), cur)
    with rates_hint(src):
        base = _request(catalog, amounts[0].amount, cur, market, workload, gpus, (), (),
                        allow_bios_update, when, 10.0, None, None, explain=False, model=model,
                        task=task, quant=quant, power_limit=power_limit,
                        allow_unverified=allow_unverified, used=used, max_age=max_age,
                        rate_kind=rate_kind)
        with bar(f"planning {len(amounts)} budgets",
                 hidden=quiet or as_json or csv_path == "-") as step:
            rows = sweep(catalog, base, amounts, on_step=step)
    title = f"dlrig sweep: {market}, " + (f"model {model}" if model else
                                           f"workload {workload or 'none'}")
    if plot_to:
        files.write_output(plot_to, sweep_plot_bytes(rows, title, fmt), "plot", field="plot")
    if csv_path == "-":
        print(sweep_csv(rows), end="")
    else:
        if csv_to:
            files.write_output(csv_to, sweep_csv(rows), "file", field="csv")
        if as_json:
            print(json.dumps([r.to_dict() for r in rows], indent=2))
        else:
            console.print(sweep_table(rows, title))
            if plot:
                console.print(f"plot written to {escape(plot)}", highlight=False)
