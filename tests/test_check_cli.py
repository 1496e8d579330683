"""``dlrig check`` and ``dlrig power`` through the CLI: exit codes, JSON, tables,
the founding post's build and its variants, and one-line errors for bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import dlrig.cli
from dlrig.cli import app

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "ar-2017-05"
FIXTURES = REPO / "tests" / "rules"
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def check_json(*args):
    r = run("check", *args, "--json")
    assert r.exit_code in (0, 1), r.output
    return r.exit_code, json.loads(r.stdout)


def findings(data, rule):
    return [f for f in data["findings"] if f["rule"] == rule]


# -- the founding post ------------------------------------------------------------

def test_founding_build_has_no_error_and_about_284_w():
    code, data = check_json(EXAMPLES / "build.toml")
    assert code == 0 and data["ok"] is True
    assert not [f for f in data["findings"] if f["severity"] == "error"]
    assert abs(data["power"]["sustained_w"] - 284) <= 28.4
    for key in ("rule", "severity", "message", "parts", "fix"):
        assert all(key in f for f in data["findings"])
    assert data["not_checked"], "the report lists what it does not check"


def test_more_ram_and_hdd_add_15_to_45_w():
    _, base = check_json(EXAMPLES / "build.toml")
    _, more = check_json(EXAMPLES / "build-more-ram-hdd.toml")
    assert 15 <= more["power"]["sustained_w"] - base["power"]["sustained_w"] <= 45
    assert more["ok"] is True


def test_core_v1_case_is_a_form_factor_error():
    code, data = check_json(EXAMPLES / "build-core-v1.toml")
    assert code == 1 and data["ok"] is False
    [f] = findings(data, "fit.form-factor")
    assert f["severity"] == "error"
    assert "Micro-ATX" in f["message"] and "Mini-ITX" in f["message"]
    assert "Thermaltake Core V1" in f["message"] and "GA-B250M-DS3H" in f["message"]
    assert len(f["parts"]) == 2


def test_h110_board_is_a_bios_warning_naming_the_generation():
    code, data = check_json(EXAMPLES / "build-h110.toml")
    assert code == 0
    [f] = findings(data, "platform.bios-update")
    assert f["severity"] == "warning"
    assert "Kaby Lake" in f["message"] and "H110" in f["message"] and "Skylake" in f["message"]
    assert f["fix"]


def test_gtx_1070_today_gets_the_cuda_warning_its_2017_buyer_did_not_need():
    _, then = check_json(EXAMPLES / "build.toml")  # the build's market is dated 2017-05-31
    assert not findings(then, "dl.cuda-support")
    _, today = check_json(EXAMPLES / "build.toml", "--market", "us")
    [f] = findings(today, "dl.cuda-support")
    assert f["severity"] == "warning"
    assert "6.1" in f["message"] and "7.5" in f["message"]
    assert "CUDA 12" in f["message"] and "cu126" in f["message"]


def test_pcpartpicker_markdown_is_accepted():
    r = run("check", EXAMPLES / "partlist.md", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["power"]["sustained_w"] > 0


# -- output -------------------------------------------------------------------------

def test_table_output_lists_findings_not_checked_and_power():
    r = run("check", FIXTURES / "fit.gpu-length" / "bad.toml")
    assert r.exit_code == 1
    out = " ".join(r.stdout.split())
    assert "fit.gpu-length" in out and "error" in out
    assert "Not checked" in out and "whether a part is in stock" in out
    assert "W sustained" in out and "NOT OK" in out


def test_warnings_only_exit_0():
    r = run("check", FIXTURES / "dl.ssd" / "bad.toml")
    assert r.exit_code == 0
    assert "dl.ssd" in r.stdout


def test_workload_option_sets_the_vram_floor():
    # A 12 GB card: no VRAM verdict without a workload; with one, compared to its floor.
    from dlrig.perf import workloads

    big = max(workloads().values(), key=lambda w: w.vram_floor_gb)
    assert big.vram_floor_gb > 12
    build = FIXTURES / "fit.gpu-length" / "good.toml"  # an RTX 3060 12 GB
    _, plain = check_json(build)
    assert not findings(plain, "dl.vram-floor")
    code, data = check_json(build, "--workload", big.name)
    assert code == 1
    [f] = findings(data, "dl.vram-floor")
    assert f"{big.vram_floor_gb:g} GB" in f["message"] and "12 GB" in f["message"]


def test_circuit_option():
    bad = FIXTURES / "power.circuit" / "bad.toml"
    _, us = check_json(bad)
    assert findings(us, "power.circuit")
    _, eu = check_json(bad, "--circuit-w", "2944")
    assert not findings(eu, "power.circuit")


def test_power_command_text_states_defaults():
    r = run("power", EXAMPLES / "build.toml")
    assert r.exit_code == 0, r.output
    out = " ".join(r.stdout.split())
    for s in ("transient peak", "recommended PSU", "headroom", "wall power", "kWh/year",
              "8 h/day", "365 days/year", "0.15 USD/kWh"):
        assert s in out, s


def test_power_command_json_and_options():
    r = run("power", EXAMPLES / "build.toml", "--json", "--tariff", "0.3", "--currency", "EUR",
            "--hours-per-day", "12", "--utilisation", "0.5")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["psu_w"] == 500 and d["headroom_w"] == 500 - d["sustained_w"]
    assert d["wall_w"] > d["sustained_w"]
    rc = d["running_cost"]
    assert rc["currency"] == "EUR"
    assert rc["kwh_per_year"] == pytest.approx(d["wall_w"] * 12 * 365 * 0.5 / 1000, abs=0.1)
    assert rc["cost_per_year"] == pytest.approx(rc["kwh_per_year"] * 0.3, abs=0.01)
    assert d["transient_w"] > d["sustained_w"]


# -- bad input: one line, exit 2, no traceback --------------------------------------

def _bad(tmp_path, text: str, name="b.toml") -> Path:
    f = tmp_path / name
    f.write_text(text)
    return f


GPU = ('[[part]]\ncategory = "gpu"\nname = "My GTX 1070"\nchipset = "GeForce GTX 1070"\n'
       'vram_gb = 8\nboard_power_w = 150\n')


@pytest.mark.parametrize("command", ["check", "power"])
@pytest.mark.parametrize("case, expect", [
    ("missing", ["not found", "nope.toml"]),
    ("broken", ["invalid TOML", "b.toml"]),
    ("unknown", ["b.toml", "unknown part 'Zotac GTX 1070 Maxi'", "closest matches",
                 "gpu/zotac-geforce-gtx-1070-mini"]),
    ("negative", ["b.toml", "part 1", "quantity", "-2"]),
    ("wrong-type", ["b.toml", "part 1", "My GTX 1070", "length_mm", "210 mm"]),
    ("wrong-unit", ["b.toml", "My GTX 1070", "vram_gb", "8GB"]),
])
def test_bad_input_is_one_line_exit_2(tmp_path, command, case, expect):
    path = {
        "missing": tmp_path / "nope.toml",
        "broken": lambda: _bad(tmp_path, "[[part]\nref = "),
        "unknown": lambda: _bad(tmp_path, '[[part]]\nref = "Zotac GTX 1070 Maxi"\n'),
        "negative": lambda: _bad(tmp_path, '[[part]]\nref = "cpu/intel-pentium-g4560"\nquantity = -2\n'),
        "wrong-type": lambda: _bad(tmp_path, GPU + 'length_mm = "210 mm"\n'),
        "wrong-unit": lambda: _bad(tmp_path, GPU.replace("vram_gb = 8", 'vram_gb = "8GB"')),
    }[case]
    path = path() if callable(path) else path
    r = run(command, path)
    assert r.exit_code == 2, r.output
    assert isinstance(r.exception, SystemExit)
    assert "Traceback" not in r.output
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("error:")
    for s in expect:
        assert s in lines[0], (s, lines[0])
    assert not r.stdout.strip(), "nothing half-written on stdout"


@pytest.mark.parametrize("args", [
    ["check", "{b}", "--market", "nowhere"],
    ["check", "{b}", "--workload", "no-such-workload"],
    ["power", "{b}", "--utilisation", "2"],
    ["power", "{b}", "--currency", "XYZ"],
])
def test_bad_options_are_one_line_exit_2(args):
    b = FIXTURES / "dl.ssd" / "good.toml"
    r = run(*[a.format(b=b) for a in args])
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    assert len([ln for ln in r.stderr.splitlines() if ln.strip()]) == 1, r.stderr


def test_commands_are_registered():
    names = {c.name for c in dlrig.cli.app.registered_commands}
    assert {"check", "power"} <= names


def test_error_text_is_not_eaten_as_markup(tmp_path):
    # The hint names "[[part]]" tables; rich must print it, not parse it as a style.
    r = run("check", _bad(tmp_path, 'name = "empty"\n'))
    assert r.exit_code == 2
    assert "[[part]]" in r.stderr


# -- summary line, PSU text, 80-column layout ------------------------------------------

def run80(*args):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "80"})


def test_counts_are_pluralised():
    r = run("check", FIXTURES / "memory.registered" / "bad.toml")
    assert r.exit_code == 1
    out = " ".join(r.stdout.split())
    assert "NOT OK: 1 error, 0 warnings, 0 notes" in out, out
    assert "1 errors" not in out


def test_incomplete_build_says_so_in_the_summary(tmp_path):
    # Only a CPU with integrated graphics: no error anywhere, but not a machine.
    cpu = (FIXTURES / "build.incomplete" / "bad.toml").read_text()
    f = tmp_path / "cpu-only.toml"
    f.write_text(cpu.replace("integrated_graphics = false", "integrated_graphics = true"))
    r = run("check", f)
    assert r.exit_code == 0, r.output
    out = " ".join(r.stdout.split())
    assert "INCOMPLETE: no motherboard, memory, storage, PSU, case" in out
    assert "OK: no error" not in out
    code, data = check_json(f)
    assert code == 0 and data["ok"] is True
    assert data["complete"] is False and data["missing"] == ["motherboard", "memory", "storage",
                                                              "psu", "case"]
    _, full = check_json(FIXTURES / "build.incomplete" / "good.toml")
    assert full["complete"] is True and full["missing"] == []


def test_one_recommended_psu_figure():
    r = run("power", EXAMPLES / "build.toml")
    out = " ".join(r.stdout.split())
    assert "recommended PSU 400 W:" in out and "if ATX 3.x" not in out
    assert "Dettmers" not in out
    r = run("check", EXAMPLES / "build.toml")
    out = " ".join(r.stdout.split())
    assert "recommended PSU 400 W;" in out and "if ATX 3.x" not in out
    _, d = check_json(FIXTURES / "power.psu-headroom" / "bad.toml")
    assert "recommended_psu_atx3_w" not in d["power"] and "dettmers_psu_w" not in d["power"]


def test_pcpartpicker_list_says_its_prices_and_date_are_ignored():
    code, data = check_json(EXAMPLES / "partlist.md")
    assert data["context"]["as of"] == "today"
    assert "2017-05-31" in data["context"]["PCPartPicker list"]
    assert "ignored" in data["context"]["PCPartPicker list"]
    out = " ".join(run("check", EXAMPLES / "partlist.md").stdout.split())
    assert "prices and date (2017-05-31) ignored (--market sets them)" in out
    _, toml = check_json(EXAMPLES / "build.toml")
    assert "PCPartPicker list" not in toml["context"]


_UNIT_START = re.compile(r"^(W|V|%|GB|MT/s|mm|kWh|USD/kWh)\b")


def _cells(line: str) -> list[str]:
    return [c.strip() for c in re.split(r"[│┃]", line)]


@pytest.mark.parametrize("args", [
    ("check", FIXTURES / "power.psu-headroom" / "bad.toml"),
    ("check", FIXTURES / "build.incomplete" / "bad.toml"),
    ("check", EXAMPLES / "partlist.md"),
    ("power", EXAMPLES / "build.toml"),
    ("power", FIXTURES / "power.transient" / "bad.toml"),
])
def test_tables_read_at_80_columns(args):
    r = run80(*args)
    assert r.exit_code in (0, 1), r.output
    lines = r.stdout.splitlines()
    assert max(len(ln) for ln in lines) <= 80
    for ln in lines:
        for cell in _cells(ln):
            assert not _UNIT_START.match(cell), f"a unit wrapped away from its number: {ln!r}"
    # (a pasted list first shows what each row matched, then the parts judged with their
    # prices; the findings table follows)
    headers = [{c for c in _cells(ln) if c} for ln in lines if "┃" in ln
               and "as written" not in ln]
    if args[0] == "check":  # header words whole, on one line
        assert {"rule", "finding and fix"} in headers, headers
        [parts] = [h for h in headers if "type" in h]
        assert {"type", "part", "qty"} < parts and any(w.startswith("price") for w in parts)
    else:
        assert headers[0] == {"part", "qty", "watts"}, headers
    if args[0] == "check":
        data = json.loads(run(*args, "--json").stdout)
        out = " ".join(r.stdout.split())
        first_cells = {_cells(ln)[1] for ln in lines if ln.startswith("│")}
        for f in data["findings"]:
            assert f["rule"] in first_cells, f["rule"]  # rule ids never broken
        assert f"~{data['power']['sustained_w']} W sustained" in out
    else:
        data = json.loads(run(*args, "--json").stdout)
        for row in data["by_part"]:
            assert re.search(rf"│\s+{row['watts']} │", r.stdout), row


# -- the parts judged, with their prices and where each price comes from (issue 15) --------

def _market_prices(code: str) -> dict[str, dict]:
    """A market file's own [[prices]], by part: the curated data, not the code's output."""
    import tomllib

    doc = tomllib.loads((REPO / "src" / "dlrig" / "data" / "markets" / f"{code}.toml").read_text())
    return {row["part"]: row for row in doc["prices"]}


def test_check_lists_the_parts_it_judged_with_prices_and_provenance():
    """The founding build in its market: each of the seven parts with the market file's
    price, its date and the source it cites, in the table and in --json."""
    prices = _market_prices("ar-2017-05")
    _, data = check_json(EXAMPLES / "build.toml")
    assert len(data["parts"]) == 7
    for p in data["parts"]:
        row = prices[p["id"]]
        assert p["price"] == {"amount": row["amount"] * p["quantity"], "currency": "ARS"}
        prov = p["provenance"]
        assert prov["kind"] == "built-in" and prov["source"] == row["source"]
        assert prov["date"] == row["date"].isoformat() and prov["url"] is None
    assert sum(p["price"]["amount"] for p in data["parts"]) == data["price"]["total"]
    r = run80("check", EXAMPLES / "build.toml")
    out = r.stdout
    assert out.index("Parts judged") < out.index("OK: no error")  # before the verdict
    for p in data["parts"]:
        assert p["name"].split()[-1] in out
    assert "2017-05-31" in out and "[1] built-in: reconstruction from the founding" in out


def test_check_without_a_market_lists_the_parts_without_prices(tmp_path):
    f = _bad(tmp_path, '[[part]]\nref = "cpu/intel-pentium-g4560"\n')
    _, data = check_json(f)
    [p] = data["parts"]
    assert p["id"] == "cpu/intel-pentium-g4560" and p["price"] is None
    assert p["provenance"] is None


TWO_TYPOS = ('name = "two typos"\n[[part]]\nref = "Zotac GTX 1070 Maxi"\n'
             '[[part]]\nref = "cpu/intel-pentium-g4560"\n'
             '[[part]]\nref = "Corsair Carbide 100X"\ncategory = "case"\n')


@pytest.mark.parametrize("command", ["check", "power"])
def test_every_unmatched_part_is_reported_at_once_one_line_each(tmp_path, command):
    f = _bad(tmp_path, TWO_TYPOS)
    r = run(command, f)
    assert r.exit_code == 2 and isinstance(r.exception, SystemExit)
    assert "Traceback" not in r.output and not r.stdout.strip()
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert lines[0].startswith("error:") and "2 of 3 parts match no single catalog part" in lines[0]
    assert "part 1: unknown part 'Zotac GTX 1070 Maxi'" in lines[1]
    assert "gpu/zotac-geforce-gtx-1070-mini" in lines[1]  # the best suggestion, as before
    assert "part 3: unknown part 'Corsair Carbide 100X'" in lines[2]
    assert "case/corsair-carbide-100r" in lines[2]


def test_the_library_reports_the_same_rows():
    from dlrig.build import PartListError, build_from_text
    from dlrig.catalog import builtin

    with pytest.raises(PartListError) as e:
        build_from_text(TWO_TYPOS, builtin(), "b.toml")
    assert [(r.part, r.text, r.status) for r in e.value.rows] == [
        (1, "Zotac GTX 1070 Maxi", "unmatched"), (3, "Corsair Carbide 100X", "unmatched")]
    assert "gpu/zotac-geforce-gtx-1070-mini" in " ".join(e.value.rows[0].candidates)


def test_every_unmatched_row_of_a_part_list_is_one_line(tmp_path):
    text = (EXAMPLES / "partlist.md").read_text()
    text = text.replace("Zotac GeForce GTX 1070 8 GB Mini", "Acme Hyperblaster 9000")
    text = text.replace("Corsair Carbide 100R ATX", "Acme Box 3000")
    f = _bad(tmp_path, text, "list.md")
    r = run("check", f)
    assert r.exit_code == 2 and "Traceback" not in r.output
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert "2 of 7 rows match no single catalog part" in lines[0]
    assert "Acme Hyperblaster 9000" in lines[1] and "Acme Box 3000" in lines[2]
    assert all("line " in ln for ln in lines[1:3])
