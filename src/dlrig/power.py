"""Power: sustained draw, transients, PSU sizing, wall power, running cost.

Sustained DC draw (DESIGN.md section 4), per part, in whole watts:

  CPU      peak package power (Intel PL2 / AMD PPT = 1.35 x TDP) where the
           data has it, else TDP
  GPU      board power (the vendor's TGP/TBP), per card
  board    60 W (50-80 W: chipset, VRM losses, USB, on-board fans)
  memory   5 W per DIMM
  storage  5 W per SSD, 9 W per 3.5" HDD
  case     2 fans x 3 W (two case fans assumed)
  cooler   3 W for an air cooler's fan, 8 W for a liquid cooler's pump and fans

The founding post's parts list was estimated (by PCPartPicker) at 284 W, and
at 314 W with two more DIMMs and a 1 TB HDD; this model gives 285 W and 304 W
on the same parts (tests/test_power.py keeps it within 10 %).

Transient peak: modern GPUs spike to ~1.6 x board power for under a
millisecond (RTX 5090: ~900 W against 575 W). An ATX 3.x unit is specified to
ride 200 % of its rating for 100 us, so only half the spike counts against it;
an older unit is sized against the whole spike.

Wall power = DC / efficiency(load), with the 80 Plus curves (at 20 / 50 /
100 % load) interpolated linearly between those points and held flat outside
them: the 115 V curves on 100-127 V mains (the US, Brazil's 127 V), the
230 V EU Internal curves on 200-240 V mains (Europe, India, Argentina), where
a unit loses less. Yearly cost = wall W x hours a day x days a year x
utilisation / 1000 x tariff per kWh; ``dlrig power`` takes the voltage and the
tariff from the build's market (``dlrig.market``) unless told otherwise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .errors import InputError
from .parts import AnyPart, Case, Cooler, Cpu, Gpu, Memory, Motherboard, Storage
from .units import Money, check_currency

BOARD_W = 60
DIMM_W = 5
SSD_W = 5
HDD_W = 9
FAN_W = 3
CASE_FANS = 2
LIQUID_COOLER_W = 8

TRANSIENT_FACTOR = 1.6  # modern GPUs spike to ~1.6x board power for < 1 ms
ATX3_EXCURSION = 2.0  # ATX 3.x: 200 % of rated power for 100 us

# 80 Plus efficiency (%) at 20 / 50 / 100 % load, 115 V internal (non-redundant).
# "none": a unit without certification, ~75 % (no standard; a typical figure).
EFFICIENCY_CURVES: dict[str, tuple[int, int, int]] = {
    "none": (75, 75, 75),
    "80+": (80, 80, 80),
    "80+ Bronze": (82, 85, 82),
    "80+ Silver": (85, 88, 85),
    "80+ Gold": (87, 90, 87),
    "80+ Platinum": (90, 92, 89),
    "80+ Titanium": (92, 94, 90),
}

# 80 Plus efficiency (%) at 20 / 50 / 100 % load on 230 V, the "230V EU Internal"
# (non-redundant) requirements, as tabulated in latex4ei/tex4tum,
# _article/electronics/computer/psu.md ("Non-Redundant PSU": 80 PLUS 82/85/82, Bronze
# 85/88/85, Silver 87/90/87, Gold 90/92/89, Platinum 92/94/90; reference plugloadsolutions.com).
# Titanium: that table's row gives 94 % at 20 % and 96 % at 50 % load but no 100 % figure,
# so Platinum's 90 % stands in for it there (Titanium is at least Platinum).
# "none" has no 230 V figure: the 115 V guess is kept.
EFFICIENCY_CURVES_230V: dict[str, tuple[int, int, int]] = {
    "none": (75, 75, 75),
    "80+": (82, 85, 82),
    "80+ Bronze": (85, 88, 85),
    "80+ Silver": (87, 90, 87),
    "80+ Gold": (90, 92, 89),
    "80+ Platinum": (92, 94, 90),
    "80+ Titanium": (94, 96, 90),
}
LOW_VOLTAGE_MAX = 127  # mains at or below this use the 115 V curves

PSU_SIZES = (300, 350, 400, 430, 450, 500, 550, 600, 650, 700, 750, 850, 1000, 1200,
             1300, 1500, 1600, 2000)

# Defaults of the running-cost estimate; every output states them. A market with a
# published tariff (``Market.tariff``) replaces the first two: see ``tariff_for``.
DEFAULT_TARIFF = 0.15  # per kWh: about the US residential average (EIA, 2023-2024)
DEFAULT_CURRENCY = "USD"
DEFAULT_TARIFF_SOURCE = "dlrig's default, about the US residential average"
DEFAULT_HOURS_PER_DAY = 8.0
DEFAULT_DAYS_PER_YEAR = 365
DEFAULT_UTILISATION = 1.0


@dataclass(frozen=True)
class PowerLimit:
    """GPUs capped below their board power (``nvidia-smi -pl``), as multi-GPU owners run them.

    Either a ``fraction`` of each card's board power or ``watts`` per card
    (a card whose board power is lower keeps its own). Draw, the circuit and
    the PSU use the capped figure; transient spikes do not shrink with it
    (no measurement shows they do: docs/power.md), and throughput follows
    the power-throughput curve (``perf.power_limit_factor``).
    """

    fraction: float | None = None
    watts: int | None = None

    def gpu_w(self, board_power_w: int) -> int:
        if self.watts is not None:
            return min(board_power_w, self.watts)
        return int(round(board_power_w * (self.fraction or 1.0)))

    def fraction_of(self, board_power_w: int) -> float:
        return self.gpu_w(board_power_w) / board_power_w

    def describe(self) -> str:
        return f"{self.watts} W per GPU" if self.watts is not None else \
            f"{self.fraction:.0%} of each GPU's board power"


MIN_POWER_FRACTION = 0.5  # the measured curves start here; cards' firmware floors vary above


def parse_power_limit(value) -> PowerLimit | None:
    """'0.7' (of board power), '70%' or '300W' (per GPU); None or '' for no limit."""
    if value is None or isinstance(value, PowerLimit):
        return value
    text = str(value).strip().lower().replace(" ", "")
    if not text:
        return None
    hint = "give a fraction of board power (0.7 or 70%) or watts per GPU (300W)"
    try:
        if text.endswith("w"):
            watts = int(float(text[:-1]))
            if not 50 <= watts <= 1500:
                raise InputError(f"power limit {value}: {watts} W per GPU is outside 50-1500 W",
                                 hint=hint, field="power_limit")
            return PowerLimit(watts=watts)
        frac = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise InputError(f"bad power limit '{value}'", hint=hint, field="power_limit") from None
    if not MIN_POWER_FRACTION <= frac <= 1.0:
        raise InputError(f"power limit {value} is outside {MIN_POWER_FRACTION:g}-1 of board "
                         f"power", hint=hint, field="power_limit")
    return None if frac == 1.0 else PowerLimit(fraction=frac)


# Throughput against the power limit, as a share of stock: piecewise linear in the limit's
# share of board power (docs/power.md has the measurements each point comes from).
# Compute-bound work (training, prompt processing): Puget Systems' 4 x RTX 3090 tests and
# the club-3090 project's 10 W-step sweeps of the RTX 3090 and 5090 (noonghunna/club-3090
# at 4a29ab57). Memory-bound work (one user's token generation): club-3090's RTX 3090/4090
# decode sweeps and the RTX 5060 Ti / RTX PRO 6000 measurements cited there.
POWER_CURVE_COMPUTE = ((0.5, 0.52), (0.6, 0.72), (0.7, 0.85), (0.8, 0.94), (0.9, 0.98),
                       (1.0, 1.0))
POWER_CURVE_DECODE = ((0.5, 0.75), (0.6, 0.86), (0.7, 0.93), (0.8, 0.97), (0.9, 0.99),
                      (1.0, 1.0))


def throughput_factor(fraction: float, memory_bound: bool = False) -> float:
    """Share of stock throughput a card keeps at ``fraction`` of its board power."""
    curve = POWER_CURVE_DECODE if memory_bound else POWER_CURVE_COMPUTE
    if fraction >= 1.0:
        return 1.0
    if fraction <= curve[0][0]:
        return curve[0][1]
    for (x0, y0), (x1, y1) in zip(curve, curve[1:], strict=False):
        if fraction <= x1:
            return y0 + (y1 - y0) * (fraction - x0) / (x1 - x0)
    return 1.0


def gpu_draw_w(gpu: Gpu, limit: PowerLimit | None = None) -> int:
    """A card's sustained watts: its board power, or the power limit when lower."""
    return limit.gpu_w(gpu.board_power_w) if limit is not None else gpu.board_power_w


