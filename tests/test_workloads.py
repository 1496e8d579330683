"""Workload profiles: the built-ins, their sources, and user TOML files."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from dlrig.errors import InputError
from dlrig.perf import Workload, builtin_workloads, get_workload, load_workload_file, workloads
from dlrig.perf.workloads import SOURCED_FIELDS


@pytest.fixture(autouse=True)
def _no_user_profiles(tmp_path, monkeypatch):
    """Point the user config dir at an empty folder; no DLRIG_WORKLOADS."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("DLRIG_WORKLOADS", raising=False)


def test_builtin_profiles_are_the_five_the_project_names():
    assert set(builtin_workloads()) == {"cnn", "transformer", "llm-finetune", "llm-inference", "learning"}


@pytest.mark.parametrize("name", ["cnn", "transformer", "llm-finetune", "llm-inference", "learning"])
def test_every_number_of_a_builtin_has_a_source(name):
    w = get_workload(name)
    assert set(SOURCED_FIELDS) <= set(w.required_sources())
    for field in w.required_sources():
        assert len(w.source(field)) > 20, f"{name}.{field} has no real source"


def test_builtins_name_their_scaling_class():
    """One user's token generation does not scale like data-parallel training (scaling.py)."""
    wl = builtin_workloads()
    assert wl["llm-inference"].scaling == "single-user-decode"
    assert wl["llm-inference"].decode is not None
    assert "decode" in wl["llm-inference"].required_sources()
    for name in ("cnn", "transformer", "llm-finetune", "learning"):
        w = wl[name]
        assert w.scaling == "data-parallel" and w.decode is None
        assert {"dp_comm_share", "grad_traffic_gb_s"} <= set(w.required_sources())
        assert 0 < w.dp_comm_share < 1 and w.grad_traffic_gb_s > 0
    # BERT-large exchanges ~13x ResNet-50's gradients per parameter-second (340 M vs 25.6 M)
    assert wl["transformer"].grad_traffic_gb_s > 5 * wl["cnn"].grad_traffic_gb_s


def test_builtin_numbers_follow_their_stated_rules():
    wl = builtin_workloads()
    # the founding document's rule: RAM >= VRAM; LLM work loads checkpoints through RAM
    assert all(w.ram_per_vram >= 1.0 for w in wl.values())
    assert wl["llm-finetune"].ram_per_vram == wl["llm-inference"].ram_per_vram == 2.0
    # on-the-fly JPEG decoding needs more threads than tokenised text
    assert wl["cnn"].threads_per_gpu > wl["transformer"].threads_per_gpu
    assert wl["learning"].threads_per_gpu == 2
    # LLM serving is the most memory-bound; the LLM floor is above the CNN one
    assert wl["llm-finetune"].vram_floor_gb >= 16 > wl["cnn"].vram_floor_gb
    assert 11 <= wl["transformer"].vram_floor_gb <= 12
    assert wl["learning"].vram_floor_gb <= wl["cnn"].vram_floor_gb


def test_unknown_workload_lists_the_known_ones():
    with pytest.raises(InputError) as e:
        get_workload("resnet")
    msg = e.value.one_line()
    assert "unknown workload 'resnet'" in msg
    for name in ("cnn", "llm-inference", "learning"):
        assert name in msg


def test_get_workload_is_case_insensitive_and_passes_profiles_through():
    w = get_workload(" CNN ")
    assert w.name == "cnn"
    assert get_workload(w) is w


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """
title = "Stable Diffusion fine-tuning"
vram_floor_gb = 16
threads_per_gpu = 4
ram_per_vram = 1.5
compute_weight = 0.5
"""


def test_user_dir_from_env_adds_a_profile_named_after_the_file(tmp_path, monkeypatch):
    d = tmp_path / "mine"
    _write(d / "sd-finetune.toml", GOOD)
    monkeypatch.setenv("DLRIG_WORKLOADS", str(d))
    w = get_workload("sd-finetune")
    assert w.vram_floor_gb == 16 and w.ram_per_vram == 1.5
    assert w.mixed_precision and w.overhead_share == 0.0  # defaults
    assert "cnn" in workloads()


def test_user_config_dir_profile_replaces_a_builtin(tmp_path):
    _write(tmp_path / "config" / "dlrig" / "workloads" / "cnn.toml", GOOD)
    assert get_workload("cnn").vram_floor_gb == 16
    assert builtin_workloads()["cnn"].vram_floor_gb == 8  # the built-in itself is untouched


@pytest.mark.parametrize(
    "text, expect",
    [
        ("title = 'x'\nvram_floor_gb = [", "not valid TOML"),
        (GOOD.replace("compute_weight = 0.5", "compute_weight = 1.5"), "compute_weight"),
        (GOOD.replace("threads_per_gpu = 4", ""), "threads_per_gpu"),
        (GOOD + "colour = 'red'\n", "colour"),
    ],
)
def test_bad_user_files_give_one_line_errors(tmp_path, text, expect):
    f = _write(tmp_path / "bad.toml", text)
    with pytest.raises(InputError) as e:
        load_workload_file(f)
    msg = e.value.one_line()
    assert expect in msg and str(f) in msg and "\n" not in msg


DECODE = GOOD + """scaling = "single-user-decode"

[decode]
weight_bytes_per_token = 1.3e10
kv_bytes_per_token = 131072
context_tokens = 1000
layers = 32
active_params = 7e9
quantized = false
"""


def test_a_user_decode_profile_reads_its_job(tmp_path):
    w = load_workload_file(_write(tmp_path / "f16-chat.toml", DECODE))
    assert w.scaling == "single-user-decode"
    assert w.decode.layers == 32 and w.decode.quantized is False


@pytest.mark.parametrize("text, expect", [
    (GOOD + 'scaling = "single-user-decode"\n', "decode"),
    (GOOD + 'scaling = "pipeline"\n', "scaling"),
    (DECODE.replace("layers = 32", "layers = 0"), "layers"),
    (DECODE.replace("quantized = false", "quantised = false"), "quantised"),
])
def test_bad_scaling_fields_give_one_line_errors(tmp_path, text, expect):
    f = _write(tmp_path / "bad.toml", text)
    with pytest.raises(InputError) as e:
        load_workload_file(f)
    msg = e.value.one_line()
    assert expect in msg and "\n" not in msg


def test_builtin_loader_rejects_a_profile_without_sources(tmp_path):
    f = _write(tmp_path / "nosrc.toml", GOOD)
    with pytest.raises(InputError, match="no source for"):
        load_workload_file(f, require_sources=True)


def test_workload_is_frozen():
    w = get_workload("cnn")
    with pytest.raises(ValidationError):
        w.vram_floor_gb = 1  # type: ignore[misc]
    assert isinstance(w, Workload)
