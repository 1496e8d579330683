"""Timing device work correctly.

GPU kernels run asynchronously: a host clock read without synchronising
measures only the launch (the h100-probe recorded 9,292 "TFLOP/s" that way,
against 795 with CUDA events). On CUDA every timed call is bracketed by a
pair of events, all read after one synchronise at the end; work that must not
be timed (an L2 flush) runs on the same stream between the pairs. On the CPU
(used by the tests, so the same code paths run in CI) a monotonic host clock
is exact because the work is synchronous.
"""

from __future__ import annotations

import time
from collections.abc import Callable


def is_cuda(device) -> bool:
    return getattr(device, "type", str(device)) == "cuda"


def time_calls(torch, device, fn: Callable[[], object], iters: int,
               between: Callable[[], object] | None = None) -> list[float]:
    """Seconds taken by each of ``iters`` calls of ``fn``; ``between`` runs untimed before each."""
    if is_cuda(device):
        pairs = []
        for _ in range(iters):
            if between is not None:
                between()
            start = torch.cuda.Event(enable_timing=True)
            end = torch.cuda.Event(enable_timing=True)
            start.record()
            fn()
            end.record()
            pairs.append((start, end))
        torch.cuda.synchronize(device)
        return [s.elapsed_time(e) / 1000.0 for s, e in pairs]
    out = []
    for _ in range(iters):
        if between is not None:
            between()
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def sync(torch, device) -> None:
    if is_cuda(device):
        torch.cuda.synchronize(device)


def iters_for(first_s: float, budget_s: float, lo: int = 5, hi: int = 50) -> int:
    """How many repetitions fit ``budget_s``, given one took ``first_s``."""
    if first_s <= 0:
        return hi
    return max(lo, min(hi, int(budget_s / first_s)))
