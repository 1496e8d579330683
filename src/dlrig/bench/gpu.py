"""GPU compute and memory: matmul throughput per dtype, device-copy bandwidth.

Method (DESIGN.md §6): random data (zeros run faster and cooler), a warm-up
so handle creation and kernel selection stay out of the numbers, CUDA events
around each product, L2 flushed between timed products by writing a buffer
twice the L2 size, NVML sampled throughout. *Burst* is the first fraction of
a second after the card idled (boost clocks, below the power cap); *sustained*
runs for many seconds and keeps the second half, the figure a long training
run sees once the power or thermal limit has pulled clocks down.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from . import expected
from .nvml import Nvml, sampling
from .schema import GpuSpec, Measurement, Stat
from .timing import is_cuda, iters_for, sync, time_calls

DTYPES = ("bf16", "fp16", "tf32", "fp32")


@dataclass
class GpuCtx:
    """What one GPU's tests need: torch, the device, NVML and the spec record."""

    torch: object
    device: object
    index: int = 0
    nvml: Nvml | None = None
    spec: GpuSpec | None = None
    l2_bytes: int = 64 << 20
    idle_s: float = 0.5
    progress: object = field(default=None)

    def tick(self, text: str) -> None:
        if self.progress is not None:
            self.progress(text)


def _torch_dtype(torch, name: str):
    return {"bf16": torch.bfloat16, "fp16": torch.float16, "tf32": torch.float32,
            "fp32": torch.float32}[name]


class _Tf32:
    """Set torch's TF32 switch for the duration of a test, then restore it."""

    def __init__(self, torch, on: bool):
        self.torch, self.on = torch, on

    def __enter__(self):
        b = self.torch.backends
        self.saved = (b.cuda.matmul.allow_tf32, b.cudnn.allow_tf32)
        b.cuda.matmul.allow_tf32 = self.on
        b.cudnn.allow_tf32 = self.on

    def __exit__(self, *exc):
        b = self.torch.backends
        b.cuda.matmul.allow_tf32, b.cudnn.allow_tf32 = self.saved


def supported_dtypes(ctx: GpuCtx) -> list[str]:
    torch = ctx.torch
    if not is_cuda(ctx.device):
        return list(DTYPES)
    major, _ = torch.cuda.get_device_capability(ctx.device)
    out = ["fp32"]
    if major >= 7:
        out.insert(0, "fp16")
    if major >= 8:
        out = ["bf16", "fp16", "tf32", "fp32"]
    return out


def _operands(ctx: GpuCtx, dtype: str, n: int):
    torch = ctx.torch
    g = torch.Generator(device=ctx.device).manual_seed(n)
    td = _torch_dtype(torch, dtype)
    a = torch.randn(n, n, device=ctx.device, dtype=td, generator=g)
    b = torch.randn(n, n, device=ctx.device, dtype=td, generator=g)
    return a, b, torch.empty(n, n, device=ctx.device, dtype=td)


