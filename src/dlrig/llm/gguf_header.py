"""A ModelSpec from a ``.gguf`` file's header, read with the ``gguf`` package.

``gguf.GGUFReader`` memory-maps the file and parses the key/value metadata
and the tensor infos without reading tensor data, so a 40 GB model file is
read in milliseconds. The architecture comes from ``general.architecture``
and ``{arch}.block_count``, ``.embedding_length``, ``.feed_forward_length``,
``.attention.head_count(_kv)``, ``.attention.key_length``,
``.context_length``, ``.expert_count``/``.expert_used_count``; the
vocabulary from ``tokenizer.ggml.tokens``; the parameter count and the
bytes of weights from the tensor infos; the quantisation from
``general.file_type``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..files import expand


def _field(reader: Any, key: str) -> Any:
    f = reader.get_field(key)
    if f is None:
        return None
    try:
        return f.contents()
    except (ValueError, IndexError, UnicodeDecodeError):
        return None


def _uint(value: Any, key: str, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, list):  # per-layer arrays (e.g. head_count_kv); take the maximum
        value = max(value) if value else None
        if value is None:
            return None
    try:
        v = int(value)
    except (TypeError, ValueError):
        raise InputError(f"{where}: {key} = {value!r} is not a number") from None
    if v <= 0:
        raise InputError(f"{where}: {key} = {v} must be positive")
    return v


def model_from_gguf(path: str | Path) -> Any:
    """A ModelSpec from the GGUF file at ``path`` (its header only)."""
    from gguf import GGUFReader
    from pydantic import ValidationError

    from ..tables import validation_message as _validation_message
    from .models import ModelSpec
    from .quant import FTYPE_IDS

    p = expand(path)
    where = str(p)
    try:
        with p.open("rb") as fh:
            magic = fh.read(4)
    except OSError as e:
        raise InputError(f"cannot read {where}: {e.strerror}", hint="give the path of a .gguf model file") from None
    if magic != b"GGUF":
        raise InputError(f"{where} is not a GGUF file (no 'GGUF' magic at its start)")
    try:
        reader = GGUFReader(p, "r")
    except Exception as e:  # the gguf package raises ValueError/struct errors for damaged files
        raise InputError(f"{where}: damaged GGUF header ({type(e).__name__}: {e})") from None
    arch = _field(reader, "general.architecture")
    if not isinstance(arch, str) or not arch:
        raise InputError(f"{where}: no general.architecture in the GGUF header")

    def key(k: str, need: bool = True) -> int | None:
        v = _uint(_field(reader, f"{arch}.{k}"), f"{arch}.{k}", where)
        if v is None and need:
            raise InputError(f"{where}: no {arch}.{k} in the GGUF header",
                             hint="the file may be a vision projector or an unsupported architecture")
        return v

    layers = key("block_count")
    hidden = key("embedding_length")
    heads = key("attention.head_count")
    kv = key("attention.head_count_kv", need=False) or heads
    head_dim = key("attention.key_length", need=False) or hidden // heads
    ctx = key("context_length", need=False) or 4096
    experts = key("expert_count", need=False)
    used = key("expert_used_count", need=False)
    if not experts or experts < 2:
        experts = used = None
    inter = (key("expert_feed_forward_length", need=False) if experts else None) or key("feed_forward_length")
    tensors = list(reader.tensors)
    if not tensors:
        raise InputError(f"{where}: the GGUF file lists no tensors")
    names = {t.name for t in tensors}
    vocab = _uint(_field(reader, f"{arch}.vocab_size"), "vocab_size", where)
    if vocab is None:
        tok = reader.get_field("tokenizer.ggml.tokens")
        vocab = len(tok.data) if tok is not None and tok.data else None
    if vocab is None and "token_embd.weight" in names:
        vocab = int(next(t for t in tensors if t.name == "token_embd.weight").shape[-1])
    if vocab is None:
        raise InputError(f"{where}: cannot tell the vocabulary size (no tokenizer.ggml.tokens)")
    params = sum(int(t.n_elements) for t in tensors)
    weight_bytes = sum(int(t.n_bytes) for t in tensors)
    ftype = _field(reader, "general.file_type")
    quant = FTYPE_IDS.get(int(ftype)) if isinstance(ftype, int | float) else None
    window = key("attention.sliding_window", need=False)
    swa_layers = 0
    if window and arch == "gemma2":
        swa_layers = layers // 2
    elif window and arch == "gemma3":
        swa_layers = layers - layers // 6
    if not swa_layers:
        window = None
    active = None
    if experts:
        expert_elems = sum(int(t.n_elements) for t in tensors if "_exps." in t.name)
        active = (params - expert_elems + expert_elems * used / experts) / 1e9
    name_field = _field(reader, "general.name")
    title = name_field if isinstance(name_field, str) and name_field.strip() else p.stem
    data = dict(
        name=re.sub(r"[^a-z0-9._-]+", "-", p.stem.lower()).strip("-._") or "model", title=title, family=arch,
        architecture=arch, params_b=params / 1e9,
        active_params_b=active,
        layers=layers, hidden_size=hidden, intermediate_size=inter, attention_heads=heads,
        kv_heads=kv, head_dim=head_dim, vocab_size=vocab, context_max=ctx,
        tied_embeddings="output.weight" not in names, experts=experts, experts_per_token=used,
        sliding_window=window, sliding_window_layers=swa_layers, source=str(p.resolve()),
        sources={"params_b": "tensor infos of the GGUF file"}, quant=quant, weight_bytes=weight_bytes,
    )
    try:
        return ModelSpec.model_validate(data)
    except ValidationError as e:
        raise InputError(f"{where}: {_validation_message(e)}") from None
