"""The CP-SAT model of a plan: one object owns the variables, constraints and objective terms.

Variables (PyJobShop's layout: one class wraps one ``CpModel``):

- one Boolean ``x[p]`` per candidate part: the part is in the build;
- GPUs: one Boolean ``y[o]`` per GPU option (a board in a count, see
  ``candidates.GpuOption``); ``x[g]`` is the sum of its options' ``y`` and
  the units bought ``qty[g] = sum(count x y)``;
- ``qty[p]``: ``x`` for the one-of categories (CPU, board, PSU, case,
  cooler), an integer for memory kits and drives.

GPUs are K *identical* boards: data-parallel training steps at the pace of
the slowest card and each card holds a full model copy, so a mixed set wastes
the faster card's speed and the larger card's memory; one model also keeps
the search small. Memory is one kit model too (mixing kits is the classic
cause of a machine that will not run at rated speed), in a quantity.

Constraints, each a short named method (``add_constraints`` lists them):
the structure of a build, --require, the budget, and every hard rule of the
registry the checker runs (never written here by hand):

- ``PairRule``: candidates are grouped by ``key_a``/``key_b``, the test runs
  once per pair of groups, and each forbidden pair of groups cannot both be
  in the build (``y_b <= sum(y_a compatible)`` when side a is a one-of
  category, or ``y_a + y_b <= 1`` per bad pair, whichever is smaller);
- ``LinearRule``: ``sum((lhs - rhs) x qty) + lhs_const - rhs_const <= 0``,
  enforced only when the rule's ``requires`` categories are in the build and
  no part the rule cannot judge (``unknown``) is chosen, exactly when the
  checker would check it;
- ``GpuSetRule`` reading the board or case: per (board group, GPU option
  group) that fails, ``x_B + y_G <= 1``, or with the failing cases,
  ``x_B + y_G + sum(x_bad cases) <= 2``;
- ``UnaryRule`` and board-free set rules removed parts and options before
  the model was built (``candidates.py``).

Objective terms (``objective.py``): throughput, capacity, balance points,
cost, preference and the id tie-break, as linear expressions.
"""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from ..parts import Category, Memory, Storage
from ..rules.memory import vram_tenths
from . import objective
from .candidates import MULTI, ONE, ONE_MODEL, OPTIONAL, Candidates

MAX_DRIVES = 4


def id_ranks(cs: Candidates) -> dict[str, int]:
    """Each candidate's position in its category by id: the last tie-break's weights."""
    return {c.id: i for cands in cs.by_cat.values()
            for i, c in enumerate(sorted(cands, key=lambda c: c.id))}


