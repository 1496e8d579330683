"""Memory rules: DDR generation, slots, capacity, speed, size against VRAM, channels."""

from __future__ import annotations

import math

from ..parts import Category, Gpu, Memory, Motherboard
from .registry import BuildRule, LinearRule, NotChecked, PairRule, Severity, Violation, register
from .text import esc, names


def _type_board(mem_type, board_type, ctx):
    if mem_type == board_type:
        return None
    return Violation(
        "{a} is " + mem_type + " but {b} takes " + board_type,
        "choose " + board_type + " memory for this board (DDR generations are keyed differently "
        "and do not fit each other's slots)",
        {"memory_type": mem_type, "board_memory_type": board_type},
    )


register(PairRule(
    id="memory.type-board",
    fires_when="Fires when the kit's `memory_type` differs from the board's.",
    severity=Severity.error,
    title="Memory generation matches the motherboard",
    rationale="DDR3, DDR4 and DDR5 modules have their notch in different places and cannot be "
              "installed in each other's slots. Source: JEDEC DDR4/DDR5 module standards; the "
              "board's specification page.",
    categories=(Category.memory, Category.motherboard),
    key_a=lambda m: m.memory_type,
    key_b=lambda b: b.memory_type,
    test=_type_board,
))


def _type_cpu(mem_type, cpu_types, ctx):
    if mem_type in cpu_types:
        return None
    return Violation(
        "{a} is " + mem_type + " but {b}'s memory controller supports only " + ", ".join(cpu_types),
        "choose " + " or ".join(cpu_types) + " memory (and a board of that type)",
        {"memory_type": mem_type, "cpu_memory_types": list(cpu_types)},
    )


register(PairRule(
    id="memory.type-cpu",
    fires_when="Fires when the kit's `memory_type` is not among the CPU's `memory_types`.",
    severity=Severity.error,
    title="The CPU's memory controller supports the memory generation",
    rationale="The memory controller is in the CPU: Ryzen 7000 runs only DDR5, Ryzen 5000 only "
              "DDR4; Intel 12th-14th gen run either, depending on the board. Source: the CPU's "
              "specification page (memory types).",
    categories=(Category.memory, Category.cpu),
    key_a=lambda m: m.memory_type,
    key_b=lambda c: tuple(c.memory_types),
    test=_type_cpu,
))


def _registered(mem_key, board_takes_registered, ctx):
    registered, mem_type = mem_key
    if board_takes_registered and not registered and mem_type == "DDR5":
        return Violation(
            "{a} is unbuffered DDR5 (UDIMM) but {b} takes registered DDR5 (RDIMM): DDR5 "
            "UDIMMs and RDIMMs are keyed differently and do not fit each other's slots",
            "choose DDR5 RDIMMs (ECC registered modules) for this workstation board",
            {"memory_registered": False, "board_registered_memory": True, "memory_type": mem_type},
        )
    if not registered or board_takes_registered:
        return None
    keyed = ("DDR5 RDIMMs are keyed differently and do not even go in its slots"
             if mem_type == "DDR5" else mem_type + " RDIMMs fit its slots but do not boot")
    return Violation(
        "{a} is registered " + mem_type + " (RDIMM/LRDIMM, server memory) but {b} takes only "
        "unbuffered " + mem_type + " (UDIMM): " + keyed,
        "choose unbuffered (UDIMM) " + mem_type + " for this board (ECC UDIMMs where the board "
        "supports ECC), or a server/workstation board that takes registered modules",
        {"memory_registered": True, "board_registered_memory": False, "memory_type": mem_type},
    )


register(PairRule(
    id="memory.registered",
    fires_when="Fires when the kit has `registered = true` (RDIMM/LRDIMM) and the board has "
               "`registered_memory = false` (the default: desktop boards). ECC alone is not judged: "
               "many AM4/AM5 boards run unbuffered ECC modules. The reverse (unbuffered modules on a "
               "board that takes only RDIMMs) is rare and not checked. Being a pair rule, `dlrig "
               "plan` never picks registered memory for a desktop board.",
    severity=Severity.error,
    title="Registered (server) memory only on a board that takes it",
    rationale="Registered and load-reduced modules (RDIMM/LRDIMM) put a register chip between "
              "the memory controller and the DRAM; desktop platforms (Intel Core, AMD Ryzen "
              "with consumer chipsets) drive only unbuffered modules and do not boot with "
              "them. DDR4 RDIMMs fit a desktop slot, so nothing stops the mistake; DDR5 RDIMMs "
              "are keyed differently, so a DDR5 workstation board that takes RDIMMs (TRX50, "
              "WRX90, W790) takes no UDIMM either. Server and workstation boards (Xeon, EPYC, "
              "Threadripper) list RDIMM support. Sources: JEDEC DDR4/DDR5 RDIMM and UDIMM module "
              "standards; the board's memory specification (registered_memory).",
    categories=(Category.memory, Category.motherboard),
    key_a=lambda m: (m.registered, m.memory_type),
    key_b=lambda b: b.registered_memory,
    test=_registered,
))


