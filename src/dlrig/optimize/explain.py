"""Why this build: reasons per part, alternatives, the upgrade path, infeasibility.

Every sentence is computed from a solve or a swap, never written per part:

- *reason* for a part: what rules out the cheaper parts of its slot (the
  hard rules they fail, or the balance they lose), and what the next better
  part would give for its price (swap it in, re-score: "Core i3-7100: 2.0x the
  price for +11 % clock, no gain for GPU training");
- *GPU*: the next step up the planner would take with more money, and how far
  over budget the cheapest build with it is;
- *alternatives*: the best build with each of the next three GPU chips
  (re-solve excluding the chips already shown);
- *upgrade path*: the cheapest build with each faster chip, kept when it beats
  every cheaper one ("+X buys GPU Y, +Z % throughput");
- *infeasibility*: the cheapest build without the budget, and each relaxable
  requirement dropped in turn (which one binds, and what dropping it gives).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..build import Build
from ..parts import AnyPart, Category, Cpu, Memory, Motherboard, Psu, Storage
from ..rules import check_build
from ..rules.registry import UnaryRule
from ..units import Money
from . import objective
from .policy import PROMOTED, is_promoted
from .result import OPTIMAL, Infeasibility, Option, PlanResult
from .solve import Outcome, Prepared, prepare, solve_prepared

MAX_ALTERNATIVES = 3
MAX_ALTERNATIVE_SOLVES = 5  # chips tried for the alternatives (some may not fit the budget)
MAX_UPGRADES = 3
MAX_UPGRADE_SOLVES = 5  # faster chips priced for the upgrade path
EXPLAIN_TIME_LIMIT_S = 2.0
MAX_SWAPS = 30  # better parts tried per slot when looking for one that fits


def annotate(prep: Prepared, out: Outcome, res: PlanResult) -> None:
    if res.ok:
        # The upgrade and alternative solves are independent: run them side by side, one
        # CP-SAT worker each (a solve releases the GIL), while the reasons are computed.
        from concurrent.futures import ThreadPoolExecutor

        # The alternatives' first solves are always made (see ``alternatives``), so they
        # are queued one by one: the thread that finishes the upgrades takes the next.
        one = replace(prep, req=replace(prep.req, num_workers=1))
        with ThreadPoolExecutor(2) as pool:
            f_ups = pool.submit(upgrades, one, out)
            alts = _Alternatives(one, out, pool.submit)
            ups = f_ups.result()
            reasons(prep, out, res, ups)
            res.alternatives = alts.finish()
        res.upgrades = ups
    else:
        res.infeasibility = infeasibility(prep, out)
        res.message = res.infeasibility.summary


# -- helpers -----------------------------------------------------------------------------

def chip_of(part) -> str:
    return getattr(part, "chipset", part.name)


def short_chip(name: str) -> str:
    return name.removeprefix("NVIDIA ").removeprefix("GeForce ")


def fmt(money: Money) -> str:
    return money.format(decimals=False)


def pct(new: float, old: float) -> float | None:
    return None if not old else 100.0 * (new - old) / old


def hard_violations(prep: Prepared, build: Build) -> list[tuple[str, str]]:
    """(rule id, message) of every hard requirement the build breaks."""
    ids = {r.id for r in prep.hard}
    out = []
    for f in check_build(build, prep.ctx).findings:
        if f.rule not in ids:
            continue
        rule = next(r for r in prep.hard if r.id == f.rule)
        if is_promoted(rule, prep.ctx, prep.req.extra_hard) or f.severity.value == "error":
            out.append((f.rule, f.message))
    if prep.req.floors:
        out += floor_violations(prep, build)
    return out


def floor_violations(prep: Prepared, build: Build) -> list[tuple[str, str]]:
    out = []
    gpus = build.gpus
    ram = sum(m.total_gb for m in build.memory)
    if gpus:
        ratio = objective.ram_per_vram(prep.workload)
        need = max(objective.vram10(g, ratio) for g in gpus)
        if ram * 10 < need:
            out.append(("workload.ram-floor", f"{ram} GB of RAM is below {need / 10:g} GB "
                        f"({ratio:g} x the GPU's VRAM)"))
    need_ssd = objective.min_ssd_gb(prep.workload)
    ssd = sum(s.capacity_gb for s in build.storage if s.kind == "SSD")
    if need_ssd and ssd < need_ssd:
        out.append(("workload.ssd-floor", f"{ssd} GB of SSD is below the workload's {need_ssd} GB"))
    return out


def unit_cost(prep: Prepared, part: AnyPart) -> int | None:
    cost = prep.base.cost_of(part.id)
    if cost is not None:
        return cost
    lp = prep.catalog.local_price(part.id, prep.market, prep.base.as_of)
    return lp.money.minor if lp else None


def score_build(prep: Prepared, build: Build) -> objective.Score:
    items = [(i.part, i.quantity, unit_cost(prep, i.part) or 0) for i in build.items]
    thr = {i.part.id: objective.throughput(i.part, prep.perf_workload)
           for i in build.items if i.part.category == Category.gpu}
    return objective.score(items, prep.workload, thr)


def swap(build: Build, old: AnyPart, new: AnyPart) -> Build:
    qty = next(i.quantity for i in build.items if i.part.id == old.id)
    items = [i for i in build.items if i.part.id != old.id]
    b = Build(tuple(items), build.name, build.market)
    return b.with_part(new, qty, replace=False)


def money_local(prep: Prepared, minor: int) -> Money:
    return Money(minor, prep.market.currency)


def in_budget_currency(prep: Prepared, minor: int) -> Money:
    return prep.to_budget_currency(money_local(prep, minor))


LABEL = {Category.cpu: "CPU", Category.gpu: "GPU", Category.memory: "memory kit",
         Category.motherboard: "board", Category.storage: "drive", Category.psu: "PSU",
         Category.case: "case", Category.cooler: "cooler"}


def workload_phrase(prep: Prepared) -> str:
    return f"for {prep.workload.name}" if prep.workload else "for GPU training"


# -- reasons -------------------------------------------------------------------------------

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
    from ..parts import EFFICIENCY

    return EFFICIENCY.index(p.efficiency)


def reasons(prep: Prepared, out: Outcome, res: PlanResult, ups: list[Option]) -> None:
    """Each part's reason (why it), and the next better part (why not that) in not_chosen.

    The two are kept apart so no sentence is shown twice: the reason says
    what rules out the cheaper parts, ``next_better`` what the next dearer
    one would give.
    """
    build = res.build
    base_score = out.score
    budget = prep.budget_local.minor if prep.budget_local else None
    for pp in res.parts:
        part = pp.part
        if part.category == Category.gpu:
            pp.reason, pp.next_better = gpu_reason(prep, out, part, ups)
        else:
            req_ids = prep.base.required.get(part.category)
            if req_ids and part.id in req_ids and len(req_ids) <= 3:
                pp.reason = "required (--require)"
            else:
                pp.reason = why_this(prep, build, part, base_score)
            pp.next_better = next_better(prep, build, part, base_score, budget)
        if pp.next_better:
            res.not_chosen.append(pp.next_better)


# Dropped parts that were never in the running for a reason worth giving.
_NOT_A_CHOICE = ("not released", "no price", "dominated", "same specification", "excluded",
                 "another part is required")


def why_this(prep: Prepared, build: Build, part: AnyPart, base_score) -> str:
    """What rules out every cheaper part of the same slot."""
    cost = unit_cost(prep, part) or 0
    cat = part.category
    cheaper = []
    seen = {part.id}
    for c in prep.base.by_cat.get(cat, []):
        if c.cost < cost and c.id not in seen:
            cheaper.append(c.part)
            seen.add(c.id)
    for pid, why in prep.base.dropped.items():
        if why.startswith(_NOT_A_CHOICE) or pid in seen:
            continue
        p = prep.catalog.get(pid)
        if p.category == cat and (unit_cost(prep, p) or cost) < cost:
            cheaper.append(p)
            seen.add(pid)
    if not cheaper:
        return f"the cheapest {LABEL[cat]} that fits"
    # The nearest cheaper parts say what bound the choice; far cheaper ones add nothing.
    cheaper = sorted(cheaper, key=lambda p: -(unit_cost(prep, p) or 0))[:MAX_SWAPS]
    blockers: dict[str, int] = {}
    lost_terms: dict[str, int] = {}
    for p in cheaper:
        b2 = swap(build, part, p)
        v = hard_violations(prep, b2)
        if v:
            title = rule_title(prep, v[0][0])
            blockers[title] = blockers.get(title, 0) + 1
            continue
        s = score_build(prep, b2)
        if s.throughput < base_score.throughput:
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


def rule_title(prep: Prepared, rule_id: str) -> str:
    for r in prep.hard:
        if r.id == rule_id:
            return r.title
    ratio = objective.ram_per_vram(prep.workload)
    return {"workload.ram-floor": f"RAM at least {ratio:g} x the GPU's VRAM",
            "workload.ssd-floor": f"SSDs of at least {objective.min_ssd_gb(prep.workload)} GB"
            }.get(rule_id, rule_id)


def term_label(prep: Prepared, term: str) -> str:
    return objective.term_text(term, prep.workload)


def next_better(prep: Prepared, build: Build, part: AnyPart, base_score,
                budget) -> str | None:
    """The cheapest better part of the slot, and what it would (not) buy."""
    cost = unit_cost(prep, part) or 0
    better = sorted(((c, better_than(c.part, part)) for c in prep.base.by_cat.get(part.category, [])
                     if c.id != part.id and c.cost >= cost), key=lambda cg: (cg[0].cost, cg[0].id))
    best = None
    for c, gain in [cg for cg in better if cg[1]][:MAX_SWAPS]:
        b2 = swap(build, part, c.part)
        if not hard_violations(prep, b2):  # compare with parts that would fit this build
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
    if s.key[:2] <= base_score.key[:2]:
        text = f"{head}, no gain {workload_phrase(prep)}"
    elif budget is not None and base_score.cost + extra > budget:
        over = in_budget_currency(prep, base_score.cost + extra - budget)
        text = f"{head}, but {fmt(over)} over budget"
    else:
        text = head
    return text


def gpu_reason(prep: Prepared, out: Outcome, gpu: AnyPart,
               ups: list[Option]) -> tuple[str, str | None]:
    """(why this board, the next chip up and how far over budget it is)."""
    chip = short_chip(chip_of(gpu))
    n_boards = sum(1 for c in prep.base.by_cat[Category.gpu] if chip_of(c.part) == chip_of(gpu))
    head = (f"the cheapest of {n_boards} {chip} boards that fit" if n_boards > 1
            else f"the only {chip} board that fits")
    if not ups:
        return f"{head}; the fastest GPU with a valid build in this market", None
    u = ups[0]
    return head, (f"{u.gpu}: +{u.delta_throughput_pct:.0f} % throughput, but the cheapest build "
                  f"with it is {fmt(u.delta_cost)} over budget")


# -- alternatives and upgrades --------------------------------------------------------------

def _option(prep: Prepared, o: Outcome, label: str, plan_cost: int, plan_thr: float,
            note: str = "") -> Option:
    gpu = o.gpu()
    thr = o.score.throughput / objective.THROUGHPUT_SCALE
    budget = prep.budget_local.minor if prep.budget_local else None
    return Option(
        label=label,
        gpu=short_chip(chip_of(gpu.part)) if gpu else "no GPU",
        cost_local=money_local(prep, o.score.cost),
        cost_budget=in_budget_currency(prep, o.score.cost),
        throughput=thr,
        delta_cost=in_budget_currency(prep, o.score.cost - (budget if budget and label == "upgrade"
                                                             else plan_cost)),
        delta_throughput_pct=pct(thr, plan_thr),
        parts=[(c.id, q) for c, q in o.chosen],
        fits_budget=budget is None or o.score.cost <= budget,
        note=note,
    )


def chip_ids(prep: Prepared, chip: str) -> frozenset[str]:
    return frozenset(c.id for c in prep.base.by_cat[Category.gpu] if chip_of(c.part) == chip)


def explain_limit(prep: Prepared) -> float:
    """Time limit of one explanation solve: short, so a plan answers in seconds.

    An explanation stopped by it still gives a valid build, marked not proven.
    """
    return min(EXPLAIN_TIME_LIMIT_S, prep.req.time_limit_s)


def plan_hints(out: Outcome) -> dict[str, int]:
    """The plan's own parts (GPU aside), to warm-start explanation solves."""
    return {c.id: 1 for c, _ in out.chosen if c.part.category != Category.gpu}