def part_draw_w(part: AnyPart, limit: PowerLimit | None = None) -> int:
    """Sustained DC watts one unit of ``part`` adds (0 for the PSU itself)."""
    if isinstance(part, Cpu):
        return part.peak_power_w or part.tdp_w
    if isinstance(part, Gpu):
        return gpu_draw_w(part, limit)
    if isinstance(part, Motherboard):
        return BOARD_W
    if isinstance(part, Memory):
        return DIMM_W * part.modules
    if isinstance(part, Storage):
        return HDD_W if part.kind == "HDD" else SSD_W
    if isinstance(part, Case):
        return FAN_W * CASE_FANS
    if isinstance(part, Cooler):
        return LIQUID_COOLER_W if part.kind == "liquid" else FAN_W
    return 0


def part_transient_w(part: AnyPart, limit: PowerLimit | None = None) -> int:
    """Peak watts of one unit during a GPU power excursion (< 1 ms).

    Under a power limit the spike is taken as the limited draw plus the same
    0.6 x stock board power above it: no published measurement shows spikes
    shrinking with the limit (docs/power.md), so dlrig does not assume they do.
    """
    if isinstance(part, Gpu):
        return gpu_draw_w(part, limit) + int(round(part.board_power_w * (TRANSIENT_FACTOR - 1)))
    return part_draw_w(part)


