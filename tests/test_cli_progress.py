"""Progress bars: drawn on stderr when it is a terminal, never with --json or --quiet or
off a terminal; fed by the library's plain callbacks."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from test_store_sample import write_sample
from typer.testing import CliRunner

from dlrig.cli import app

SWEEP = ["sweep", "--market", "ar-2017-05", "--currency", "USD", "--from", "600", "--to", "700",
         "--step", "100", "--no-db"]


@pytest.fixture
def terminal(monkeypatch):
    """stderr as a terminal: what the bar draws lands in the returned buffer."""
    import dlrig.cli.root as root

    buf = io.StringIO()
    monkeypatch.setattr(root, "err_console", Console(file=buf, force_terminal=True, width=100))
    return buf


def test_sweep_draws_a_bar_on_a_terminal(terminal):
    r = CliRunner().invoke(app, SWEEP)
    assert r.exit_code == 0, r.output
    drawn = terminal.getvalue()
    assert "planning 2 budgets" in drawn and "2/2" in drawn
    assert "planning" not in r.stdout  # the answer stays clean


@pytest.mark.parametrize("flag", ["--json", "--quiet"])
def test_no_bar_with_json_or_quiet(terminal, flag):
    r = CliRunner().invoke(app, [*SWEEP, flag])
    assert r.exit_code == 0, r.output
    assert terminal.getvalue() == ""


def test_no_bar_off_a_terminal(tmp_path):
    r = CliRunner().invoke(app, ["catalog", "import", "open-db",
                                 str(write_sample(tmp_path / "s")), "--db",
                                 str(tmp_path / "d.db")])
    assert r.exit_code == 0, r.output
    assert "reading open-db records" not in r.output


def test_catalog_import_bars(terminal, tmp_path):
    r = CliRunner().invoke(app, ["catalog", "import", "open-db",
                                 str(write_sample(tmp_path / "s")), "--db",
                                 str(tmp_path / "d.db")])
    assert r.exit_code == 0, r.output
    drawn = terminal.getvalue()
    assert "reading open-db records" in drawn and "writing parts" in drawn


def test_opendb_prepare_counts_every_record(tmp_path):
    from dlrig.catalog.opendb import iter_records, prepare

    archive = write_sample(tmp_path / "s")
    calls = []
    prepare(archive, on_progress=lambda done, total: calls.append((done, total)))
    n = sum(1 for _ in iter_records(archive))
    assert calls and calls[-1] == (n, None)
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)
