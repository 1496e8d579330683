"""Several GPUs: all at once, GPU-to-GPU copies, all-reduce bus bandwidth.

A 2-4 GPU home build has no NVLink: gradients travel over PCIe, often
through the CPU's root complex and on slots wired x8 or x4. Data-parallel
training's cost is the all-reduce, so the bench measures it with
torch.distributed, one process per GPU (NCCL), and reports *bus bandwidth*
as nccl-tests defines it (algorithm bandwidth x 2(n-1)/n), which is
comparable across GPU counts. The same code runs with the gloo backend on
CPU processes, which is how CI tests it.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import socket
import threading
import time

from .schema import Measurement, Stat

MIB = 1 << 20


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _allreduce_worker(rank: int, world: int, backend: str, port: int, sizes: list[int],
                      iters: int, queue) -> None:
    import torch
    import torch.distributed as dist

    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    try:
        cuda = backend == "nccl"
        if cuda:
            torch.cuda.set_device(rank)
        device = torch.device("cuda", rank) if cuda else torch.device("cpu")
        dist.init_process_group(backend, rank=rank, world_size=world,
                                device_id=device if cuda else None)
        results = {}
        for size in sizes:
            t = torch.ones(size // 4, dtype=torch.float32, device=device)
            for _ in range(2):
                dist.all_reduce(t)
            secs = []
            for _ in range(iters):
                dist.barrier()
                if cuda:
                    torch.cuda.synchronize(device)
                t0 = time.perf_counter()
                dist.all_reduce(t)
                if cuda:
                    torch.cuda.synchronize(device)
                el = torch.tensor([time.perf_counter() - t0], dtype=torch.float64, device=device)
                dist.all_reduce(el, op=dist.ReduceOp.MAX)  # the slowest rank sets the pace
                secs.append(float(el.item()))
            # Sum of ones over the ranks: checks the reduction really happened.
            ok = bool(torch.all(t == float(world) ** (2 + iters)).item())
            results[size] = (secs, ok)
            del t
        if rank == 0:
            queue.put(("ok", results))
        dist.destroy_process_group()
    except Exception as e:  # report to the parent instead of dying silently
        queue.put(("error", f"rank {rank}: {type(e).__name__}: {e}"))


def allreduce(world: int, backend: str, sizes_mib: list[float], iters: int = 5,
              timeout_s: float = 120) -> list[Measurement]:
    """All-reduce bus bandwidth across ``world`` processes, one per GPU (or CPU with gloo)."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    port = _free_port()
    sizes = [int(s * MIB) // 4 * 4 for s in sizes_mib]
    procs = [ctx.Process(target=_allreduce_worker,
                         args=(r, world, backend, port, sizes, iters, queue), daemon=True)
             for r in range(world)]
    for p in procs:
        p.start()
    try:
        status, payload = queue.get(timeout=timeout_s)
    finally:
        for p in procs:
            p.join(timeout=10)
            if p.is_alive():
                p.terminate()
    if status != "ok":
        raise RuntimeError(payload)
    out = []
    for size, (secs, ok) in payload.items():
        if not ok:
            raise RuntimeError(f"all-reduce of {size} bytes returned a wrong sum")
        factor = 2 * (world - 1) / world
        bus = [size / t / 1e9 * factor for t in secs]
        mib = size / MIB
        out.append(Measurement(
            id=f"multi.allreduce.{backend}.{mib:g}", section="multigpu",
            label=f"all-reduce {mib:g} MiB over {world} {'GPUs' if backend == 'nccl' else 'CPU processes'}",
            method=(f"torch.distributed all_reduce (sum) of a {mib:g} MiB float32 tensor, "
                    f"{backend} backend, {world} processes; {iters} timed calls after 2 warm-up "
                    f"calls, each the slowest rank's time; bus bandwidth = size/time x 2(n-1)/n "
                    f"(nccl-tests' definition); result checked"),
            value=Stat.of(bus, "GB/s"),
            params={"backend": backend, "world": world, "size_mib": mib}))
    return out


def peer_copies(torch, count: int, size: int = 256 * MIB, reps: int = 5) -> list[Measurement]:
    """Copy bandwidth between every ordered pair of GPUs."""
    out = []
    for i in range(count):
        for j in range(count):
            if i == j:
                continue
            src = torch.empty(size, dtype=torch.uint8, device=f"cuda:{i}").random_(0, 255)
            dst = torch.empty(size, dtype=torch.uint8, device=f"cuda:{j}")
            dst.copy_(src)
            secs = []
            for _ in range(reps):
                torch.cuda.synchronize(i)
                torch.cuda.synchronize(j)
                t0 = time.perf_counter()
                dst.copy_(src)
                torch.cuda.synchronize(i)
                torch.cuda.synchronize(j)
                secs.append(time.perf_counter() - t0)
            peer = torch.cuda.can_device_access_peer(i, j)
            out.append(Measurement(
                id=f"multi.p2p.{i}to{j}", section="multigpu", label=f"GPU {i} -> GPU {j} copy",
                method=(f"copy_ of {size // MIB} MiB from cuda:{i} to cuda:{j}, {reps} copies on "
                        f"the host clock between synchronises; peer access "
                        f"{'enabled (direct)' if peer else 'unavailable (staged through host)'}"),
                value=Stat.of([size / t / 1e9 for t in secs], "GB/s"),
                params={"src": i, "dst": j, "peer_access": peer}))
    return out


def all_at_once(torch, count: int, n: int = 8192, seconds: float = 2.0) -> Measurement:
    """bf16 matmul on every GPU at the same time: does the sum hold up (power, cooling)?"""
    rates: list[list[float]] = [[] for _ in range(count)]

    def work(i):
        dev = torch.device("cuda", i)
        a = torch.randn(n, n, device=dev, dtype=torch.bfloat16)
        b = torch.randn(n, n, device=dev, dtype=torch.bfloat16)
        torch.matmul(a, b)
        torch.cuda.synchronize(dev)
        t_end = time.perf_counter() + seconds
        while time.perf_counter() < t_end:
            t0 = time.perf_counter()
            for _ in range(10):
                torch.matmul(a, b)
            torch.cuda.synchronize(dev)
            rates[i].append(10 * 2 * n**3 / (time.perf_counter() - t0) / 1e12)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    k = min(len(r) for r in rates)
    total = [sum(r[x] for r in rates) for x in range(k)]
    return Measurement(
        id="multi.matmul.bf16.all", section="multigpu",
        label=f"bf16 matmul {n}^3 on all {count} GPUs at once (sum)",
        method=(f"one thread per GPU running torch.matmul on random bf16 data for {seconds:g} s, "
                f"rates summed per round of 10 products"),
        value=Stat.of(total, "TFLOP/s"), params={"gpus": count, "n": n})
