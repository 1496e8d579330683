"""Platform rules: CPU socket, chipset and BIOS generation, graphics, cooling."""

from __future__ import annotations

from ..parts import Category, Cooler, Cpu, Gpu
from .chipsets import generation_name, known_generations, lookup, norm_socket, table
from .registry import LinearRule, NotChecked, PairRule, Severity, Violation, register
from .text import esc, names

_INTEL_SRC = "Intel ARK chipset pages; vendors' CPU support lists"
_AMD_SRC = "AMD's AM4/AM5 chipset support tables; vendors' CPU support lists"


def _socket_test(cpu_socket, board_socket, ctx):
    if norm_socket(cpu_socket) != norm_socket(board_socket):
        return Violation(
            "{a} needs socket " + esc(cpu_socket) + " but {b} has socket " + esc(board_socket),
            "choose a CPU and a motherboard with the same socket",
            {"cpu_socket": cpu_socket, "board_socket": board_socket},
        )
    return None


register(PairRule(
    id="platform.socket",
    fires_when="Fires when the CPU's socket differs from the board's (compared after folding spaces "
               "and dashes: `LGA 1151` = `LGA1151`).",
    severity=Severity.error,
    title="CPU socket matches the motherboard",
    rationale="A CPU only fits a board with its exact socket (LGA1151 is not LGA1200; "
              "AM4 is not AM5). Source: the CPU's and the board's specification pages.",
    categories=(Category.cpu, Category.motherboard),
    key_a=lambda cpu: cpu.socket,
    key_b=lambda board: board.socket,
    test=_socket_test,
))


def _cpu_key(cpu: Cpu):
    return (cpu.generation, norm_socket(cpu.socket))


def _board_key(board):
    return (board.chipset, norm_socket(board.socket), board.bios_generations, board.bios_flashback)


def _gens(keys) -> str:
    return ", ".join(generation_name(g) for g in keys) or "nothing dlrig knows"


def _native_chipsets(gen: str) -> str:
    out = sorted({c.name for c in table().values() if gen in c.native})
    return ", ".join(out[:6])


def _support(cpu_key, board_key):
    """(chipset row, what the shipped BIOS runs, everything supported) or NotChecked/None."""
    gen, cpu_socket = cpu_key
    chipset, board_socket, shipped, _ = board_key
    if cpu_socket != board_socket:
        return None  # platform.socket says so; a second error would be noise
    row = lookup(chipset)
    if row is None and shipped is None:
        return NotChecked(f"chipset '{chipset}' is not in dlrig's chipset table")
    if gen not in known_generations() and not (shipped and gen in shipped):
        return NotChecked(f"CPU generation '{gen}' is not in dlrig's chipset table")
    native = tuple(shipped) if shipped is not None else row.native
    supported = set(native) | set(row.supported if row else ())
    return row, native, supported


def _bios_test(cpu_key, board_key, ctx):
    s = _support(cpu_key, board_key)
    if s is None or isinstance(s, NotChecked):
        return s
    _, native, supported = s
    gen = cpu_key[0]
    chipset, _, _, flashback = board_key
    if gen in native or gen not in supported:
        return None  # fine, or platform.chipset-generation's error
    msg = ("{a} is " + generation_name(gen) + " but {b} (" + esc(chipset) + ") ships with a BIOS for "
           + _gens(native) + ": it needs a BIOS update before it will boot that CPU")
    values = {"cpu_generation": gen, "chipset": chipset, "bios_runs": list(native)}
    if flashback:
        return Violation(msg + " (the board has BIOS flashback, so no older CPU is needed)",
                         "flash the latest BIOS from a USB stick with the board's flashback "
                         "button before installing the CPU", values, Severity.info)
    fix = ("choose a board whose chipset runs " + generation_name(gen) + " out of the box ("
           + _native_chipsets(gen) + "), a board with BIOS flashback, or ask the store to flash it")
    return Violation(msg, fix, values, Severity.info if ctx.allow_bios_update else None)


register(PairRule(
    id="platform.bios-update",
    fires_when="Fires when the board's chipset runs the CPU's generation only after a BIOS update "
               "(`update` in `src/dlrig/data/chipsets.toml`), or the board's own `bios_generations` "
               "leaves it out. Info instead of warning when the board has `bios_flashback = true` or "
               "with `--allow-bios-update`. Not checked when the chipset or the generation is not in "
               "the table.",
    severity=Severity.warning,
    title="The board's shipped BIOS runs the CPU's generation",
    rationale="A board made before a CPU generation launched needs a BIOS update to boot it, and "
              "flashing usually needs an older CPU of a supported generation (Kaby Lake on "
              "100-series boards, Ryzen 5000 on 300/400-series, Ryzen 9000 on early B650/X670, "
              "Intel 13th/14th gen on 600-series). The founding post chose its board because it "
              "ran Kaby Lake without an update. Info instead of warning where the board has BIOS "
              "flashback. Sources: " + _INTEL_SRC + "; " + _AMD_SRC + ".",
    categories=(Category.cpu, Category.motherboard),
    key_a=_cpu_key,
    key_b=_board_key,
    test=_bios_test,
))


