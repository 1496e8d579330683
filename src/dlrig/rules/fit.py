"""Fit rules: what goes inside the case and into the board's slots."""

from __future__ import annotations

from ..parts import Case, Category, Gpu, Motherboard
from .registry import LinearRule, NotChecked, PairRule, Severity, Violation, register
from .text import names

# A case with standoffs for a larger ATX-family board also has them for the
# smaller ones (the ATX, Micro-ATX and Mini-ITX hole patterns are nested).
_IMPLIED = {
    "SSI-EEB": ("E-ATX", "ATX", "Micro-ATX", "Mini-ITX"),
    "XL-ATX": ("E-ATX", "ATX", "Micro-ATX", "Mini-ITX"),
    "E-ATX": ("ATX", "Micro-ATX", "Mini-ITX"),
    "ATX": ("Micro-ATX", "Mini-ITX"),
    "Micro-ATX": ("Mini-ITX",),
    "Mini-DTX": ("Mini-ITX",),
}


def case_form_factors(listed: tuple[str, ...]) -> tuple[str, ...]:
    out = list(listed)
    for ff in listed:
        out += [x for x in _IMPLIED.get(ff, ()) if x not in out]
    return tuple(out)


def _ff_test(board_ff, case_ffs, ctx):
    if board_ff in case_form_factors(case_ffs):
        return None
    return Violation(
        "{a} is " + board_ff + " but {b} takes only " + ", ".join(case_ffs),
        "choose a " + ", ".join(case_ffs) + " board, or a case that takes " + board_ff,
        {"board_form_factor": board_ff, "case_form_factors": list(case_ffs)},
    )


register(PairRule(
    id="fit.form-factor",
    severity=Severity.error,
    title="The case takes the board's form factor",
    rationale="A case has standoffs and an I/O opening for given board sizes; a larger board "
              "does not fit (a Micro-ATX board in a Mini-ITX case). Cases that take ATX also take "
              "Micro-ATX and Mini-ITX (nested hole patterns). Sources: ATX specification 2.2; the "
              "case's specification page.",
    categories=(Category.motherboard, Category.case),
    key_a=lambda b: b.form_factor,
    key_b=lambda c: tuple(c.form_factors),
    test=_ff_test,
))


def _gpu_len(length, max_len, ctx):
    if length is None:
        return NotChecked("the GPU's length is not in the data")
    if max_len is None:
        return NotChecked("the case's GPU clearance is not in the data")
    if length <= max_len:
        return None
    return Violation(
        f"{{a}} is {length} mm long but {{b}} takes at most {max_len} mm",
        f"choose a card of at most {max_len} mm, or a case with {length} mm of GPU clearance",
        {"gpu_length_mm": length, "case_max_gpu_length_mm": max_len},
    )


register(PairRule(
    id="fit.gpu-length",
    severity=Severity.error,
    title="The GPU fits the case's length clearance",
    rationale="Long cards hit the drive cages or the front fans. The founding post checked its "
              "210 mm GTX 1070 Mini against the Carbide 100R's 414 mm (275 mm in the lower "
              "slots). Source: the card's and the case's specification pages.",
    categories=(Category.gpu, Category.case),
    key_a=lambda g: g.length_mm,
    key_b=lambda c: c.max_gpu_length_mm,
    test=_gpu_len,
))


def _slots_describe(lhs, rhs, build, ctx):
    return Violation(
        f"{names(build, Category.gpu)} take {lhs} expansion slots but {names(build, Category.case)} "
        f"has {rhs}",
        "choose slimmer cards (2-slot or blower models) or a case with more expansion slots",
        {"gpu_slots": lhs, "case_slots": rhs},
    )


register(LinearRule(
    id="fit.gpu-slots",
    severity=Severity.error,
    title="The GPUs' coolers fit the case's expansion slots",
    rationale="A 2.5- or 3-slot cooler blocks the slots below it; the sum of the cards' widths "
              "must fit the case's expansion-slot openings (7 in most ATX towers, 4 in Micro-ATX, "
              "2 in Mini-ITX). Source: the cards' and the case's specification pages.",
    categories=(Category.gpu, Category.case),
    reads=(Category.gpu, Category.case),
    lhs=lambda p, ctx: p.slots if isinstance(p, Gpu) else 0,
    rhs=lambda p, ctx: p.expansion_slots if isinstance(p, Case) else 0,
    requires=(Category.case,),
    describe=_slots_describe,
))


