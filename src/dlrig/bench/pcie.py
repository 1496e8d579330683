"""Host-device transfers over PCIe: pinned and pageable, each way and both at once.

Pinned (page-locked) buffers are allocated outside the timed loop, as a
DataLoader with ``pin_memory=True`` does; pageable copies go through the
driver's staging buffer and are what a naive ``tensor.cuda()`` gets. The link
trains down to a low generation at idle to save power, so its generation and
width are read by NVML *while* the largest pinned copy runs.
"""

from __future__ import annotations

import time

from . import expected
from .gpu import GpuCtx
from .nvml import sampling
from .schema import Measurement, Stat
from .timing import time_calls

MIB = 1 << 20
FULL_SIZES_MIB = (1, 16, 256, 1024)
QUICK_SIZES_MIB = (16, 256)


def _reps(size: int) -> int:
    return max(3, min(20, (2048 * MIB) // size))


def transfer(ctx: GpuCtx, direction: str, pinned: bool, size: int) -> tuple[Measurement, object]:
    torch = ctx.torch
    t0 = time.perf_counter()
    # DMA speed does not depend on the bytes: a fill is enough, and far faster
    # than drawing a GiB of random numbers on the CPU.
    host = torch.empty(size, dtype=torch.uint8, pin_memory=pinned).fill_(7)
    dev = torch.empty(size, dtype=torch.uint8, device=ctx.device)
    if direction == "h2d":
        def fn():
            dev.copy_(host, non_blocking=pinned)
    else:
        def fn():
            host.copy_(dev, non_blocking=pinned)
    time_calls(torch, ctx.device, fn, 2)
    with sampling(ctx.nvml, ctx.index, interval=0.02) as s:
        secs = time_calls(torch, ctx.device, fn, _reps(size))
    kind = "pinned" if pinned else "pageable"
    m = Measurement(
        id=f"gpu{ctx.index}.pcie.{direction}.{kind}.{size // MIB}", section="pcie",
        label=f"{direction.upper()} {kind}, {size // MIB} MiB",
        method=(f"{'host->device' if direction == 'h2d' else 'device->host'} copy_ of a "
                f"{size // MIB} MiB {kind} buffer allocated before timing, {len(secs)} copies "
                f"timed with CUDA events after 2 warm-up copies"),
        value=Stat.of([size / t / 1e9 for t in secs], "GB/s"),
        params={"direction": direction, "pinned": pinned, "size_mib": size // MIB,
                "wall_s": round(time.perf_counter() - t0, 3)},
        telemetry=s.telemetry)
    return m, s.telemetry


def both_ways(ctx: GpuCtx, size: int, reps: int = 5) -> Measurement:
    """H2D and D2H at once on two streams (pinned): total GB/s across the link."""
    torch = ctx.torch
    h_src = torch.empty(size, dtype=torch.uint8, pin_memory=True).fill_(7)
    h_dst = torch.empty(size, dtype=torch.uint8, pin_memory=True)
    d_dst = torch.empty(size, dtype=torch.uint8, device=ctx.device)
    d_src = torch.empty(size, dtype=torch.uint8, device=ctx.device).random_(0, 255)
    s1, s2 = torch.cuda.Stream(ctx.device), torch.cuda.Stream(ctx.device)

    def once():
        with torch.cuda.stream(s1):
            d_dst.copy_(h_src, non_blocking=True)
        with torch.cuda.stream(s2):
            h_dst.copy_(d_src, non_blocking=True)
        torch.cuda.synchronize(ctx.device)

    once()
    secs = []
    with sampling(ctx.nvml, ctx.index, interval=0.02) as s:
        for _ in range(reps):
            t0 = time.perf_counter()
            once()
            secs.append(time.perf_counter() - t0)
    return Measurement(
        id=f"gpu{ctx.index}.pcie.both.pinned.{size // MIB}", section="pcie",
        label=f"H2D + D2H at once, pinned, {size // MIB} MiB each way",
        method=(f"one {size // MIB} MiB pinned copy each way on two CUDA streams, {reps} rounds "
                f"timed on the host clock after a synchronise; GB/s counts both directions"),
        value=Stat.of([2 * size / t / 1e9 for t in secs], "GB/s"),
        params={"direction": "both", "pinned": True, "size_mib": size // MIB},
        telemetry=s.telemetry)


def run(ctx: GpuCtx, quick: bool) -> tuple[list[Measurement], tuple[int | None, int | None]]:
    """All transfer tests; returns them and the (generation, width) read under load."""
    sizes = [x * MIB for x in (QUICK_SIZES_MIB if quick else FULL_SIZES_MIB)]
    out: list[Measurement] = []
    link: tuple[int | None, int | None] = (None, None)
    for pinned in (True, False):
        for direction in ("h2d", "d2h"):
            for size in sizes:
                ctx.tick(f"PCIe {direction} {'pinned' if pinned else 'pageable'} {size // MIB} MiB")
                m, tel = transfer(ctx, direction, pinned, size)
                if pinned and direction == "h2d" and size == sizes[-1] and tel is not None:
                    link = (tel.pcie_gen, tel.pcie_width)
                out.append(m)
    ctx.tick("PCIe both directions")
    out.append(both_ways(ctx, sizes[-1] if quick else 256 * MIB))
    for m in out:
        if m.params.get("pinned") and m.params.get("direction") in ("h2d", "d2h"):
            m.expected = expected.pcie_expected(*link, size_mib=m.params["size_mib"])
    return out, link
