"""Why nothing fits, and what relaxing each requirement would give.

The cheapest build that meets every requirement (no budget) says how far
over budget the question is; each requirement a person may drop is dropped
in turn and re-solved, and each numeric floor of the workload (SSD size,
VRAM, RAM per GB of VRAM) is also lowered step by step to the next value the
market's parts offer, to find the least relaxation that fits. The
requirement named as binding is the one that needs the least relaxing to fit
the budget: a numeric floor by its relative cut (the 2017 CNN plan's 250 GB
SSD floor: a 240 GB SSD, -4 %, fits), a dropped requirement counting as the
whole of it; among equals, the one that gives up least (the dearest fitting
build). When nothing fits after any one relaxation, the one that saves the
most. At any price, CP-SAT's assumption cores name the rules that together
leave no build, and a multi-GPU request says the largest count that has one.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ...parts import Category
from ...rules.registry import UnaryRule
from ..policy import PROMOTED
from ..result import Infeasibility
from ..solve import Outcome, Prepared, prepare, solve_prepared
from .common import explain_limit, fmt, in_budget_currency, rule_title
from .options import _option


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
    if req.gpus is not None and req.gpus > 1:
        out.append((f"{req.gpus} GPUs (one instead)", {"gpus": 1}))
    layout_rules = tuple(r.id for r in prep.hard if getattr(r, "plan_unknown", False))
    if layout_rules and (req.gpus is None or req.gpus > 1) and not req.unchecked_ok:
        unpriced = _unpriced_multi_gpu_boards(prep)
        note = (f"; {unpriced} boards whose layout dlrig knows have no price in this market: "
                "import a price list to plan with them" if unpriced else "")
        out.append(("boards whose slot layout is known (a board dlrig cannot check: verify "
                    f"its slot spacing yourself{note})", {"unchecked_ok": layout_rules}))
    for ref in req.require:
        out.append((f"--require {ref}", {"require": tuple(x for x in req.require if x != ref)}))
    return out


def _unpriced_multi_gpu_boards(prep: Prepared) -> int:
    """Boards with two x16-size slots whose places are known but no price in the market (the
    built-in consumer boards placed from review tables are priced only by imported lists)."""
    from ...errors import DlrigError
    from ...rules.layout import board_key

    n = 0
    for board in prep.catalog.parts(Category.motherboard):
        layout = board_key(board)
        if len(layout.slots) < 2 or not layout.known:
            continue
        try:
            if prep.catalog.local_price(board.id, prep.market, prep.base.as_of) is None:
                n += 1
        except DlrigError:
            continue
    return n


def infeasibility(prep: Prepared, out: Outcome) -> Infeasibility:
    req = prep.req
    where = f"in market {prep.market.code}" + (f" on {prep.base.as_of}" if prep.base.as_of else "")
    if out.empty:
        cats = ", ".join(c.value for c in out.empty)
        why = [f"{c.value}: " + _why_empty(prep, c) for c in out.empty]
        return Infeasibility(f"No build is possible {where}: no valid {cats} ({'; '.join(why)}).",
                             binding=cats)
    # (the preference stage picks one of several equally cheap builds, always the same one)
    cheapest = solve_prepared(prep, None, stages=("cost", "preference"))
    budget_txt = fmt(req.budget) if req.budget else "the budget"
    rel = []
    # (requirement, cheapest cost, fits the budget, share of the requirement given up)
    relaxed: list[tuple[str, int, bool, float]] = []
    fitting_rules: set[str] = set()  # rules whose whole relaxation fits the budget
    for label, change in relaxable(prep):
        o, p2 = _solve_relaxed(prep, change)
        if o is None or not o.ok:
            rel.append((label, "still no build"))
            continue
        if prep.budget_local is not None and o.score.cost <= prep.budget_local.minor:
            fitting_rules.update(set(change.get("relax_rules", ())) - set(req.relax_rules))
        cost = o.score.cost
        fits = prep.budget_local is not None and cost <= prep.budget_local.minor
        effect = (f"cheapest build {fmt(in_budget_currency(prep, cost))}"
                  + (" (fits the budget)" if fits else ""))
        if cheapest.ok and cost < cheapest.score.cost:
            effect += f", saves {fmt(in_budget_currency(prep, cheapest.score.cost - cost))}"
        rel.append((label, effect))
        relaxed.append((label, cost, fits, 1.0))
    if cheapest.ok and prep.budget_local is not None:
        for label, cost, cut in lowered_floors(prep, fitting_rules):
            rel.append((label, f"cheapest build {fmt(in_budget_currency(prep, cost))} (fits the "
                               f"budget), saves "
                               f"{fmt(in_budget_currency(prep, cheapest.score.cost - cost))}"))
            relaxed.append((label, cost, True, cut))
    # The binding requirement: of the relaxations that fit, the least relaxation (then the
    # dearest build: it gives up least); if none fits, the one that saves the most.
    fitting = [r for r in relaxed if r[2]]
    best = (min(fitting, key=lambda r: (r[3], -r[1])) if fitting
            else min(relaxed, key=lambda r: r[1]) if relaxed else None)
    if not cheapest.ok:
        binding = next((lab for lab, e in rel if e.startswith("cheapest")), None)
        cores = binding_rules(prep)
        gpus = f" with {req.gpus} GPUs" if req.gpus and req.gpus > 1 else ""
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
        most = largest_count(prep) if req.gpus and req.gpus > 1 else None
        if most:
            text += f" The most GPUs this market can build a machine for is {most}."
        elif req.gpus and req.gpus > 1:
            text += " No GPU count has a build either."
        return Infeasibility(text, binding=", ".join(core) or binding, relaxations=rel)
    opt = _option(prep, cheapest, "cheapest", 0, 0.0)
    over = in_budget_currency(prep, cheapest.score.cost - prep.budget_local.minor)
    gpu = opt.gpu
    g = cheapest.gpu()
    gpu_alone = (f"; its {gpu} alone costs "
                 f"{fmt(in_budget_currency(prep, g.cost * cheapest.gpu_count))}"
                 if g else "")
    text = (f"Nothing fits {budget_txt} {where}: the cheapest build that meets the requirements "
            f"costs {fmt(opt.cost_budget)}, {fmt(over)} over budget{gpu_alone}. ")
    binding = "the budget"
    if best is not None and best[1] < cheapest.score.cost:
        saved = in_budget_currency(prep, cheapest.score.cost - best[1])
        binding = best[0]
        if best[2] and best[3] < 1.0:
            text += (f"The requirement that breaks it is {best[0]}: that alone would save "
                     f"{fmt(saved)} and fit the budget.")
        elif best[2]:
            text += (f"The requirement that breaks it is {best[0]}: relaxing it alone would "
                     f"save {fmt(saved)} and fit the budget.")
        else:
            text += (f"The requirement that binds hardest is {best[0]}: relaxing it would save "
                     f"{fmt(saved)}, still over budget.")
    else:
        text += "No single requirement can be relaxed to lower that price: the budget binds."
    return Infeasibility(text, cheapest=opt, over_budget=over, binding=binding, relaxations=rel)


def _solve_relaxed(prep: Prepared, change: dict[str, Any]):
    """The cheapest build with one requirement dropped, reusing the prepared candidates
    where the change allows (a pair, linear or set rule; a GPU count it has)."""
    kw = dict(stages=("cost",), time_limit_s=explain_limit(prep))
    if set(change) <= {"gpus"} and change["gpus"] in prep.base.counts:
        return solve_prepared(prep, None, counts=(change["gpus"],), **kw), prep
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




def largest_count(prep: Prepared) -> int | None:
    """The most GPUs (below the request's) with a build at any price, or None."""
    for k in range(prep.req.gpus - 1, 0, -1):
        try:
            p2 = prepare(prep.catalog, replace(prep.req, gpus=k, explain=False))
        except Exception:  # noqa: BLE001 - no build for this count is the answer we seek
            continue
        if solve_prepared(p2, None, stages=("cost",), time_limit_s=explain_limit(prep)).ok:
            return k
    return None


# Numeric workload floors that can be lowered partway: (field, rule that reads it, words).
FLOORS = (("min_ssd_gb", "dl.ssd", "SSD floor"), ("vram_floor_gb", "dl.vram-floor", "VRAM floor"),
          ("ram_per_vram", "memory.ram-vs-vram", "RAM per GB of VRAM"))
MAX_FLOOR_STEPS = 3  # lower values tried per floor


def _floor_steps(prep: Prepared, field: str, floor: float) -> list[float]:
    """Lower values of a floor worth trying: what the market's parts offer, highest first."""
    cs = prep.base.by_cat
    if field == "min_ssd_gb":
        values = {c.part.capacity_gb for c in cs.get(Category.storage, [])
                  if c.part.kind == "SSD"}
    elif field == "vram_floor_gb":
        values = {g.vram_gb for g in prep.catalog.parts(Category.gpu)}
    else:
        values = {round(floor * f, 3) for f in (0.75, 0.5)}
    return sorted((v for v in values if 0 < v < floor), reverse=True)[:MAX_FLOOR_STEPS]


def lowered_floors(prep: Prepared, fitting_rules: set[str] | None = None
                   ) -> list[tuple[str, int, float]]:
    """(requirement in words, cheapest cost, share cut) of the first lowered value of each
    workload floor whose cheapest build fits the budget.

    Only floors whose rule, dropped whole, lets a build fit (``fitting_rules``) are
    lowered: if no build fits without the rule, none fits with a lower floor.
    """
    w = prep.workload
    if w is None or prep.budget_local is None:
        return []
    hard = {r.id for r in prep.hard}
    out = []
    for field, rule_id, words in FLOORS:
        floor = getattr(w, field, None)
        if not floor or rule_id not in hard or (field == "min_ssd_gb" and prep.req.dataset_gb):
            continue
        if fitting_rules is not None and rule_id not in fitting_rules:
            continue
        for value in _floor_steps(prep, field, float(floor)):
            req = replace(prep.req, explain=False, workload_overrides=prep.req.workload_overrides
                          + ((field, type(floor)(value)),))
            try:
                p2 = prepare(prep.catalog, req)
            except Exception:  # noqa: BLE001 - a value this floor cannot take gives no build
                continue
            o = solve_prepared(p2, None, stages=("cost",), time_limit_s=explain_limit(prep))
            if o.ok and o.score.cost <= prep.budget_local.minor:
                unit = " GB" if field != "ram_per_vram" else " x"
                out.append((f"the {w.name} workload's {words} of {floor:g}{unit} ({value:g}"
                            f"{unit} would fit)", o.score.cost, 1 - value / float(floor)))
                break
    return out
