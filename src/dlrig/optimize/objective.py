"""The plan's objective: lexicographic, in integer stages solved one after another.

1. **Throughput** of the GPUs: the workload's estimated throughput of the
   whole set (``option_throughput``: one board's, times the measured scaling of
   K cards), in thousandths of the reference card; with a model to run
   (``--model``), its tokens per second. The GPU is the machine's real
   "central processing unit": nothing else matters until this is as high as
   the budget allows.
2. **Capacity** (LLM workloads without ``--model``; ``capacity_band`` in the
   workload): among GPU choices whose throughput is at least the band (e.g.
   70 %) of the best affordable one, the most GPU memory one model can use
   (``capacity``), then the best throughput again. A 24 GB card that runs
   32B models beats a 16 GB card that is 6 % faster on an 8B model; a card
   under the band does not, however much memory it has. The stages are
   ``throughput`` (find the best), ``capacity`` (with the band), then
   ``throughput`` again (with the capacity fixed).
3. **Balance and room to grow** (points, each a yes/no, ``BALANCE_TERMS``).
4. **Cost**: the lowest total price.
5. **Preference**: among builds of equal cost, the parts a builder prefers
   (``preference``: NVMe over SATA, shorter and thinner cards, reference
   boards, better PSU efficiency); then the smallest part ids, so the same
   question always gets the same answer.

Each stage's optimum is fixed before the next (``solve.py``), so no weight has
to separate a throughput point from a cent. ``score`` computes the same
numbers for any concrete build (the exhaustive search and the explanations).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..parts import EFFICIENCY, AnyPart, Case, Category, Cpu, Gpu, Memory, Motherboard, Psu, Storage
from ..power import part_draw_w, throughput_factor
from ..rules.memory import ram_per_vram as rule_ram_per_vram
from ..rules.memory import vram_tenths

THROUGHPUT_SCALE = 1000
BALANCE_TERMS = (
    ("ram_room", 4, "RAM at least twice the workload's floor (room to grow)"),
    ("cpu_room", 3, "a CPU that could feed the GPUs: 4 cores per GPU, and enough to decode "
                    "their images on the fly (dl.cpu-feed's model)"),
    ("ssd_room", 2, "SSDs of at least 1 TB and twice the workload's floor"),
    ("dual_channel", 2, "two or more memory modules (dual channel)"),
    ("psu_upgrade", 2, "PSU with 25 % headroom even after the plan's next GPU upgrade"),
    ("free_slot", 1, "a free memory slot"),
    ("two_free_slots", 1, "two free memory slots"),
)
BALANCE_MAX = sum(w for _, w, _ in BALANCE_TERMS)
PSU_HEADROOM_PCT = 125  # power.psu-headroom's factor, also after the upgrade
# Puget Systems, "Hardware Recommendations for Machine Learning / AI": "at least 4 cores
# for each GPU accelerator is recommended" (pugetsystems.com/solutions/ai-and-hpc-workstations/
# machine-learning-ai/hardware-recommendations/, read 2026-11).
CORES_PER_GPU = 4
# The load a CPU with room to grow keeps up with whatever the plan's workload: the GPUs
# training on JPEG images decoded on the fly (dlrig/dataload.py, the cnn profile). A
# CPU that feeds an RTX 5090 that way is the 8-core part experienced builders pair with it.
FEED_PROFILE = "cnn"
# Room on the SSD: datasets grow (ImageNet-1k is ~140 GB of JPEG files), checkpoints and
# model files pile up; 1 TB NVMe drives cost about what 250 GB ones did (catalog prices).
SSD_ROOM_GB = 1000
RAM_ROOM_FACTOR = 2
# Per-GPU VRAM no model can use: the CUDA context, cuBLAS workspace and llama.cpp's
# compute buffer, about 0.5-1 GB per card (docs/memory.md); whole GB for the capacity.
CAPACITY_RESERVE_GB = 1.0


class _Ctx:
    """A context without a workload (for the default RAM ratio)."""

    workload = None


def ram_per_vram(workload: Any) -> float:
    """memory.ram-vs-vram's ratio for a workload (one definition, in the rule module)."""
    ctx = _Ctx()
    ctx.workload = workload
    return rule_ram_per_vram(ctx)