def curve_voltage(mains_v: int | None) -> int:
    """The 80 Plus test voltage whose curve applies on ``mains_v`` (None: US mains): 115 or 230."""
    return 230 if mains_v is not None and mains_v > LOW_VOLTAGE_MAX else 115


def efficiency_pct(rating: str, load: float, mains_v: int | None = None) -> float:
    """80 Plus efficiency (%) of a unit of ``rating`` at ``load`` (0-1+ of its rating),
    on ``mains_v`` volts (None: 115 V, the US curves)."""
    curves = EFFICIENCY_CURVES_230V if curve_voltage(mains_v) == 230 else EFFICIENCY_CURVES
    curve = curves.get(rating, curves["none"])
    points = ((0.2, curve[0]), (0.5, curve[1]), (1.0, curve[2]))
    if load <= points[0][0]:
        return float(points[0][1])
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        if load <= x1:
            return y0 + (y1 - y0) * (load - x0) / (x1 - x0)
    return float(points[-1][1])


def min_efficiency_pct(rating: str) -> int:
    """The lowest point of the curve: a safe figure for a linear (solver) bound."""
    return min(EFFICIENCY_CURVES.get(rating, EFFICIENCY_CURVES["none"]))


def recommended_psu_w(sustained: int, transient: int, atx3: bool) -> int:
    """Smallest common PSU size with 25 % headroom over sustained draw that
    also covers the transient peak (an ATX 3.x unit rides 200 % spikes)."""
    need = max(sustained * 1.25, transient if not atx3 else transient / ATX3_EXCURSION)
    return next((s for s in PSU_SIZES if s >= need), int(need))