def chips_by_throughput(prep: Prepared) -> dict[str, float]:
    """Every valid GPU chip and its per-board throughput (the same for all its boards)."""
    chips: dict[str, float] = {}
    for c in prep.base.by_cat[Category.gpu]:
        chips[chip_of(c.part)] = max(chips.get(chip_of(c.part), 0.0), c.throughput)
    return chips


def cost_floor(prep: Prepared, chip: str) -> int:
    """A lower bound on any build with ``chip``: its cheapest board x K plus the cheapest
    part of every category a build must have. Chips above the budget need no solve."""
    cs = prep.base.by_cat
    board = min(c.cost for c in cs[Category.gpu] if chip_of(c.part) == chip)
    rest = sum(min((c.cost for c in cs.get(cat, [])), default=0)
               for cat in (Category.cpu, Category.motherboard, Category.psu, Category.case,
                           Category.memory, Category.storage))
    return board * prep.req.gpus + rest


def _note(o: Outcome) -> str:
    return "" if o.status == OPTIMAL else "time limit: not proven the best build with this chip"


def alternatives(prep: Prepared, out: Outcome) -> list[Option]:
    """The best build within the budget with each of the next GPU chips down.

    One solve per chip, in order of throughput below the plan's, with the GPU
    fixed to the chip (so only balance and cost are left to choose) and the
    plan's parts as hints; chips whose cheapest possible build is over budget
    are skipped without a solve, and at most ``MAX_ALTERNATIVE_SOLVES`` run.
    """
    return _Alternatives(prep, out).finish()


