"""The model table: the architecture facts that size a machine for an LLM.

A :class:`ModelSpec` holds what the memory and speed math need from a
model's published ``config.json`` (layers, widths, attention and KV heads,
vocabulary, mixture-of-experts and sliding-window facts) and its model card
(parameter count, release date). Every built-in number has a source.

Built-in models live in ``dlrig/data/models/*.toml``; user files are read
from the platform's user config directory (``dlrig/models/*.toml``) and from
the directory named by ``DLRIG_MODELS`` (a user file with a built-in's name
replaces it), the same pattern as workload profiles.
:func:`resolve_model` also takes a Hugging Face ``config.json`` (or a folder
holding one) or a ``.gguf`` file.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .. import files
from ..errors import InputError
from ..tables import builtin_files, read_row, user_files
from ..tables import user_dirs as table_user_dirs
from ..text import clean_value

ENV_DIR = "DLRIG_MODELS"

# Fields a built-in file must justify in ``source``/``sources``.
SOURCED_FIELDS = ("params_b", "released")

# GGUF ``general.architecture`` values whose tensor layout dlrig knows
# (llama.cpp's LLM_ARCH names); others are read as plain llama-style blocks.
KNOWN_ARCHITECTURES = (
    "llama", "qwen2", "qwen3", "qwen3moe", "gemma2", "gemma3", "phi3", "mistral3",
)

# KV-cache element types: bytes per element (f16) or per 32-element block
# (q8_0: 34 bytes, q4_0: 18 bytes; ggml's block_q8_0 / block_q4_0).
KV_TYPES: dict[str, tuple[int, int]] = {"f16": (1, 2), "bf16": (1, 2), "q8_0": (32, 34), "q4_0": (32, 18)}


class ModelSpec(BaseModel):
    """One model's architecture, as its config.json and model card state it."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, description="id used on the command line, e.g. 'llama-3.1-70b'")
    title: str = Field(min_length=1)
    family: str = Field(min_length=1, description="model family, e.g. 'llama', 'qwen2.5'")
    architecture: str = Field("llama", description="GGUF general.architecture (tensor layout)")
    aliases: tuple[str, ...] = Field((), description="Hugging Face repo ids and short forms")
    params_b: float = Field(gt=0, le=5000, description="total parameters, billions")
    active_params_b: float | None = Field(
        None, gt=0, le=5000, description="mixture-of-experts: parameters used per token; None for dense")
    layers: int = Field(ge=1, le=1000)
    hidden_size: int = Field(ge=16, le=100_000)
    intermediate_size: int = Field(
        ge=16, le=1_000_000, description="FFN width (per expert for mixture-of-experts models)")
    attention_heads: int = Field(ge=1, le=1024)
    kv_heads: int = Field(ge=1, le=1024)
    head_dim: int = Field(ge=8, le=1024)
    vocab_size: int = Field(ge=2, le=2_000_000)
    context_max: int = Field(ge=128, le=100_000_000)
    tied_embeddings: bool = False
    experts: int | None = Field(None, ge=2, le=4096, description="routed experts per MoE layer")
    experts_per_token: int | None = Field(None, ge=1, le=4096)
    sliding_window: int | None = Field(
        None, ge=1, le=100_000_000, description="tokens a local-attention layer attends to")
    sliding_window_layers: int = Field(
        0, ge=0, description="how many of the layers use the sliding window (their KV is capped)")
    released: dt.date | None = None
    source: str = Field("", description="URL of the published config.json or model card")
    sources: dict[str, str] = Field(default_factory=dict, description="field -> where its number comes from")
    quant: str | None = Field(None, description="quantisation known from a GGUF file")
    weight_bytes: int | None = Field(
        None, ge=0, description="bytes of tensor data known from a GGUF file")

    @model_validator(mode="before")
    @classmethod
    def _clean_text(cls, data: Any) -> Any:
        """Titles and names come from config.json and .gguf files off the internet (a GGUF's
        general.name): shown in terminals, so cleaned of control characters (dlrig.text)."""
        if not isinstance(data, dict):
            return data
        out = {k: clean_value(v) for k, v in data.items()}
        if isinstance(out.get("sources"), dict):
            out["sources"] = {clean_value(k): clean_value(v) for k, v in out["sources"].items()}
        return out

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        v = v.strip().lower()
        if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", v):
            raise ValueError(f"model name '{v}' must be lower-case letters, digits, '.', '-' or '_'")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> ModelSpec:
        if self.kv_heads > self.attention_heads:
            raise ValueError(f"kv_heads {self.kv_heads} exceeds attention_heads {self.attention_heads}")
        if self.attention_heads % self.kv_heads:
            raise ValueError(
                f"attention_heads {self.attention_heads} is not a multiple of kv_heads {self.kv_heads}")
        if (self.experts is None) != (self.experts_per_token is None):
            raise ValueError("give both experts and experts_per_token, or neither")
        if self.experts is not None and self.experts_per_token > self.experts:
            raise ValueError("experts_per_token exceeds experts")
        if self.experts is None and self.active_params_b is not None:
            raise ValueError("active_params_b is for mixture-of-experts models (give experts too)")
        if self.active_params_b is not None and self.active_params_b > self.params_b:
            raise ValueError("active_params_b exceeds params_b")
        if self.sliding_window_layers > self.layers:
            raise ValueError("sliding_window_layers exceeds layers")
        if self.sliding_window_layers and self.sliding_window is None:
            raise ValueError("sliding_window_layers needs sliding_window")
        return self

    # --- derived facts ---------------------------------------------------

    @property
    def is_moe(self) -> bool:
        return self.experts is not None

    @property
    def q_dim(self) -> int:
        """Width of the query projection (heads x head_dim; not always hidden_size)."""
        return self.attention_heads * self.head_dim

    @property
    def kv_dim(self) -> int:
        """Width of one of K or V per token and layer (GQA: kv_heads x head_dim)."""
        return self.kv_heads * self.head_dim

    @property
    def global_layers(self) -> int:
        """Layers that attend to the whole context."""
        return self.layers - self.sliding_window_layers

    def source_of(self, field: str) -> str:
        return self.sources.get(field, self.source)

    def kv_bytes_per_token(self, kv_type: str = "f16") -> int:
        """KV-cache bytes one token adds with no sliding-window cap:
        2 (K and V) x layers x kv_heads x head_dim x bytes per element."""
        return kv_row_bytes(2 * self.layers * self.kv_dim, kv_type)

    def kv_cache_bytes(self, tokens: int, kv_type: str = "f16", sequences: int = 1) -> int:
        """KV-cache bytes for ``sequences`` sequences of ``tokens`` each.

        GQA-aware: 2 x layers x kv_heads x head_dim x bytes per element x
        tokens. Sliding-window layers (Gemma 2 and 3) keep at most
        ``sliding_window`` tokens per sequence, as llama.cpp's SWA cache and
        Hugging Face's hybrid cache do; the global layers keep all of them.
        """
        if tokens < 0 or sequences < 1:
            raise InputError("context tokens must be >= 0 and sequences >= 1")
        per_layer = kv_row_bytes(2 * self.kv_dim, kv_type)
        local = min(tokens, self.sliding_window or tokens)
        return sequences * per_layer * (self.global_layers * tokens + self.sliding_window_layers * local)

    def weight_bytes_per_token(self, quant: str) -> int:
        """Weight bytes a GPU reads to generate one token at ``quant`` (decode).

        Every tensor but the token embedding (a row lookup); for
        mixture-of-experts models only ``experts_per_token`` of the routed
        experts. Used by the speed model (memory-bandwidth bound decoding).
        """
        from .quant import active_weight_bytes

        return active_weight_bytes(self, quant)


