"""The CP-SAT decision variables: which parts, and how many of each.

- one Boolean ``x[p]`` per candidate part: the part is in the build;
- ``qty[p]``: the units bought, as a linear expression: ``x`` for the
  one-of categories (CPU, board, PSU, case, cooler), ``K x`` for GPUs
  (K identical boards), an integer for memory kits and drives.

GPUs are K *identical* boards: data-parallel training steps at the pace of
the slowest card and each card holds a full model copy, so a mixed set wastes
the faster card's speed and the larger card's memory; one model also keeps
the search small. Memory is one kit model too (mixing kits is the classic
cause of a machine that will not run at rated speed), in a quantity.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from ..parts import Category
from .candidates import MULTI, ONE_MODEL, Candidates

MAX_DRIVES = 4


class Variables:
    def __init__(self, model: cp_model.CpModel, cs: Candidates, gpus: int,
                 max_drives: int = MAX_DRIVES):
        self.model = model
        self.cs = cs
        self.gpus = gpus
        self.max_drives = max_drives
        self.x: dict[str, cp_model.IntVar] = {}
        self.q: dict[str, cp_model.IntVar] = {}
        self.qty: dict[str, cp_model.LinearExprT] = {}
        max_slots = max((c.part.memory_slots for c in cs.by_cat[Category.motherboard]), default=1)
        for cat, cands in cs.by_cat.items():
            for c in cands:
                x = model.new_bool_var(f"x[{c.id}]")
                self.x[c.id] = x
                if cat == Category.gpu:
                    self.qty[c.id] = gpus * x
                elif cat in ONE_MODEL or cat in MULTI:
                    ub = max(1, max_slots // c.part.modules) if cat == Category.memory else max_drives
                    q = model.new_int_var(0, ub, f"q[{c.id}]")
                    model.add(q >= x)
                    model.add(q <= ub * x)
                    self.q[c.id] = q
                    self.qty[c.id] = q
                else:
                    self.qty[c.id] = x

    def xs(self, cat: Category) -> list[cp_model.IntVar]:
        return [self.x[c.id] for c in self.cs.by_cat[cat]]

    def units(self, cat: Category) -> cp_model.LinearExprT:
        return sum(self.qty[c.id] for c in self.cs.by_cat[cat])
