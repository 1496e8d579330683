"""Why each part: what rules out the cheaper parts of its slot, and what the next better one gives.

Every sentence comes from a swap judged by the plan's own rules and
objective: the nearest cheaper parts are swapped in and re-checked (which
hard rule they break, or which balance point they lose); the cheapest better
part is swapped in and re-scored ("Core i3-7100: 2.0x the price for +11 %
clock, no gain for GPU training").
"""

from __future__ import annotations

from collections.abc import Callable

from ...build import Build
from ...parts import AnyPart, Category, Cpu, Memory, Motherboard, Psu, Storage
from ..result import Option, PlanResult
from ..solve import Outcome, Prepared
from .common import (
    LABEL,
    MAX_SWAPS,
    SwapChecker,
    chip_of,
    fmt,
    hard_violations,
    in_budget_currency,
    rule_title,
    score_build,
    short_chip,
    swap,
    term_label,
    unit_cost,
    workload_phrase,
)


def better_than(a: AnyPart, b: AnyPart) -> str | None:
    """What ``a`` offers over ``b`` in its slot ('+11 % clock'), or None if nothing."""
    gains = []
    if isinstance(a, Cpu) and isinstance(b, Cpu):
        if a.threads > b.threads:
            gains.append(f"+{a.threads - b.threads} threads")
        if a.cores > b.cores:
            gains.append(f"+{a.cores - b.cores} cores")
        ca, cb = a.boost_clock_ghz or a.base_clock_ghz, b.boost_clock_ghz or b.base_clock_ghz
        if ca > cb:
            gains.append(f"+{100 * (ca - cb) / cb:.0f} % clock")
        if a.threads < b.threads or a.cores < b.cores:
            return None
    elif isinstance(a, Memory) and isinstance(b, Memory):
        if a.total_gb > b.total_gb:
            gains.append(f"+{a.total_gb - b.total_gb} GB")
        if a.speed_mts > b.speed_mts:
            gains.append(f"+{a.speed_mts - b.speed_mts} MT/s")
    elif isinstance(a, Motherboard) and isinstance(b, Motherboard):
        if a.memory_slots > b.memory_slots:
            gains.append(f"+{a.memory_slots - b.memory_slots} memory slots")
        if a.pcie_x16_slots > b.pcie_x16_slots:
            gains.append(f"+{a.pcie_x16_slots - b.pcie_x16_slots} x16 slots")
        if a.max_memory_gb > b.max_memory_gb:
            gains.append(f"up to {a.max_memory_gb} GB RAM")
    elif isinstance(a, Psu) and isinstance(b, Psu):
        if a.wattage_w > b.wattage_w:
            gains.append(f"+{a.wattage_w - b.wattage_w} W")
        if objective_eff(a) > objective_eff(b):
            gains.append(a.efficiency)
    elif isinstance(a, Storage) and isinstance(b, Storage):
        if a.kind == "HDD" and b.kind == "SSD":
            return None  # not better for datasets, whatever its size
        if a.capacity_gb > b.capacity_gb:
            gains.append(f"+{a.capacity_gb - b.capacity_gb} GB")
        if a.interface == "NVMe" and b.interface != "NVMe":
            gains.append("NVMe")
    elif a.category == Category.case:
        la, lb = a.max_gpu_length_mm or 0, b.max_gpu_length_mm or 0
        if la > lb:
            gains.append(f"+{la - lb} mm GPU clearance")
        if a.expansion_slots > b.expansion_slots:
            gains.append(f"+{a.expansion_slots - b.expansion_slots} expansion slots")
    elif a.category == Category.cooler:
        if (a.tdp_rating_w or 0) > (b.tdp_rating_w or 0):
            gains.append(f"rated {a.tdp_rating_w} W")
    return ", ".join(gains) or None


def objective_eff(p: Psu) -> int:
    from ...parts import EFFICIENCY

    return EFFICIENCY.index(p.efficiency)


def reasons(prep: Prepared, out: Outcome, res: PlanResult,
            ups: list[Option] | Callable[[], list[Option]]) -> None:
    """Each part's reason (why it), and the next better part (why not that) in not_chosen.

    The two are kept apart so no sentence is shown twice: the reason says
    what rules out the cheaper parts, ``next_better`` what the next dearer
    one would give. ``ups``, the upgrade path, may be a callable that waits for it
    (``annotate`` solves it in another thread): only the GPU's reason reads it, so the
    other parts' reasons are worked out first.
    """
    build = res.build
    base_score = out.score
    budget = prep.budget_local.minor if prep.budget_local else None
    checker = SwapChecker(prep, build)
    gpus = []
    for pp in res.parts:
        part = pp.part
        if part.category == Category.gpu:
            gpus.append(pp)
            continue
        req_ids = prep.base.required.get(part.category)
        if req_ids and part.id in req_ids and len(req_ids) <= 3:
            pp.reason = "required (--require)"
        else:
            pp.reason = why_this(prep, build, part, base_score, checker)
        pp.next_better = next_better(prep, build, part, base_score, budget, checker)
    if gpus:
        steps = ups() if callable(ups) else ups
        for pp in gpus:
            pp.reason, pp.next_better = gpu_reason(prep, out, pp.part, steps)
    res.not_chosen.extend(pp.next_better for pp in res.parts if pp.next_better)


