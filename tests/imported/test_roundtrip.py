"""`dlrig plan --db D --save p.toml` then `dlrig check p.toml --db D`: the same catalog, the
same verdict, for a grid of plans on an imported catalog (issue 11: check and power never
read the imported database, so a saved plan of open-db parts could not be checked).
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from dlrig.cli import app
from dlrig.rules.registry import RULES, Severity

runner = CliRunner()

GRID = [
    ["--budget", "700"],
    ["--budget", "1500"],
    ["--budget", "3000"],
    ["--budget", "1500", "--workload", "cnn"],
    ["--budget", "3500", "--workload", "cnn"],
    ["--budget", "2500", "--workload", "llm-inference"],
    ["--budget", "2500", "--model", "qwen3-32b"],
    ["--budget", "6000", "--workload", "llm-finetune", "--gpus", "2"],
]


def _json(args: list[str]) -> tuple[int, dict]:
    out = runner.invoke(app, args)
    assert out.exit_code in (0, 1), out.output
    return out.exit_code, json.loads(out.stdout)


@pytest.mark.parametrize("args", GRID, ids=[" ".join(a) for a in GRID])
def test_a_saved_plan_checks_with_the_plans_own_verdict(imported_db, tmp_path, args):
    saved = tmp_path / "plan.toml"
    code, planned = _json(["plan", "--db", str(imported_db), "--market", "us", *args,
                           "--save", str(saved), "--json"])
    assert code == 0 and planned["status"] in ("optimal", "feasible"), planned.get("message")
    code, checked = _json(["check", str(saved), "--db", str(imported_db), "--json"])
    assert code == 0, checked["findings"]
    # The same findings, the same "not checked", the same price.
    assert checked["findings"] == planned["check"]["findings"]
    assert checked["not_checked"] == planned["check"]["not_checked"]
    assert checked["price"]["total"] == pytest.approx(planned["total"]["amount"])
    # The planner never picks a part an error rule could not judge for lack of its data.
    for u in checked["unverified"]:
        assert RULES[u["rule"]].severity != Severity.error, u