def _slots_describe(lhs, rhs, build, ctx):
    return Violation(
        f"{names(build, Category.memory)} is {lhs} modules but {names(build, Category.motherboard)} "
        f"has {rhs} memory slots",
        f"use at most {rhs} modules (larger ones for the same capacity), or a board with more slots",
        {"modules": lhs, "slots": rhs},
    )


register(LinearRule(
    id="memory.slots",
    fires_when="Fires when `sum(modules x quantity) <= board memory_slots` fails.",
    severity=Severity.error,
    title="The modules fit the board's memory slots",
    rationale="Each module takes one slot. Source: the board's specification page.",
    categories=(Category.memory, Category.motherboard),
    reads=(Category.memory, Category.motherboard),
    lhs=lambda p, ctx: p.modules if isinstance(p, Memory) else 0,
    rhs=lambda p, ctx: p.memory_slots if isinstance(p, Motherboard) else 0,
    requires=(Category.memory, Category.motherboard),
    describe=_slots_describe,
))


def _capacity_describe(lhs, rhs, build, ctx):
    return Violation(
        f"{names(build, Category.memory)} is {lhs} GB but {names(build, Category.motherboard)} "
        f"takes at most {rhs} GB",
        f"keep the memory at {rhs} GB or less, or choose a board that takes {lhs} GB",
        {"memory_gb": lhs, "board_max_gb": rhs},
    )


register(LinearRule(
    id="memory.capacity",
    fires_when="Fires when `sum(total GB x quantity) <= board max_memory_gb` fails.",
    severity=Severity.error,
    title="Total memory within the board's maximum",
    rationale="A board addresses at most its rated capacity (e.g. 64 GB on the founding post's "
              "GA-B250M-DS3H); more is not detected or does not boot. Source: the board's "
              "specification page.",
    categories=(Category.memory, Category.motherboard),
    reads=(Category.memory, Category.motherboard),
    lhs=lambda p, ctx: p.total_gb if isinstance(p, Memory) else 0,
    rhs=lambda p, ctx: p.max_memory_gb if isinstance(p, Motherboard) else 0,
    requires=(Category.memory, Category.motherboard),
    describe=_capacity_describe,
))


def _speed(what: str):
    def test(speed, limit, ctx):
        if limit is None:
            return NotChecked(f"the {what}'s maximum memory speed is not in the data")
        if speed <= limit:
            return None
        return Violation(
            "{a} is rated " + f"{speed} MT/s but {{b}} runs memory at most {limit} MT/s: it will "
            f"run at {limit} MT/s",
            f"nothing to fix (memory speed barely matters when batches load asynchronously); "
            f"{limit} MT/s modules cost less",
            {"memory_mts": speed, f"{what}_max_mts": limit},
        )
    return test


_SPEED_WHY = ("Memory runs at the lowest of its rating and the board's and CPU's limits "
              "(XMP/EXPO overclocking aside). The founding post: RAM speed does not matter when "
              "mini-batches are loaded asynchronously, so this is only information. Source: "
              "the board's and CPU's specification pages.")

register(PairRule(
    id="memory.speed-board",
    fires_when="Fires when the kit's rated MT/s is above the board's `max_memory_speed_mts` (not "
               "checked when unknown).",
    severity=Severity.info,
    title="Memory faster than the board runs it",
    rationale=_SPEED_WHY,
    categories=(Category.memory, Category.motherboard),
    key_a=lambda m: m.speed_mts,
    key_b=lambda b: b.max_memory_speed_mts,
    test=_speed("board"),
))

register(PairRule(
    id="memory.speed-cpu",
    fires_when="Fires when the kit's rated MT/s is above the CPU's `max_memory_speed_mts` (not "
               "checked when unknown).",
    severity=Severity.info,
    title="Memory faster than the CPU runs it",
    rationale=_SPEED_WHY,
    categories=(Category.memory, Category.cpu),
    key_a=lambda m: m.speed_mts,
    key_b=lambda c: c.max_memory_speed_mts,
    test=_speed("cpu"),
))


