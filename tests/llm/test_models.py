"""The model table: sourced data, lookups, user files, config.json and GGUF readers."""

from __future__ import annotations

import json

import pytest

from dlrig.errors import InputError
from dlrig.llm import ModelSpec, builtin_models, models, resolve_model
from dlrig.llm.tensors import active_parameter_count, parameter_count

from .conftest import write_gguf

REQUIRED = {
    "llama-3.1-8b", "llama-3.1-70b", "llama-3.2-1b", "llama-3.2-3b", "llama-3.3-70b",
    "qwen2.5-7b", "qwen2.5-14b", "qwen2.5-32b", "qwen2.5-72b",
    "qwen3-8b", "qwen3-14b", "qwen3-32b", "qwen3-30b-a3b",
    "mistral-7b-v0.3", "mistral-small-24b", "mixtral-8x7b",
    "gemma-2-9b", "gemma-2-27b", "gemma-3-12b", "gemma-3-27b",
    "deepseek-r1-distill-qwen-7b", "deepseek-r1-distill-qwen-14b", "deepseek-r1-distill-qwen-32b",
    "deepseek-r1-distill-llama-8b", "deepseek-r1-distill-llama-70b", "phi-3.5-mini", "phi-4",
}


def test_builtin_table_has_the_issue_models_each_with_sources():
    table = builtin_models()
    assert REQUIRED <= set(table)
    for m in table.values():
        assert m.source.startswith("https://"), m.name
        assert {"params_b", "released", "config"} <= set(m.sources), m.name
        assert m.released is not None


# Parameter counts published by model cards (Hugging Face safetensors counts,
# cited in each data file) against the count the config.json architecture
# implies: a wrong layer count, width or vocabulary in a data file would show.
@pytest.mark.parametrize("name, card_b", [
    ("llama-3.1-8b", 8.03),  # HF safetensors count
    ("llama-3.2-1b", 1.24),
    ("llama-3.2-3b", 3.21),
    ("qwen2.5-7b", 7.61),  # Qwen2.5-7B-Instruct model card
    ("qwen2.5-14b", 14.7),
    ("qwen2.5-72b", 72.7),
    ("qwen3-8b", 8.2),  # Qwen3-8B model card
    ("mistral-7b-v0.3", 7.25),
    ("gemma-2-9b", 9.24),
    ("gemma-2-27b", 27.2),
    ("phi-3.5-mini", 3.82),
    ("deepseek-r1-distill-qwen-7b", 7.62),
])
def test_architecture_reproduces_model_card_parameter_counts(name, card_b):
    got = parameter_count(resolve_model(name)) / 1e9
    assert got == pytest.approx(card_b, rel=0.01)


def test_llama_70b_parameter_count_matches_llama_cpp_print():
    # llama.cpp: "model params = 70.55 B" for Meta Llama 3.1 70B Instruct
    # (log quoted in https://github.com/ollama/ollama/pull/6279).
    assert parameter_count(resolve_model("llama-3.1-70b")) / 1e9 == pytest.approx(70.55, abs=0.01)


def test_mistral_v02_parameter_count_matches_llama_cpp_print():
    # llama.cpp prints "model params = 7.24 B" for mistral-7b-instruct-v0.2
    # (https://github.com/ggml-org/llama.cpp/issues/5619); v0.2 is v0.3 with
    # the 32000-token vocabulary.
    v03 = resolve_model("mistral-7b-v0.3")
    v02 = v03.model_copy(update={"vocab_size": 32000})
    assert parameter_count(v02) / 1e9 == pytest.approx(7.24, abs=0.005)


@pytest.mark.parametrize("name, total_b, active_b", [
    ("mixtral-8x7b", 46.7, 12.9),  # Mistral AI, "Mixtral of experts" (2023-12-11)
    ("qwen3-30b-a3b", 30.5, 3.3),  # Qwen3-30B-A3B model card
])
def test_moe_total_and_active_parameters_match_published(name, total_b, active_b):
    m = resolve_model(name)
    assert m.is_moe
    assert parameter_count(m) / 1e9 == pytest.approx(total_b, rel=0.01)
    assert active_parameter_count(m) / 1e9 == pytest.approx(active_b, rel=0.03)


