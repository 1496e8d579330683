"""``dlrig models`` and ``dlrig fit``: the model table and what GPUs run a model."""

from __future__ import annotations

import json

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..errors import InputError
from ..llm import Job, breakdown, models, resolve_model
from ..llm.fit import fit_bench, fit_build, fit_gpus, speed_available
from ..llm.memory import GIB
from ..llm.quant import file_type
from .perf import _Col, _fit_table, _short_gpu_name
from .root import DB_READ, NO_DB, app, console, guarded, open_catalog


def _b(x: float) -> str:
    """Billions of parameters, short: 70.55 -> '70.6', 1.24 -> '1.24'."""
    return f"{x:.3g}" if x < 10 else f"{x:.1f}"


def _ctx(n: int) -> str:
    return f"{n // 1024}K" if n >= 1024 and n % 1024 == 0 else f"{n:,}"


@app.command("models")
@guarded
def models_cmd(
    name: str | None = typer.Argument(None, help="show one model with every source"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """List the LLM table (built-in and your own TOML files) with architecture facts."""
    table = [resolve_model(name)] if name else sorted(models().values(), key=lambda m: m.name)
    if as_json:
        print(json.dumps([m.model_dump(mode="json") for m in table], indent=2))
        return
    if name:
        m = table[0]
        console.print(f"[bold]{escape(m.name)}[/]: "
                      + escape(f"{m.title} ({m.family}, {m.architecture})"), highlight=False)
        t = Table("field", "value", show_lines=False)
        for f in ("params_b", "active_params_b", "layers", "hidden_size", "intermediate_size",
                  "attention_heads", "kv_heads", "head_dim", "vocab_size", "context_max",
                  "tied_embeddings", "experts", "experts_per_token", "sliding_window",
                  "sliding_window_layers", "released", "quant"):
            v = getattr(m, f)
            if v is not None:
                t.add_row(f, Text(str(v)))
        t.add_row("KV per token (f16)", f"{m.kv_bytes_per_token() / 1024:,.0f} KiB")
        console.print(t)
        if m.aliases:
            console.print(Text("aliases: " + ", ".join(m.aliases)), soft_wrap=True)
        console.print(Text(f"source: {m.source}"), soft_wrap=True)
        for k, v in m.sources.items():
            console.print(Text(f"  {k}: {v}"), soft_wrap=True)
        return
    cols = [_Col("name"), _Col("params\n(B)", right=True), _Col("active\n(B)", keep=2, right=True),
            _Col("layers", keep=4, right=True), _Col("KV\nheads", keep=3, right=True),
            _Col("context", keep=5, right=True), _Col("source", keep=1, wrap_min=20)]
    rows = [[m.name, _b(m.params_b), "-" if m.active_params_b is None else _b(m.active_params_b),
             str(m.layers), str(m.kv_heads), _ctx(m.context_max),
             m.source.replace("https://huggingface.co/", "hf:").removesuffix("/blob/main/config.json")]
            for m in table]
    console.print(_fit_table(cols, rows, console.width))
    console.print("Sources of every number: dlrig models NAME (or --json). Add your own: "
                  "docs/models.md.", highlight=False)


def _gb(b: int) -> str:
    return f"{b / 1e9:,.1f}"


def _gib(b: int) -> str:
    return f"{b / GIB:,.1f}"


def _print_breakdown(bd) -> None:
    j = bd.job
    m = j.model
    what = [j.task]
    if j.task == "inference":
        q = j.quant or m.quant
        what.append(file_type(q).label if q else "GGUF file")
        what.append(f"{j.tokens:,} tokens" + (f" x {j.users} users" if j.users > 1 else ""))
        if j.kv_type != "f16":
            what.append(f"KV {j.kv_type}")
    else:
        what.append(f"batch {j.batch} x {j.tokens:,} tokens")
        if j.task in ("lora", "qlora"):
            what.append(f"rank {j.lora_rank}")
    console.print("[bold]dlrig fit[/]: " + escape(f"{m.title} ({m.name}), " + ", ".join(what)),
                  highlight=False)
    t = Table("memory", "GB", "GiB", title=None)
    t.columns[1].justify = t.columns[2].justify = "right"
    for label, b in bd.items():
        t.add_row(label, _gb(b), _gib(b))
    t.add_row("[bold]total on one GPU[/]", f"[bold]{_gb(bd.total)}[/]", f"[bold]{_gib(bd.total)}[/]")
    console.print(t)
    for n in bd.notes:
        console.print(Text(f"  {n}"))
    console.print("GB = 10^9 bytes, GiB = 2^30; a '24 GB' card holds 24 GiB.", highlight=False)


def _training_advice(bd) -> None:
    """Why a training job does not fit one card, and what lighter methods need."""
    j = bd.job
    parts = ", ".join(f"{label} {_gb(b)} GB" for label, b in bd.items())
    console.print(f"{j.task} fine-tuning needs {_gb(bd.total)} GB ({_gib(bd.total)} GiB) on every "
                  f"GPU ({parts}); data-parallel GPUs each hold all of it, so more cards do not help.",
                  highlight=False)
    if j.task == "full":
        p = bd.trainable_params
        console.print(f"AdamW in mixed precision keeps 16 bytes per parameter (ZeRO): "
                      f"{p / 1e9:.2f} B parameters x 16 = {p * 16 / 1e9:,.1f} GB before activations; "
                      f"a 24 GB card holds {24 * GIB / bd.total:.0%} of the job.", highlight=False)
    lighter = {"full": ("lora", "qlora"), "lora": ("qlora",)}.get(j.task, ())
    for task in lighter:
        alt = breakdown(Job(j.model, task, context=j.tokens, batch=j.batch,
                            grad_checkpointing=j.grad_checkpointing))
        console.print(f"  with --task {task}: {_gb(alt.total)} GB ({_gib(alt.total)} GiB)", highlight=False)


@app.command("fit")
@guarded
def fit_cmd(
    model: str = typer.Argument(..., help="table name or alias, a config.json (or its folder), or a .gguf"),
    task: str = typer.Option("inference", "--task", "-t", help="inference, lora, qlora or full"),
    quant: str | None = typer.Option(None, "--quant", "-q",
                                     help="inference weights: q4_k_m (default), q8_0, f16... "
                                          "(a .gguf file: its own)"),
    context: int | None = typer.Option(None, "--context", "-c", min=1,
                                       help="tokens per sequence (default 4096 inference, 2048 training)"),
    batch: int = typer.Option(1, "--batch", "-b", min=1, help="training: sequences per step"),
    users: int = typer.Option(1, "--users", "-u", min=1, help="inference: concurrent users"),
    rank: int = typer.Option(16, "--rank", min=1, help="LoRA rank"),
    no_checkpointing: bool = typer.Option(False, "--no-checkpointing",
                                          help="training without gradient checkpointing"),
    kv_type: str = typer.Option("f16", "--kv-type", help="KV cache type: f16, q8_0 or q4_0"),
    include_all: bool = typer.Option(False, "--all", help="also workstation and datacenter GPUs"),
    market: str | None = typer.Option(None, "--market", "-m", help="cheapest board per chip in a market"),
    max_gpus: int = typer.Option(8, "--max-gpus", min=1, max=16, help="most GPUs per machine"),
    limit: int = typer.Option(15, "--limit", "-n", min=0, help="show the first N GPUs (0 = all)"),
    build_file: str | None = typer.Option(None, "--build", help="check one build file's GPUs instead"),
    bench_file: str | None = typer.Option(None, "--bench",
                                          help="check the GPUs a 'dlrig bench --json' result found"),
    db: str | None = DB_READ,
    no_db: bool = NO_DB,
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """The GPU memory a model needs and which GPUs run it.

    Example: dlrig fit llama-3.1-70b --task inference --quant q4_k_m --context 8192
    """
    spec = resolve_model(model)
    if task == "inference" and quant is None and spec.weight_bytes is None:
        quant = "q4_k_m"
    job = Job(spec, task.strip().lower(), quant if task == "inference" else None, context, batch, users,
              rank, not no_checkpointing, kv_type.strip().lower())
    if build_file and bench_file:
        raise InputError("--build and --bench exclude each other", hint="give one machine")
    if build_file or bench_file:
        if bench_file:
            bf = fit_bench(job, bench_file)
        else:
            from ..build import load_build

            bf = fit_build(job, load_build(build_file, open_catalog(db, no_db=no_db)))
        if as_json:
            print(json.dumps(bf.to_dict(), indent=2, default=str))
        else:
            _print_breakdown(bf.breakdown)
            gpus = ", ".join(f"{_short_gpu_name(c)} ({v:g} GB)" for c, v in bf.gpus) or "no GPU"
            verdict = "[bold green]runs[/]" if bf.ok else "[bold red]does not run[/]"
            console.print(f"{escape(bf.build)}: {verdict} on {escape(gpus)}", highlight=False)
            if bf.result is not None:
                console.print(Text(f"  {bf.result.reason}"))
            if bf.missing:
                console.print(Text(f"  missing: {bf.missing}"))
            if bf.decode_tps is not None:
                console.print(f"  decode: about {bf.decode_tps:,.0f} tokens/s", highlight=False)
        if not bf.ok:
            raise typer.Exit(1)
        return
    catalog = None
    if market:

        catalog = open_catalog(db, no_db=no_db)
    report = fit_gpus(job, include_all=include_all, market=market, catalog=catalog,
                      max_count=max_gpus)
    if as_json:
        print(json.dumps(report.to_dict(), indent=2, default=str))
        return
    bd = report.breakdown
    _print_breakdown(bd)
    runs = report.runs
    singles = [r for r in runs if r.count == 1]
    largest = max(report.rows, key=lambda r: r.vram_gb)
    if not singles:
        console.print(f"No single GPU here runs it: the largest, {_short_gpu_name(largest.chip)} "
                      f"({largest.vram_gb:g} GB), has {largest.vram_gb:g} GiB of the "
                      f"{_gib(bd.total)} GiB needed.", highlight=False)
    if bd.split_rule == "data-parallel" and not singles:
        _training_advice(bd)
    shown = list(runs[:limit] if limit else runs)
    if not shown:
        console.print(f"No GPU here runs it with {max_gpus} or fewer per machine"
                      + ("" if include_all else " (try --all for datacenter parts)") + ".",
                      highlight=False)
        return
    with_speed = any(r.decode_tps is not None for r in shown)
    cols = [_Col("GPU"), _Col("VRAM", keep=4, right=True), _Col("GPUs", right=True),
            _Col("per GPU\n(GiB)", keep=3, right=True)]
    if market:
        cols += [_Col("price", keep=2, right=True), _Col("total", keep=5, right=True)]
    if with_speed:
        cols.append(_Col("tok/s", keep=6, right=True))
    rows = []
    for r in shown:
        row = [_short_gpu_name(r.chip), f"{r.vram_gb:g} GB", str(r.count), _gib(max(r.per_gpu))]
        if market:
            row.append("-" if r.price is None else ("~" if r.price_estimated else "") + str(r.price))
            row.append("-" if r.total_price is None else str(r.total_price))
        if with_speed:
            row.append("-" if r.decode_tps is None else f"{r.decode_tps:,.0f}")
        rows.append(row)
    console.print(_fit_table(cols, rows, console.width))
    more = len(runs) - len(shown)
    tail = f"; {more} more (--limit 0)" if more > 0 else ""
    console.print(f"Fewest GPUs of each chip (1 to {max_gpus}), {report.notes[0]}{tail}.",
                  highlight=False)
    if not speed_available():
        console.print("Speed: not estimated (dlrig.llm.speed is not installed).", highlight=False)