DEFAULT_RAM_PER_VRAM = 1.0  # the founding post's and Dettmers' rule


def ram_per_vram(ctx) -> float:
    """GB of system RAM per GB of GPU memory: the workload's, else 1 (one definition)."""
    return float(getattr(ctx.workload, "ram_per_vram", None) or DEFAULT_RAM_PER_VRAM)


def vram_tenths(gpu, ratio: float) -> int:
    """ratio x the card's VRAM in tenths of a GB, rounded up (integers for the solver)."""
    return math.ceil(round(gpu.vram_gb * ratio * 10, 6))


def _ram_vram_describe(lhs, rhs, build, ctx):
    ratio = ram_per_vram(ctx)
    total = sum(g.vram_gb * i.quantity for i in build.of(Category.gpu) for g in [i.part])
    need = lhs / 10
    per = (f"{esc(getattr(ctx.workload, 'name', 'the workload'))} wants {ratio:g} GB of RAM per "
           f"GB of VRAM" if ctx.workload is not None else "the rule wants at least as much RAM")
    return Violation(
        f"system RAM is {rhs / 10:g} GB ({names(build, Category.memory)}) but the GPUs "
        f"({names(build, Category.gpu)}) have {total:g} GB of VRAM and {per}: {need:g} GB",
        f"use at least {need:g} GB of RAM, in two or more modules",
        {"ram_gb": rhs / 10, "needed_gb": need, "vram_gb": total, "ram_per_vram": ratio},
    )


register(LinearRule(
    id="memory.ram-vs-vram",
    fires_when="Fires when system RAM x 10 is less than `ram_per_vram` (the workload's, else 1) x "
               "the total VRAM of all the GPUs x 10, both in tenths of a GB (`sum(RAM) >= ratio x "
               "sum(VRAM)`). The planner enforces the same inequality.",
    severity=Severity.warning,
    title="System RAM at least as large as the GPUs' memory",
    rationale="Datasets, pinned staging buffers and a model's CPU copy need RAM; with less RAM "
              "than VRAM you cannot fill the GPUs comfortably. The founding post's rule (16 GB "
              "RAM for an 8 GB GTX 1070) and Tim Dettmers' ('A Full Hardware Guide to Deep "
              "Learning': RAM at least as big as your GPU memory), counted over all the GPUs "
              "(a 4-GPU box stages data for four); a workload may ask more per GB "
              "(ram_per_vram). The planner enforces this same inequality.",
    categories=(Category.memory, Category.gpu),
    reads=(Category.memory, Category.gpu),
    lhs=lambda p, ctx: vram_tenths(p, ram_per_vram(ctx)) if isinstance(p, Gpu) else 0,
    rhs=lambda p, ctx: p.total_gb * 10 if isinstance(p, Memory) else 0,
    requires=(Category.memory,),
    describe=_ram_vram_describe,
    parts_of=lambda b: [i.part for i in b.of(Category.memory)] + [i.part for i in b.of(Category.gpu)],
))


def _dual(build, ctx):
    modules = sum(m.modules for m in build.memory)
    if modules != 1:
        return None
    board = build.board
    if board is not None and board.memory_slots < 2:
        return None
    slots = f"{board.memory_slots} slots of {esc(board.name)}" if board else "the board's slots"
    m = build.memory[0]
    return Violation(
        f"{esc(m.name)} is 1 module of {m.module_gb} GB; 2 modules in the {slots} would run in "
        f"dual channel (twice the memory bandwidth)",
        f"buy the same capacity as 2 x {max(1, m.module_gb // 2)} GB, or add a second "
        f"{m.module_gb} GB module",
        {"modules": 1, "dual_channel_needs": 2},
    )


register(BuildRule(
    id="memory.dual-channel",
    fires_when="Fires when the build has exactly one memory module and the board has two or more "
               "slots.",
    severity=Severity.info,
    title="Two modules for dual channel",
    rationale="Desktop CPUs have two memory channels; one module uses half the bandwidth. The "
              "founding post bought 2 x 8 GB for this reason and to keep slots free to grow. "
              "Source: the post; CPU specification pages (memory channels: 2).",
    categories=(Category.memory,),
    test=_dual,
    parts_of=lambda b: [i.part for i in b.of(Category.memory)] + [i.part for i in b.of(Category.motherboard)],
))