def feed_demand(gpu: Gpu) -> int:
    """Images/s one board would train on with images decoded on the fly (``cpu_room``)."""
    from ..dataload import gpu_demand
    from ..perf import get_workload

    return gpu_demand(gpu, get_workload(FEED_PROFILE))


def feed_supply(cpu: Cpu) -> int:
    from ..dataload import cpu_supply

    return cpu_supply(cpu)


def ssd_room_gb(workload: Any, ctx: Any = None) -> int:
    """SSD capacity with room to grow: 1 TB, or twice the floor (``--dataset-gb`` or the
    workload's, as rule dl.ssd reads it) when that is more."""
    from ..rules.dl import ssd_floor_gb

    floor = ssd_floor_gb(ctx) if ctx is not None else min_ssd_gb(workload)
    return max(SSD_ROOM_GB, 2 * floor)


def term_text(name: str, workload: Any) -> str:
    """A balance term in words, with the floor it doubles spelled out for this workload."""
    if name == "ssd_room":
        return f"SSDs of at least {ssd_room_gb(workload):,} GB (room for data and checkpoints)"
    if name == "ram_room":
        ratio = ram_per_vram(workload)
        whose = f"the {workload.name} floor" if workload is not None else "the default floor"
        return f"RAM at least {RAM_ROOM_FACTOR * ratio:g} x the GPUs' VRAM (twice {whose})"
    return next((d for n, _, d in BALANCE_TERMS if n == name), name)


def floor_text(workload: Any) -> str:
    """The floors a plan without a workload still meets, for the headline."""
    if workload is not None:
        return workload.name
    return (f"none (only the default floor: RAM at least {ram_per_vram(None):g} x the "
            "GPUs' VRAM)")


def throughput(gpu: Gpu, workload: Any) -> float:
    """Relative throughput of one board (0 when the chip is not rated)."""
    from ..perf import gpu_throughput

    t = gpu_throughput(gpu, workload)
    return float(t or 0.0)


def option_throughput(cand, count: int, perf_workload: Any, ctx: Any) -> float:
    """The throughput of ``count`` boards of a GPU candidate, in the objective's unit.

    With a model to run (``ctx.job``) its speed on the cards; otherwise the
    workload's relative throughput of one board times the measured
    multi-GPU scaling of ``count`` of them (``perf.set_throughput``).
    """
    job = getattr(ctx, "job", None)
    if job is not None:
        t = job.throughput(cand.part, count)
        memory_bound = job.task == "inference"
    elif count == 1:
        t = cand.throughput
        memory_bound = _memory_bound(perf_workload)
    else:
        from ..catalog.gpu_specs import chip
        from ..perf import set_throughput

        spec = chip(cand.part.chipset)
        t = float((set_throughput(spec, count, perf_workload) if spec is not None else None)
                  or 0.0)
        memory_bound = _memory_bound(perf_workload)
    limit = getattr(ctx, "power_limit", None)
    if limit is not None and t:
        t *= throughput_factor(limit.fraction_of(cand.part.board_power_w), memory_bound)
    return t


def _memory_bound(workload: Any) -> bool:
    """Single-user token generation is memory-bound; training is compute-bound."""
    return getattr(workload, "scaling", None) == "single-user-decode"


def draw(part: AnyPart, ctx: Any = None) -> int:
    """A part's sustained watts in this plan (GPUs capped by the context's power limit)."""
    return part_draw_w(part, getattr(ctx, "power_limit", None))


def throughput_int(t: float) -> int:
    return int(round(t * THROUGHPUT_SCALE))


def capacity_band(workload: Any, ctx: Any = None) -> float | None:
    """The speed band of the capacity stage (None: capacity does not count)."""
    if getattr(ctx, "job", None) is not None:
        return None  # the model's need is a requirement, not a preference
    band = getattr(workload, "capacity_band", None)
    return float(band) if band else None


