"""A plan's status: what the solver proved.

``optimal``: CP-SAT proved every stage of the objective optimal; ``feasible``:
a time limit stopped a stage with a valid but unproven build; ``infeasible``:
no build meets the requirements (a status with an explanation, never an
exception); ``unknown``: the time limit stopped the first stage before any
build was found. The members are strings, so ``status == "optimal"`` and the
JSON output read the same.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    optimal = "optimal"
    feasible = "feasible"
    infeasible = "infeasible"
    unknown = "unknown"

    @property
    def ok(self) -> bool:
        return self in (Status.optimal, Status.feasible)


OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN = (Status.optimal, Status.feasible, Status.infeasible,
                                          Status.unknown)