@dataclass
class PowerEstimate:
    """The build's draw and the one recommended PSU size (``recommended_psu_w``).

    The recommendation is the smallest common size with 25 % headroom over
    the sustained draw that rides the transient spike, judged as the build's
    own PSU type (ATX 3.x rides 200 %) or, without a PSU, as a pre-ATX-3
    unit. The same two tests are the rules power.psu-headroom and
    power.transient, which the planner enforces.
    """

    by_part: list[tuple[str, int, int]]  # (name, quantity, watts total)
    sustained_w: int
    transient_w: int
    recommended_psu_w: int
    psu_w: int | None
    extras: dict[str, Any] = field(default_factory=dict)
    power_limit: str | None = None  # PowerLimit.describe() when the GPUs are capped
    psu_name: str | None = None
    psu_atx3: bool = False
    psu_efficiency: str | None = None
    load_pct: float | None = None
    efficiency_pct: float | None = None
    wall_w: int | None = None
    mains_v: int | None = None  # the mains the wall figure is for; None: US 115 V curves

    @property
    def curve_v(self) -> int:
        """The 80 Plus test voltage of the curve the wall figure used: 115 or 230."""
        return curve_voltage(self.mains_v)

    @property
    def headroom_w(self) -> int | None:
        return None if self.psu_w is None else self.psu_w - self.sustained_w

    @property
    def headroom_pct(self) -> float | None:
        return None if not self.psu_w else 100.0 * (self.psu_w - self.sustained_w) / self.psu_w

    @property
    def transient_capacity_w(self) -> int | None:
        """What the chosen unit rides for a spike: 2 x rating for ATX 3.x."""
        if self.psu_w is None:
            return None
        return int(self.psu_w * (ATX3_EXCURSION if self.psu_atx3 else 1))

    def to_dict(self) -> dict[str, Any]:
        return {
            "sustained_w": self.sustained_w,
            "transient_w": self.transient_w,
            "recommended_psu_w": self.recommended_psu_w,
            "power_limit": self.power_limit,
            "psu": self.psu_name,
            "psu_w": self.psu_w,
            "psu_atx3": self.psu_atx3,
            "psu_efficiency": self.psu_efficiency,
            "headroom_w": self.headroom_w,
            "headroom_pct": None if self.headroom_pct is None else round(self.headroom_pct, 1),
            "transient_capacity_w": self.transient_capacity_w,
            "load_pct": None if self.load_pct is None else round(self.load_pct, 1),
            "efficiency_pct": None if self.efficiency_pct is None else round(self.efficiency_pct, 1),
            "wall_w": self.wall_w,
            "mains_v": self.mains_v,
            "efficiency_curve_v": self.curve_v,
            "by_part": [{"part": n, "quantity": q, "watts": w} for n, q, w in self.by_part],
            **self.extras,
        }


def sustained_w(build, limit: PowerLimit | None = None) -> int:
    return sum(part_draw_w(i.part, limit) * i.quantity for i in build.items)


def transient_w(build, limit: PowerLimit | None = None) -> int:
    return sum(part_transient_w(i.part, limit) * i.quantity for i in build.items)


def estimate(build, limit: PowerLimit | None = None, mains_v: int | None = None) -> PowerEstimate:
    """Sustained and peak draw of ``build`` (GPUs capped by ``limit``), PSU sizing, wall power.

    ``mains_v`` picks the efficiency curve of the wall figure (None: the US 115 V
    curves, which the circuit rule and the planner also use: a bound on the high side).
    """
    by_part = [(i.part.name, i.quantity, part_draw_w(i.part, limit) * i.quantity)
               for i in build.items if part_draw_w(i.part, limit)]
    total = sum(w for _, _, w in by_part)
    peak = transient_w(build, limit)
    psu = build.psu
    est = PowerEstimate(
        by_part=by_part,
        sustained_w=total,
        transient_w=peak,
        recommended_psu_w=recommended_psu_w(total, peak, atx3=bool(psu and psu.atx3)),
        psu_w=None,
        power_limit=limit.describe() if limit is not None else None,
        mains_v=mains_v,
    )
    if psu is not None:
        est.psu_name = psu.name
        est.psu_w = psu.wattage_w
        est.psu_atx3 = psu.atx3
        est.psu_efficiency = psu.efficiency
        est.load_pct = 100.0 * total / psu.wattage_w
        est.efficiency_pct = efficiency_pct(psu.efficiency, total / psu.wattage_w, mains_v)
        est.wall_w = int(round(total * 100 / est.efficiency_pct))
    return est