def _flusher(ctx: GpuCtx):
    if not is_cuda(ctx.device):
        return None
    buf = ctx.torch.empty(2 * ctx.l2_bytes // 4, dtype=ctx.torch.float32, device=ctx.device)
    return buf.zero_


def matmul_burst(ctx: GpuCtx, dtype: str, n: int, budget_s: float = 0.25) -> Measurement:
    """Median TFLOP/s of n^3 products in the first ``budget_s`` after an idle pause."""
    torch = ctx.torch
    flops = 2.0 * n**3
    with _Tf32(torch, dtype == "tf32"):
        a, b, c = _operands(ctx, dtype, n)
        flush = _flusher(ctx)

        def mm():
            torch.matmul(a, b, out=c)

        time_calls(torch, ctx.device, mm, 3, flush)  # warm-up: handles, kernel choice
        sync(torch, ctx.device)
        time.sleep(ctx.idle_s)  # let boost clocks recover before a burst
        with sampling(ctx.nvml, ctx.index) as s:
            first = time_calls(torch, ctx.device, mm, 1, flush)[0]
            secs = [first] + time_calls(torch, ctx.device, mm,
                                        iters_for(first, budget_s) - 1, flush)
    tflops = [flops / t / 1e12 for t in secs]
    return Measurement(
        id=f"gpu{ctx.index}.matmul.{dtype}.{n}.burst", section="gpu",
        label=f"{dtype} matmul {n}x{n}x{n}, burst",
        method=(f"torch.matmul on random {dtype} data, {len(secs)} products timed one by one "
                f"with {'CUDA events' if is_cuda(ctx.device) else 'a host clock'} after 3 warm-up "
                f"products and {ctx.idle_s:g} s idle; L2 flushed between products; "
                f"2*n^3 FLOPs each"),
        value=Stat.of(tflops, "TFLOP/s"), params={"dtype": dtype, "n": n, "mode": "burst"},
        telemetry=s.telemetry, expected=expected.matmul_expected(ctx.spec, dtype, "burst"))


def matmul_sustained(ctx: GpuCtx, dtype: str, n: int, seconds: float) -> Measurement:
    """TFLOP/s over the second half of ``seconds`` of back-to-back products."""
    torch = ctx.torch
    flops = 2.0 * n**3
    with _Tf32(torch, dtype == "tf32"):
        a, b, c = _operands(ctx, dtype, n)

        def mm():
            torch.matmul(a, b, out=c)

        first = time_calls(torch, ctx.device, mm, 2)[-1]
        chunk = iters_for(first, 0.25, lo=1, hi=200)
        secs: list[float] = []
        t_end = time.perf_counter() + seconds
        with sampling(ctx.nvml, ctx.index) as s:
            while time.perf_counter() < t_end:
                secs += time_calls(torch, ctx.device, mm, chunk)
    steady = secs[len(secs) // 2:] or secs
    tflops = [flops / t / 1e12 for t in steady]
    return Measurement(
        id=f"gpu{ctx.index}.matmul.{dtype}.{n}.sustained", section="gpu",
        label=f"{dtype} matmul {n}x{n}x{n}, sustained {seconds:g} s",
        method=(f"back-to-back torch.matmul on random {dtype} data for {seconds:g} s "
                f"({len(secs)} products, each timed with "
                f"{'CUDA events' if is_cuda(ctx.device) else 'a host clock'}); statistics over "
                f"the second half, after clocks settled under the power/thermal limit"
                + ("" if seconds >= SETTLED_S else
                   f" (a {seconds:g} s window is too short for that: read it as a lower bound "
                   f"on the burst, and run without --quick for the sustained figure)")),
        value=Stat.of(tflops, "TFLOP/s"),
        params={"dtype": dtype, "n": n, "mode": "sustained", "seconds": seconds},
        telemetry=s.telemetry, expected=_sustained_expected(ctx.spec, dtype, seconds))


# Below this window the power cap has not pulled clocks down yet (an H100 SXM
# measured 700 TFLOP/s over 2 s, 659 over 15 s): no typical sustained range.
SETTLED_S = 10.0


def _sustained_expected(spec, dtype: str, seconds: float):
    e = expected.matmul_expected(spec, dtype, "sustained")
    if e is not None and seconds < SETTLED_S:
        e = e.model_copy(update={"typical_low": None, "typical_high": None,
                                 "typical_source": None})
    return e


def memory_copy(ctx: GpuCtx, size_bytes: int = 1 << 30, iters: int = 30) -> Measurement:
    """Device-to-device copy bandwidth, counting bytes read plus bytes written."""
    torch = ctx.torch
    n = size_bytes // 4
    src = torch.rand(n, device=ctx.device)
    dst = torch.empty_like(src)

    def cp():
        dst.copy_(src)

    time_calls(torch, ctx.device, cp, 3)
    with sampling(ctx.nvml, ctx.index) as s:
        secs = time_calls(torch, ctx.device, cp, iters)
    gbs = [2 * n * 4 / t / 1e9 for t in secs]
    return Measurement(
        id=f"gpu{ctx.index}.memory.copy", section="memory",
        label=f"device memory copy, {size_bytes >> 20} MiB buffers",
        method=(f"dst.copy_(src) on {size_bytes >> 20} MiB buffers (far larger than L2), "
                f"{iters} copies timed with {'CUDA events' if is_cuda(ctx.device) else 'a host clock'}"
                f" after 3 warm-up copies; bytes read + bytes written per copy"),
        value=Stat.of(gbs, "GB/s"), params={"size_mib": size_bytes >> 20},
        telemetry=s.telemetry, expected=expected.memory_expected(ctx.spec))


def skipped(mid: str, section: str, label: str, reason: str, method: str = "") -> Measurement:
    return Measurement(id=mid, section=section, label=label, status="skipped", reason=reason,
                       method=method or "not run")


def failed(mid: str, section: str, label: str, err: BaseException) -> Measurement:
    msg = f"{type(err).__name__}: {err}".splitlines()[0][:300]
    return Measurement(id=mid, section=section, label=label, status="failed", reason=msg,
                       method="raised an error")
