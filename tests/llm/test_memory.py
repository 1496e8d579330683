"""Memory math pinned against published measurements (see docs/memory.md)."""

from __future__ import annotations

import pytest

from dlrig.errors import InputError
from dlrig.llm import Job, ModelSpec, breakdown, fits, resolve_model
from dlrig.llm.memory import GIB, compute_buffer_bytes
from dlrig.llm.tensors import parameter_count

MIB = 2**20


def test_kv_cache_matches_llama_cpp_log_for_a_qwen2_7b():
    # llama.cpp log (https://github.com/JamePeng/llama-cpp-python/pull/1): a 28-layer model with
    # n_embd_k_gqa = n_embd_v_gqa = 512 (Qwen2/2.5 7B: 4 KV heads x 128) prints
    # "KV self size = 112.00 MiB, K (f16): 56.00 MiB, V (f16): 56.00 MiB" at n_ctx 2048.
    m = resolve_model("qwen2.5-7b")
    assert (m.layers, m.kv_dim) == (28, 512)
    assert m.kv_cache_bytes(2048) == 112 * MIB


def test_kv_cache_llama3_70b_at_8192():
    # Issue 9: llama.cpp prints a 2,560 MiB f16 KV cache for Llama 3 70B at 8192 tokens
    # (80 layers x n_embd_k_gqa 1024, the layout the llama.cpp logs print for Llama 3).
    assert resolve_model("llama-3.1-70b").kv_cache_bytes(8192) == 2560 * MIB


def test_kv_q8_0_is_34_bytes_per_32_values_and_users_multiply():
    m = resolve_model("llama-3.1-70b")
    assert m.kv_cache_bytes(8192, "q8_0") == 2560 * MIB * 34 // 64
    assert m.kv_cache_bytes(8192, sequences=4) == 4 * m.kv_cache_bytes(8192)


def test_sliding_window_layers_cap_their_kv():
    # Gemma 2: half of the 42 layers attend to a 4096-token window (technical report).
    g = resolve_model("gemma-2-9b")
    full = g.kv_bytes_per_token()
    assert g.kv_cache_bytes(4096) == 4096 * full  # inside the window: all layers grow
    assert g.kv_cache_bytes(8192) == 8192 * full // 2 + 4096 * full // 2
    g3 = resolve_model("gemma-3-27b")  # 1024-token window on 5 of 6 layers
    assert g3.kv_cache_bytes(131072) < 0.2 * 131072 * g3.kv_bytes_per_token()


def test_compute_buffer_near_llama_cpp_log():
    # Same log as above: "CUDA0 compute buffer size = 304" MiB for the 28-layer Qwen2 7B
    # at n_ctx 2048 (no flash attention). The estimate is within 15 %.
    got = compute_buffer_bytes(resolve_model("qwen2.5-7b"), 2048)
    assert got == pytest.approx(304 * MIB, rel=0.15)


def test_full_fine_tuning_is_16_bytes_per_parameter():
    # ZeRO (Rajbhandari et al. 2019, sec. 3.1): mixed-precision Adam keeps 16 bytes per
    # parameter of model states: a 1.5 B GPT-2 needs 24 GB while its fp16 weights are 3 GB.
    m = resolve_model("llama-3.1-8b")
    bd = breakdown(Job(m, "full"))
    params = parameter_count(m)
    assert bd.weights == 2 * params
    assert (bd.weights + bd.gradients + bd.optimizer) / params == 16
    assert (bd.weights + bd.gradients + bd.optimizer) / 1e9 / 8.03 == pytest.approx(24 / 1.5, rel=0.01)


LLAMA_65B = ModelSpec(  # LLaMA paper (Touvron et al. 2023) Table 2 and the reference code's FFN 22016
    name="llama-65b", title="LLaMA 65B", family="llama", params_b=65.2, layers=80, hidden_size=8192,
    intermediate_size=22016, attention_heads=64, kv_heads=64, head_dim=128, vocab_size=32000,
    context_max=2048)


def test_qlora_65b_fits_one_48_gb_gpu_but_16_bit_finetuning_needs_over_780_gb():
    # QLoRA (Dettmers et al. 2023): "finetune a 65B parameter model on a single 48GB GPU",
    # down from ">780GB of GPU memory"; their runs: LoRA r=64 on all linear layers, 512 tokens.
    q = breakdown(Job(LLAMA_65B, "qlora", context=512, lora_rank=64))
    assert q.total < 48 * 1e9
    assert fits(q, [48]).ok
    full = breakdown(Job(LLAMA_65B, "full", context=512))
    assert full.total > 780e9


