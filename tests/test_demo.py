"""`make demo` runs `dlrig demo`: the founding post's plan beside today's."""

from typer.testing import CliRunner

from dlrig.cli import app


def test_demo_plans_2017_and_today_side_by_side():
    res = CliRunner().invoke(app, ["demo"], env={"COLUMNS": "140"})
    assert res.exit_code == 0, res.output
    out = res.output
    # 2017: the post's own choices, and its arguments against the i3 and the 1080.
    assert "Zotac GeForce GTX 1070 Mini" in out and "Intel Pentium G4560" in out
    assert "not Intel Core i3-7100: 2.0x the price" in out and "not GTX 1080" in out
    # Today: estimated prices, flagged, with the rate they were converted at.
    assert "(est.)" in out and "ARS/USD" in out
    assert out.count("optimal") >= 2


def test_demo_refuses_a_bad_budget():
    res = CliRunner().invoke(app, ["demo", "--budget", "0"])
    assert res.exit_code == 2
    assert "budget must be positive" in res.output
