"""Why nothing fits, and what relaxing each requirement would give.

The cheapest build that meets every requirement (no budget) says how far
over budget the question is; each requirement a person may drop is dropped
in turn and re-solved. The requirement named as binding is the one whose
relaxation makes a build fit the budget while giving up the least (the
dearest of the fitting relaxed builds: an 11 USD SSD floor, not the VRAM
floor that would also fit by buying a worse card); when none fits, the one
that saves the most. At any price, CP-SAT's assumption cores name the rules
that together leave no build, and a multi-GPU request says the largest count
that has one.
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
    relaxed: list[tuple[str, int, bool]] = []  # (requirement, cheapest cost, fits the budget)
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
        relaxed.append((label, cost, fits))
    # The binding requirement: of the relaxations that fit, the one that gives up least
    # (its cheapest build is the dearest); if none fits, the one that saves the most.
    fitting = [r for r in relaxed if r[2]]
    best = (max(fitting, key=lambda r: r[1]) if fitting
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
        if best[2]:
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
