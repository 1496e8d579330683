"""Fit rules: what goes inside the case and into the board's slots."""

from __future__ import annotations

from ..parts import Category
from .layout import board_key, case_key, gpu_key, min_reach, seat
from .registry import GpuSetRule, NotChecked, PairRule, Severity, Violation, register

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
    fires_when="Fires when the board's form factor is not one the case takes (a case listing ATX "
               "also takes Micro-ATX and Mini-ITX; E-ATX also ATX).",
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
    fires_when="Fires when a card's `length_mm` exceeds the case's `max_gpu_length_mm` (not checked "
               "when either is unknown).",
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


def _case_slots(shapes, board, case_slots, ctx):
    if case_slots is None:
        return NotChecked("no case in the build", missing=False)
    if board is None:
        reach = sum(sh.slots for sh in shapes)  # stacked from the top position
        if reach <= case_slots:
            return None
    else:
        seating = seat(board, shapes, case_slots)
        if seating.placement is not None:
            return None
        if not seating.checked:
            return NotChecked(seating.reason)
        reach = min_reach(board, shapes)
        if reach is None:
            return None  # no way to seat them on the board at all: fit.pcie-slots says so
    return Violation(
        f"the GPUs ({{gpus}}) reach expansion-slot position {reach} but {{case}} has "
        f"{case_slots} expansion slots",
        "choose slimmer cards (2-slot or blower models), a board whose x16 slots sit higher, "
        f"or a case with at least {reach} expansion slots (8-slot towers exist for this)",
        {"reach": reach, "case_slots": case_slots},
    )


register(GpuSetRule(
    id="fit.gpu-slots",
    fires_when="Fires when the cards can be seated on the board but every such placement reaches an "
               "expansion-slot position lower than the case has (`position + card slots - 1 > case "
               "expansion_slots`). Without a board, the cards' slot widths added up against the "
               "case. Not checked (and not planned) for two or more cards on a board whose layout is "
               "unknown.",
    severity=Severity.error,
    title="The GPUs' coolers fit the case's expansion slots",
    rationale="A card covers as many expansion-slot positions as its cooler is wide (2.5 "
              "slots: three), starting at the position of its x16 slot; the case needs an "
              "opening at the lowest position a card covers (boards are mounted top-aligned). "
              "A 3-slot card in an ATX board's seventh position needs a 9-slot case. With an "
              "unknown slot layout one card is assumed in position 1. Sources: ATX "
              "specification 2.2 (7 expansion-slot positions); the cards', boards' and "
              "cases' specification pages.",
    categories=(Category.gpu, Category.case),
    test=_case_slots,
    gpu_key=gpu_key,
    board_key=board_key,
    case_key=case_key,
    case_monotone=True,
    plan_unknown=True,
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
    fires_when="Fires when an air cooler's `height_mm` exceeds the case's `max_cooler_height_mm` "
               "(not checked when unknown).",
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
    fires_when="Fires when a liquid cooler's `radiator_mm` exceeds the case's `max_radiator_mm` (not "
               "checked when unknown).",
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
    fires_when="Fires when the PSU's form factor is not among the case's `psu_form_factors` (SFX and "
               "SFX-L are accepted in an ATX bay).",
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


def _board_slots(shapes, board, case_slots, ctx):
    if board is None:
        return NotChecked("no motherboard in the build", missing=False)
    seating = seat(board, shapes, None)
    if seating.placement is not None:
        return None
    if not seating.checked:
        return NotChecked(f"{len(shapes)} GPUs: {seating.reason}")
    k = len(shapes)
    fix = (f"use at most {board.x16_slots} GPUs, or a board with {k} x16-size slots"
           if k > board.x16_slots else
           "choose slimmer cards (2-slot or blower models), or a board whose x16 slots are "
           "spaced for them (workstation boards put them 2 positions apart)")
    return Violation(
        f"{{board}} cannot seat the GPUs ({{gpus}}): {seating.reason}", fix,
        {"gpus": k, "x16_slots": board.x16_slots,
         "card_slots": [sh.slots for sh in shapes],
         "slot_positions": [s.lo for s in board.slots]},
    )


register(GpuSetRule(
    id="fit.pcie-slots",
    fires_when="Fires when the GPUs cannot all be seated: more cards than x16-size slots, or no "
               "choice of slots where each card's cooler (its slot width, from its slot's position "
               "down) leaves the next chosen slot free (`rules/layout.py`). Not checked (and not "
               "planned) for two or more cards on a board whose slot positions or lane sources are "
               "not in the data; one card is assumed in position 1.",
    severity=Severity.error,
    title="Each GPU has an x16 slot that the card above does not cover",
    rationale="Each card needs its own x16-size slot (riser cables aside), and a card's cooler "
              "covers the slots below it: two 3-slot cards need x16 slots at least three "
              "positions apart. Two or more cards on a board whose slot positions are not in "
              "the data cannot be checked, and the planner does not choose that. The founding "
              "post: count the x16 slots if more GPUs may come. Source: the board's "
              "specification page (expansion slots, layout).",
    categories=(Category.gpu, Category.motherboard),
    test=_board_slots,
    gpu_key=gpu_key,
    board_key=board_key,
    plan_unknown=True,
))