class _Alternatives:
    """``alternatives``, with its first solves handed to ``submit`` (a thread pool's).

    The first ``MAX_ALTERNATIVES`` chips that pass the budget test are solved
    whatever the outcomes (the loop stops only after that many options or
    more tries), so they can run side by side; the outcomes are then taken in
    chip order and the loop goes on exactly as a sequential one would.
    """

    def __init__(self, prep: Prepared, out: Outcome, submit=None):
        self.prep, self.out = prep, out
        gpu = out.gpu()
        self.chips = iter(())
        self.first: list = []
        if gpu is None:
            return
        plan_chip = chip_of(gpu.part)
        budget = prep.budget_local.minor if prep.budget_local else None
        ranked = sorted(((t, ch) for ch, t in chips_by_throughput(prep).items()
                         if ch != plan_chip and t <= gpu.throughput),
                        key=lambda tc: (-tc[0], tc[1]))
        # Lazily: cost_floor is only computed for the chips the loop reaches.
        self.chips = (ch for _, ch in ranked
                      if budget is None or cost_floor(prep, ch) <= budget)
        self.hints = plan_hints(out)
        for chip in self.chips:
            call = (self._solve, chip)
            self.first.append((chip, submit(*call) if submit else call))
            if len(self.first) >= min(MAX_ALTERNATIVES, MAX_ALTERNATIVE_SOLVES):
                break

    def _solve(self, chip: str) -> Outcome:
        return solve_prepared(self.prep, require_any={Category.gpu: chip_ids(self.prep, chip)},
                              stages=("balance", "cost"), time_limit_s=explain_limit(self.prep),
                              hints=self.hints)

    def finish(self) -> list[Option]:
        prep, out = self.prep, self.out
        if out.gpu() is None:
            return []
        plan_thr = out.score.throughput / objective.THROUGHPUT_SCALE
        opts: list[Option] = []
        tries = 0

        def take(chip: str, o: Outcome) -> None:
            if o.ok and o.gpu() is not None:
                opts.append(_option(prep, o, f"with {short_chip(chip)}", out.score.cost,
                                    plan_thr, _note(o)))

        for chip, job in self.first:
            tries += 1
            take(chip, job[0](*job[1:]) if isinstance(job, tuple) else job.result())
        for chip in self.chips:
            if len(opts) >= MAX_ALTERNATIVES or tries >= MAX_ALTERNATIVE_SOLVES:
                break
            tries += 1
            take(chip, self._solve(chip))
        return opts


