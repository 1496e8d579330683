"""Data missing from a part is "not checked", said out loud, and the planner does not exploit it.

A case whose GPU clearance nobody recorded cannot be checked against the card's
length (rule fit.gpu-length, an error): the checker says the build is
*unverified* rather than OK, and the planner does not choose that case to save
a dollar unless asked to (``allow_unverified``, ``--allow-unverified``).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from dlrig.catalog import Catalog
from dlrig.catalog.builtin import load_builtin
from dlrig.optimize import OPTIMAL, PlanRequest, plan
from dlrig.parts import Category, Price
from dlrig.rules import check_build, context_for_build
from dlrig.units import Money


@pytest.fixture(scope="module")
def catalog():
    return load_builtin()


def _usd(n: float) -> Money:
    return Money.of(n, "USD")


def _with_blind_copy(catalog: Catalog, case_id: str) -> tuple[Catalog, str]:
    """The catalog plus a copy of a case, one dollar cheaper, whose GPU clearance is unknown."""
    case = catalog.get(case_id)
    blind = case.model_copy(update={"id": "case/test-unmeasured", "name": "Test Unmeasured Case",
                                    "max_gpu_length_mm": None})
    cat = Catalog(parts=[*catalog.parts(), blind], markets=catalog.markets.values())
    cat.rates = catalog.rates
    for p in catalog.parts():
        for q in catalog.prices(p.id):
            cat.add_price(p.id, q)
    price = catalog.local_price(case_id, catalog.market("us"))
    cat.add_price(blind.id, Price(market="us", amount_minor=price.money.minor - 100,
                                  currency="USD", date=catalog.market("us").date
                                  or dt.date(2025, 7, 1), source="test"))
    return cat, blind.id


def test_the_planner_does_not_pick_a_part_it_cannot_verify(catalog):
    req = PlanRequest(budget=_usd(2000), market="us", explain=False)
    base = plan(catalog, req)
    assert base.status == OPTIMAL
    case_id = base.build.of(Category.case)[0].part.id
    cat, blind = _with_blind_copy(catalog, case_id)

    res = plan(cat, req)
    assert res.status == OPTIMAL
    assert res.build.of(Category.case)[0].part.id == case_id  # the dearer, measured one
    assert blind not in {i.part.id for i in res.build.items}

    # Asked to, it takes the dollar and the build is then unverified on fit.gpu-length.
    loose = plan(cat, PlanRequest(budget=_usd(2000), market="us", explain=False,
                                  allow_unverified=True))
    assert loose.status == OPTIMAL
    assert loose.build.of(Category.case)[0].part.id == blind
    assert loose.total_local.minor == res.total_local.minor - 100
    result = check_build(loose.build, context_for_build(cat, loose.build, "us"))
    assert not result.verified
    assert {s.rule for s in result.unverified} == {"fit.gpu-length"}
    assert blind in result.unverified_parts
    data = result.to_dict()
    assert data["verified"] is False
    assert data["unverified"][0]["rule"] == "fit.gpu-length"


def test_a_rule_that_does_not_apply_is_not_unverified(catalog):
    """No workload means no VRAM floor: "not checked", but nothing is missing from a part."""
    res = plan(catalog, PlanRequest(budget=_usd(2000), market="us", explain=False))
    result = check_build(res.build, context_for_build(catalog, res.build, "us"))
    assert any(s.startswith("dl.vram-floor") for s in result.not_checked)
    assert result.verified, [str(s) for s in result.unverified]


def test_check_cli_says_unverified_in_its_headline(tmp_path, catalog, monkeypatch):
    from typer.testing import CliRunner

    from dlrig.cli import app

    base = plan(catalog, PlanRequest(budget=_usd(2000), market="us", explain=False))
    gpu = base.build.of(Category.gpu)[0].part
    case = base.build.of(Category.case)[0].part
    build = tmp_path / "b.toml"
    lines = ['market = "us"']
    for item in base.build.items:
        if item.part.id == case.id:
            continue
        lines += ["[[part]]", f'ref = "{item.part.id}"', f"quantity = {item.quantity}"]
    # The same case entered by hand, without its GPU clearance.
    lines += ["[[part]]", 'category = "case"', 'name = "Hand-entered case"',
              f"form_factors = {json.dumps(list(case.form_factors))}",
              f"expansion_slots = {case.expansion_slots}"]
    build.write_text("\n".join(lines) + "\n")
    monkeypatch.setenv("DLRIG_HOME", str(tmp_path / "home"))
    out = CliRunner().invoke(app, ["check", str(build), "--no-db"])
    assert out.exit_code == 0, out.output
    assert "unverified" in out.output
    assert "fit.gpu-length" in out.output
    js = CliRunner().invoke(app, ["check", str(build), "--no-db", "--json"])
    data = json.loads(js.output)
    assert data["verified"] is False
    assert gpu.length_mm is not None  # the card is measured; the case is what is missing
    assert [u["rule"] for u in data["unverified"]] == ["fit.gpu-length"]


def test_the_web_check_says_unverified_as_the_cli_does(tmp_path, catalog):
    """One headline (report.check.headline) for the terminal and the web."""
    from fastapi.testclient import TestClient

    from dlrig.report.check import headline
    from dlrig.web.app import create_app

    base = plan(catalog, PlanRequest(budget=_usd(2000), market="us", explain=False))
    case = base.build.of(Category.case)[0].part
    lines = ['market = "us"']
    for item in base.build.items:
        if item.part.id != case.id:
            lines += ["[[part]]", f'ref = "{item.part.id}"', f"quantity = {item.quantity}"]
    lines += ["[[part]]", 'category = "case"', 'name = "Hand-entered case"',
              f"form_factors = {json.dumps(list(case.form_factors))}"]
    text = "\n".join(lines) + "\n"
    web = TestClient(create_app(None))
    page = web.post("/check", files={"build_file": ("b.toml", text.encode())}).text
    from dlrig.web.inputs import build_from_text

    build = build_from_text(text, catalog, "b.toml")
    words, level = headline(check_build(build, context_for_build(catalog, build, "us")))
    assert level == "unverified" and words in page.replace("&#39;", "'")
