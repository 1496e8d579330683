"""Power: sustained draw, transients, PSU sizing, wall power, running cost.

Sustained DC draw (DESIGN.md section 4):
  CPU peak package power (Intel PL2 / AMD PPT where known, else TDP)
  + GPU board power x count
  + board 60 W (50-80 W for chipset, VRM losses, USB, fans on the board)
  + 5 W per DIMM, 5 W per SSD, 9 W per 3.5" HDD, 3 W per fan (two case fans assumed)
  + the cooler's pump/fans (3 W air, 8 W liquid).
The founding post's parts list was estimated by PCPartPicker at 284 W, and at
314 W with two more DIMMs and a 1 TB HDD; this model gives 285 W and 304 W.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .parts import AnyPart, Case, Cooler, Cpu, Gpu, Memory, Motherboard, Storage

BOARD_W = 60
DIMM_W = 5
SSD_W = 5
HDD_W = 9
FAN_W = 3
CASE_FANS = 2


def part_draw_w(part: AnyPart) -> int:
    """Sustained DC watts one unit of ``part`` adds (0 for the PSU itself)."""
    if isinstance(part, Cpu):
        return part.peak_power_w or part.tdp_w
    if isinstance(part, Gpu):
        return part.board_power_w
    if isinstance(part, Motherboard):
        return BOARD_W
    if isinstance(part, Memory):
        return DIMM_W * part.modules
    if isinstance(part, Storage):
        return HDD_W if part.kind == "HDD" else SSD_W
    if isinstance(part, Case):
        return FAN_W * CASE_FANS
    if isinstance(part, Cooler):
        return 8 if part.kind == "liquid" else FAN_W
    return 0


@dataclass
class PowerEstimate:
    by_part: list[tuple[str, int, int]]  # (name, quantity, watts total)
    sustained_w: int
    transient_w: int
    recommended_psu_w: int
    psu_w: int | None
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def headroom_w(self) -> int | None:
        return None if self.psu_w is None else self.psu_w - self.sustained_w

    @property
    def headroom_pct(self) -> float | None:
        return None if not self.psu_w else 100.0 * (self.psu_w - self.sustained_w) / self.psu_w

    def to_dict(self) -> dict[str, Any]:
        return {
            "sustained_w": self.sustained_w,
            "transient_w": self.transient_w,
            "recommended_psu_w": self.recommended_psu_w,
            "psu_w": self.psu_w,
            "headroom_w": self.headroom_w,
            "headroom_pct": None if self.headroom_pct is None else round(self.headroom_pct, 1),
            "by_part": [{"part": n, "quantity": q, "watts": w} for n, q, w in self.by_part],
            **self.extras,
        }


TRANSIENT_FACTOR = 1.6  # modern GPUs spike to ~1.6x board power for < 1 ms


def sustained_w(build) -> int:
    return sum(part_draw_w(i.part) * i.quantity for i in build.items)


def estimate(build) -> PowerEstimate:
    by_part = [(i.part.name, i.quantity, part_draw_w(i.part) * i.quantity) for i in build.items
               if part_draw_w(i.part)]
    total = sum(w for _, _, w in by_part)
    gpu_w = sum(g.board_power_w for g in build.gpus)
    transient = total + int(round(gpu_w * (TRANSIENT_FACTOR - 1)))
    recommended = recommended_psu_w(total, transient, atx3=False)
    psu = build.psu
    return PowerEstimate(by_part, total, transient, recommended, psu.wattage_w if psu else None)


def recommended_psu_w(sustained: int, transient: int, atx3: bool) -> int:
    """Smallest common PSU size with 25 % headroom over sustained draw that
    also covers the transient peak (an ATX 3.x unit rides 200 % spikes)."""
    need = max(sustained * 1.25, transient if not atx3 else transient / 2.0)
    sizes = (300, 350, 400, 430, 450, 500, 550, 600, 650, 700, 750, 850, 1000, 1200, 1300, 1500, 1600, 2000)
    return next((s for s in sizes if s >= need), int(need))
