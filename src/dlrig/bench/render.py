"""Rich tables for a bench result, its verdict and a comparison."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table

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
    t.add_row("CPU", f"{c.model}: {c.physical_cores or '?'} cores / {c.logical_cpus} threads"
              f" ({c.usable_cpus} usable)" + (f" [{inv.cpu_catalog_id}]" if inv.cpu_catalog_id else ""))
    t.add_row("RAM", f"{inv.ram_gb:.1f} GB")
    for g in inv.gpus:
        link = (f"PCIe {g.pcie_gen_current}.0 x{g.pcie_width_current}"
                f" (max {g.pcie_gen_max}.0 x{g.pcie_width_max}"
                f"{', read under load' if g.pcie_read_under_load else ', read at idle'})"
                if g.pcie_gen_current else "PCIe link unknown")
        t.add_row(f"GPU {g.index}", f"{g.name}, {g.vram_gb or 0:.0f} GB, driver {g.driver}, "
                  f"power limit {g.power_limit_w or 0:.0f} W, {link}"
                  + (f"; spec: {g.spec.name}" if g.spec else "; no spec record"))
    if not inv.gpus or inv.gpu_absent_reason:
        t.add_row("GPU", f"[yellow]not measured: {inv.gpu_absent_reason}[/]")
    for d in inv.disks:
        t.add_row("Disk", f"{d.device} on {d.mountpoint} ({d.fstype}, {d.kind}"
                  + (", rotational" if d.rotational else "") + ")")
    t.add_row("Software", f"Python {inv.python}, torch {inv.torch or '-'}, CUDA {inv.cuda or '-'}")
    return t


def measurements_table(r: BenchResult) -> Table:
    t = Table(title="Measurements (median, p10-p90)", title_justify="left")
    for col in ("section", "measurement", "median", "p10-p90", "unit", "vs spec", "conditions"):
        t.add_column(col, overflow="fold")
    for m in r.measurements:
        sec = SECTION_TITLES.get(m.section, m.section)
        if m.status != "ok" or m.value is None:
            colour = "yellow" if m.status == "skipped" else "red"
            t.add_row(sec, m.label, f"[{colour}]{m.status}[/]", "", "", "", m.reason or "")
            continue
        v = m.value
        spec = f"{100 * v.median / m.expected.value:.0f} %" if m.expected else ""
        cond = []
        if m.telemetry:
            tm = m.telemetry
            if tm.sm_clock_mhz_median:
                cond.append(f"{tm.sm_clock_mhz_median:,.0f} MHz")
            if tm.power_w_median:
                cond.append(f"{tm.power_w_median:,.0f} W")
            if tm.throttle_reasons:
                cond.append(",".join(tm.throttle_reasons))
        if m.reason:
            cond.append(m.reason)
        t.add_row(sec, m.label, _fmt(v.median), f"{_fmt(v.p10)}-{_fmt(v.p90)}", v.unit, spec,
                  "; ".join(cond))
    return t


def verdict_panel(r: BenchResult) -> Panel:
    v = r.verdict
    colour = {"none": "green", "unknown": "yellow"}.get(v.bottleneck, "red")
    parts = [f"[bold {colour}]{v.headline}[/]", ""]
    marks = {"bottleneck": "[red]x[/]", "warning": "[yellow]![/]", "info": "-", "ok": "[green]ok[/]"}
    parts += [f"{marks[f.severity]} {f.text}" for f in v.findings]
    if v.against_specs:
        parts += ["", "[bold]Measured against the specs[/]"] + [f"- {x}" for x in v.against_specs]
    if v.claims:
        parts += ["", "[bold]The founding post's rules, on this machine[/]"]
        parts += [f"{'[green]holds[/]' if c.holds else '[red]fails[/]' if c.holds is False else '?'}"
                  f" {c.text}" for c in v.claims]
    return Panel(Group(*parts), title="Verdict", title_align="left")


def show(console: Console, r: BenchResult) -> None:
    console.print(inventory_table(r))
    console.print(measurements_table(r))
    if r.verdict:
        console.print(verdict_panel(r))
    console.print(f"[dim]{len(r.measurements)} measurements in {r.duration_s:.0f} s; "
                  f"methods are in the JSON output (--json)[/]")


def compare_table(changes: list[Change]) -> Table:
    t = Table(title="Compared with the earlier run", title_justify="left")
    for col in ("measurement", "before", "now", "unit", "change"):
        t.add_column(col)
    for c in changes:
        if c.change_pct is None:
            ch = c.note
        else:
            colour = ("green" if c.change_pct > 0 else "red") if c.significant else "dim"
            ch = f"[{colour}]{c.change_pct:+.1f} %{'' if c.significant else ' (noise)'}[/]"
        t.add_row(c.label, _fmt(c.old) if c.old is not None else "-",
                  _fmt(c.new) if c.new is not None else "-", c.unit, ch)
    return t