def capacity(gpu: Gpu, count: int, workload: Any, ctx: Any = None) -> int:
    """Whole GB of VRAM one model can use on ``count`` boards (0 when not counted).

    Layer-split inference spreads one model over the cards, so their memory
    adds up (less each card's reserve); data-parallel training holds the whole
    job on every card, so one card's memory is what counts.
    """
    if capacity_band(workload, ctx) is None:
        return 0
    per = max(0.0, gpu.vram_gb - CAPACITY_RESERVE_GB)
    split = getattr(workload, "scaling", None) == "single-user-decode"
    return int(math.floor(per * count if split else per))


def min_ssd_gb(workload: Any) -> int:
    return int(getattr(workload, "min_ssd_gb", 0) or 0)


# A part priced by its chip's launch MSRP standing in for its own price loses every tie
# at equal cost to a part with a real quote: more than any preference difference.
STAND_IN_PENALTY = 100_000


def quote_preference(cand) -> int:
    """``preference`` of a candidate, less ``STAND_IN_PENALTY`` when its price is a
    chip-MSRP stand-in (issue 13: a real quote wins ties)."""
    return preference(cand.part) - STAND_IN_PENALTY * bool(cand.price.stand_in)


def preference(part: AnyPart) -> int:
    """How much a builder prefers a part among equally priced ones (higher: more).

    Only breaks ties at equal cost, so the weights order what matters within
    a slot: an NVMe SSD over a SATA one over a hard disk; a thinner, then a
    shorter card, a reference (NVIDIA Founders Edition) board; a more
    efficient, ATX 3.x, modular PSU; more CPU threads and clock; faster, lower
    latency memory; more board slots; more case slots and GPU clearance.
    """
    if isinstance(part, Storage):
        if part.kind == "HDD":
            return 0
        return 100 + (10 * (part.pcie_gen or 3) if part.interface == "NVMe" else 0)
    if isinstance(part, Gpu):
        ref = part.brand == "NVIDIA" or "founders edition" in part.name.lower()
        return 1000 - 100 * part.slots - (part.length_mm or 400) // 10 + (50 if ref else 0)
    if isinstance(part, Psu):
        mod = {"full": 2, "semi": 1, "no": 0}[part.modular]
        return 10 * EFFICIENCY.index(part.efficiency) + 5 * part.atx3 + mod
    if isinstance(part, Cpu):
        return 10 * part.threads + int(10 * (part.boost_clock_ghz or part.base_clock_ghz))
    if isinstance(part, Memory):
        return part.speed_mts // 100 - (part.cas_latency or 40)
    if isinstance(part, Motherboard):
        return 10 * part.memory_slots + 5 * part.m2_slots + part.pcie_x16_slots
    if isinstance(part, Case):
        return 10 * part.expansion_slots + (part.max_gpu_length_mm or 0) // 10
    return int(getattr(part, "tdp_rating_w", 0) or 0)


def features(cand, cs) -> tuple[tuple, tuple]:
    """(equal-only, higher-is-better) features of a candidate for dominance pruning.

    Every number the objective or a structural constraint reads from a part
    is here, with its direction; a part is only pruned by one that is at
    least as good on all of them. A GPU's are per GPU count: the set's
    throughput and capacity, and its upgrade draw (``upgrade_w``).
    """
    p = cand.part
    watts = -draw(p, cs.ctx)
    if isinstance(p, Gpu):
        # One column per count the request allows; a count a rule forbids is worst (-1).
        mine = {o.count: o for o in cs.all_options if o.cand is cand}
        per_count = tuple(v for k in cs.counts
                          for v in ((throughput_int(mine[k].throughput), mine[k].capacity)
                                    if k in mine else (-1, -1)))
        return (p.vram_gb, cand.upgrade_w), per_count + (watts,)
    if isinstance(p, Memory):
        return (p.modules,), (p.total_gb, watts)
    if isinstance(p, Motherboard):
        return (), (p.memory_slots, watts)
    if isinstance(p, Psu):
        return (), (p.wattage_w, watts)
    if isinstance(p, Storage):
        return (p.kind,), (p.capacity_gb if p.kind == "SSD" else 0, watts)
    return (), (watts,)


