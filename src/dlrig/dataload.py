"""CPU data loading: what a CPU's cores decode, against what the GPUs consume.

For jobs that decode and augment JPEG images on the CPU while the GPU trains
(the ``cnn`` workload: ResNet-50 on ImageNet-style files), the GPU is fed
only as fast as the loader workers produce images. The founding post's "two
threads per GPU" was right for a GTX 1070 (~270 images/s); an RTX 5090
consumes several times more.

**GPU demand** (images/s) = the board's relative throughput for the
workload (``perf.gpu_throughput``, RTX 3090 = 1.0) x ``REFERENCE_IMAGES_S``,
the RTX 3090's measured ResNet-50 mixed-precision training rate: 905
images/s (Lambda, github.com/lambdal/deeplearning-benchmark at aa5addb6,
pytorch/pytorch-train-throughput-fp16.csv, row "RTX 3090", column resnet50;
synthetic data, so it is the GPU's demand, not limited by a loader).

**CPU supply** (images/s) = workers x per-worker rate x efficiency:

- workers = physical cores - 1 (the training process keeps one core);
- per-worker rate = ``PER_WORKER_AT_REF`` x (clock / ``REF_CLOCK_GHZ``): 280
  images/s per worker at 2.1 GHz, Pillow decode + random-resized crop to 224
  + flip + normalise of ~500x375 JPEGs, measured by ``dlrig bench`` on two
  16-vCPU Xeon machines (tests/bench/data/h100-sxm-2026-11-26-full.json:
  275 with 0 workers, 285 with 1; h200-2026-11-27-full.json: 278, 295);
  clock = the midpoint of base and boost clock, a stand-in for the all-core
  turbo clock no catalog lists (an assumption: decode scales about linearly
  with clock; the same benchmark family shows +35 % per thread from Zen 4 to
  Zen 5 at similar clocks, which this ignores);
- efficiency falls as workers contend for memory and the main process
  (``EFFICIENCY``, per-worker / single-worker rate in the same two runs: 4
  workers 0.81-0.87, 8 workers 0.65-0.90, 16 workers 0.61-0.71).

Numbers are integers (images/s) so the planner enforces the same inequality
(rule ``dl.cpu-feed``).
"""

from __future__ import annotations

import math

from .parts import Cpu, Gpu

REFERENCE_IMAGES_S = 905  # RTX 3090, ResNet-50 AMP training (Lambda, see above)
PER_WORKER_AT_REF = 280  # images/s per loader worker at 2.1 GHz (dlrig bench, see above)
REF_CLOCK_GHZ = 2.1
# (workers, efficiency) points, linear in between, flat beyond the ends.
EFFICIENCY = ((2, 1.0), (4, 0.85), (8, 0.75), (16, 0.65))


def efficiency(workers: int) -> float:
    if workers <= EFFICIENCY[0][0]:
        return EFFICIENCY[0][1]
    for (n0, e0), (n1, e1) in zip(EFFICIENCY, EFFICIENCY[1:], strict=False):
        if workers <= n1:
            return e0 + (e1 - e0) * (workers - n0) / (n1 - n0)
    return EFFICIENCY[-1][1]


def loader_clock_ghz(cpu: Cpu) -> float:
    """The clock a loader worker runs at: between base and boost (all-core turbo)."""
    boost = cpu.boost_clock_ghz or cpu.base_clock_ghz
    return (cpu.base_clock_ghz + boost) / 2


def workers(cpu: Cpu) -> int:
    return max(1, cpu.cores - 1)


def cpu_supply(cpu: Cpu) -> int:
    """Images/s the CPU's loader workers decode and augment (whole images)."""
    n = workers(cpu)
    rate = PER_WORKER_AT_REF * loader_clock_ghz(cpu) / REF_CLOCK_GHZ
    return int(math.floor(n * rate * efficiency(n)))


def gpu_demand(gpu: Gpu, workload) -> int:
    """Images/s one board consumes training the workload (0 when it is not rated)."""
    from .perf import gpu_throughput

    t = gpu_throughput(gpu, workload)
    return int(math.ceil((t or 0.0) * REFERENCE_IMAGES_S))
