"""Power rules: PSU size against the draw estimate, transients, connectors, circuit.

All sums are integers (watts x 100 or x 10) so the optimizer can add the same
inequalities to its CP-SAT model; the draw per part is ``power.part_draw_w``.
"""

from __future__ import annotations

import math

from ..parts import Category, Gpu, Psu
from ..power import (
    ATX3_EXCURSION,
    TRANSIENT_FACTOR,
    min_efficiency_pct,
    part_draw_w,
    part_transient_w,
    sustained_w,
)
from .registry import LinearRule, Severity, Violation, register
from .text import names

_POWER_SRC = ("dlrig's draw model (docs/power.md: CPU peak power, GPU board power, board 60 W, "
              "5 W per DIMM/SSD, 9 W per HDD, fans)")


def _draw_x(k: int):
    return lambda p, ctx: part_draw_w(p, ctx.power_limit) * k


def _psu_x(k: int):
    return lambda p, ctx: p.wattage_w * k if isinstance(p, Psu) else 0


def _psu_describe(factor: float, what: str, fix: str):
    def describe(lhs, rhs, build, ctx):
        s = sustained_w(build, ctx.power_limit)
        psu = build.psu
        need = math.ceil(s * factor)
        return Violation(
            f"the estimated sustained draw is {s} W; x {factor:g} = {need} W is more "
            f"than the {psu.wattage_w} W of {names(build, Category.psu)} ({what})",
            fix.format(need=need),
            {"sustained_w": s, "needed_w": need, "psu_w": psu.wattage_w},
        )
    return describe


register(LinearRule(
    id="power.psu-min",
    fires_when="Fires when `sustained draw x 1.05 <= PSU watts` fails (in integers: draw x 105 <= "
               "watts x 100).",
    severity=Severity.error,
    title="The PSU covers the sustained draw",
    rationale="A unit run at or above its rating trips its over-current protection or fails "
              "under a long training run; 5 % covers the estimate's error. Source: " + _POWER_SRC
              + "; DESIGN.md section 3.",
    categories=(Category.psu,),
    lhs=_draw_x(105),
    rhs=_psu_x(100),
    requires=(Category.psu,),
    describe=_psu_describe(1.05, "no margin at all",
                           "choose a PSU of at least {need} W (dlrig power shows the recommended size)"),
))

register(LinearRule(
    id="power.psu-headroom",
    fires_when="Fires when `sustained draw x 1.25 <= PSU watts` fails.",
    severity=Severity.warning,
    title="The PSU has 25 % headroom over the sustained draw",
    rationale="Units are most efficient and quietest around 50 % load, age, and see transient "
              "spikes; the founding post: power-supply problems are 'a real headache', keep "
              "generous headroom (its 500 W unit for 284 W). Source: the post; 80 Plus curves.",
    categories=(Category.psu,),
    lhs=_draw_x(125),
    rhs=_psu_x(100),
    requires=(Category.psu,),
    describe=_psu_describe(1.25, "less than 25 % headroom",
                           "choose a PSU of at least {need} W"),
))


def _oversized_describe(lhs, rhs, build, ctx):
    s = sustained_w(build, ctx.power_limit)
    psu = build.psu
    return Violation(
        f"{names(build, Category.psu)} is {psu.wattage_w} W, more than 2.5 x the estimated "
        f"{s} W sustained draw ({s * 2.5:.0f} W): it will run below 40 % load, where efficiency drops",
        f"a {int(s * 1.25)}-{int(s * 2)} W unit would do; keep this one only if more GPUs may come",
        {"psu_w": psu.wattage_w, "sustained_w": s, "limit_w": round(s * 2.5)},
    )


register(LinearRule(
    id="power.psu-oversized",
    fires_when="Fires when `PSU watts <= sustained draw x 2.5` fails.",
    severity=Severity.info,
    title="The PSU is not far larger than needed",
    rationale="80 Plus efficiency is specified from 20 % load up and falls below it; a unit 2.5x "
              "the draw idles inefficiently and cost more. Source: 80 Plus test loads (20/50/100 %).",
    categories=(Category.psu,),
    lhs=_psu_x(100),
    rhs=_draw_x(250),
    requires=(Category.psu,),
    describe=_oversized_describe,
))