def upgrades(prep: Prepared, out: Outcome) -> list[Option]:
    """Faster chips in the order more money buys them: the Pareto steps of (cost, throughput).

    The cheapest build with each faster chip (one cost-only solve each, the
    GPU fixed, no budget), for at most ``MAX_UPGRADE_SOLVES`` chips, those
    with the cheapest possible build first; a chip that cannot beat a step
    already found is skipped without a solve.
    """
    gpu = out.gpu()
    if gpu is None or prep.budget_local is None:
        return []
    plan_thr = out.score.throughput / objective.THROUGHPUT_SCALE
    # Cheapest possible build first; a chip whose floor already costs as much as a
    # faster chip's cheapest build cannot be a step, so it needs no solve.
    faster = sorted((cost_floor(prep, ch), -t, ch) for ch, t in chips_by_throughput(prep).items()
                    if t > gpu.throughput)
    found: list[Outcome] = []
    hints = plan_hints(out)
    solves = 0
    for floor, neg_t, chip in faster:
        if solves >= MAX_UPGRADE_SOLVES:
            break
        thr = objective.throughput_int(-neg_t) * prep.req.gpus
        if any(o.score.cost <= floor and o.score.throughput >= thr for o in found):
            continue
        solves += 1
        o = solve_prepared(prep, None, require_any={Category.gpu: chip_ids(prep, chip)},
                           stages=("cost",), time_limit_s=explain_limit(prep), hints=hints)
        if o.ok:
            found.append(o)
    found.sort(key=lambda o: (o.score.cost, -o.score.throughput))
    steps, best = [], out.score.throughput
    for o in found:
        if o.score.throughput > best:
            best = o.score.throughput
            steps.append(_option(prep, o, "upgrade", out.score.cost, plan_thr, _note(o)))
        if len(steps) >= MAX_UPGRADES:
            break
    return steps