def test_resolve_by_alias_any_case_and_unknown_names_get_closest():
    assert resolve_model("META-LLAMA/Llama-3.1-70B-Instruct").name == "llama-3.1-70b"
    assert resolve_model("Qwen2.5-7B").name == "qwen2.5-7b"
    with pytest.raises(InputError) as e:
        resolve_model("llama-3.1-80b")
    assert "unknown model 'llama-3.1-80b'" in str(e.value)
    assert "closest:" in str(e.value) and "llama-3.1-8b" in str(e.value)


def test_user_model_file_adds_and_replaces(tmp_path, monkeypatch):
    d = tmp_path / "mine"
    d.mkdir()
    (d / "tiny-1b.toml").write_text(
        'title = "Tiny 1B"\nfamily = "tiny"\nparams_b = 1.1\nlayers = 16\nhidden_size = 2048\n'
        'intermediate_size = 5632\nattention_heads = 32\nkv_heads = 4\nhead_dim = 64\n'
        'vocab_size = 32000\ncontext_max = 2048\naliases = ["me/tiny"]\n')
    monkeypatch.setenv("DLRIG_MODELS", str(d))
    assert "tiny-1b" in models()
    assert resolve_model("me/tiny").params_b == 1.1
    (d / "bad.toml").write_text('title = "x"\nlayers = "many"\n')
    with pytest.raises(InputError, match="bad.toml"):
        models()


def test_spec_rejects_inconsistent_heads():
    with pytest.raises(ValueError, match="multiple of kv_heads"):
        ModelSpec(name="x", title="x", family="x", params_b=1, layers=2, hidden_size=64,
                  intermediate_size=128, attention_heads=6, kv_heads=4, head_dim=16,
                  vocab_size=10, context_max=512)


# --- config.json --------------------------------------------------------

# Qwen2.5-7B-Instruct's config.json as published (copy cited in
# data/models/qwen2.5-7b.toml).
QWEN25_7B = {
    "architectures": ["Qwen2ForCausalLM"], "_name_or_path": "Qwen/Qwen2.5-7B-Instruct",
    "hidden_size": 3584, "intermediate_size": 18944, "max_position_embeddings": 32768,
    "model_type": "qwen2", "num_attention_heads": 28, "num_hidden_layers": 28,
    "num_key_value_heads": 4, "rope_theta": 1000000.0, "sliding_window": None,
    "tie_word_embeddings": False, "torch_dtype": "bfloat16", "use_sliding_window": False,
    "vocab_size": 152064,
}


def test_config_json_gives_the_table_architecture(tmp_path):
    p = tmp_path / "qwen" / "config.json"
    p.parent.mkdir()
    p.write_text(json.dumps(QWEN25_7B))
    for ref in (str(p), str(p.parent)):
        m = resolve_model(ref)
        table = resolve_model("qwen2.5-7b")
        for f in ("layers", "hidden_size", "intermediate_size", "attention_heads", "kv_heads",
                  "head_dim", "vocab_size", "context_max", "tied_embeddings", "architecture"):
            assert getattr(m, f) == getattr(table, f), f
        assert m.params_b == pytest.approx(7.61, rel=0.01)