def _gen_test(cpu_key, board_key, ctx):
    s = _support(cpu_key, board_key)
    if s is None or isinstance(s, NotChecked):
        return s
    _, _, supported = s
    gen = cpu_key[0]
    if gen in supported:
        return None
    chipset = board_key[0]
    return Violation(
        "{a} is " + generation_name(gen) + " but {b} (" + esc(chipset) + ") supports only "
        + _gens(sorted(supported)),
        "choose a board whose chipset supports " + generation_name(gen) + " ("
        + _native_chipsets(gen) + "), or a CPU of a generation the board supports",
        {"cpu_generation": gen, "chipset": chipset, "supported": sorted(supported)},
    )


register(PairRule(
    id="platform.chipset-generation",
    fires_when="Fires when the chipset never runs the CPU's generation (in neither `native` nor "
               "`update`, nor in the board's `bios_generations`). Silent when the sockets differ "
               "(platform.socket reports that).",
    severity=Severity.error,
    title="The chipset supports the CPU's generation at all",
    rationale="Same socket is not enough: AMD's B550 and A520 never ran Ryzen 1000/2000, Intel's "
              "100/200-series boards never run Coffee Lake although the socket is also called "
              "LGA1151. A board's own bios_generations list overrides the chipset table. "
              "Sources: " + _INTEL_SRC + "; " + _AMD_SRC + ".",
    categories=(Category.cpu, Category.motherboard),
    key_a=_cpu_key,
    key_b=_board_key,
    test=_gen_test,
))


def _graphics_describe(lhs, rhs, build, ctx):
    return Violation(
        f"{names(build, Category.cpu)} has no integrated graphics and the build has 0 graphics "
        f"cards: 0 display sources where at least 1 is needed",
        "add a GPU (for deep learning, an NVIDIA card) or choose a CPU with integrated graphics",
        {"graphics_sources": rhs, "needed": lhs},
    )


register(LinearRule(
    id="platform.graphics",
    fires_when="Fires when `GPUs + CPUs with integrated graphics >= 1` fails.",
    severity=Severity.error,
    title="Something drives a display",
    rationale="A PC without a GPU and with a CPU without integrated graphics (AMD Ryzen without "
              "'G', Intel 'F' models) shows no picture and will often not finish POST. Source: "
              "CPU specification pages (integrated graphics: none).",
    categories=(Category.cpu, Category.gpu),
    reads=(Category.cpu, Category.gpu),
    lhs=lambda p, ctx: 0,
    lhs_const=lambda ctx: 1,
    rhs=lambda p, ctx: int(isinstance(p, Gpu) or (isinstance(p, Cpu) and p.integrated_graphics)),
    requires=(Category.cpu,),
    describe=_graphics_describe,
    parts_of=lambda b: [i.part for i in b.of(Category.cpu)],
))


def _cooler_describe(lhs, rhs, build, ctx):
    return Violation(
        f"{names(build, Category.cpu)} is sold without a cooler and the build has "
        f"{rhs} CPU coolers for {lhs} such CPU",
        "add a CPU cooler for the CPU's socket, or choose a boxed CPU that includes one",
        {"coolers": rhs, "cpus_without_cooler": lhs},
    )


register(LinearRule(
    id="platform.cpu-cooler",
    fires_when="Fires when `CPUs without a boxed cooler <= coolers` fails.",
    severity=Severity.error,
    title="The CPU has a cooler",
    rationale="Most unlocked and high-end CPUs (Intel K/KF, Ryzen 7/9 X) are sold without a "
              "cooler; without one the CPU throttles or shuts down. Source: the CPU's box "
              "contents on its specification page.",
    categories=(Category.cpu, Category.cooler),
    reads=(Category.cpu, Category.cooler),
    lhs=lambda p, ctx: int(isinstance(p, Cpu) and not p.cooler_included),
    rhs=lambda p, ctx: int(isinstance(p, Cooler)),
    requires=(Category.cpu,),
    describe=_cooler_describe,
    parts_of=lambda b: [i.part for i in b.of(Category.cpu)] + [i.part for i in b.of(Category.cooler)],
))


def _cooler_socket_test(cpu_socket, cooler_sockets, ctx):
    if cpu_socket in cooler_sockets:
        return None
    return Violation(
        "{a} uses socket " + esc(cpu_socket) + " but {b} mounts only on "
        + esc(", ".join(cooler_sockets)),
        "choose a cooler listed for " + esc(cpu_socket) + ", or buy the vendor's mounting kit",
        {"cpu_socket": cpu_socket, "cooler_sockets": list(cooler_sockets)},
    )


register(PairRule(
    id="platform.cooler-socket",
    fires_when="Fires when the CPU's socket is not among the cooler's `sockets`.",
    severity=Severity.error,
    title="The cooler mounts on the CPU's socket",
    rationale="Cooler mounting brackets are socket-specific (LGA1700 hole spacing differs from "
              "LGA1200; AM5 keeps AM4's). Source: the cooler's specification page.",
    categories=(Category.cpu, Category.cooler),
    key_a=lambda cpu: norm_socket(cpu.socket),
    key_b=lambda cooler: tuple(norm_socket(s) for s in cooler.sockets),
    test=_cooler_socket_test,
))