# -- infeasibility ------------------------------------------------------------------------------

def relaxable(prep: Prepared) -> list[tuple[str, dict[str, Any]]]:
    """(requirement in words, how to drop it) for each requirement a person may drop."""
    req = prep.req
    out: list[tuple[str, dict[str, Any]]] = []
    for r in prep.hard:
        if r.id in PROMOTED:
            label = ("no BIOS update" if r.id == "platform.bios-update"
                     else f"'{r.title}' ({r.id})")
            out.append((label, {"relax_rules": req.relax_rules + (r.id,)}))
        elif r.id == "dl.vram-floor" and prep.workload is not None:
            out.append((f"the {prep.workload.name} workload's {prep.workload.vram_floor_gb:g} GB "
                        f"VRAM floor", {"relax_rules": req.relax_rules + (r.id,)}))
    if req.floors and (prep.workload is not None or prep.base.by_cat[Category.gpu]):
        out.append(("the RAM-to-VRAM and SSD-size floors", {"floors": False}))
    if req.gpus > 1:
        out.append((f"{req.gpus} GPUs (one instead)", {"gpus": 1}))
    for ref in req.require:
        out.append((f"--require {ref}", {"require": tuple(x for x in req.require if x != ref)}))
    return out


def infeasibility(prep: Prepared, out: Outcome) -> Infeasibility:
    req = prep.req
    where = f"in market {prep.market.code}" + (f" on {prep.base.as_of}" if prep.base.as_of else "")
    if out.empty:
        cats = ", ".join(c.value for c in out.empty)
        why = [f"{c.value}: " + _why_empty(prep, c) for c in out.empty]
        return Infeasibility(f"No build is possible {where}: no valid {cats} ({'; '.join(why)}).",
                             binding=cats)
    cheapest = solve_prepared(prep, None, stages=("cost",))
    budget_txt = fmt(req.budget) if req.budget else "the budget"
    rel = []
    best = None
    for label, change in relaxable(prep):
        o, p2 = _solve_relaxed(prep, change)
        if o is None or not o.ok:
            rel.append((label, "still no build"))
            continue
        cost = o.score.cost
        fits = prep.budget_local is not None and cost <= prep.budget_local.minor
        effect = (f"cheapest build {fmt(in_budget_currency(prep, cost))}"
                  + (" (fits the budget)" if fits else ""))
        if cheapest.ok and cost < cheapest.score.cost:
            effect += f", saves {fmt(in_budget_currency(prep, cheapest.score.cost - cost))}"
        rel.append((label, effect))
        if best is None or cost < best[1]:
            best = (label, cost, fits)
    if not cheapest.ok:
        binding = next((lab for lab, e in rel if e.startswith("cheapest")), None)
        cores = binding_rules(prep)
        gpus = f" with {req.gpus} GPUs" if req.gpus > 1 else ""
        text = f"No build meets the requirements {where}, at any price"
        if cores:
            text += (f"{gpus}: no combination of its parts meets "
                     + "; nor, without those, ".join(" and ".join(_rule_words(prep, r) for r in c)
                                                     for c in cores) + ".")
        else:
            text += "."
        core = [r for c in cores for r in c]
        text += (f" Dropping {binding} would allow one." if binding else
                 " No single requirement can be dropped to allow one.")
        return Infeasibility(text, binding=", ".join(core) or binding, relaxations=rel)
    opt = _option(prep, cheapest, "cheapest", 0, 0.0)
    over = in_budget_currency(prep, cheapest.score.cost - prep.budget_local.minor)
    gpu = opt.gpu
    g = cheapest.gpu()
    gpu_alone = (f"; its {gpu} alone costs {fmt(in_budget_currency(prep, g.cost * req.gpus))}"
                 if g else "")
    text = (f"Nothing fits {budget_txt} {where}: the cheapest build that meets the requirements "
            f"costs {fmt(opt.cost_budget)}, {fmt(over)} over budget{gpu_alone}. ")
    binding = "the budget"
    if best is not None and best[1] < cheapest.score.cost:
        saved = in_budget_currency(prep, cheapest.score.cost - best[1])
        binding = best[0]
        text += (f"The requirement that binds hardest is {best[0]}: relaxing it would save "
                 f"{fmt(saved)}" + (" and fit the budget." if best[2] else
                                     ", still over budget."))
    else:
        text += "No single requirement can be relaxed to lower that price: the budget binds."
    return Infeasibility(text, cheapest=opt, over_budget=over, binding=binding, relaxations=rel)