@dataclass(frozen=True)
class RunningCost:
    """Electricity a build uses in a year of training, and what it costs."""

    wall_w: int
    tariff: float
    currency: str
    hours_per_day: float
    days_per_year: int
    utilisation: float
    kwh_per_year: float
    cost: Money
    tariff_source: str | None = None  # where the tariff comes from (a market's publication)
    tariff_date: dt.date | None = None

    def assumptions(self) -> str:
        text = (f"{self.hours_per_day:g} h/day x {self.days_per_year} days/year at "
                f"{self.utilisation:.0%} of sustained load, {self.tariff:g} {self.currency}/kWh")
        if self.tariff_source:
            when = f", {self.tariff_date}" if self.tariff_date else ""
            text += f" ({self.tariff_source}{when})"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "wall_w": self.wall_w,
            "tariff_per_kwh": self.tariff,
            "currency": self.currency,
            "hours_per_day": self.hours_per_day,
            "days_per_year": self.days_per_year,
            "utilisation": self.utilisation,
            "kwh_per_year": round(self.kwh_per_year, 1),
            "cost_per_year": self.cost.amount,
            "cost_per_year_minor": self.cost.minor,
            "tariff_source": self.tariff_source,
            "tariff_date": None if self.tariff_date is None else self.tariff_date.isoformat(),
        }


def running_cost(
    wall_w: int,
    tariff: float = DEFAULT_TARIFF,
    currency: str = DEFAULT_CURRENCY,
    hours_per_day: float = DEFAULT_HOURS_PER_DAY,
    days_per_year: int = DEFAULT_DAYS_PER_YEAR,
    utilisation: float = DEFAULT_UTILISATION,
    tariff_source: str | None = None,
    tariff_date: dt.date | None = None,
) -> RunningCost:
    """Yearly energy and cost: wall W x h/day x days x utilisation / 1000 x tariff.

    ``utilisation`` scales the sustained load over the powered hours (0.5: the
    GPUs train half the time, or at half load); the machine is off otherwise.
    ``tariff_source`` and ``tariff_date`` say where the tariff comes from, so
    every output can name it.
    """
    if tariff < 0:
        raise InputError(f"tariff must be >= 0 (got {tariff})", hint="give the price of one kWh")
    if not 0 <= hours_per_day <= 24:
        raise InputError(f"hours per day must be from 0 to 24 (got {hours_per_day})")
    if not 0 <= days_per_year <= 366:
        raise InputError(f"days per year must be from 0 to 366 (got {days_per_year})")
    if not 0 <= utilisation <= 1:
        raise InputError(f"utilisation must be from 0 to 1 (got {utilisation})",
                         hint="0.5 means half of the powered hours at full load")
    cur = check_currency(currency)
    kwh = wall_w * hours_per_day * days_per_year * utilisation / 1000.0
    return RunningCost(wall_w, tariff, cur, hours_per_day, days_per_year, utilisation, kwh,
                       Money.of(round(kwh * tariff, 2), cur), tariff_source, tariff_date)


@dataclass(frozen=True)
class TariffChoice:
    """The tariff a running-cost estimate uses, and where it comes from."""

    per_kwh: float
    currency: str
    source: str
    date: dt.date | None = None


def tariff_for(market=None, tariff: float | None = None,
               currency: str | None = None) -> TariffChoice:
    """The tariff for a build bought and run in ``market`` (a ``dlrig.market.Market``).

    An explicit ``tariff`` always wins, in ``currency`` (default: the market's
    currency, else USD). Otherwise the market's published tariff (dated, sourced),
    else dlrig's default of 0.15 USD, named as such. A ``currency`` without a
    ``tariff`` must be the chosen tariff's own: dlrig does not convert a tariff.
    """
    if tariff is not None:
        cur = check_currency(currency or (market.currency if market is not None else
                                          DEFAULT_CURRENCY))
        return TariffChoice(tariff, cur, "given")
    published = market.tariff if market is not None else None
    if published is not None:
        choice = TariffChoice(published.per_kwh, published.currency,
                              f"market {market.code}: {published.source}", published.date)
    else:
        why = f"; market {market.code} states no tariff" if market is not None else ""
        choice = TariffChoice(DEFAULT_TARIFF, DEFAULT_CURRENCY, DEFAULT_TARIFF_SOURCE + why)
    if currency is not None and check_currency(currency) != choice.currency:
        raise InputError(
            f"the tariff is in {choice.currency} ({choice.per_kwh:g} {choice.currency}/kWh), "
            f"not {check_currency(currency)}",
            hint=f"give the price of one kWh in {check_currency(currency)} with --tariff",
            field="currency")
    return choice
