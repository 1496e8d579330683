"""Rich tables for a bench result, its verdict and a comparison.

Every string read from a result file (a GPU's or a disk's name, a reason) is put in a cell
as ``Text``, never into markup: a name like "RTX [/]" must print, not crash rich.
"""

from __future__ import annotations

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .compare import Change
from .schema import BenchResult

SECTION_TITLES = {"gpu": "GPU compute", "memory": "GPU memory", "pcie": "PCIe transfers",
                  "disk": "Disk", "loader": "Data loading", "multigpu": "Several GPUs"}


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.2f}" if abs(x) < 10 else f"{x:,.1f}"


def inventory_table(r: BenchResult) -> Table:
    inv = r.inventory
    t = Table(title="Machine", show_header=False, title_justify="left")
    t.add_column(style="bold")
    t.add_column()
    c = inv.cpu
    t.add_row("CPU", Text(f"{c.model}: {c.physical_cores or '?'} cores / {c.logical_cpus} "
                          f"threads ({c.usable_cpus} usable)"
                          + (f" [{inv.cpu_catalog_id}]" if inv.cpu_catalog_id else "")))
    t.add_row("RAM", f"{inv.ram_gb:.1f} GB")
    for g in inv.gpus:
        link = (f"PCIe {g.pcie_gen_current}.0 x{g.pcie_width_current}"
                f" (max {g.pcie_gen_max}.0 x{g.pcie_width_max}"
                f"{', read under load' if g.pcie_read_under_load else ', read at idle'})"
                if g.pcie_gen_current else "PCIe link unknown")
        t.add_row(f"GPU {g.index}", Text(f"{g.name}, {g.vram_gb or 0:.0f} GB, driver {g.driver}, "
                                         f"power limit {g.power_limit_w or 0:.0f} W, {link}"
                                         + (f"; spec: {g.spec.name}" if g.spec
                                            else "; no spec record")))
    if not inv.gpus or inv.gpu_absent_reason:
        t.add_row("GPU", Text(f"not measured: {inv.gpu_absent_reason}", style="yellow"))
    for d in inv.disks:
        t.add_row("Disk", Text(f"{d.device} on {d.mountpoint} ({d.fstype}, {d.kind}"
                               + (", rotational" if d.rotational else "") + ")"))
    t.add_row("Software", Text(f"Python {inv.python}, torch {inv.torch or '-'}, "
                               f"CUDA {inv.cuda or '-'}"))
    return t


def _conditions(m) -> str:
    cond = []
    if m.telemetry:
        tm = m.telemetry
        if tm.sm_clock_mhz_median:
            cond.append(f"{tm.sm_clock_mhz_median:,.0f} MHz")
        if tm.power_w_median:
            cond.append(f"{tm.power_w_median:,.0f} W")
        cond += [REASON_WORDS.get(x, x) for x in tm.throttle_reasons]
    if m.reason:
        cond.append(m.reason)
    return ", ".join(cond)


# Short words for NVML's throttle reasons in the table (the JSON keeps NVML's names).
REASON_WORDS = {"sw_power_cap": "power cap", "hw_slowdown": "HW slowdown",
                "sw_thermal_slowdown": "thermal (SW)", "hw_thermal_slowdown": "thermal (HW)",
                "hw_power_brake_slowdown": "power brake"}


def measurements_table(r: BenchResult) -> Table:
    """One row per measurement, grouped by section; readable in an 80-column terminal.

    Numbers never wrap (a figure split over two lines misreads); labels and
    conditions wrap between words; the section is a heading row, not a column.
    """
    t = Table(title="Measurements (median, p10-p90)", title_justify="left", box=box.SIMPLE_HEAD,
              show_edge=False, pad_edge=False, padding=(0, 1), collapse_padding=True)
    t.add_column("measurement", ratio=1, min_width=20)
    t.add_column("median", justify="right", no_wrap=True)
    t.add_column("p10-p90", justify="right", no_wrap=True)
    t.add_column("unit", no_wrap=True)
    t.add_column("vs spec", justify="right", no_wrap=True)
    t.add_column("conditions", ratio=1, min_width=15)
    order = list(dict.fromkeys(m.section for m in r.measurements))
    ms = sorted(r.measurements, key=lambda m: order.index(m.section))  # stable: runs keep order
    section = None
    for m in ms:
        if m.section != section:
            section = m.section
            if t.row_count:
                t.add_row()
            t.add_row(f"[bold]{SECTION_TITLES.get(m.section, m.section)}[/]")
        if m.status != "ok" or m.value is None:
            colour = "yellow" if m.status == "skipped" else "red"
            t.add_row(Text(m.short_label), Text(m.status, style=colour), "", "", "",
                      Text(m.reason or ""))
            continue
        v = m.value
        spec = f"{100 * v.median / m.expected.value:.0f} %" if m.expected else ""
        t.add_row(Text(m.short_label), _fmt(v.median), f"{_fmt(v.p10)}-{_fmt(v.p90)}",
                  Text(v.unit), spec, Text(_conditions(m)))
    return t


CLAIM_MARKS = {True: ("holds:", "green"), False: ("fails:", "red"), None: ("untested:", "yellow")}


def verdict_panel(r: BenchResult) -> Panel:
    v = r.verdict
    colour = {"none": "green", "unknown": "yellow"}.get(v.bottleneck, "red")
    parts: list = [Text(v.headline, style=f"bold {colour}"), Text("")]
    marks = {"bottleneck": ("x", "red"), "warning": ("!", "yellow"), "info": ("-", ""),
             "ok": ("ok", "green")}
    parts += [Text.assemble(marks[f.severity], " ", f.text) for f in v.findings]
    if v.against_specs:
        parts += [Text(""), Text("Measured against the specs", style="bold")]
        parts += [Text(f"- {x}") for x in v.against_specs]
    if v.claims:
        parts += [Text(""), Text("The founding post's rules, on this machine", style="bold")]
        parts += [Text.assemble(CLAIM_MARKS[c.holds], " ", c.text) for c in v.claims]
    return Panel(Group(*parts), title="Verdict", title_align="left")


def show(console: Console, r: BenchResult) -> None:
    console.print(inventory_table(r))
    console.print(measurements_table(r))
    if r.verdict:
        console.print(verdict_panel(r))
    console.print(f"[dim]{len(r.measurements)} measurements in {r.duration_s:.0f} s; "
                  f"methods are in the JSON output (--json)[/]")


def compare_table(changes: list[Change]) -> Table:
    t = Table(title="Compared with the earlier run", title_justify="left", box=box.SIMPLE_HEAD,
              show_edge=False, pad_edge=False, padding=(0, 1), collapse_padding=True)
    t.add_column("measurement", ratio=1, min_width=16)
    for col in ("before", "now"):
        t.add_column(col, justify="right", no_wrap=True)
    t.add_column("unit", no_wrap=True)
    t.add_column("change", min_width=10)
    for c in changes:
        if c.change_pct is None:
            ch = Text(c.note or "")
        else:
            colour = ("green" if c.change_pct > 0 else "red") if c.significant else "dim"
            ch = Text(f"{c.change_pct:+.1f} %{'' if c.significant else ' (noise)'}", style=colour)
        t.add_row(Text(c.short), _fmt(c.old) if c.old is not None else "-",
                  _fmt(c.new) if c.new is not None else "-", Text(c.unit), ch)
    return t