def _transient_capacity(p, ctx):
    if not isinstance(p, Psu):
        return 0
    return int(p.wattage_w * 10 * (ATX3_EXCURSION if p.atx3 else 1))


def _transient_describe(lhs, rhs, build, ctx):
    psu = build.psu
    peak = lhs // 10
    cap = rhs // 10
    kind = "an ATX 3.x unit rated for 200 % for 100 us" if psu.atx3 else "a pre-ATX-3 unit"
    return Violation(
        f"GPU power spikes (~{TRANSIENT_FACTOR:g} x board power) take the build to ~{peak} W for "
        f"under a millisecond but {names(build, Category.psu)} is {kind}: {cap} W",
        f"choose an ATX 3.x unit of at least {-(-peak // 2)} W or an older one of at least {peak} W",
        {"transient_w": peak, "psu_transient_capacity_w": cap},
    )


register(LinearRule(
    id="power.transient",
    fires_when="Fires when `sustained draw + 0.6 x GPU board power <= PSU watts` (x 2 for an ATX 3.x "
               "unit) fails.",
    severity=Severity.warning,
    title="The PSU rides the GPUs' transient spikes",
    rationale="Modern GPUs draw ~1.6x their board power for under a millisecond (RTX 5090: ~900 W "
              "against 575 W); pre-ATX-3 units may shut down on such spikes, ATX 3.x units are "
              "specified for 200 % of their rating for 100 us. Sources: Intel ATX 3.0 design "
              "guide (power excursion); reviewers' oscilloscope measurements (Igor's Lab, "
              "TechPowerUp).",
    categories=(Category.gpu, Category.psu),
    lhs=lambda p, ctx: part_transient_w(p, ctx.power_limit) * 10,
    rhs=_transient_capacity,
    requires=(Category.psu,),
    describe=_transient_describe,
))


# -- PCIe power connectors ---------------------------------------------------

