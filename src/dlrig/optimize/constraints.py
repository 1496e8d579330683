"""The hard constraints, as a readable list of short named methods.

Every compatibility constraint is generated from the rule registry (the
table ``dlrig check`` runs), never written here by hand:

- ``UnaryRule``: parts that fail are not candidates (``candidates.py``);
- ``PairRule``: candidates are grouped by ``key_a``/``key_b``, the test runs
  once per pair of groups, and each forbidden pair of groups cannot both be
  in the build. Written as ``y_b <= sum(y_a compatible)`` when side a is a
  one-of category, or ``y_a + y_b <= 1`` per bad pair, whichever is smaller;
- ``LinearRule``: ``sum((lhs - rhs) x qty) + lhs_const - rhs_const <= 0``,
  enforced only when the rule's ``requires`` categories are in the build and
  no part the rule cannot judge (``unknown``) is chosen, exactly when the
  checker would check it.

Besides the rules: the structure of a build (one CPU, board, PSU and case,
K identical GPUs, one memory kit model, at least one drive, at most one
cooler), the budget, --require, and the workload's floors that no rule
expresses as a linear form (RAM at least ``ram_per_vram`` x VRAM, which is
``memory.ram-vs-vram``; SSD capacity at least ``min_ssd_gb``).
"""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from ..parts import Category, Gpu, Memory, Storage
from . import objective
from .candidates import MULTI, ONE, ONE_MODEL, OPTIONAL, Candidates
from .variables import Variables


class Constraints:
    def __init__(self, model: cp_model.CpModel, v: Variables, cs: Candidates,
                 budget_minor: int | None, floors: bool = True, assume: bool = False):
        self.model = model
        self.v = v
        self.cs = cs
        self.budget_minor = budget_minor
        self.floors = floors
        self.present: dict[Category, cp_model.LinearExprT | bool] = {}
        self.names: list[str] = []
        # With ``assume``, each rule's constraints are enforced by one literal that the
        # solve assumes true, so an infeasible model names the rules that bind (its core).
        self.assume = assume
        self.guards: dict[str, cp_model.IntVar] = {}

    def _add(self, rule_id: str, ct):
        """Add a constraint of ``rule_id``, guarded by the rule's literal when assuming."""
        c = self.model.add(ct)
        if self.assume:
            lit = self.guards.get(rule_id)
            if lit is None:
                lit = self.guards[rule_id] = self.model.new_bool_var(f"assume[{rule_id}]")
            c.only_enforce_if(lit)
        return c

    def add_all(self) -> None:
        self.structure()
        self.required_parts()
        if self.budget_minor is not None:
            self.budget()
        self.pair_rules()
        self.linear_rules()
        if self.floors:
            self.ram_floor()
            self.ssd_floor()

    # -- structure -------------------------------------------------------------
    def structure(self) -> None:
        v, m = self.v, self.model
        for cat in ONE:
            m.add_exactly_one(v.xs(cat))
            self.present[cat] = True
        for cat in ONE_MODEL:
            if cat == Category.gpu and v.gpus == 0:
                self.present[cat] = False
                continue
            m.add_exactly_one(v.xs(cat))
            self.present[cat] = True
        for cat in OPTIONAL:
            m.add_at_most_one(v.xs(cat))
            self.present[cat] = sum(v.xs(cat))
        for cat in MULTI:
            units = v.units(cat)
            m.add(units >= 1)
            m.add(units <= v.max_drives)
            self.present[cat] = True
        self.names.append("structure")

    def required_parts(self) -> None:
        for cat, ids in self.cs.required.items():
            if cat in MULTI:
                self.model.add(sum(self.v.x[i] for i in ids if i in self.v.x) >= 1)
        self.names.append("required parts")

    def budget(self) -> None:
        cost = sum(c.cost * self.v.qty[c.id] for c in self.cs.all())
        self.model.add(cost <= self.budget_minor)
        self.names.append("budget")

    # -- rules -----------------------------------------------------------------
    def _group_expr(self, cat: Category, ids: list[str]):
        """0/1 expression: some part of the group is in the build."""
        xs = [self.v.x[i] for i in ids]
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
            enforce += [self.v.x[i].Not() for i in t.unknown if i in self.v.x]
            const = r.lhs_const(ctx) - r.rhs_const(ctx)
            expr = sum(d * self.v.qty[i] for i, d in t.coef.items() if i in self.v.qty)
            ct = self._add(r.id, expr + const <= 0)
            if enforce:
                ct.only_enforce_if(enforce)
            self.names.append(r.id)

    # -- workload floors -------------------------------------------------------
    def ram_ten(self):
        return sum(c.part.total_gb * 10 * self.v.qty[c.id] for c in self.cs.by_cat[Category.memory])

    def ram_floor(self) -> None:
        """RAM >= ram_per_vram x the GPU's VRAM (the memory.ram-vs-vram rule, made hard)."""
        gpus = self.cs.by_cat[Category.gpu]
        if not gpus or self.v.gpus == 0:
            return
        ratio = objective.ram_per_vram(self.cs.workload)
        need = sum(objective.vram10(c.part, ratio) * self.v.x[c.id] for c in gpus)
        self._add("workload.ram-floor", self.ram_ten() >= need)
        self.names.append("workload.ram-floor")

    def ssd_floor(self) -> None:
        """SSDs of at least the workload's ``min_ssd_gb`` in all."""
        need = objective.min_ssd_gb(self.cs.workload)
        if need <= 0:
            return
        ssd = sum(c.part.capacity_gb * self.v.qty[c.id] for c in self.cs.by_cat[Category.storage]
                  if isinstance(c.part, Storage) and c.part.kind == "SSD")
        self._add("workload.ssd-floor", ssd >= need)
        self.names.append("workload.ssd-floor")


def balance_terms(model: cp_model.CpModel, v: Variables, cs: Candidates):
    """The balance points (objective stage 2) as reified Booleans."""
    from ..power import part_draw_w

    mem = cs.by_cat[Category.memory]
    ram10 = sum(c.part.total_gb * 10 * v.qty[c.id] for c in mem)
    modules = sum(c.part.modules * v.qty[c.id] for c in mem if isinstance(c.part, Memory))
    slots = sum(c.part.memory_slots * v.x[c.id] for c in cs.by_cat[Category.motherboard])
    psu = sum(c.part.wattage_w * v.x[c.id] for c in cs.by_cat[Category.psu])
    draw = sum(part_draw_w(c.part) * v.qty[c.id] for c in cs.all() if part_draw_w(c.part))
    ratio = objective.ram_per_vram(cs.workload) * objective.RAM_ROOM_FACTOR
    need = sum(objective.vram10(c.part, ratio) * v.x[c.id] for c in cs.by_cat[Category.gpu]
               if isinstance(c.part, Gpu))
    conds = {
        "ram_room": ram10 >= need,
        "dual_channel": modules >= 2,
        "free_slot": slots - modules >= 1,
        "two_free_slots": slots - modules >= 2,
        "psu_room": psu * 100 >= objective.PSU_ROOM_PCT * draw,
    }
    terms = {}
    for name, weight, _ in objective.BALANCE_TERMS:
        b = model.new_bool_var(name)
        model.add(conds[name]).only_enforce_if(b)
        terms[name] = (b, weight)
    return terms