# Dropped parts that were never in the running for a reason worth giving.
_NOT_A_CHOICE = ("not released", "no price", "dominated", "same specification", "excluded",
                 "another part is required")


def dropped_choices(prep: Prepared) -> dict:
    """Per category, the parts left out for a reason worth giving, with their unit costs.

    The same for every plan of the request (the candidates do not depend on the
    budget), so kept with them: the dropped parts of an imported catalog number
    tens of thousands, nearly all unpriced or twins.
    """
    key = ("dropped-choices",)
    hit = prep.base.solved.get(key)
    if hit is None:
        hit = {}
        for pid, why in prep.base.dropped.items():
            if why.startswith(_NOT_A_CHOICE):
                continue
            p = prep.catalog.get(pid)
            hit.setdefault(p.category, []).append((p, unit_cost(prep, p)))
        prep.base.solved[key] = hit
    return hit


def why_this(prep: Prepared, build: Build, part: AnyPart, base_score,
             checker: SwapChecker | None = None) -> str:
    """What rules out every cheaper part of the same slot."""
    cost = unit_cost(prep, part) or 0
    cat = part.category
    cheaper = []
    seen = {part.id}
    for c in prep.base.by_cat.get(cat, []):
        if c.cost < cost and c.id not in seen:
            cheaper.append(c.part)
            seen.add(c.id)
    for p, p_cost in dropped_choices(prep).get(cat, ()):
        if p.id not in seen and (p_cost or cost) < cost:
            cheaper.append(p)
            seen.add(p.id)
    if not cheaper:
        return f"the cheapest {LABEL[cat]} that fits"
    # The nearest cheaper parts say what bound the choice; far cheaper ones add nothing.
    cheaper = sorted(cheaper, key=lambda p: -(unit_cost(prep, p) or 0))[:MAX_SWAPS]
    blockers: dict[str, int] = {}
    lost_terms: dict[str, int] = {}
    for p in cheaper:
        b2 = swap(build, part, p)
        v = (checker.violations(b2, cat) if checker is not None
             else hard_violations(prep, b2))
        if v:
            title = rule_title(prep, v[0][0])
            blockers[title] = blockers.get(title, 0) + 1
            continue
        s = score_build(prep, b2)
        if (s.capacity, s.throughput) < (base_score.capacity, base_score.throughput):
            blockers["throughput"] = blockers.get("throughput", 0) + 1
        elif s.balance < base_score.balance:
            for t in base_score.terms:
                if t not in s.terms:
                    lost_terms[t] = lost_terms.get(t, 0) + 1
        else:
            blockers["ties on price"] = blockers.get("ties on price", 0) + 1
    head = f"the cheapest {LABEL[cat]} that fits"
    why = []
    rules = sorted(blockers.items(), key=lambda kv: -kv[1])
    fails = [k for k, _ in rules if k not in ("throughput", "ties on price")][:2]
    if fails:
        why.append("cheaper ones fail " + " or ".join(f"'{t}'" for t in fails))
    if "throughput" in blockers:
        why.append("cheaper ones lower the GPU's throughput")
    if lost_terms:
        terms = sorted(lost_terms, key=lambda t: -lost_terms[t])[:2]
        why.append("cheaper ones lose " + " and ".join(term_label(prep, t) for t in terms))
    if not why and "ties on price" in blockers:
        why.append("a cheaper one ties on every other count")
    return head + (": " + "; ".join(why) if why else "")