def test_config_json_mixture_of_experts_and_gemma3_text_config(tmp_path):
    # Mixtral-8x7B-Instruct-v0.1 config.json (official, commit eba9230).
    mix = {"model_type": "mixtral", "hidden_size": 4096, "intermediate_size": 14336,
           "max_position_embeddings": 32768, "num_attention_heads": 32, "num_experts_per_tok": 2,
           "num_hidden_layers": 32, "num_key_value_heads": 8, "num_local_experts": 8,
           "tie_word_embeddings": False, "vocab_size": 32000}
    (tmp_path / "mix.json").write_text(json.dumps(mix))
    m = resolve_model(str(tmp_path / "mix.json"))
    assert (m.experts, m.experts_per_token) == (8, 2)
    assert m.params_b == pytest.approx(46.7, rel=0.01)
    assert m.active_params_b == pytest.approx(12.9, rel=0.01)
    g3 = {"model_type": "gemma3", "text_config": {
        "model_type": "gemma3_text", "hidden_size": 2560, "intermediate_size": 10240,
        "num_hidden_layers": 34, "num_attention_heads": 8, "num_key_value_heads": 4, "head_dim": 256,
        "sliding_window": 1024, "vocab_size": 262208, "max_position_embeddings": 131072}}
    (tmp_path / "g3.json").write_text(json.dumps(g3))
    g = resolve_model(str(tmp_path / "g3.json"))
    assert g.architecture == "gemma3" and g.tied_embeddings
    assert g.sliding_window == 1024 and g.sliding_window_layers == 34 - 34 // 6


@pytest.mark.parametrize("content, expect", [
    ("{not json", "is not JSON"),
    (json.dumps({"model_type": "llama", "hidden_size": 4096}), "no num_hidden_layers"),
    (json.dumps({**QWEN25_7B, "num_hidden_layers": -3}), "num_hidden_layers"),
    (json.dumps({**QWEN25_7B, "num_hidden_layers": 100000}), "layers"),
    (json.dumps([1, 2]), "not a config.json object"),
])
def test_bad_config_json_is_one_line_input_error(tmp_path, content, expect):
    p = tmp_path / "config.json"
    p.write_text(content)
    with pytest.raises(InputError) as e:
        resolve_model(str(p))
    assert expect in str(e.value) and "\n" not in str(e.value)


def test_missing_config_folder_is_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot read model config"):
        resolve_model(str(tmp_path))


# --- GGUF ------------------------------------------------------------------


def test_gguf_header_gives_architecture_params_and_quant(tmp_path):
    p = write_gguf(tmp_path / "tiny.gguf", layers=2, hidden=64, ffn=128, heads=4, kv=2, vocab=100)
    m = resolve_model(str(p))
    assert (m.architecture, m.layers, m.hidden_size, m.intermediate_size) == ("llama", 2, 64, 128)
    assert (m.attention_heads, m.kv_heads, m.head_dim, m.vocab_size, m.context_max) == (4, 2, 16, 100, 2048)
    assert m.quant == "f16" and not m.tied_embeddings and m.title == "Tiny test model"
    # the header's tensor infos: every element counted, F16 weights 2 bytes, F32 norms 4
    expect = 100 * 64 * 2 + 2 * (64 * 64 * 2 + 2 * 32 * 64 + 3 * 128 * 64) + 64 * 5
    assert m.params_b * 1e9 == pytest.approx(expect)
    assert m.weight_bytes == (expect - 64 * 5) * 2 + 64 * 5 * 4


def test_gguf_tied_and_moe(tmp_path):
    p = write_gguf(tmp_path / "moe.gguf", tied=True, experts=4, used=2)
    m = resolve_model(str(p))
    assert m.tied_embeddings and (m.experts, m.experts_per_token) == (4, 2)
    assert m.active_params_b < m.params_b


def test_bad_gguf_files_are_one_line_errors(tmp_path):
    notg = tmp_path / "x.gguf"
    notg.write_bytes(b"PK\x03\x04 not a gguf")
    with pytest.raises(InputError, match="is not a GGUF file"):
        resolve_model(str(notg))
    good = write_gguf(tmp_path / "good.gguf")
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(good.read_bytes()[:200])
    with pytest.raises(InputError, match="damaged GGUF header|no llama"):
        resolve_model(str(cut))
    nolayers = write_gguf(tmp_path / "nolayers.gguf", skip_keys=("block_count",))
    with pytest.raises(InputError, match="no llama.block_count"):
        resolve_model(str(nolayers))
    with pytest.raises(InputError, match="cannot read"):
        resolve_model(str(tmp_path / "missing.gguf"))