@dataclass(frozen=True)
class Score:
    """The objective of one build: compare ``key`` tuples (higher is better).

    ``key`` orders builds whose GPUs are within the capacity stage's band of
    the best throughput (always true when capacity does not count, where it
    is 0 for every build).
    """

    throughput: int  # thousandths of the reference card (or of a token/s)
    balance: int
    cost: int  # minor units of the market's currency
    terms: tuple[str, ...] = ()  # balance terms met
    capacity: int = 0
    preference: int = 0

    @property
    def key(self) -> tuple[int, int, int, int, int]:
        return (self.capacity, self.throughput, self.balance, -self.cost, self.preference)


def upgrade_draw(gpu: Gpu, upgrade_w: int | None, ctx: Any = None) -> int:
    """Watts a GPU board would draw after the plan's next upgrade (its own if none)."""
    return max(draw(gpu, ctx), upgrade_w or 0)


def balance_met(items: list[tuple[AnyPart, int, int]], workload: Any,
                upgrade_w: dict[str, int], ctx: Any = None) -> dict[str, bool]:
    """Which balance terms a build meets; ``upgrade_w``: GPU id -> upgraded board watts."""
    gpus = [(p, q) for p, q, _ in items if isinstance(p, Gpu)]
    ram10 = sum(p.total_gb * q * 10 for p, q, _ in items if isinstance(p, Memory))
    modules = sum(p.modules * q for p, q, _ in items if isinstance(p, Memory))
    slots = sum(p.memory_slots for p, q, _ in items if isinstance(p, Motherboard))
    psu = sum(p.wattage_w for p, q, _ in items if isinstance(p, Psu))
    watts = sum(draw(p, ctx) * q for p, q, _ in items)
    upgraded = watts + sum((upgrade_draw(p, upgrade_w.get(p.id), ctx) - draw(p, ctx)) * q
                           for p, q in gpus)
    ratio = ram_per_vram(workload) * RAM_ROOM_FACTOR
    need = sum(vram_tenths(p, ratio) * q for p, q in gpus)
    cpus = [p for p, q, _ in items if isinstance(p, Cpu)]
    cores = sum(p.cores for p in cpus)
    supply = sum(feed_supply(p) for p in cpus)
    demand = sum(feed_demand(p) * q for p, q in gpus)
    ssd = sum(p.capacity_gb * q for p, q, _ in items
              if isinstance(p, Storage) and p.kind == "SSD")
    return {
        "ram_room": ram10 >= need,
        "cpu_room": cores >= CORES_PER_GPU * sum(q for _, q in gpus) and supply >= demand,
        "ssd_room": ssd >= ssd_room_gb(workload, ctx),
        "dual_channel": modules >= 2,
        "psu_upgrade": psu * 100 >= PSU_HEADROOM_PCT * upgraded,
        "free_slot": slots - modules >= 1,
        "two_free_slots": slots - modules >= 2,
    }


def score(items: list[tuple[AnyPart, int, int]], workload: Any,
          throughputs: dict[tuple[str, int], float], capacities: dict[tuple[str, int], int]
          | None = None, upgrade_w: dict[str, int] | None = None, ctx: Any = None,
          stand_ins: frozenset[str] = frozenset()) -> Score:
    """Score a build given as (part, quantity, unit cost).

    ``throughputs``/``capacities``: (GPU id, count) -> the option's values;
    ``stand_ins``: the parts priced by a chip-MSRP stand-in (``quote_preference``).
    """
    gpus = [(p, q) for p, q, _ in items if p.category == Category.gpu]
    t = sum(throughput_int(throughputs.get((p.id, q), 0.0)) for p, q in gpus)
    cap = sum((capacities or {}).get((p.id, q), 0) for p, q in gpus)
    met = balance_met(items, workload, upgrade_w or {}, ctx)
    bal = sum(w for name, w, _ in BALANCE_TERMS if met[name])
    cost = sum(c * q for _, q, c in items)
    pref = sum(preference(p) - STAND_IN_PENALTY * (p.id in stand_ins) for p, _, _ in items)
    return Score(t, bal, cost, tuple(n for n, _, _ in BALANCE_TERMS if met[n]), cap, pref)
