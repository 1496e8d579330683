"""A saved plan, checked with the requirements it was planned for, shows no error and
no warning (issue 10), over a grid of markets, budgets, every workload and 1-4 GPUs.

The plans go through their TOML text and back, as ``dlrig plan --save`` and
``dlrig check`` pass them, so the ``[intent]`` carries the workload.
"""

from __future__ import annotations

import pytest

from dlrig.catalog.builtin import load_builtin
from dlrig.optimize.grid import default_grid, run_case

GRID = default_grid()


@pytest.fixture(scope="module")
def catalog():
    return load_builtin()


def test_the_grid_covers_markets_workloads_and_gpu_counts():
    assert len(GRID) >= 60
    assert {c[0] for c in GRID} == {"us", "ar", "ar-2017-05"}
    assert {c[2] for c in GRID} >= {None, "cnn", "transformer", "llm-inference",
                                    "llm-finetune", "learning"}
    assert {c[3] for c in GRID} == {1, 2, 3, 4}
    assert min(c[1] for c in GRID) <= 500 and max(c[1] for c in GRID) >= 15000


@pytest.mark.parametrize("case", GRID, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}-{c[3]}")
def test_a_saved_plan_checks_clean(catalog, case):
    row = run_case(catalog, *case)
    if row.ok:
        assert row.findings == [], row.findings
        assert row.total <= case[1] + 1e-6
    else:
        # Nothing fits: the answer says why, in words (never an exception or silence).
        assert row.status == "infeasible" and row.message, row