def _cooler_key(c):
    return (c.kind, c.height_mm, c.radiator_mm)


def _cooler_height(cooler, max_h, ctx):
    kind, height, _ = cooler
    if kind == "liquid":
        return None  # the radiator is checked by fit.radiator
    if height is None:
        return NotChecked("the cooler's height is not in the data")
    if max_h is None:
        return NotChecked("the case's CPU cooler clearance is not in the data")
    if height <= max_h:
        return None
    return Violation(
        f"{{a}} is {height} mm tall but {{b}} takes coolers of at most {max_h} mm",
        f"choose a cooler of at most {max_h} mm, or a wider case",
        {"cooler_height_mm": height, "case_max_cooler_height_mm": max_h},
    )


register(PairRule(
    id="fit.cooler-height",
    severity=Severity.error,
    title="The air cooler fits under the side panel",
    rationale="A tower cooler taller than the case's clearance keeps the side panel from "
              "closing. Source: the cooler's and the case's specification pages.",
    categories=(Category.cooler, Category.case),
    key_a=_cooler_key,
    key_b=lambda c: c.max_cooler_height_mm,
    test=_cooler_height,
))


def _radiator(cooler, max_rad, ctx):
    kind, _, rad = cooler
    if kind != "liquid":
        return None
    if rad is None:
        return NotChecked("the radiator's size is not in the data")
    if max_rad is None:
        return NotChecked("the case's largest radiator is not in the data")
    if rad <= max_rad:
        return None
    return Violation(
        f"{{a}} has a {rad} mm radiator but {{b}} mounts radiators of at most {max_rad} mm",
        f"choose a cooler with a radiator of at most {max_rad} mm, or an air cooler",
        {"radiator_mm": rad, "case_max_radiator_mm": max_rad},
    )


register(PairRule(
    id="fit.radiator",
    severity=Severity.error,
    title="The liquid cooler's radiator fits the case",
    rationale="An all-in-one cooler's radiator needs a fan mount of its length (240, 280, 360 "
              "mm). Source: the cooler's and the case's specification pages.",
    categories=(Category.cooler, Category.case),
    key_a=_cooler_key,
    key_b=lambda c: c.max_radiator_mm,
    test=_radiator,
))


def _psu_ff(psu_ff, case_ffs, ctx):
    # SFX units mount in ATX bays with the adapter bracket most of them ship with.
    ok = set(case_ffs) | ({"SFX", "SFX-L"} if "ATX" in case_ffs else set())
    if psu_ff in ok:
        return None
    return Violation(
        "{a} is " + psu_ff + " but {b} takes " + ", ".join(case_ffs) + " power supplies",
        "choose a " + " or ".join(case_ffs) + " power supply",
        {"psu_form_factor": psu_ff, "case_psu_form_factors": list(case_ffs)},
    )


register(PairRule(
    id="fit.psu-form-factor",
    severity=Severity.error,
    title="The case takes the PSU's form factor",
    rationale="Small cases take SFX units only; an ATX unit does not fit them. An SFX unit fits "
              "an ATX bay with an adapter bracket. Source: ATX and SFX design guides; the case's "
              "specification page.",
    categories=(Category.psu, Category.case),
    key_a=lambda p: p.form_factor,
    key_b=lambda c: tuple(c.psu_form_factors),
    test=_psu_ff,
))


def _pcie_describe(lhs, rhs, build, ctx):
    return Violation(
        f"the build has {lhs} GPUs ({names(build, Category.gpu)}) but "
        f"{names(build, Category.motherboard)} has {rhs} PCIe x16-size slots",
        f"use at most {rhs} GPUs, or a board with {lhs} x16-size slots",
        {"gpus": lhs, "x16_slots": rhs},
    )


register(LinearRule(
    id="fit.pcie-slots",
    severity=Severity.error,
    title="One PCIe x16-size slot per GPU",
    rationale="Each card needs its own x16-size slot (riser cables aside). The founding post: "
              "count the x16 slots if more GPUs may come. Source: the board's specification page.",
    categories=(Category.gpu, Category.motherboard),
    reads=(Category.gpu, Category.motherboard),
    lhs=lambda p, ctx: 1 if isinstance(p, Gpu) else 0,
    rhs=lambda p, ctx: p.pcie_x16_slots if isinstance(p, Motherboard) else 0,
    requires=(Category.motherboard,),
    describe=_pcie_describe,
))
