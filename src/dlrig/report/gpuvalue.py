"""The GPU value chart's data: estimated throughput per money against GPU memory.

``dlrig gpus`` and the web's GPUs page rank chips with ``perf.rank_gpus`` and
``perf.select_gpus``; this module turns those same rows into the chart's points, so the
chart, the table and the JSON never disagree. It also finds the points worth naming on a
crowded chart: the value front (no other card has at least as much memory *and* at least
as much throughput per money) and the best few by value. No matplotlib here: the data is
tested on its own and the drawing lives in ``report.charts``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InputError


@dataclass(frozen=True)
class ValuePoint:
    """One priced chip on the chart. ``value`` is relative throughput per ``per`` units of
    ``currency`` (the chart picks ``per`` so the numbers read as 0.1 to 100, not 1e-4)."""

    name: str
    vram_gb: float
    value: float
    relative_throughput: float
    price: float
    currency: str
    estimated: bool
    meets_vram_floor: bool
    on_front: bool = False


def value_unit(per_money: list[float]) -> int:
    """The money unit (1,000, 10,000, ...) that makes the best throughput per money at
    least 0.5: per 1,000 USD reads 0.5 to 5, while pesos need per 1,000,000 ARS."""
    best = max(per_money, default=0.0)
    unit = 1000
    while best > 0 and best * unit < 0.5 and unit < 10**12:
        unit *= 10
    return unit


def front(points: list[ValuePoint]) -> set[str]:
    """Names of the points no other point dominates (at least as much VRAM and at least
    as much value, more of one): the cards worth buying at each memory size."""
    out = set()
    for p in points:
        if not any(q is not p and q.vram_gb >= p.vram_gb and q.value >= p.value
                   and (q.vram_gb > p.vram_gb or q.value > p.value) for q in points):
            out.add(p.name)
    return out


def value_points(scores, currency: str) -> tuple[list[ValuePoint], int]:
    """The priced rows of a ranking (``perf.GpuScore``) as chart points, and the money unit
    their ``value`` is per. A ranking without prices is a one-line error: the chart plots
    throughput per money, so it needs a market whose GPUs have prices."""
    priced = [s for s in scores if s.price is not None and s.price.amount > 0]
    if not priced:
        raise InputError("no GPU in this list has a price, so there is no value to plot",
                         hint="choose a market with GPU prices (e.g. --market us)", field="market")
    unit = value_unit([s.relative_throughput / float(s.price.amount) for s in priced])
    pts = [ValuePoint(name=s.name, vram_gb=float(s.vram_gb),
                      value=s.relative_throughput / float(s.price.amount) * unit,
                      relative_throughput=s.relative_throughput, price=float(s.price.amount),
                      currency=s.price.currency or currency, estimated=s.price_estimated,
                      meets_vram_floor=s.meets_vram_floor) for s in priced]
    best = front(pts)
    pts = [ValuePoint(**{**p.__dict__, "on_front": p.name in best}) for p in pts]
    return pts, unit


def labelled(points: list[ValuePoint], top: int = 6) -> list[ValuePoint]:
    """The points to name, most important first: the value front, then the best ``top``
    by value (a label that cannot be placed without a collision is dropped last-first)."""
    order = sorted(points, key=lambda p: (-p.value, p.name))
    first = [p for p in order if p.on_front]
    rest = [p for p in order[:top] if not p.on_front]
    return first + rest