def kv_row_bytes(elements: int, kv_type: str) -> int:
    """Bytes of ``elements`` KV values stored as ``kv_type`` (block-quantised types round up)."""
    try:
        block, size = KV_TYPES[kv_type.lower()]
    except KeyError:
        raise InputError(f"unknown KV cache type '{kv_type}'",
                         hint="use one of " + ", ".join(KV_TYPES)) from None
    return -(-elements // block) * size


# --- the table -----------------------------------------------------------


def _builtin_files() -> list[Any]:
    return builtin_files("models")


def user_dirs() -> list[Path]:
    """Where user model files are looked for, in order (later ones win)."""
    return table_user_dirs("models", ENV_DIR)


def load_model_file(path: Path | Any, *, require_sources: bool = False) -> ModelSpec:
    """Read one model TOML file; ``name`` defaults to the file's stem."""
    m = read_row(path, ModelSpec, "model file", "see docs/models.md for the fields")
    if require_sources:
        if not m.source.startswith("http"):
            raise InputError(f"model file {path}: no source URL")
        missing = [f for f in SOURCED_FIELDS if f not in m.sources]
        if missing:
            raise InputError(f"model file {path}: no source for {', '.join(missing)}")
    return m


@cache
def builtin_models() -> dict[str, ModelSpec]:
    """The models shipped with dlrig, each with its sources."""
    out: dict[str, ModelSpec] = {}
    for f in _builtin_files():
        m = load_model_file(f, require_sources=True)
        out[m.name] = m
    return out


def _user_files(dirs: Iterable[Path]) -> list[Path]:
    return user_files(dirs)


def models() -> dict[str, ModelSpec]:
    """Built-in models, then user files (a user file replaces a same-named built-in)."""
    out = dict(builtin_models())
    for f in _user_files(user_dirs()):
        m = load_model_file(f)
        out[m.name] = m
    return out


def _key(s: str) -> str:
    return s.strip().lower()


def resolve_model(ref: str | ModelSpec) -> ModelSpec:
    """A model from a table name or alias, a config.json (or its folder), or a .gguf file.

    Names and aliases match case-insensitively; an unknown name raises an
    ``InputError`` that names the closest ones.
    """
    if isinstance(ref, ModelSpec):
        return ref
    ref = (ref or "").strip()
    if not ref:
        raise InputError("no model given", hint="name one from 'dlrig models', or a config.json or .gguf file")
    known = models()
    key = _key(ref)
    if key in known:
        return known[key]
    for m in known.values():
        if key in (_key(a) for a in m.aliases):
            return m
    path = files.expand(ref)
    if path.suffix.lower() == ".gguf" or (path.is_file() and _is_gguf(path)):
        from .gguf_header import model_from_gguf

        # Checked by dlrig.files first: a FIFO named x.gguf hung the reader, /dev/zero
        # mapped a device. The header alone is read, so the limit is the disk's.
        return model_from_gguf(_checked(path, "model file"))
    if path.name == "config.json" or path.is_dir() or path.suffix.lower() == ".json":
        from .hf_config import model_from_config

        config = path / "config.json" if path.is_dir() else path
        return model_from_config(_checked(config, "model config"))
    raise InputError(f"unknown model '{ref}'", hint=_closest_hint(ref, known))


_WANT = {"model config": "give a Hugging Face config.json or the folder holding one",
         "model file": "give the path of a .gguf model file"}


def _checked(path: Path, what: str) -> Path:
    """``path`` once ``dlrig.files`` has seen it is a regular file within the limit for
    ``what`` (not a FIFO, a device or a folder: those hung or crashed the readers)."""
    if not os.path.exists(path):  # never raises (Path.exists does, for '~nobody/x')
        raise InputError(f"cannot read {what} {path}: not found", hint=_WANT[what])
    return files.check_input(path, what)


def _is_gguf(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(4) == b"GGUF"
    except OSError:
        return False


def _closest_hint(ref: str, known: dict[str, ModelSpec]) -> str:
    from rapidfuzz import fuzz, process

    choices: dict[str, str] = {}
    for m in known.values():
        choices[m.name] = m.name
        for a in m.aliases:
            choices[a.lower()] = m.name
    hits = process.extract(ref.lower(), list(choices), scorer=fuzz.WRatio, limit=12)
    names: list[str] = []
    for choice, score, _ in hits:
        n = choices[choice]
        if score >= 60 and n not in names:
            names.append(n)
    if names:
        return "closest: " + ", ".join(names[:4])
    return "see 'dlrig models', or give a config.json or .gguf file"