def next_better(prep: Prepared, build: Build, part: AnyPart, base_score,
                budget, checker: SwapChecker | None = None) -> str | None:
    """The cheapest better part of the slot, and what it would (not) buy."""
    cost = unit_cost(prep, part) or 0
    better = sorted(((c, better_than(c.part, part)) for c in prep.base.by_cat.get(part.category, [])
                     if c.id != part.id and c.cost >= cost), key=lambda cg: (cg[0].cost, cg[0].id))
    best = None
    for c, gain in [cg for cg in better if cg[1]][:MAX_SWAPS]:
        b2 = swap(build, part, c.part)
        # compare with parts that would fit this build
        if not (checker.violations(b2, part.category) if checker is not None
                else hard_violations(prep, b2)):
            best = (c, gain)
            break
    if best is None:
        return None
    c, gain = best
    qty = next(i.quantity for i in build.items if i.part.id == part.id)
    ratio = c.cost / cost if cost else float("inf")
    head = f"{c.part.name}: {ratio:.1f}x the price for {gain}"
    s = score_build(prep, b2)
    extra = (c.cost - cost) * qty
    if s.key[:3] <= base_score.key[:3]:
        text = f"{head}, no gain {workload_phrase(prep)}"
    elif budget is not None and base_score.cost + extra > budget:
        over = in_budget_currency(prep, base_score.cost + extra - budget)
        text = f"{head}, but {fmt(over)} over budget"
    else:
        text = head
    return text


def gpu_reason(prep: Prepared, out: Outcome, gpu: AnyPart,
               ups: list[Option]) -> tuple[str, str | None]:
    """(why this board, the next GPU choice up and how far over budget it is)."""
    chip = short_chip(chip_of(gpu))
    n_boards = sum(1 for c in prep.base.by_cat[Category.gpu] if chip_of(c.part) == chip_of(gpu))
    head = (f"the cheapest of {n_boards} {chip} boards that fit" if n_boards > 1
            else f"the only {chip} board that fits")
    count = out.gpu_count
    if prep.req.gpus is None and count:
        head += f"; {count} of them" + (" (the solver's choice of count)" if count > 1 else
                                        " (one is the solver's best count)")
    if prep.ctx.job is not None:
        head += f"; {prep.ctx.job.fit_text(gpu, count)}"
    elif out.score is not None and out.score.capacity:
        head += "; " + capacity_reason(prep, out)
    if not ups:
        return f"{head}; the fastest GPU choice with a valid build in this market", None
    u = ups[0]
    return head, (f"{u.gpu}: +{u.delta_throughput_pct:.0f} % throughput, but the cheapest build "
                  f"with it is {fmt(u.delta_cost)} over budget")


def capacity_reason(prep: Prepared, out: Outcome) -> str:
    """Why memory won: what this choice runs, against the fastest choice the budget allows.

    The fastest choice comes from the same model solved without the capacity
    stage (throughput, then balance and cost), so the comparison is the one
    the objective made.
    """
    from ...llm.job import capacity_text
    from ..solve import solve_prepared
    from .common import explain_limit, gpu_label, plan_hints

    o = out.option
    task = "inference" if getattr(prep.workload, "scaling", "") == "single-user-decode" \
        else "qlora"
    mine = f"{o.part.vram_gb:g} GB" + (f" x {o.count}" if o.count > 1 else "")
    text = f"{mine}: {capacity_text([o.part.vram_gb] * o.count, task=task)}"
    f = fastest_choice(prep, out)
    if f is None:
        fastest = solve_prepared(prep, stages=("throughput", "balance", "cost"),
                                 time_limit_s=explain_limit(prep), hints=plan_hints(out))
        f = fastest.option if fastest.ok else None
    if f is None or f.cand.part.chipset == o.cand.part.chipset and f.count == o.count:
        return text
    gain = 100 * (f.throughput / o.throughput - 1) if o.throughput else 0
    rival = gpu_label(chip_of(f.part), f.count)
    if f.part.vram_gb == o.part.vram_gb and f.count == o.count:
        return text
    speed = (f"+{gain:.0f} % on the {prep.workload.name} job" if gain >= 0.5 else
             "as fast")
    return (f"{text}; the fastest choice within budget, {rival} ({speed}), has "
            f"{f.part.vram_gb:g} GB"
            + (f" x {f.count}" if f.count > 1 else "")
            + f": {capacity_text([f.part.vram_gb] * f.count, task=task)}")


def fastest_choice(prep: Prepared, out: Outcome):
    """The fastest GPU choice within budget, when the plan's solve already decided it.

    The plan's first stage found the best throughput the budget allows (its value);
    when every GPU option with that throughput is the same chip, count and memory,
    the solve without the capacity stage would choose one of them, and the reason
    reads nothing else (None: several such choices, solve to know which).
    """
    from .. import objective

    first = out.stages[0] if out.stages else {}
    if first.get("stage") != "throughput" or "value" not in first:
        return None
    best = first["value"]
    top = {(o.part.chipset, o.count, o.part.vram_gb, o.throughput): o
           for o in prep.candidates().options
           if objective.throughput_int(o.throughput) == best}
    return next(iter(top.values())) if len(top) == 1 else None