def _solve_relaxed(prep: Prepared, change: dict[str, Any]):
    """The cheapest build with one requirement dropped, reusing the prepared candidates
    where the change allows (a pair or linear rule, the floors, the GPU count)."""
    kw = dict(stages=("cost",), time_limit_s=explain_limit(prep))
    if set(change) <= {"floors"}:
        return solve_prepared(prep, None, floors=False, **kw), prep
    if set(change) <= {"gpus"} and change["gpus"] > 0:
        return solve_prepared(prep, None, gpus=change["gpus"], **kw), prep
    if set(change) <= {"relax_rules"}:
        new = set(change["relax_rules"]) - set(prep.req.relax_rules)
        if all(not isinstance(r, UnaryRule) for r in prep.hard if r.id in new):
            return solve_prepared(prep, None, drop_rules=frozenset(new), **kw), prep
    req = replace(prep.req, explain=False, **change)
    try:
        p2 = prepare(prep.catalog, req)
    except Exception:  # noqa: BLE001 - a relaxation that cannot even be prepared gives no build
        return None, None
    return solve_prepared(p2, None, **kw), p2


def binding_rules(prep: Prepared, max_cores: int = 3) -> list[list[str]]:
    """Sets of rules that each leave no build at any price (CP-SAT's assumption cores),
    each shrunk to the rules that matter, the next found with the previous ones dropped."""
    cores: list[list[str]] = []
    dropped: set[str] = set()
    kw = dict(stages=("cost",), time_limit_s=explain_limit(prep))
    for _ in range(max_cores):
        o = solve_prepared(prep, None, assume=True, drop_rules=frozenset(dropped), **kw)
        core = [r for r in dict.fromkeys(o.core) if r not in dropped]
        if o.ok or not core:
            break
        if len(core) > 1:  # keep a rule only if the others alone still leave no build
            for rid in list(core):
                rest = [r for r in core if r != rid]
                others = frozenset(r.id for r in prep.hard if r.id not in rest)
                if not solve_prepared(prep, None, drop_rules=others, **kw).ok:
                    core = rest
        cores.append(core)
        dropped |= set(core)
    return cores


def _rule_words(prep: Prepared, rid: str) -> str:
    return f"'{rule_title(prep, rid)}' ({rid})"


def _why_empty(prep: Prepared, cat: Category) -> str:
    whys: dict[str, int] = {}
    for pid, why in prep.base.dropped.items():
        if pid in prep.catalog and prep.catalog.get(pid).category == cat:
            key = why.split(":")[0]
            whys[key] = whys.get(key, 0) + 1
    if not whys:
        return "none in the catalog"
    return ", ".join(f"{n} {k}" for k, n in sorted(whys.items(), key=lambda kv: -kv[1])[:3])


