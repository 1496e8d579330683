"""The verdict: what holds this machine back, in plain words.

Checks run in a fixed order, the order in which one problem hides the next:
a throttled GPU makes every other figure low; a degraded PCIe link starves
the GPU whatever the CPU does; CPU workers that decode fewer images per
second than the GPU trains on leave it idle; and a disk slower than the
workers starves them. The first check that fails is named the bottleneck;
the others are still reported. Each measured figure is also set against
what the parts promise, and the founding post's rules of thumb (two CPU
threads per GPU, RAM >= GPU memory, an SSD) are checked on this machine.
The logic is pure: it reads a ``BenchResult`` and nothing else, so recorded
results from other machines test it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .expected import PCIE_TYPICAL_MIN_MIB
from .nvml import THERMAL_OR_HW
from .schema import BenchResult, ClaimCheck, Finding, Measurement, Verdict

ORDER = ("throttling", "pcie_link", "cpu_feed", "disk_feed")


def _workers(n: int) -> str:
    return "the main process alone" if n == 0 else f"{n} worker{'s' if n != 1 else ''}"


def _n(x: float, digits: int = 0) -> str:
    return f"{x:,.{digits}f}"


def _ok(result: BenchResult, section: str) -> list[Measurement]:
    return [m for m in result.section(section) if m.status == "ok" and m.value]


def _small_copy(m: Measurement) -> bool:
    return (m.section == "pcie" and m.params.get("size_mib") is not None
            and float(m.params["size_mib"]) < PCIE_TYPICAL_MIN_MIB)


def against_specs(result: BenchResult) -> list[str]:
    """'bf16 matmul 612 TFLOP/s = 62 % of the 989 TFLOP/s datasheet peak; typical ...'.

    Pinned copies under 256 MiB are not set against the typical range (older
    result files carry one for them): they are latency-bound, so their share
    of the link rate is expected to be low and says nothing about the link.
    """
    lines = []
    for m in result.measurements:
        if m.status != "ok" or m.value is None or m.expected is None:
            continue
        e = m.expected
        line = (f"{m.label}: {_n(m.value.median, 1)} {m.value.unit} = "
                f"{100 * m.value.median / e.value:.0f} % of the {_n(e.value, 1)} {e.unit} "
                f"promised ({e.source})")
        if _small_copy(m):
            line += (f"; not compared with the typical range: under {PCIE_TYPICAL_MIN_MIB} MiB "
                     f"per-copy latency, not only the link, sets the rate")
        elif e.typical_low is not None and e.typical_high is not None:
            lo, hi = 100 * e.typical_low / e.value, 100 * e.typical_high / e.value
            line += (f"; typical is {lo:.0f}-{hi:.0f} % ({_n(e.typical_low)}-{_n(e.typical_high)}"
                     f" {e.unit}, {e.typical_source})")
        lines.append(line)
    return lines


# -- 1. throttling ------------------------------------------------------------

def _throttling(result: BenchResult) -> tuple[list[Finding], bool]:
    findings, bad = [], False
    for g in result.inventory.gpus:
        if (g.power_limit_w and g.power_limit_default_w
                and g.power_limit_w < 0.95 * g.power_limit_default_w):
            bad = True
            findings.append(Finding(id="throttling", severity="bottleneck", text=(
                f"GPU {g.index} runs with its power limit at {_n(g.power_limit_w)} W, below the "
                f"card's default {_n(g.power_limit_default_w)} W: it cannot reach its rated "
                f"clocks under load")))
    gpu_ms = [m for m in _ok(result, "gpu") + _ok(result, "memory") if m.telemetry]
    hot = [(m, r) for m in gpu_ms for r in m.telemetry.throttle_reasons if r in THERMAL_OR_HW]
    if hot:
        bad = True
        m, _ = hot[0]
        reasons = sorted({r for _, r in hot})
        t = m.telemetry
        clock = (f"; SM clock fell to {_n(t.sm_clock_mhz_min)} MHz"
                 if t.sm_clock_mhz_min is not None else "")
        temp = f" at {_n(t.temp_c_max)} °C" if t.temp_c_max is not None else ""
        findings.append(Finding(id="throttling", severity="bottleneck", text=(
            f"GPU slowed down by heat or a hardware signal ({', '.join(reasons)}) during "
            f"'{m.label}'{temp}{clock}: improve case airflow or cooling before anything else")))
    capped = [m for m in gpu_ms if "sw_power_cap" in m.telemetry.throttle_reasons]
    if capped and not bad:
        clocks = [m.telemetry.sm_clock_mhz_min for m in capped if m.telemetry.sm_clock_mhz_min]
        limit = next((m.telemetry.power_limit_w for m in capped if m.telemetry.power_limit_w), None)
        text = ("GPU reached its power cap" + (f" ({_n(limit)} W)" if limit else "")
                + " under full tensor load" + (f", clocks down to {_n(min(clocks))} MHz"
                                               if clocks else "")
                + ": normal for a card at its design limit, not a fault")
        burst = {(m.params.get("dtype"), m.params.get("n")): m for m in _ok(result, "gpu")
                 if m.params.get("mode") == "burst"}
        for m in _ok(result, "gpu"):
            b = burst.get((m.params.get("dtype"), m.params.get("n")))
            if m.params.get("mode") == "sustained" and b:
                text += (f"; sustained {m.params['dtype']} matmul is "
                         f"{100 * m.value.median / b.value.median:.0f} % of burst")
        findings.append(Finding(id="power_cap", severity="info", text=text))
    if gpu_ms and not findings:
        findings.append(Finding(id="throttling", severity="ok",
                                text="no throttling seen: clocks held during the GPU tests"))
    return findings, bad


# -- 2. PCIe link -------------------------------------------------------------

def _pcie(result: BenchResult) -> tuple[list[Finding], bool]:
    findings, bad = [], False
    for g in result.inventory.gpus:
        if g.pcie_gen_current is None or g.pcie_width_current is None:
            continue
        cur = f"PCIe {g.pcie_gen_current}.0 x{g.pcie_width_current}"
        top = f"PCIe {g.pcie_gen_max}.0 x{g.pcie_width_max}"
        when = "under load" if g.pcie_read_under_load else "at idle (not read under load)"
        if g.pcie_read_under_load and (
                (g.pcie_gen_max and g.pcie_gen_current < g.pcie_gen_max)
                or (g.pcie_width_max and g.pcie_width_current < g.pcie_width_max)):
            bad = True
            findings.append(Finding(id="pcie_link", severity="bottleneck", text=(
                f"GPU {g.index}'s link runs at {cur} under load, below the {top} it and the "
                f"board support: reseat the card, use the x16 slot wired to the CPU, avoid "
                f"risers, check the BIOS PCIe setting")))
        elif g.spec and g.spec.bus and g.pcie_width_current and g.pcie_read_under_load:
            findings.append(Finding(id="pcie_link", severity="ok",
                                    text=f"GPU {g.index}'s link: {cur} {when} (card: {g.spec.bus})"))
        else:
            findings.append(Finding(id="pcie_link", severity="ok" if g.pcie_read_under_load
                                    else "info", text=f"GPU {g.index}'s link: {cur} {when}"))
    for m in _ok(result, "pcie"):
        e = m.expected
        if (e and e.typical_low and m.params.get("pinned") and m.params.get("direction") == "h2d"
                and not _small_copy(m) and m.value.median < 0.7 * e.typical_low):
            bad = True
            findings.append(Finding(id="pcie_link", severity="bottleneck", text=(
                f"{m.label} reaches {_n(m.value.median, 1)} GB/s, under 70 % of the "
                f"{_n(e.typical_low)}-{_n(e.typical_high)} GB/s typical on {e.source.split(' payload')[0]}"
                f": something else shares or throttles the link")))
    return findings, bad


# -- 3. CPU feed --------------------------------------------------------------

def gpu_demand(result: BenchResult) -> tuple[float | None, str]:
    """Images/s all GPUs together consume training the standard CNN, and its source."""
    ms = [m for m in _ok(result, "gpu") if m.id.endswith(".train.cnn")]
    if not ms:
        return None, ""
    return sum(m.value.median for m in ms), ms[0].label


def loader_curve(result: BenchResult) -> dict[int, float]:
    return {int(m.params["workers"]): m.value.median for m in _ok(result, "loader")
            if "workers" in m.params}


def per_worker(curve: dict[int, float]) -> tuple[float | None, float | None]:
    """(images/s one worker decodes alone, each worker's share at the largest count)."""
    ks = [k for k in curve if k >= 1]
    if not ks:
        return None, None
    solo = sorted(curve[k] / k for k in ks)[len(ks) // 2]
    top = max(ks)
    return solo, curve[top] / top


def workers_needed(curve: dict[int, float], demand: float) -> tuple[int | None, bool]:
    """(workers needed to meet ``demand``, whether a measured count met it)."""
    met = sorted(k for k, v in curve.items() if k >= 1 and v >= demand)
    if met:
        return met[0], True
    _, at_top = per_worker(curve)
    if not at_top:
        return None, False
    return math.ceil(demand / at_top), False


def _cpu_feed(result: BenchResult, demand: float | None, label: str
              ) -> tuple[list[Finding], bool, int | None]:
    curve = loader_curve(result)
    avail = result.inventory.cpu.usable_cpus
    if not curve:
        return [], False, None
    best_n = max(curve, key=lambda k: curve[k])
    solo, at_top = per_worker(curve)
    if demand is None:
        return [Finding(id="cpu_feed", severity="info", text=(
            f"the CPU decodes up to {_n(curve[best_n])} images/s with {_workers(best_n)} "
            f"(about {_n(solo or 0)} per worker); GPU demand not measured, so whether that "
            f"is enough is not known"))], False, None
    needed, met = workers_needed(curve, demand)
    if met:
        return [Finding(id="cpu_feed", severity="ok", text=(
            f"{needed} loader workers feed the GPU: it consumes {_n(demand)} images/s "
            f"({label}); {needed} workers decode {_n(curve[needed])}; this machine has "
            f"{avail} CPUs"))], False, needed
    top = max(k for k in curve)
    text = (f"CPU feed below GPU demand: the GPU consumes {_n(demand)} images/s ({label}), "
            f"but {top} workers decode only {_n(curve[top])} (best: {_n(curve[best_n])} with "
            f"{best_n}); one worker decodes about {_n(solo or 0)} alone, {_n(at_top or 0)} each "
            f"when all {top} run")
    if needed is not None:
        text += (f"; about {needed} workers would be needed and this machine has {avail} CPUs"
                 if needed > avail else
                 f"; about {needed} workers should do it, and this machine has {avail} CPUs")
    text += ("; decode on the GPU (NVIDIA DALI), store pre-resized images, or use a CPU "
             "with more cores")
    return [Finding(id="cpu_feed", severity="bottleneck", text=text)], True, needed


# -- 4. disk feed -------------------------------------------------------------

@dataclass(frozen=True)
class _DiskFeed:
    """The disk's read rate in JPEGs/s against what it has to feed."""

    gb_s: float
    kind: str
    note: str  # how to read the figure (page cache, RAM file system), or ""
    kb: float
    images_s: float
    need: float | None  # the lesser of the GPU's demand and the workers' rate
    who: str  # what ``need`` is, in words

    def read(self) -> str:
        return (f"the {self.kind} disk reads {_n(self.gb_s, 2)} GB/s{self.note} = "
                f"{_n(self.images_s)} JPEGs/s of {self.kb:.0f} KB")


def _disk_feed(result: BenchResult, demand: float | None) -> _DiskFeed | None:
    reads = [m for m in _ok(result, "disk") if m.id == "disk.read.seq"]
    if not reads:
        return None
    m = reads[0]
    kb = next((x.params.get("jpeg_kb") for x in _ok(result, "loader") if x.params.get("jpeg_kb")),
              None) or 110.0  # ImageNet's mean JPEG size when the loader did not run
    curve = loader_curve(result)
    feed = max(curve.values()) if curve else None
    need = min(x for x in (demand, feed) if x is not None) if (demand or feed) else None
    note = ("" if m.params.get("o_direct", True) else " (page cache may have served it)")
    if m.params.get("disk_kind") == "ram":
        note = " (a RAM file system: memory speed, not a disk's)"
    who = ("the GPU's demand" if demand is not None and need == demand
           else "what the workers decode")
    kind = str(m.params.get("disk_kind") or "unknown")
    return _DiskFeed(gb_s=m.value.median, kind="" if kind == "unknown" else kind, note=note,
                     kb=float(kb), images_s=m.value.median * 1e9 / (float(kb) * 1000),
                     need=need, who=who)


def _disk(result: BenchResult, demand: float | None) -> tuple[list[Finding], bool]:
    d = _disk_feed(result, demand)
    if d is None:
        return [], False
    if d.need is None:
        return [Finding(id="disk_feed", severity="info", text=d.read())], False
    if d.images_s < d.need:
        return [Finding(id="disk_feed", severity="bottleneck", text=(
            f"disk below feed: {d.read()}, less than {d.who} ({_n(d.need)} images/s); move "
            f"the data set to an NVMe SSD, or keep it in RAM (page cache) if it fits"))], True
    return [Finding(id="disk_feed", severity="ok", text=(
        f"{d.read()}, {d.images_s / d.need:.0f}x {d.who} ({_n(d.need)} images/s)"))], False


# -- the founding post's claims ------------------------------------------------

TWO_THREADS = "two CPU threads per GPU keep it fed"
RAM_VRAM = "system RAM at least equal to GPU memory"
SSD = "an SSD keeps data loading fed"


def _claims(result: BenchResult, demand: float | None, label: str) -> list[ClaimCheck]:
    """The founding post's rules, each with the figures that decide it here.

    ``text`` is a whole sentence, "claim - evidence", so the JSON reads on its
    own; the renderer puts holds/fails/untested in front of it.
    """
    inv = result.inventory
    out = []
    curve = loader_curve(result)
    n_gpu = max(1, len(inv.gpus))
    gpus = "GPUs" if n_gpu > 1 else "GPU"
    whose = "the GPUs'" if n_gpu > 1 else "the GPU's"
    if curve:
        two = 2 * n_gpu
        have = curve.get(two)
        solo, _ = per_worker(curve)
        if have is None and solo:
            have = solo * two
        if demand is None:
            out.append(ClaimCheck(claim=TWO_THREADS, holds=None, text=(
                f"{TWO_THREADS} - not decided: {whose} demand was not measured; {two} "
                f"workers decode {_n(have or 0)} images/s, enough for a GPU that trains at up "
                f"to that rate")))
        else:
            needed, _ = workers_needed(curve, demand)
            holds = have is not None and have >= demand
            text = (f"{TWO_THREADS} - the {gpus} consume{'' if n_gpu > 1 else 's'} "
                    f"{_n(demand)} images/s ({label}); each worker decodes {_n(solo or 0)}, "
                    f"{two} decode {_n(have or 0)}")
            if not holds and needed:
                text += f"; about {needed} workers are needed"
            out.append(ClaimCheck(claim=TWO_THREADS, holds=holds, text=text))
    vram = sum(g.vram_gb or 0 for g in inv.gpus)
    if vram:
        holds = inv.ram_gb >= vram * 0.97  # "16 GB" DIMMs vs "16 GB" cards differ by rounding
        out.append(ClaimCheck(claim=RAM_VRAM, holds=holds, text=(
            f"{RAM_VRAM} - {inv.ram_gb:.0f} GB of RAM for {vram:.0f} GB of GPU memory")))
    d = _disk_feed(result, demand)
    if d is not None:
        if d.need is None:
            holds, tail = None, " - not decided: neither the GPU nor the workers were measured"
        else:
            holds = d.images_s >= d.need
            tail = (f", {d.images_s / d.need:.0f}x {d.who}" if holds
                    else f", less than {d.who} ({_n(d.need)} images/s)")
        out.append(ClaimCheck(claim=SSD, holds=holds, text=(
            f"{SSD} - {d.read()}{tail}" if d.need is not None else f"{SSD}{tail}; {d.read()}")))
    return out


def judge(result: BenchResult) -> Verdict:
    demand, label = gpu_demand(result)
    findings: list[Finding] = []
    named = None
    f, bad = _throttling(result)
    findings += f
    named = named or ("throttling" if bad else None)
    f, bad = _pcie(result)
    findings += f
    named = named or ("pcie_link" if bad else None)
    f, bad, needed = _cpu_feed(result, demand, label)
    findings += f
    named = named or ("cpu_feed" if bad else None)
    f, bad = _disk(result, demand)
    findings += f
    named = named or ("disk_feed" if bad else None)

    if named:
        first = next(x for x in findings if x.id == named and x.severity == "bottleneck")
        headline = f"Bottleneck: {first.text}"
    elif demand is not None and loader_curve(result):  # everything needed was measured
        headline = "No bottleneck found: the GPU runs at its rated clocks, its link is intact, " \
                   "the CPU workers and the disk keep up with it"
    elif demand is None:
        why = result.inventory.gpu_absent_reason or "the GPU tests did not run"
        headline = f"No bottleneck can be named without the GPU measured ({why}); " \
                   "CPU, disk and loader figures are below"
    else:
        headline = "No bottleneck found among the parts measured; run the loader test " \
                   "(--only loader) to check the CPU feed"
    complete = demand is not None and bool(loader_curve(result))
    return Verdict(bottleneck=named or ("none" if complete else "unknown"),
                   headline=headline, findings=findings, against_specs=against_specs(result),
                   claims=_claims(result, demand, label), loader_workers_needed=needed,
                   loader_workers_available=result.inventory.cpu.usable_cpus)