def adapter_8pins(gpu: Gpu) -> int:
    """8-pin cables a 12V-2x6 adapter needs for this card: 150 W each, 2 to 4."""
    return max(2, min(4, -(-gpu.board_power_w // 150)))


def _connector_unknown(p, ctx):
    if isinstance(p, Psu) and not (p.pcie_6pin or p.pcie_8pin or p.hpwr12):
        return "the PSU's PCIe connectors are not in the data"
    if isinstance(p, Gpu) and p.board_power_w > 75:
        c = p.power_connectors
        if not (c.pin6 or c.pin8 or c.hpwr12):
            return f"the card draws {p.board_power_w} W but its power connectors are not in the data"
    return None


def _gpu_conn(p) -> tuple[int, int, int]:
    if isinstance(p, Gpu):
        c = p.power_connectors
        return c.pin6, c.pin8, c.hpwr12
    return 0, 0, 0


def _conn_describe(kind: str, fix: str):
    def describe(lhs, rhs, build, ctx):
        return Violation(
            f"the GPUs ({names(build, Category.gpu)}) need {lhs} {kind} but "
            f"{names(build, Category.psu)} provides {rhs}",
            fix,
            {"needed": lhs, "provided": rhs, "connector": kind},
        )
    return describe


_CONN_SRC = ("PCIe CEM specification (75 W slot, 75 W 6-pin, 150 W 8-pin, up to 600 W "
             "12V-2x6); the PSU's and the card's specification pages")

register(LinearRule(
    id="power.connectors-8pin",
    fires_when="Fires when the cards' 8-pin sockets outnumber the PSU's 8-pin (6+2) connectors. Not "
               "checked when the PSU lists no PCIe connectors, or a card above 75 W lists none.",
    severity=Severity.error,
    title="Enough 8-pin PCIe cables for the cards' 8-pin sockets",
    rationale="An 8-pin socket needs an 8-pin (6+2) cable; a 6-pin cable does not fit it. "
              "Source: " + _CONN_SRC + ".",
    categories=(Category.gpu, Category.psu),
    reads=(Category.gpu, Category.psu),
    lhs=lambda p, ctx: _gpu_conn(p)[1],
    rhs=lambda p, ctx: p.pcie_8pin if isinstance(p, Psu) else 0,
    requires=(Category.psu, Category.gpu),
    unknown=_connector_unknown,
    describe=_conn_describe("8-pin PCIe connectors",
                            "choose a PSU with more 8-pin (6+2) PCIe connectors; do not use "
                            "SATA or Molex adapters for GPU power"),
))

register(LinearRule(
    id="power.connectors-6pin",
    fires_when="Fires when the cards' 6-pin plus 8-pin sockets outnumber the PSU's 6-pin plus 8-pin "
               "connectors (an 8-pin cable feeds a 6-pin socket, not the reverse).",
    severity=Severity.error,
    title="Enough PCIe cables for the cards' 6- and 8-pin sockets",
    rationale="A 6-pin socket takes a 6-pin cable or a 6+2-pin one; every 6- and 8-pin socket "
              "needs its own cable end. Source: " + _CONN_SRC + ".",
    categories=(Category.gpu, Category.psu),
    reads=(Category.gpu, Category.psu),
    lhs=lambda p, ctx: _gpu_conn(p)[0] + _gpu_conn(p)[1],
    rhs=lambda p, ctx: p.pcie_6pin + p.pcie_8pin if isinstance(p, Psu) else 0,
    requires=(Category.psu, Category.gpu),
    unknown=_connector_unknown,
    describe=_conn_describe("6/8-pin PCIe connectors in all",
                            "choose a PSU with more PCIe connectors"),
))


def _hpwr_need(p, ctx):
    pin6, pin8, hp = _gpu_conn(p)
    return pin8 + (adapter_8pins(p) * hp if hp else 0)


def _hpwr_have(p, ctx):
    if not isinstance(p, Psu):
        return 0
    return p.pcie_8pin + 4 * p.hpwr12


register(LinearRule(
    id="power.connectors-16pin",
    fires_when="Fires when `8-pin sockets + adapter 8-pins for each 16-pin socket <= PSU 8-pin "
               "connectors + 4 x native 16-pin connectors` fails; a card's adapter takes ceil(board "
               "power / 150 W) 8-pin cables, 2 to 4.",
    severity=Severity.error,
    title="The cards' 16-pin (12V-2x6) sockets can be fed",
    rationale="A 12V-2x6 socket is fed by a native 16-pin cable or by an adapter from 2-4 8-pin "
              "cables (150 W each: 2 up to 300 W, 3 up to 450 W, 4 up to 600 W). Counted in 8-pin "
              "equivalents, a native 16-pin as 4: exact with one 16-pin card, an approximation "
              "with several. Source: " + _CONN_SRC + ".",
    categories=(Category.gpu, Category.psu),
    reads=(Category.gpu, Category.psu),
    lhs=_hpwr_need,
    rhs=_hpwr_have,
    requires=(Category.psu, Category.gpu),
    unknown=_connector_unknown,
    describe=_conn_describe("8-pin-equivalent connectors (16-pin sockets counted as the 8-pin "
                            "cables their adapter takes)",
                            "choose a PSU with a native 12V-2x6 connector (ATX 3.x) or more "
                            "8-pin connectors"),
))


# Adapters are judged only on cards above this board power: NVIDIA ships 16-pin-to-2x8-pin
# adapters as the standard power path of its 300 W workstation cards (RTX 6000 Ada, RTX PRO
# 6000 Max-Q), within the two 8-pin cables' 300 W; the 12VHPWR failures reported since 2022
# were on 450-600 W GeForce cards.
ADAPTER_MIN_W = 300


def _adapter_sockets(p, ctx) -> int:
    if not isinstance(p, Gpu) or p.board_power_w <= ADAPTER_MIN_W:
        return 0
    return _gpu_conn(p)[2]


def _adapter_describe(lhs, rhs, build, ctx):
    gpu = next(g for g in build.gpus if g.power_connectors.hpwr12
               and g.board_power_w > ADAPTER_MIN_W)
    k = adapter_8pins(gpu)
    return Violation(
        f"the GPUs ({names(build, Category.gpu)}) need {lhs} 16-pin 12V-2x6 connectors but "
        f"{names(build, Category.psu)} has {rhs}: the card runs through an adapter from {k} "
        f"8-pin cables",
        "seat the adapter fully and do not bend it near the plug, or choose an ATX 3.x PSU "
        "with a native 12V-2x6 cable",
        {"needed": lhs, "native": rhs, "adapter_8pin": k},
    )


register(LinearRule(
    id="power.connectors-adapter",
    fires_when="Fires when the 16-pin sockets of cards above 300 W board power outnumber the "
               "PSU's native 12V-2x6 connectors, so an adapter is needed.",
    severity=Severity.warning,
    title="16-pin cards have a native 12V-2x6 cable",
    rationale="Adapters add contact resistance and bulk; the melted 12VHPWR connectors reported "
              "since 2022 were mostly partly-seated plugs and adapters on 450-600 W cards. A "
              "native cable from an ATX 3.x unit is the safer path there. Cards of 300 W or "
              "less (NVIDIA's RTX 6000 Ada and RTX PRO 6000 Max-Q ship with a 2 x 8-pin "
              "adapter as their standard power path) are not judged. Sources: PCI-SIG 12V-2x6 "
              "revision; GamersNexus and NVIDIA's 2022 failure analyses; NVIDIA workstation "
              "card datasheets (power connector).",
    categories=(Category.gpu, Category.psu),
    reads=(Category.gpu, Category.psu),
    lhs=_adapter_sockets,
    rhs=lambda p, ctx: p.hpwr12 if isinstance(p, Psu) else 0,
    requires=(Category.psu, Category.gpu),
    unknown=_connector_unknown,
    describe=_adapter_describe,
))


def _circuit_describe(lhs, rhs, build, ctx):
    s = sustained_w(build, ctx.power_limit)
    eff = min_efficiency_pct(build.psu.efficiency)
    wall = round(s * 100 / eff)
    return Violation(
        f"the estimated wall draw is {wall} W ({s} W DC through {names(build, Category.psu)} at "
        f"{eff} % efficiency) but the circuit carries {ctx.circuit_w} W continuously",
        "put the machine on a dedicated or higher-rated circuit (e.g. 230 V), cap the GPUs' "
        "power (nvidia-smi -pl), or use fewer GPUs",
        {"wall_w": wall, "circuit_w": ctx.circuit_w},
    )


register(LinearRule(
    id="power.circuit",
    fires_when="Fires when `DC draw / lowest 80 Plus efficiency of the PSU <= circuit watts` fails "
               "(`--circuit-w`; 1440 W in the US, 1840 W elsewhere).",
    severity=Severity.error,
    title="The wall draw fits the household circuit",
    rationale="A breaker carries 80 % of its rating continuously: 120 V x 15 A x 0.8 = 1440 W in "
              "the US, 230 V x 10 A x 0.8 = 1840 W common elsewhere (--circuit-w). Wall draw = "
              "DC draw / the PSU's lowest 80 Plus efficiency. Sources: US NEC 210.19/210.20 "
              "(continuous loads at 80 %); 80 Plus curves.",
    categories=(Category.psu,),
    lhs=_draw_x(100),
    rhs=lambda p, ctx: ctx.circuit_w * min_efficiency_pct(p.efficiency) if isinstance(p, Psu) else 0,
    requires=(Category.psu,),
    describe=_circuit_describe,
))
