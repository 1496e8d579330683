"""``dlrig models`` and ``dlrig fit`` through typer's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dlrig.cli import app
from dlrig.llm import fit as fitmod

runner = CliRunner()
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ar-2017-05" / "build.toml"


@pytest.fixture(autouse=True)
def _no_speed(monkeypatch):
    monkeypatch.setattr(fitmod, "_decode_tps", None)


def run(*args):
    return runner.invoke(app, list(args), env={"COLUMNS": "80"})


def flat(text: str) -> str:
    return " ".join(text.split())


def test_models_table_json_and_detail():
    r = run("models")
    assert r.exit_code == 0, r.output
    assert "llama-3.1-70b" in r.output and "qwen3-30b-a3b" in r.output
    assert max(len(line) for line in r.output.splitlines()) <= 80
    rows = json.loads(run("models", "--json").output)
    by = {m["name"]: m for m in rows}
    assert by["mixtral-8x7b"]["experts"] == 8 and by["mixtral-8x7b"]["active_params_b"] == 12.9
    assert by["llama-3.1-8b"]["source"].startswith("https://huggingface.co/")
    d = run("models", "Meta-Llama/Llama-3.1-70B-Instruct")
    assert d.exit_code == 0 and "ollama/pull/6279" in flat(d.output)


def test_fit_70b_acceptance():
    r = run("fit", "llama-3.1-70b", "--task", "inference", "--quant", "q4_k_m", "--context", "8192")
    assert r.exit_code == 0, r.output
    text = flat(r.output)
    assert "42.5 │ 39.6" in text  # weights: the published Q4_K_M file, GB and GiB
    assert "KV cache │ 2.7 │ 2.5" in text
    assert "No single GPU here runs it" in text
    assert "RTX 4090 │ 24 GB │ 2" in text
    assert max(len(line) for line in r.output.splitlines()) <= 80


def test_fit_full_explains_why_24_gb_is_far_from_enough():
    r = run("fit", "llama-3.1-8b", "--task", "full")
    assert r.exit_code == 0, r.output
    text = flat(r.output)
    assert "16 bytes per parameter" in text and "x 16 = 128.5 GB" in text
    assert "a 24 GB card holds 19% of the job" in text
    assert "more cards do not help" in text and "with --task qlora" in text


def test_fit_json_and_market():
    r = run("fit", "qwen2.5-7b", "--market", "us", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["memory"]["model"] == "qwen2.5-7b" and data["memory"]["quant"] == "q4_k_m"
    assert data["speed_model"] is False
    assert any(g["count"] == 1 and g["price"] for g in data["gpus"])


def test_fit_build():
    ok = run("fit", "llama-3.1-8b", "--context", "2048", "--build", str(EXAMPLE))
    assert ok.exit_code == 0, ok.output
    assert "runs on GTX 1070 (8 GB)" in flat(ok.output)
    no = run("fit", "llama-3.1-70b", "--build", str(EXAMPLE))
    assert no.exit_code == 1 and "missing: add" in flat(no.output)


@pytest.mark.parametrize("args, expect", [
    (("fit", "llama-9b"), "unknown model 'llama-9b'"),
    (("fit", "llama-3.1-8b", "--quant", "q3"), "unknown quantisation 'q3'"),
    (("fit", "llama-3.1-8b", "--task", "train"), "unknown task 'train'"),
    (("fit", "qwen2.5-7b", "--context", "100000"), "exceeds qwen2.5-7b's 32,768"),
    (("models", "nope-1b"), "unknown model 'nope-1b'"),
])
def test_bad_input_is_one_line_and_exit_2(args, expect):
    r = run(*args)
    assert r.exit_code == 2
    assert expect in flat(r.output) and "Traceback" not in r.output


def test_user_model_file_works_in_fit(tmp_path):
    d = tmp_path / "models"
    d.mkdir()
    (d / "tiny-1b.toml").write_text(
        'title = "Tiny 1B"\nfamily = "tiny"\nparams_b = 1.1\nlayers = 22\nhidden_size = 2048\n'
        'intermediate_size = 5632\nattention_heads = 32\nkv_heads = 4\nhead_dim = 64\n'
        'vocab_size = 32000\ncontext_max = 2048\n')
    r = runner.invoke(app, ["fit", "tiny-1b", "--context", "2048", "--json"],
                      env={"DLRIG_MODELS": str(d), "COLUMNS": "80"})
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["memory"]["model"] == "tiny-1b"


def test_fit_reads_the_gpus_a_bench_result_found():
    """The H100 80GB HBM3 that dlrig bench measured (tests/bench/data): NVML reports
    85,520,809,984 bytes, 79.6 GiB; Llama 3.1 70B at Q4_K_M (a 42.5 GB file) runs on it,
    full fine-tuning (16 bytes per parameter) does not."""
    data = Path(__file__).resolve().parents[1] / "bench" / "data" / "h100-sxm-2026-11-26-full.json"
    r = run("fit", "llama-3.1-70b", "--quant", "q4_k_m", "--bench", str(data), "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["ok"] is True
    assert d["gpus"] == [{"chip": "H100 SXM5 80 GB", "vram_gb": 79.6}]
    r = run("fit", "llama-3.1-70b", "--task", "full", "--bench", str(data))
    assert r.exit_code == 1 and "missing" in r.output
    r = run("fit", "llama-3.1-8b", "--bench", str(data), "--build", "x.toml")
    assert r.exit_code == 2 and "exclude each other" in r.output
