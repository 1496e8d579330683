"""``dlrig bench`` end to end, as CI runs it: no GPU, CPU/disk/loader measured."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from dlrig.bench import runner
from dlrig.bench.schema import SCHEMA_VERSION, BenchResult, json_schema
from dlrig.cli import app

cli = CliRunner()


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    d = tmp_path_factory.mktemp("bench")
    out = d / "out.json"
    res = cli.invoke(app, ["bench", "--quick", "--json", str(out), "--dir", str(d)])
    return res, out, d


def test_quick_run_writes_a_valid_result(quick_run):
    res, out, d = quick_run
    data = json.loads(out.read_text())
    r = BenchResult.model_validate(data)
    assert r.schema_version == SCHEMA_VERSION
    sections = {m.section for m in r.measurements if m.status == "ok"}
    assert {"disk", "loader"} <= sections
    assert all(m.method for m in r.measurements)
    assert r.verdict is not None and r.verdict.claims
    assert [p.name for p in d.iterdir()] == ["out.json"]  # test files cleaned up
    assert "Verdict" in res.output


def test_schema_describes_every_field_written(quick_run):
    _, out, _ = quick_run
    data = json.loads(out.read_text())
    schema = json_schema()
    assert set(schema["required"]) <= set(data)
    assert set(data) <= set(schema["properties"])
    m_schema = schema["$defs"]["Measurement"]["properties"]
    for m in data["measurements"]:
        assert set(m) <= set(m_schema)


def test_gpu_absent_is_reported_with_the_reason(quick_run):
    res, out, _ = quick_run
    r = BenchResult.model_validate_json(out.read_text())
    if r.inventory.gpus and not r.inventory.gpu_absent_reason:
        pytest.skip("this machine has a usable GPU")
    gpu = r.get("gpu")
    assert gpu.status == "skipped" and gpu.reason == r.inventory.gpu_absent_reason
    assert r.verdict.bottleneck == "unknown"
    assert res.exit_code == 0, res.output


def test_a_failed_measurement_exits_non_zero_and_keeps_the_rest(tmp_path, monkeypatch):
    def broken(*a, **k):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(runner.disk, "run", broken)
    out = tmp_path / "r.json"
    res = cli.invoke(app, ["bench", "--quick", "--only", "disk", "--json", str(out),
                           "--dir", str(tmp_path)])
    assert res.exit_code == 1
    assert "1 measurement(s) failed: disk.read.seq" in res.output
    r = BenchResult.model_validate_json(out.read_text())
    assert r.failed[0].reason.startswith("OSError")


@pytest.mark.parametrize("args, message", [
    (["--only", "gpu,floppy"], "unknown part floppy"),
    (["--dir", "/nonexistent/x"], "not a writable folder"),
    (["--result", "/nonexistent/r.json"], "no bench result at"),
])
def test_bad_input_is_one_line_exit_2(args, message):
    res = cli.invoke(app, ["bench", *args])
    assert res.exit_code == 2 and message in res.output
    assert "Traceback" not in res.output


@pytest.mark.parametrize("content, message", [
    ("Résultat du 26 novembre: 784 TFLOP/s\n".encode("latin-1"), "not UTF-8 text"),
    (bytes(range(256)) * 4, "not UTF-8 text"),
    (b"\x1f\x8b\x08\x00compressed", "not UTF-8 text"),
    (b"bf16 784 TFLOP/s\n", "not JSON"),
    (b'{"device": "NVIDIA H100", "bf16_matmul_8192_burst_tflops": 783.3}', "not a dlrig bench"),
    (b"[1, 2, 3]", "not a dlrig bench"),
    (b'{"schema_version": 1, "measurements": []}', "not a valid bench result"),
    (b'{"schema_version": 99}', "schema version 99"),
])
@pytest.mark.parametrize("option", ["--result", "--compare"])
def test_a_file_that_is_not_a_result_is_one_line_exit_2(tmp_path, content, message, option):
    f = tmp_path / "r.json"
    f.write_bytes(content)
    args = ["bench", option, str(f)] + (["--result", str(f)] if option == "--compare" else [])
    res = cli.invoke(app, args)
    assert res.exit_code == 2, res.output
    assert message in res.output and "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1, res.output


def test_compare_with_an_earlier_run(quick_run, tmp_path):
    _, out, _ = quick_run
    older = json.loads(out.read_text())
    for m in older["measurements"]:
        if m["id"] == "disk.read.seq":
            for k in ("median", "p10", "p90"):
                m["value"][k] *= 4  # the earlier disk was four times faster
    old = tmp_path / "old.json"
    old.write_text(json.dumps(older))
    res = cli.invoke(app, ["bench", "--result", str(out), "--compare", str(old)])
    assert res.exit_code == 0, res.output
    assert "Compared with the earlier run" in res.output and "-75.0 %" in res.output


def test_schema_option_prints_the_schema():
    res = cli.invoke(app, ["bench", "--schema"])
    assert res.exit_code == 0
    assert json.loads(res.output)["title"].startswith("dlrig bench result")


def test_torch_missing_message():
    if shutil.which("nvidia-smi"):
        pytest.skip("machine has an NVIDIA driver")
    from dlrig.bench.inventory import torch_versions

    version, _, reason = torch_versions()
    assert reason is not None
    assert ("not installed" in reason) == (version is None)
