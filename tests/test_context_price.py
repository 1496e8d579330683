"""The two library helpers the CLI, the planner and the web share."""

import datetime as dt
from pathlib import Path

from dlrig.build import load_build, price_build
from dlrig.catalog import builtin
from dlrig.rules import context_for

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "ar-2017-05"


def test_context_for_takes_the_markets_date_and_circuit():
    cat = builtin()
    ctx = context_for(cat, "ar-2017-05", workload="cnn")
    assert ctx.as_of == dt.date(2017, 5, 31)
    assert ctx.circuit_w == 1760
    assert ctx.workload.name == "cnn"
    assert context_for(cat, "us").circuit_w == 1440
    assert context_for(cat, None).as_of is None
    # An explicit value wins over the market's.
    assert context_for(cat, "ar", circuit_w=1840, as_of=dt.date(2024, 1, 1)).circuit_w == 1840


def test_price_build_sums_quoted_lines_and_names_the_unpriced():
    cat = builtin()
    build = load_build(EXAMPLES / "build.toml", cat)
    bp = price_build(build, cat, "ar-2017-05")
    assert bp.total is not None and bp.total.currency == "ARS"
    assert bp.total.minor == sum(x.price.money.minor * x.item.quantity for x in bp.lines)
    assert bp.missing == [] and bp.estimated == 0
    # In today's US market the 2017 parts have no current price: all unpriced, no total.
    us = price_build(build, cat, "us")
    assert us.total is None and len(us.missing) == len(build.items)
    assert price_build(build, cat, None).total is None
