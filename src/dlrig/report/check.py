"""Rich rendering of ``dlrig check`` findings and ``dlrig power`` estimates.

Rendering only: the numbers come from ``dlrig.rules.check_build`` and
``dlrig.power``; the JSON forms are the objects' ``to_dict``.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..power import PowerEstimate, RunningCost
from ..rules import CheckResult, Severity

_STYLE = {Severity.error: "bold red", Severity.warning: "yellow", Severity.info: "cyan"}


def findings_table(result: CheckResult) -> Table:
    t = Table("severity", "rule", "finding", "fix", show_lines=True, expand=True)
    for f in result.findings:
        t.add_row(Text(f.severity.value, style=_STYLE[f.severity]), f.rule,
                  Text(f.message), Text(f.fix))
    return t


def verdict(result: CheckResult) -> Text:
    n = {s: len(result.by_severity(s)) for s in Severity}
    counts = f"{n[Severity.error]} errors, {n[Severity.warning]} warnings, {n[Severity.info]} notes"
    if result.ok:
        return Text(f"OK: no error ({counts}; {result.rules_run} rules run)", style="bold green")
    return Text(f"NOT OK: {counts} ({result.rules_run} rules run)", style="bold red")


def render_check(console: Console, result: CheckResult, build_name: str,
                 context: dict[str, Any], price: str | None = None) -> None:
    console.print(Text(f"dlrig check: {build_name}", style="bold"))
    console.print(Text("context: " + ", ".join(f"{k} {v}" for k, v in context.items()),
                       style="dim"))
    if result.findings:
        console.print(findings_table(result))
    console.print(verdict(result))
    if result.power is not None:
        console.print(Text("power: " + power_line(result.power)))
    if price:
        console.print(Text("price: " + price))
    console.print(Text("Not checked", style="bold"))
    for line in result.not_checked + list(result.general_not_checked):
        console.print(Text("  - " + line, style="dim"))


def power_line(est: PowerEstimate) -> str:
    s = (f"~{est.sustained_w} W sustained, ~{est.transient_w} W transient peak; "
         f"recommended PSU {est.recommended_psu_w} W ({est.recommended_psu_atx3_w} W if ATX 3.x)")
    if est.psu_w is not None:
        s += (f"; {est.psu_name}: {est.psu_w} W, {est.headroom_w} W ({est.headroom_pct:.0f} %) "
              f"headroom, ~{est.wall_w} W at the wall")
    return s


def render_power(console: Console, est: PowerEstimate, cost: RunningCost | None,
                 build_name: str) -> None:
    console.print(Text(f"dlrig power: {build_name}", style="bold"))
    t = Table("part", "qty", "sustained W", title="Sustained DC draw by part")
    for name, qty, watts in est.by_part:
        t.add_row(Text(name), str(qty), str(watts))
    t.add_row(Text("total", style="bold"), "", Text(str(est.sustained_w), style="bold"))
    console.print(t)
    s = Table("", "", show_header=False, box=None)
    s.add_row("transient peak", f"~{est.transient_w} W (GPUs at ~1.6 x board power for < 1 ms)")
    s.add_row("recommended PSU", f"{est.recommended_psu_w} W; {est.recommended_psu_atx3_w} W if ATX 3.x "
              f"(25 % over sustained, covering the peak)")
    s.add_row("Dettmers' rule", f"{est.dettmers_psu_w} W ((CPU + GPU TDP) x 1.1 x 1.1)")
    if est.psu_w is None:
        s.add_row("chosen PSU", "none in the build: no headroom or wall power")
    else:
        atx = "ATX 3.x" if est.psu_atx3 else "pre-ATX-3"
        s.add_row("chosen PSU", Text(f"{est.psu_name}: {est.psu_w} W, {est.psu_efficiency}, {atx}"))
        s.add_row("headroom", f"{est.headroom_w} W ({est.headroom_pct:.0f} % of the rating); "
                  f"load {est.load_pct:.0f} %; rides spikes up to {est.transient_capacity_w} W")
        s.add_row("wall power", f"~{est.wall_w} W at {est.efficiency_pct:.1f} % efficiency "
                  f"(80 Plus curve at {est.load_pct:.0f} % load, 115 V)")
    if cost is not None:
        s.add_row("running cost", f"{cost.kwh_per_year:,.0f} kWh/year = {cost.cost} per year")
        s.add_row("assumptions", cost.assumptions())
    console.print(s)
