"""Quantisation: ggml block sizes and llama.cpp's mixes against published GGUF files."""

from __future__ import annotations

import pytest

from dlrig.errors import InputError
from dlrig.llm import resolve_model
from dlrig.llm.quant import (
    GGML_TYPES,
    average_bits_per_weight,
    bits_per_weight,
    file_type,
    tensor_types,
    weights_bytes,
)

# Published file sizes allow for the GGUF header (tokenizer and metadata,
# a few MB) and the listing's rounding: 3 % tolerance, though most land
# within 0.3 %.
TOL = 0.03


def test_block_layouts_match_the_gguf_package():
    # The gguf package (llama.cpp's gguf-py) lists ggml's (block, bytes) per type.
    import gguf

    for name, (block, size) in GGML_TYPES.items():
        assert gguf.GGML_QUANT_SIZES[gguf.GGMLQuantizationType[name.upper()]] == (block, size), name


def test_bits_per_weight_of_the_block_types():
    # ggml block structs: q4_0 18 B / 32 weights, q8_0 34/32, q4_K 144/256, q5_K 176/256, q6_K 210/256.
    assert bits_per_weight("q4_0") == 4.5
    assert bits_per_weight("q8_0") == 8.5
    assert bits_per_weight("q4_k") == 4.5
    assert bits_per_weight("q5_k") == 5.5
    assert bits_per_weight("q6_k") == 6.5625


# (model, quant, published bytes, where it is published)
PUBLISHED = [
    # ddh0/UnquantizedEmbeddingTesting sizes.txt (ls -l of llama.cpp outputs), Llama 3 8B =
    # the 3.1 architecture: https://huggingface.co/ddh0/UnquantizedEmbeddingTesting/raw/main/sizes.txt
    ("llama-3.1-8b", "q4_k_m", 4_920_733_984, "ddh0 sizes.txt Meta-Llama-3-8B-Instruct-q4_K_M.gguf"),
    ("llama-3.1-8b", "q3_k_m", 4_018_917_664, "ddh0 sizes.txt Meta-Llama-3-8B-Instruct-q3_K_M.gguf"),
    ("llama-3.1-8b", "bf16", 16_068_890_912, "ddh0 sizes.txt Meta-Llama-3-8B-Instruct-bf16.gguf"),
    # bartowski/Meta-Llama-3.1-8B-Instruct-GGUF file listing
    ("llama-3.1-8b", "q5_k_m", 5.73e9, "bartowski Meta-Llama-3.1-8B-Instruct-Q5_K_M.gguf 5.73 GB"),
    ("llama-3.1-8b", "q6_k", 6.60e9, "bartowski Meta-Llama-3.1-8B-Instruct-Q6_K.gguf 6.6 GB"),
    ("llama-3.1-8b", "q4_k_s", 4.69e9, "bartowski Meta-Llama-3.1-8B-Instruct-Q4_K_S.gguf 4.69 GB"),
    # bartowski/Meta-Llama-3.1-70B-Instruct-GGUF (tree 68dd43f, 8c7f398; split files added)
    ("llama-3.1-70b", "q4_k_m", 42.5e9, "bartowski Meta-Llama-3.1-70B-Instruct-Q4_K_M.gguf 42.5 GB"),
    ("llama-3.1-70b", "iq4_xs", 37.9e9, "bartowski Meta-Llama-3.1-70B-Instruct-IQ4_XS.gguf 37.9 GB"),
    ("llama-3.1-70b", "q5_k_m", 50.0e9, "bartowski ...-Q5_K_M-0000{1,2}-of-00002.gguf 39.9 + 10.1 GB"),
    ("llama-3.1-70b", "q6_k", 57.9e9, "bartowski ...-Q6_K-0000{1,2}-of-00002.gguf 39.9 + 18 GB"),
    ("llama-3.1-70b", "q8_0", 75.0e9, "bartowski ...-Q8_0-0000{1,2}-of-00002.gguf 39.8 + 35.2 GB"),
    # llama.cpp prints "model size = 37.22 GiB (4.53 BPW)" for Llama 3.1 70B Instruct Q4_0
    # (https://github.com/ollama/ollama/pull/6279)
    ("llama-3.1-70b", "q4_0", 37.22 * 2**30, "llama.cpp log: 37.22 GiB"),
    # bartowski/Qwen2.5-7B-Instruct-GGUF and Qwen2-7B (same architecture)
    ("qwen2.5-7b", "q4_k_m", 4.68e9, "bartowski Qwen2.5-7B-Instruct-Q4_K_M.gguf 4.68 GB"),
    ("qwen2.5-7b", "q5_k_m", 5.44e9, "bartowski Qwen2-7B-Instruct-Q5_K_M.gguf 5.44 GB"),
    ("qwen2.5-32b", "q4_k_m", 19.9e9, "bartowski Qwen2.5-32B-Instruct-Q4_K_M.gguf 19.9 GB"),
    ("qwen2.5-32b", "q3_k_m", 15.9e9, "bartowski Qwen2.5-32B-Instruct-Q3_K_M.gguf 15.9 GB"),
    # lmstudio-community duplicate of bartowski/Mistral-7B-Instruct-v0.3-GGUF
    ("mistral-7b-v0.3", "q4_k_m", 4.37e9, "Mistral-7B-Instruct-v0.3-Q4_K_M.gguf 4.37 GB"),
    ("mistral-7b-v0.3", "q5_k_m", 5.14e9, "Mistral-7B-Instruct-v0.3-Q5_K_M.gguf 5.14 GB"),
    ("mistral-7b-v0.3", "q6_k", 5.95e9, "Mistral-7B-Instruct-v0.3-Q6_K.gguf 5.95 GB"),
    ("mistral-7b-v0.3", "q8_0", 7.70e9, "Mistral-7B-Instruct-v0.3-Q8_0.gguf 7.7 GB"),
    ("mistral-7b-v0.3", "iq4_xs", 3.91e9, "bartowski Mistral-7B-Instruct-v0.3-IQ4_XS.gguf 3.91 GB"),
    # bartowski/gemma-2-9b-it-GGUF (tied embedding: token_embd in Q6_K)
    ("gemma-2-9b", "q4_k_m", 5.76e9, "bartowski gemma-2-9b-it-Q4_K_M.gguf 5.76 GB"),
    ("gemma-2-9b", "q8_0", 9.83e9, "bartowski gemma-2-9b-it-Q8_0.gguf 9.83 GB"),
    ("gemma-2-9b", "q3_k_m", 4.76e9, "bartowski gemma-2-9b-it-Q3_K_M.gguf 4.76 GB"),
    ("gemma-2-9b", "q4_0", 5.44e9, "RichardErkhov google_-_gemma-2-9b-it-gguf Q4_0 5.44 GB"),
    # duyntnet/gemma-2-27b-it-imatrix-GGUF LFS pointer sizes
    ("gemma-2-27b", "q4_k_m", 16_645_383_008, "duyntnet gemma-2-27b-it-Q4_K_M.gguf size 16645383008"),
    ("gemma-2-27b", "q5_k_m", 19_408_118_624, "duyntnet gemma-2-27b-it-Q5_K_M.gguf size 19408118624"),
    # ggml-org/Qwen3-32B-GGUF
    ("qwen3-32b", "q4_k_m", 19.8e9, "ggml-org Qwen3-32B Q4_K_M 19.8 GB"),
    ("qwen3-32b", "q8_0", 34.8e9, "ggml-org Qwen3-32B Q8_0 34.8 GB"),
    ("qwen3-32b", "f16", 65.5e9, "ggml-org Qwen3-32B F16 65.5 GB"),
    # mradermacher/Qwen3-30B-A3B-abliterated-GGUF (static quants of a Qwen3-30B-A3B fine-tune)
    ("qwen3-30b-a3b", "q4_k_m", 18.7e9, "mradermacher Qwen3-30B-A3B Q4_K_M 18.7 GB"),
    ("qwen3-30b-a3b", "q8_0", 32.6e9, "mradermacher Qwen3-30B-A3B Q8_0 32.6 GB"),
]


