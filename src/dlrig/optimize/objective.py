"""The plan's objective: lexicographic, in three integer stages.

1. **Throughput**: the workload's estimated training throughput of the GPUs
   (``perf.gpu_throughput`` x number of identical boards), in thousandths of
   the reference card. Nothing else matters until this is as high as the
   budget allows: the GPU is the machine's real "central processing unit".
2. **Balance and room to grow** (points, each a yes/no):
   - ``ram_room`` (4): system RAM at least twice the floor (the floor,
     ``ram_per_vram`` x the GPU's VRAM, is a hard constraint): the founding
     post's 16 GB for an 8 GB card;
   - ``dual_channel`` (2): two or more modules;
   - ``free_slot`` and ``two_free_slots`` (1 each): memory slots left to grow;
   - ``psu_room`` (1): PSU at least 1.5 x the sustained draw (the hard rule
     asks 1.25 x).
   The weights order the terms; no term is worth more than RAM room.
3. **Cost**: the lowest total price; ties are broken by part id so the same
   question always gets the same answer.

The stages are solved one after another, each fixing the previous optimum
(``solve.py``), so no weight has to separate a throughput point from a cent.
The same three numbers are computed for any concrete build by ``score``,
which the exhaustive search and the explanations use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..parts import AnyPart, Category, Gpu, Memory, Motherboard, Psu, Storage
from ..power import part_draw_w

THROUGHPUT_SCALE = 1000
BALANCE_TERMS = (
    ("ram_room", 4, "RAM at least twice the workload's floor (room to grow)"),
    ("dual_channel", 2, "two or more memory modules (dual channel)"),
    ("free_slot", 1, "a free memory slot"),
    ("two_free_slots", 1, "two free memory slots"),
    ("psu_room", 1, "PSU at least 1.5 x the sustained draw"),
)
BALANCE_MAX = sum(w for _, w, _ in BALANCE_TERMS)
PSU_ROOM_PCT = 150
RAM_ROOM_FACTOR = 2
DEFAULT_RAM_PER_VRAM = 1.0  # memory.ram-vs-vram's default (the post's and Dettmers' rule)


def term_text(name: str, workload: Any) -> str:
    """A balance term in words, with the floor it doubles spelled out for this workload."""
    if name == "ram_room":
        ratio = ram_per_vram(workload)
        whose = f"the {workload.name} floor" if workload is not None else "the default floor"
        return f"RAM at least {RAM_ROOM_FACTOR * ratio:g} x the GPU's VRAM (twice {whose})"
    return next((d for n, _, d in BALANCE_TERMS if n == name), name)


def floor_text(workload: Any) -> str:
    """The floors a plan without a workload still meets, for the headline."""
    if workload is not None:
        return workload.name
    return (f"none (only the default floor: RAM at least {ram_per_vram(None):g} x the "
            "GPU's VRAM)")


def throughput(gpu: Gpu, workload: Any) -> float:
    """Relative throughput of one board (0 when the chip is unknown)."""
    from ..perf import gpu_throughput

    t = gpu_throughput(gpu, workload)
    return float(t or 0.0)


def throughput_int(t: float) -> int:
    return int(round(t * THROUGHPUT_SCALE))


def ram_per_vram(workload: Any) -> float:
    return float(getattr(workload, "ram_per_vram", None) or DEFAULT_RAM_PER_VRAM)


def vram10(gpu: Gpu, factor: float) -> int:
    """factor x VRAM in tenths of a GB, rounded up (the RAM it asks for)."""
    return int(math.ceil(round(gpu.vram_gb * factor * 10, 6)))


def min_ssd_gb(workload: Any) -> int:
    return int(getattr(workload, "min_ssd_gb", 0) or 0)


def features(cand, cs) -> tuple[tuple, tuple]:
    """(equal-only, higher-is-better) features of a candidate for dominance pruning.

    Every number the objective or a structural constraint reads from a part
    is here, with its direction; a part is only pruned by one that is at
    least as good on all of them.
    """
    p = cand.part
    draw = -part_draw_w(p)
    if isinstance(p, Gpu):
        return (p.vram_gb,), (throughput_int(cand.throughput), draw)
    if isinstance(p, Memory):
        return (p.modules,), (p.total_gb, draw)
    if isinstance(p, Motherboard):
        return (), (p.memory_slots, draw)
    if isinstance(p, Psu):
        return (), (p.wattage_w, draw)
    if isinstance(p, Storage):
        return (p.kind,), (p.capacity_gb if p.kind == "SSD" else 0, draw)
    return (), (draw,)


@dataclass(frozen=True)
class Score:
    """The objective of one build: compare tuples (higher is better)."""

    throughput: int  # thousandths of the reference card
    balance: int
    cost: int  # minor units of the market's currency
    terms: tuple[str, ...] = ()  # balance terms met

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.throughput, self.balance, -self.cost)


def score(items: list[tuple[AnyPart, int, int]], workload: Any,
          throughputs: dict[str, float]) -> Score:
    """Score a build given as (part, quantity, unit cost) with GPU throughputs by id."""
    gpus = [(p, q) for p, q, _ in items if p.category == Category.gpu]
    t = sum(throughput_int(throughputs[p.id]) * q for p, q in gpus)
    ram10 = sum(p.total_gb * q * 10 for p, q, _ in items if isinstance(p, Memory))
    modules = sum(p.modules * q for p, q, _ in items if isinstance(p, Memory))
    slots = sum(p.memory_slots for p, q, _ in items if isinstance(p, Motherboard))
    psu = sum(p.wattage_w for p, q, _ in items if isinstance(p, Psu))
    draw = sum(part_draw_w(p) * q for p, q, _ in items)
    ratio = ram_per_vram(workload)
    need = max((vram10(p, ratio * RAM_ROOM_FACTOR) for p, _ in gpus), default=0)
    met = {
        "ram_room": ram10 >= need,
        "dual_channel": modules >= 2,
        "free_slot": slots - modules >= 1,
        "two_free_slots": slots - modules >= 2,
        "psu_room": psu * 100 >= PSU_ROOM_PCT * draw,
    }
    bal = sum(w for name, w, _ in BALANCE_TERMS if met[name])
    cost = sum(c * q for _, q, c in items)
    return Score(t, bal, cost, tuple(n for n, _, _ in BALANCE_TERMS if met[n]))