@pytest.mark.parametrize("name, unsloth_min_gb, max_ratio", [
    ("llama-3.1-8b", 6.0, 2.0),  # Unsloth requirements page: 8B QLoRA about 6 GB minimum
    ("llama-3.1-70b", 41.0, 1.5),  # 70B QLoRA about 41 GB minimum
])
def test_qlora_estimate_not_below_unsloths_published_minimum(name, unsloth_min_gb, max_ratio):
    # Unsloth's "absolute minimum" VRAM table (https://unsloth.ai/docs/get-started/
    # fine-tuning-for-beginners/unsloth-requirements, as summarised at
    # https://www.skills.sh/terminalskills/skills/unsloth). Unsloth chunks the logits and
    # offloads activations, so a plain PEFT run (dlrig's model) needs more, not less.
    got = breakdown(Job(resolve_model(name), "qlora")).total / 1e9
    assert unsloth_min_gb <= got <= unsloth_min_gb * max_ratio


def test_acceptance_70b_q4_k_m_8192():
    bd = breakdown(Job(resolve_model("llama-3.1-70b"), "inference", "q4_k_m", 8192))
    # bartowski's Meta-Llama-3.1-70B-Instruct-Q4_K_M.gguf: 42.5 GB = 39.6 GiB
    assert bd.weights / 1e9 == pytest.approx(42.5, rel=0.01)
    assert bd.weights / GIB == pytest.approx(39.6, abs=0.1)
    assert bd.kv_cache == 2560 * MIB
    assert bd.total > bd.weights + bd.kv_cache  # plus compute buffer and CUDA context
    ok, per_gpu, reason = fits(bd, [32])  # RTX 5090, the largest GeForce card
    assert not ok and "on one GPU" in reason
    # XiongjieDai/GPU-Benchmarks-on-LLM-Inference ran Llama 3 70B Q4_K_M on 2 x RTX 3090 /
    # 2 x RTX 4090 (24 GB each); one 24 GB card ran out of memory.
    assert not fits(bd, [24]).ok
    res = fits(bd, [24, 24])
    assert res.ok and sum(res.layers) == 80 and all(p <= 24 * GIB for p in res.per_gpu)


def test_8b_q4_k_m_runs_on_an_8_gb_card():
    # XiongjieDai/GPU-Benchmarks-on-LLM-Inference: Llama 3 8B Q4_K_M runs on the 8 GB RTX 3070.
    bd = breakdown(Job(resolve_model("llama-3.1-8b"), "inference", "q4_k_m", 1024))
    assert fits(bd, [8]).ok


def test_data_parallel_training_does_not_split():
    bd = breakdown(Job(resolve_model("llama-3.1-8b"), "full"))
    assert not fits(bd, [24]).ok
    res = fits(bd, [24] * 8)
    assert not res.ok and "whole job on every GPU" in res.reason
    assert list(res.per_gpu) == [bd.total] * 8
    assert fits(bd, [141]).ok  # one H200-size GPU holds it


def test_layer_split_pays_overhead_on_every_gpu():
    bd = breakdown(Job(resolve_model("llama-3.1-70b"), "inference", "q4_k_m", 8192))
    res = fits(bd, [24, 24])
    assert sum(res.per_gpu) == bd.total + bd.overhead + bd.activations


def test_breakdown_to_dict_has_integer_bytes_and_both_units():
    d = breakdown(Job(resolve_model("qwen2.5-7b"), "lora", context=1024)).to_dict()
    assert all(isinstance(v, int) for v in d["bytes"].values())
    assert d["total_gb"] and d["total_gib"] and d["split_rule"] == "data-parallel"
    assert d["trainable_params"] > 0


@pytest.mark.parametrize("kwargs, expect", [
    ({"task": "pretrain"}, "unknown task 'pretrain'"),
    ({"context": 200_000}, "exceeds llama-3.1-8b's 131,072"),
    ({"quant": "q9"}, "unknown quantisation 'q9'"),
    ({"kv_type": "f8"}, "unknown KV cache type 'f8'"),
    ({"users": 0}, "users 0 is out of range"),
])
def test_bad_jobs_are_input_errors(kwargs, expect):
    with pytest.raises(InputError, match=expect):
        Job(resolve_model("llama-3.1-8b"), **kwargs)


def test_fits_rejects_empty_gpu_list():
    with pytest.raises(InputError):
        fits(Job(resolve_model("llama-3.2-1b")), [])


def test_default_context_never_exceeds_the_model_limit():
    g = resolve_model("gemma-2-9b")  # 8,192-token model: the 4,096 default stands
    assert Job(g).tokens == 4096
    short = g.model_copy(update={"context_max": 2048})
    assert Job(short).tokens == 2048 and Job(short, "full").tokens == 2048
