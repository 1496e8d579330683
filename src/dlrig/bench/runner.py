"""Runs the measurements in order and assembles the result and its verdict.

Order matters: the CPU-side tests (disk, loader) run before torch touches the
GPU, so worker processes never inherit a CUDA context, and each GPU test runs
alone so NVML samples describe it. A test that raises becomes a ``failed``
measurement with its error, and the run goes on; a test that cannot run here
(no torch, no CUDA GPU, one GPU only) becomes ``skipped`` with the reason.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from . import cnn, disk, gpu, inventory, loader, multigpu, pcie
from .nvml import Nvml
from .schema import BenchResult, Measurement
from .verdict import judge

SECTIONS = ("gpu", "pcie", "disk", "loader")


@dataclass
class Options:
    quick: bool = False
    directory: Path = field(default_factory=Path.cwd)
    only: tuple[str, ...] = SECTIONS
    # Hooks for tests and small machines; None = chosen by ``quick``.
    loader_workers: list[int] | None = None
    disk_mib: int | None = None


@dataclass
class Plan:
    """Sizes and durations: the full run must end in ~2 min, --quick in ~20 s.

    --quick keeps every kind of measurement but one matrix size, a 1 s
    sustained window (too short for the power cap to settle: its figure is
    not compared with the typical sustained range), 0.1 s idle before each
    burst, two PCIe sizes and three loader worker counts (docs/bench.md).
    """

    sizes: tuple[int, ...]
    burst_budget_s: float
    idle_s: float
    sustained_s: float
    copy_iters: int
    cnn_batch: int
    cnn_steps: int
    cnn_warmup: int
    disk_mib: int
    disk_passes: int

    @classmethod
    def for_run(cls, quick: bool) -> Plan:
        if quick:
            return cls((8192,), 0.15, 0.1, 1.0, 15, 64, 10, 5, 64, 2)
        return cls((4096, 8192, 16384), 0.25, 0.5, 15.0, 30, 128, 30, 8, 1024, 3)


class Reporter:
    """Progress hooks; the CLI draws them as rich progress bars."""

    def section(self, name: str, steps: int) -> None:
        pass

    def step(self, text: str) -> None:
        pass


def _guard(out: list[Measurement], mid: str, section: str, label: str,
           fn: Callable[[], Measurement | list[Measurement]]) -> None:
    """Run one test; record its wall time (setup included) in ``params["wall_s"]``.

    The wall time is what sizing ``--quick`` needs: which test costs what on a
    real machine, not only how long the whole run took.
    """
    t0 = time.perf_counter()
    try:
        got = fn()
    except Exception as e:  # one failed test must not lose the others
        out.append(gpu.failed(mid, section, label, e))
        return
    got = got if isinstance(got, list) else [got]
    if len(got) == 1 and "wall_s" not in got[0].params:
        got[0].params["wall_s"] = round(time.perf_counter() - t0, 3)
    out.extend(got)


def _gpu_steps(ctx: gpu.GpuCtx, plan: Plan, multi: bool) -> int:
    return len(gpu.supported_dtypes(ctx)) * len(plan.sizes) + 3 + (1 if multi else 0)


def gpu_tests(ctx: gpu.GpuCtx, plan: Plan) -> list[Measurement]:
    """Matmul burst per dtype and size, sustained, device copy, CNN demand for one GPU."""
    out: list[Measurement] = []
    i = ctx.index
    dtypes = gpu.supported_dtypes(ctx)
    for dtype in dtypes:
        for n in plan.sizes:
            ctx.tick(f"GPU {i}: {dtype} matmul {n}")
            _guard(out, f"gpu{i}.matmul.{dtype}.{n}.burst", "gpu", f"{dtype} matmul {n}",
                   lambda d=dtype, n=n: gpu.matmul_burst(ctx, d, n, plan.burst_budget_s))
    best = dtypes[0]
    n = 8192 if 8192 in plan.sizes else plan.sizes[-1]
    ctx.tick(f"GPU {i}: {best} matmul sustained {plan.sustained_s:g} s")
    _guard(out, f"gpu{i}.matmul.{best}.{n}.sustained", "gpu", f"{best} matmul sustained",
           lambda: gpu.matmul_sustained(ctx, best, n, plan.sustained_s))
    ctx.tick(f"GPU {i}: memory copy")
    _guard(out, f"gpu{i}.memory.copy", "memory", "device memory copy",
           lambda: gpu.memory_copy(ctx, 1 << 30, plan.copy_iters))
    ctx.tick(f"GPU {i}: CNN training step")
    _guard(out, f"gpu{i}.train.cnn", "gpu", "CNN training step",
           lambda: cnn.train_demand(ctx.torch, ctx.device, i, batch=plan.cnn_batch,
                                    steps=plan.cnn_steps, warmup=plan.cnn_warmup))
    ctx.torch.cuda.empty_cache() if gpu.is_cuda(ctx.device) else None
    return out


def _skip_all(out: list[Measurement], only: tuple[str, ...], reason: str) -> None:
    if "gpu" in only:
        out.append(gpu.skipped("gpu", "gpu", "GPU compute, memory and CNN demand", reason))
    if "pcie" in only:
        out.append(gpu.skipped("pcie", "pcie", "host-device transfers", reason))


def run(opts: Options, reporter: Reporter | None = None) -> BenchResult:
    rep = reporter or Reporter()
    plan = Plan.for_run(opts.quick)
    t0 = time.perf_counter()
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    rep.section("inventory", 1)
    nvml, nvml_reason = Nvml.open()
    inv = inventory.collect(nvml, nvml_reason)
    out: list[Measurement] = []

    if "disk" in opts.only:
        rep.section("disk", 1)
        rep.step(f"disk: write and read {opts.disk_mib or plan.disk_mib} MiB in {opts.directory}")
        _guard(out, "disk.read.seq", "disk", "disk sequential read",
               lambda: disk.run(opts.directory, opts.disk_mib or plan.disk_mib, plan.disk_passes))

    if "loader" in opts.only:
        counts = opts.loader_workers or loader.worker_counts(inv.cpu.usable_cpus, opts.quick)
        rep.section("loader", len(counts))
        work = opts.directory / f".dlrig-bench-jpegs-{int(t0 * 1000) % 10**9}"
        try:
            _guard(out, "loader", "loader", "data loading",
                   lambda: loader.run(work, inv.cpu.usable_cpus, opts.quick, rep.step, counts))
        finally:
            shutil.rmtree(work, ignore_errors=True)

    if "gpu" in opts.only or "pcie" in opts.only:
        _run_gpus(opts, plan, inv, nvml, out, rep)

    result = BenchResult(
        dlrig_version=__version__, started_at=started,
        duration_s=round(time.perf_counter() - t0, 2),
        options={"quick": opts.quick, "dir": str(opts.directory), "only": list(opts.only)},
        inventory=inv, measurements=out)
    result.verdict = judge(result)
    return result


def _run_gpus(opts, plan, inv, nvml, out, rep) -> None:
    if inv.gpu_absent_reason:
        _skip_all(out, opts.only, inv.gpu_absent_reason)
        return
    import torch

    count = min(torch.cuda.device_count(), len(inv.gpus))
    for g in inv.gpus[:count]:
        dev = torch.device("cuda", g.index)
        props = torch.cuda.get_device_properties(dev)
        ctx = gpu.GpuCtx(torch=torch, device=dev, index=g.index, nvml=nvml, spec=g.spec,
                         l2_bytes=getattr(props, "L2_cache_size", 64 << 20) or (64 << 20),
                         idle_s=plan.idle_s, progress=rep.step)
        if "gpu" in opts.only:
            rep.section(f"GPU {g.index}", _gpu_steps(ctx, plan, count > 1))
            out.extend(gpu_tests(ctx, plan))
        if "pcie" in opts.only:
            rep.section(f"PCIe GPU {g.index}", 8 * (2 if opts.quick else 4) + 1)
            try:
                ms, (gen, width) = pcie.run(ctx, opts.quick)
                out.extend(ms)
                if gen and width:
                    g.pcie_gen_current, g.pcie_width_current = gen, width
                    g.pcie_read_under_load = True
            except Exception as e:
                out.append(gpu.failed(f"gpu{g.index}.pcie", "pcie", "host-device transfers", e))
            torch.cuda.empty_cache()
    if "gpu" not in opts.only:
        return
    if count < 2:
        out.append(gpu.skipped("multi", "multigpu", "several GPUs together",
                               f"{count} GPU on this machine: multi-GPU tests need two or more"))
        return
    rep.section("multi-GPU", 3)
    rep.step("all GPUs at once")
    _guard(out, "multi.matmul.bf16.all", "multigpu", "all GPUs at once",
           lambda: multigpu.all_at_once(torch, count, seconds=1.0 if opts.quick else 3.0))
    rep.step("GPU-to-GPU copies")
    _guard(out, "multi.p2p", "multigpu", "GPU-to-GPU copies",
           lambda: multigpu.peer_copies(torch, count, reps=3 if opts.quick else 5))
    rep.step("all-reduce (NCCL)")
    _guard(out, "multi.allreduce", "multigpu", "all-reduce",
           lambda: multigpu.allreduce(count, "nccl", [16] if opts.quick else [1, 64, 256],
                                      iters=5 if opts.quick else 10))