@pytest.mark.parametrize("name, quant, published, where", PUBLISHED, ids=lambda x: str(x)[:40])
def test_file_size_matches_published_gguf(name, quant, published, where):
    got = weights_bytes(resolve_model(name), quant)
    assert got == pytest.approx(published, rel=TOL), f"{where}: got {got / 1e9:.3f} GB"


def test_qwen25_72b_ffn_down_falls_back_and_matches_published():
    # Qwen2.5-72B's FFN width 29568 is not a multiple of 256, so llama.cpp stores
    # ffn_down in Q5_0 / Q8_0 instead of Q4_K / Q6_K; bartowski's
    # Qwen2.5-72B-Instruct-Q4_K_M.gguf is 47.42 GB.
    m = resolve_model("qwen2.5-72b")
    kinds = {ty for t, ty in tensor_types(m, "q4_k_m") if t.role == "ffn_down"}
    assert kinds == {"q5_0", "q8_0"}
    assert weights_bytes(m, "q4_k_m") == pytest.approx(47.42e9, rel=TOL)


def test_q4_k_m_mix_keeps_output_and_half_the_v_and_down_in_q6_k():
    m = resolve_model("llama-3.1-8b")
    types = tensor_types(m, "q4_k_m")
    assert {ty for t, ty in types if t.role == "output"} == {"q6_k"}
    v = [ty for t, ty in types if t.role == "attn_v"]
    assert v.count("q6_k") == 16 and v.count("q4_k") == 16  # use_more_bits on 32 layers
    # llama.cpp prints the file's BPW: 4.89 for Llama 3 8B Q4_K_M (4,920,733,984 B / 8.03 B).
    assert average_bits_per_weight(m, "q4_k_m") == pytest.approx(4_920_733_984 * 8 / 8.03e9, rel=0.01)


def test_mistral_v02_q5_k_m_matches_llama_cpp_print():
    # llama.cpp: "model size = 4.78 GiB (5.67 BPW)" for mistral-7b-instruct-v0.2.Q5_K_M.gguf
    # (https://github.com/ggml-org/llama.cpp/issues/5619).
    v02 = resolve_model("mistral-7b-v0.3").model_copy(update={"vocab_size": 32000})
    assert weights_bytes(v02, "q5_k_m") / 2**30 == pytest.approx(4.78, abs=0.01)
    assert average_bits_per_weight(v02, "q5_k_m") == pytest.approx(5.67, abs=0.01)


def test_active_weight_bytes_for_moe_reads_only_the_routed_experts():
    mix = resolve_model("mixtral-8x7b")
    total = weights_bytes(mix, "q4_k_m")
    active = mix.weight_bytes_per_token("q4_k_m")
    # Mixtral: 12.9 B of 46.7 B parameters per token (Mistral AI); bytes scale alike.
    assert active / total == pytest.approx(12.9 / 46.7, rel=0.05)
    dense = resolve_model("llama-3.1-8b")
    emb = 128256 * 4096 * 144 // 256  # token_embd in Q4_K is looked up, not read
    assert dense.weight_bytes_per_token("q4_k_m") == weights_bytes(dense, "q4_k_m") - emb


def test_unknown_quant_names_the_known_ones():
    assert file_type("Q4_K_M").label == "Q4_K_M"
    with pytest.raises(InputError, match="unknown quantisation 'q4_k_x'") as e:
        file_type("q4_k_x")
    assert "q4_k_m" in str(e.value)
