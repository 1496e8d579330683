"""A ModelSpec from a Hugging Face ``config.json``.

Reads the fields the transformers configs of Llama, Mistral, Mixtral,
Qwen 2/2.5/3 (and MoE), Gemma 2/3 and Phi-3/4 use (multimodal configs keep
the language model under ``text_config``). A config.json has no parameter
count, so it is computed from the architecture (dlrig.llm.tensors), which
reproduces the model cards' counts within 1 % for the built-in table.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..files import expand

# transformers model_type -> GGUF architecture (tensor layout).
MODEL_TYPES = {
    "llama": "llama", "mistral": "llama", "mixtral": "llama",
    "qwen2": "qwen2", "qwen3": "qwen3", "qwen3_moe": "qwen3moe",
    "gemma2": "gemma2", "gemma3": "gemma3", "gemma3_text": "gemma3",
    "phi3": "phi3",
}


def _int(cfg: dict[str, Any], where: str, *keys: str, default: int | None = None) -> int | None:
    for k in keys:
        v = cfg.get(k)
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, int | float) or v != int(v) or v <= 0:
            raise InputError(f"{where}: {k} = {v!r} is not a positive whole number")
        return int(v)
    return default


def _need(cfg: dict[str, Any], where: str, *keys: str) -> int:
    v = _int(cfg, where, *keys)
    if v is None:
        raise InputError(f"{where}: no {keys[0]}",
                         hint="give a transformers config.json of a decoder-only language model")
    return v


def model_from_config(path: str | Path) -> Any:
    """A ModelSpec from ``path`` (a config.json, or a folder holding one)."""
    from pydantic import ValidationError

    from ..tables import validation_message as _validation_message
    from .models import ModelSpec
    from .tensors import active_parameter_count, parameter_count

    p = expand(path)
    if p.is_dir():
        p = p / "config.json"
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read model config {p}: {e.strerror if isinstance(e, OSError) else e}",
                         hint="give a Hugging Face config.json or the folder holding one") from None
    try:
        cfg = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"{p} is not JSON: {e.msg} at line {e.lineno}") from None
    if not isinstance(cfg, dict):
        raise InputError(f"{p} is not a config.json object")
    where = str(p)
    top = cfg
    if isinstance(cfg.get("text_config"), dict):  # multimodal (Gemma 3, Mistral 3...)
        cfg = {**cfg["text_config"]}
        cfg.setdefault("model_type", top.get("model_type", ""))
        cfg.setdefault("tie_word_embeddings", top.get("tie_word_embeddings", cfg.get("tie_word_embeddings")))
    model_type = str(cfg.get("model_type") or "").lower()
    arch = MODEL_TYPES.get(model_type, "llama")
    layers = _need(cfg, where, "num_hidden_layers", "n_layer", "num_layers")
    hidden = _need(cfg, where, "hidden_size", "n_embd", "d_model")
    heads = _need(cfg, where, "num_attention_heads", "n_head")
    kv = _int(cfg, where, "num_key_value_heads", default=heads)
    head_dim = _int(cfg, where, "head_dim", default=hidden // heads)
    experts = _int(cfg, where, "num_local_experts", "num_experts", "n_routed_experts")
    per_tok = _int(cfg, where, "num_experts_per_tok", "num_experts_per_token", "moe_topk")
    if experts is not None and experts < 2:
        experts = per_tok = None
    inter = (_int(cfg, where, "moe_intermediate_size") if experts else None) or _need(
        cfg, where, "intermediate_size", "ffn_dim", "n_inner")
    vocab = _need(cfg, where, "vocab_size")
    ctx = _int(cfg, where, "max_position_embeddings", "n_positions", "seq_length", default=4096)
    tied = cfg.get("tie_word_embeddings")
    if tied is None:
        tied = model_type.startswith("gemma")  # Gemma configs omit it; the weights are tied
    window = _int(cfg, where, "sliding_window")
    swa_layers = 0
    if model_type in ("gemma2",) and window:
        swa_layers = layers // 2
    elif model_type.startswith("gemma3") and window:
        layer_types = cfg.get("layer_types")
        if isinstance(layer_types, list) and layer_types:
            swa_layers = sum(1 for t in layer_types if t == "sliding_attention")
        else:
            pattern = _int(cfg, where, "sliding_window_pattern", "_sliding_window_pattern", default=6)
            swa_layers = layers - layers // pattern
    elif cfg.get("use_sliding_window") and window and window < ctx:
        swa_layers = layers  # Mistral v0.1-style: every layer windowed
    if not swa_layers:
        window = None
    repo = str(top.get("_name_or_path") or "")
    name = re.sub(r"[^a-z0-9._-]+", "-", (repo.rsplit("/", 1)[-1] or p.parent.name or "model").lower())
    name = name.strip("-._") or "model"
    data: dict[str, Any] = dict(
        name=name, title=repo or p.parent.name or name, family=model_type or "unknown",
        architecture=arch, aliases=(repo,) if repo else (), params_b=1.0,
        layers=layers, hidden_size=hidden, intermediate_size=inter, attention_heads=heads,
        kv_heads=kv, head_dim=head_dim, vocab_size=vocab, context_max=ctx,
        tied_embeddings=bool(tied), experts=experts, experts_per_token=per_tok if experts else None,
        sliding_window=window, sliding_window_layers=swa_layers, source=str(p.resolve()),
    )
    try:
        spec = ModelSpec.model_validate(data)
        params = parameter_count(spec) / 1e9
        if params > 5000:
            raise InputError(f"{where}: the architecture adds up to {params:,.0f}B parameters",
                             hint="check num_hidden_layers, hidden_size and vocab_size")
        active = active_parameter_count(spec) / 1e9 if experts else None
        return spec.model_copy(update={"params_b": params,
                                       "active_params_b": active,
                                       "sources": {"params_b": "computed from the architecture"}})
    except ValidationError as e:
        raise InputError(f"{where}: {_validation_message(e)}") from None