class PlanModel:
    """A plan's CP-SAT model over a set of candidates, with a budget (None: no limit).

    ``solve`` builds one model per candidate set without a budget (``budget_minor``
    None), keeps it with the candidates, and solves a ``clone`` with the budget and
    the stages' bounds added: a sweep or an explanation pays the Python model
    building once, not once per budget or per solve.
    """

    def __init__(self, cs: Candidates, budget_minor: int | None, *,
                 max_drives: int = MAX_DRIVES, assume: bool = False,
                 rank_of: dict[str, int] | None = None):
        self.model = cp_model.CpModel()
        self.cs = cs
        # The id tie-break's rank of each part (``objective_terms``); a model over a
        # subset of a candidate set keeps the set's ranks, so it breaks ties the same way.
        self.rank_of = rank_of if rank_of is not None else id_ranks(cs)
        self.budget_minor = budget_minor
        self.max_drives = max_drives
        self.x: dict[str, cp_model.IntVar] = {}
        self.y: dict[str, cp_model.IntVar] = {}  # GPU option id -> chosen
        self.qty: dict[str, cp_model.LinearExprT] = {}
        self.mem_z: dict[str, list[tuple[int, cp_model.IntVar]]] = {}  # kit -> (qty, chosen)
        self.present: dict[Category, cp_model.LinearExprT | bool] = {}
        self.names: list[str] = []
        # With ``assume``, each rule's constraints are enforced by one literal that the
        # solve assumes true, so an infeasible model names the rules that bind (its core).
        self.assume = assume
        self.guards: dict[str, cp_model.IntVar] = {}
        self.add_variables()
        self.cost = self.cost_expr()
        self.add_constraints()
        self.terms = self.objective_terms()
        # Where each candidate's choice sits in a solution vector (``chosen``).
        self._slots = [(c, self.x[c.id].index,
                        [(k, z.index) for k, z in self.mem_z[c.id]] if c.id in self.mem_z
                        else [(1, self.qty[c.id].index)]
                        if isinstance(self.qty[c.id], cp_model.IntVar)
                        and self.qty[c.id] is not self.x[c.id] else None)
                       for c in cs.all()]
        self._opts = [(o, self.y[o.id].index) for o in cs.options]

    def chosen(self, sol) -> tuple[list, object]:
        """(candidate, quantity) pairs and the GPU option of a solution vector."""
        option = next((o for o, i in self._opts if sol[i]), None)
        out = []
        for c, xi, qs in self._slots:
            if sol[xi]:
                if qs is not None:
                    q = sum(k * sol[i] for k, i in qs)
                elif option is not None and option.cand is c:
                    q = option.count
                else:
                    q = 1
                out.append((c, int(q)))
        return out, option

    def hint(self, chosen: list, option) -> dict[int, int]:
        """A hint (variable index -> value) that chooses ``chosen`` and ``option``."""
        qty = {c.id: q for c, q in chosen}
        out: dict[int, int] = {}
        for o in self.cs.options:
            out[self.y[o.id].index] = int(option is not None and o.id == option.id)
        for c in self.cs.all():
            out[self.x[c.id].index] = int(c.id in qty)
            for k, z in self.mem_z.get(c.id, ()):
                out[z.index] = int(qty.get(c.id) == k)
            q = self.qty[c.id]
            if c.part.category in MULTI and isinstance(q, cp_model.IntVar):
                out[q.index] = qty.get(c.id, 0)
        return out

    # -- variables ---------------------------------------------------------------
    def add_variables(self) -> None:
        m, cs = self.model, self.cs
        max_slots = max((c.part.memory_slots for c in cs.by_cat[Category.motherboard]), default=1)
        opts_of = defaultdict(list)
        for o in cs.options:
            y = m.new_bool_var(f"y[{o.id}]")
            self.y[o.id] = y
            opts_of[o.cand.id].append(o)
        for cat, cands in cs.by_cat.items():
            for c in cands:
                x = m.new_bool_var(f"x[{c.id}]")
                self.x[c.id] = x
                if cat == Category.gpu:
                    os = opts_of[c.id]
                    m.add(x == sum(self.y[o.id] for o in os))
                    self.qty[c.id] = sum(o.count * self.y[o.id] for o in os)
                elif cat == Category.memory:
                    # One Boolean per (kit, quantity): the balance terms that read the
                    # memory are then exact sums of them (``balance_terms``).
                    ub = max(1, max_slots // c.part.modules)
                    zs = [(k, m.new_bool_var(f"z[{c.id}]*{k}")) for k in range(1, ub + 1)]
                    m.add(x == sum(z for _, z in zs))
                    self.mem_z[c.id] = zs
                    self.qty[c.id] = sum(k * z for k, z in zs)
                elif cat in MULTI:
                    ub = self.max_drives
                    q = m.new_int_var(0, ub, f"q[{c.id}]")
                    m.add(q >= x)
                    m.add(q <= ub * x)
                    self.qty[c.id] = q
                else:
                    self.qty[c.id] = x

    def xs(self, cat: Category) -> list[cp_model.IntVar]:
        return [self.x[c.id] for c in self.cs.by_cat[cat]]

    def units(self, cat: Category) -> cp_model.LinearExprT:
        return sum(self.qty[c.id] for c in self.cs.by_cat[cat])

    def _add(self, rule_id: str, ct):
        """Add a constraint of ``rule_id``, guarded by the rule's literal when assuming."""
        c = self.model.add(ct)
        if self.assume:
            lit = self.guards.get(rule_id)
            if lit is None:
                lit = self.guards[rule_id] = self.model.new_bool_var(f"assume[{rule_id}]")
            c.only_enforce_if(lit)
        return c

    # -- constraints --------------------------------------------------------------
    def add_constraints(self) -> None:
        self.structure()
        self.required_parts()
        if self.budget_minor is not None:
            self.budget()
        self.pair_rules()
        self.linear_rules()
        self.set_rules()

    def structure(self) -> None:
        m = self.model
        for cat in ONE:
            m.add_exactly_one(self.xs(cat))
            self.present[cat] = True
        for cat in ONE_MODEL:
            if cat == Category.gpu and not self.cs.counts:
                self.present[cat] = False
                continue
            m.add_exactly_one(self.xs(cat))
            self.present[cat] = True
        for cat in OPTIONAL:
            m.add_at_most_one(self.xs(cat))
            self.present[cat] = sum(self.xs(cat))
        for cat in MULTI:
            units = self.units(cat)
            m.add(units >= 1)
            m.add(units <= self.max_drives)
            self.present[cat] = True
        self.names.append("structure")

    def required_parts(self) -> None:
        for cat, ids in self.cs.required.items():
            if cat in MULTI:
                self.model.add(sum(self.x[i] for i in ids if i in self.x) >= 1)
        self.names.append("required parts")

    def budget(self) -> None:
        self.model.add(self.cost <= self.budget_minor)
        self.names.append("budget")

    def _group_expr(self, cat: Category, ids: list[str]):
        """0/1 expression: some part of the group is in the build."""
        xs = [self.x[i] for i in ids]
        if cat not in MULTI:
            return sum(xs)  # at most one part of the category is chosen
        y = self.model.new_bool_var(f"y[{cat.value}:{len(ids)}:{ids[0]}]")
        for x in xs:
            self.model.add_implication(x, y)
        return y

    def pair_rules(self) -> None:
        for t in self.cs.pairs:
            ca, cb = t.rule.categories[0], t.rule.categories[1]
            groups_a: dict = defaultdict(list)
            groups_b: dict = defaultdict(list)
            for c in self.cs.by_cat.get(ca, []):
                groups_a[t.key_of[c.id]].append(c.id)
            for c in self.cs.by_cat.get(cb, []):
                groups_b[t.key_of[c.id]].append(c.id)
            bad = [(ka, kb) for ka in groups_a for kb in groups_b if (ka, kb) in t.bad]
            if not bad:
                continue
            ya = {k: self._group_expr(ca, ids) for k, ids in groups_a.items()}
            yb = {k: self._group_expr(cb, ids) for k, ids in groups_b.items()}
            self._forbid(t.rule.id, bad, ya, yb, ca, cb)
            self.names.append(t.rule.id)

    def _forbid(self, rid, bad, ya, yb, ca, cb) -> None:
        """Forbid every bad (a, b) group pair with the smaller of two encodings."""
        a_one = self.present.get(ca) is True and ca not in MULTI
        b_one = self.present.get(cb) is True and cb not in MULTI
        bad_by_b: dict = defaultdict(set)
        bad_by_a: dict = defaultdict(set)
        for ka, kb in bad:
            bad_by_b[kb].add(ka)
            bad_by_a[ka].add(kb)
        pairwise = 2 * len(bad)
        via_a = sum(1 + len(ya) - len(s) for s in bad_by_b.values()) if a_one else None
        via_b = sum(1 + len(yb) - len(s) for s in bad_by_a.values()) if b_one else None
        best = min(x for x in (pairwise, via_a, via_b) if x is not None)
        if best == via_a:
            for kb, bad_a in bad_by_b.items():
                self._add(rid, yb[kb] <= sum(y for ka, y in ya.items() if ka not in bad_a))
        elif best == via_b:
            for ka, bad_b in bad_by_a.items():
                self._add(rid, ya[ka] <= sum(y for kb, y in yb.items() if kb not in bad_b))
        else:
            for ka, kb in bad:
                self._add(rid, ya[ka] + yb[kb] <= 1)

    def linear_rules(self) -> None:
        ctx = self.cs.ctx
        for t in self.cs.linears:
            r = t.rule
            enforce = []
            skip = False
            for cat in r.requires:
                p = self.present.get(cat, False)
                if p is False:
                    skip = True
                elif p is not True:
                    lit = self.model.new_bool_var(f"has[{cat.value}]")
                    self.model.add(p >= 1).only_enforce_if(lit)
                    self.model.add(p == 0).only_enforce_if(lit.Not())
                    enforce.append(lit)
            if skip:
                continue
            enforce += [self.x[i].Not() for i in t.unknown if i in self.x]
            const = r.lhs_const(ctx) - r.rhs_const(ctx)
            expr = sum(d * self.qty[i] for i, d in t.coef.items() if i in self.qty)
            ct = self._add(r.id, expr + const <= 0)
            if enforce:
                ct.only_enforce_if(enforce)
            self.names.append(r.id)

    def set_rules(self) -> None:
        """GPU-set rules that read the board or case: forbid each failing combination."""
        for t in self.cs.sets:
            if not t.bad:
                continue
            opt_groups: dict = defaultdict(list)
            for o in self.cs.options:
                opt_groups[(t.gpu_key_of[o.cand.id], o.count)].append(self.y[o.id])
            boards: dict = defaultdict(list)
            for c in self.cs.by_cat[Category.motherboard]:
                boards[t.board_key_of.get(c.id)].append(self.x[c.id])
            cases: dict = defaultdict(list)
            for c in self.cs.by_cat[Category.case]:
                cases[t.case_key_of.get(c.id)].append(self.x[c.id])
            used = False
            for (bkey, okey), bad_cases in t.bad.items():
                ys = opt_groups.get(okey)
                if not ys:
                    continue
                xb = boards.get(bkey) if t.rule.reads_board else [1]
                if not xb:
                    continue
                if bad_cases is None:
                    self._add(t.rule.id, sum(xb) + sum(ys) <= 1)
                else:
                    xc = [x for ck in bad_cases for x in cases.get(ck, [])]
                    if not xc:
                        continue
                    self._add(t.rule.id, sum(xb) + sum(ys) + sum(xc) <= 2)
                used = True
            if used:
                self.names.append(t.rule.id)

    # -- objective terms ------------------------------------------------------------
    def cost_expr(self):
        return sum(c.cost * self.qty[c.id] for c in self.cs.all())

    def objective_terms(self) -> dict:
        cs = self.cs
        terms = {
            "throughput": sum(objective.throughput_int(o.throughput) * self.y[o.id]
                              for o in cs.options),
            "capacity": sum(o.capacity * self.y[o.id] for o in cs.options),
            "balance": sum(w * b for b, w in self.balance_terms().values()),
            "cost": self.cost,
            "preference": sum(objective.quote_preference(c) * self.x[c.id] for c in cs.all()),
        }
        # The final tie-break: the smallest ids, one rank per category.
        terms["ids"] = sum(self.rank_of[c.id] * self.x[c.id] for c in cs.all())
        return terms

    def balance_terms(self) -> dict:
        """The balance points (objective stage) as Booleans that imply their conditions.

        The terms that compare the memory with the GPUs, the board or itself, and the
        CPU with the GPUs, are written as exact sums of the choices (a term is met
        only if the chosen kit and quantity, or CPU, meet it for the chosen board or
        GPU option): one memory kit in one quantity, one board, one CPU and one GPU
        option are chosen, so these say the same as the comparisons of totals, and
        their linear relaxation is tight. The SSD and PSU terms sum several parts and
        stay comparisons, enforced when the term is met.
        """
        m, cs = self.model, self.cs
        ctx = cs.ctx
        psu = sum(c.part.wattage_w * self.x[c.id] for c in cs.by_cat[Category.psu])
        draw = sum(objective.draw(c.part, ctx) * self.qty[c.id] for c in cs.all()
                   if objective.draw(c.part, ctx))
        upgrade = sum((objective.upgrade_draw(o.part, o.cand.upgrade_w, ctx)
                       - objective.draw(o.part, ctx)) * o.count * self.y[o.id]
                      for o in cs.options)
        terms = {}
        for name, weight, _ in objective.BALANCE_TERMS:
            terms[name] = (m.new_bool_var(name), weight)
        b = {name: v for name, (v, _) in terms.items()}
        m.add(self.ssd_gb() >= objective.ssd_room_gb(cs.workload, ctx)).only_enforce_if(
            b["ssd_room"])
        m.add(psu * 100 >= objective.PSU_HEADROOM_PCT * (draw + upgrade)).only_enforce_if(
            b["psu_upgrade"])
        # (kit, quantity) choices with their RAM in tenths of a GB and their modules.
        kits = [(c.part.total_gb * 10 * k, (c.part.modules if isinstance(c.part, Memory)
                                            else 0) * k, z)
                for c in cs.by_cat[Category.memory] for k, z in self.mem_z.get(c.id, ())]
        gpu = self.present.get(Category.gpu) is True
        # ram_room: RAM >= the option's need, per group of options with the same need.
        ratio = objective.ram_per_vram(cs.workload) * objective.RAM_ROOM_FACTOR
        by_need: dict[int, list] = defaultdict(list)
        for o in cs.options if gpu else ():
            by_need[vram_tenths(o.part, ratio) * o.count].append(self.y[o.id])
        for need, ys in by_need.items():
            m.add(b["ram_room"] + sum(ys) - 1 <= sum(z for ram, _, z in kits if ram >= need))
        m.add(b["dual_channel"] <= sum(z for _, mods, z in kits if mods >= 2))
        # free slots: per group of boards with the same number of memory slots.
        by_slots: dict[int, list] = defaultdict(list)
        for c in cs.by_cat[Category.motherboard]:
            by_slots[c.part.memory_slots].append(self.x[c.id])
        for name, room in (("free_slot", 1), ("two_free_slots", 2)):
            for slots, xs in by_slots.items():
                m.add(b[name] + sum(xs) - 1
                      <= sum(z for _, mods, z in kits if slots - mods >= room))
        # cpu_room: enough cores and feed for the option, per group of like options.
        by_load: dict[tuple, list] = defaultdict(list)
        for o in cs.options if gpu else ():
            by_load[(o.count, objective.feed_demand(o.part) * o.count)].append(self.y[o.id])
        cpus = [(c, c.part.cores, objective.feed_supply(c.part))
                for c in cs.by_cat.get(Category.cpu, [])]
        for (count, demand), ys in by_load.items():
            ok = [self.x[c.id] for c, cores, supply in cpus
                  if cores >= objective.CORES_PER_GPU * count and supply >= demand]
            m.add(b["cpu_room"] + sum(ys) - 1 <= sum(ok))
        return terms

    def ssd_gb(self):
        return sum(c.part.capacity_gb * self.qty[c.id] for c in self.cs.by_cat[Category.storage]
                   if isinstance(c.part, Storage) and c.part.kind == "SSD")
