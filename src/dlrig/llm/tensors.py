"""The weight tensors of a model, as llama.cpp lays them out in a GGUF file.

File sizes, quantisation mixes and per-layer splits are sums over tensors,
and llama.cpp's quantiser picks a type per tensor from its role (attention
V, FFN down, output...) and its layer. This module lists a model's tensors
from its architecture facts, with GGUF's shape convention: ``ne0`` is the row
length (a Linear layer's input width), which a block-quantised type must
divide.

Layouts follow llama.cpp's tensor names (``blk.N.attn_q.weight``...):
Phi-3 fuses Q, K and V into ``attn_qkv`` and gate and up into one
``ffn_up``; Gemma 2 and 3 have four norms per block; Qwen 3 and Gemma 3
normalise Q and K per head; Qwen 2 has Q/K/V biases; mixture-of-experts
blocks hold 3-D ``ffn_*_exps`` tensors and an F32 router ``ffn_gate_inp``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .models import ModelSpec

# Architectures with four RMS norms per block (pre/post attention and FFN).
FOUR_NORM_ARCHS = ("gemma2", "gemma3")
# Architectures that normalise Q and K per head (q_norm/k_norm, head_dim each).
QK_NORM_ARCHS = ("qwen3", "qwen3moe", "gemma3")
# Architectures with biases on the Q, K and V projections.
QKV_BIAS_ARCHS = ("qwen2",)
# Architectures whose GGUF fuses Q/K/V and gate/up.
FUSED_ARCHS = ("phi3",)


@dataclass(frozen=True)
class _Shape:
    """The ModelSpec fields that fix the tensor list (hashable, for the cache)."""

    architecture: str
    layers: int
    hidden_size: int
    intermediate_size: int
    attention_heads: int
    kv_heads: int
    head_dim: int
    vocab_size: int
    tied_embeddings: bool
    experts: int | None

    @property
    def q_dim(self) -> int:
        return self.attention_heads * self.head_dim

    @property
    def kv_dim(self) -> int:
        return self.kv_heads * self.head_dim


@dataclass(frozen=True)
class Tensor:
    """One weight tensor: its role, block index, row length and element count."""

    role: str  # token_embd, output, attn_q, attn_k, attn_v, attn_qkv, attn_output,
    #            ffn_gate, ffn_up, ffn_down, ffn_gate_exps, ffn_up_exps, ffn_down_exps,
    #            ffn_gate_inp, norm, bias
    layer: int | None  # None for tensors outside the blocks
    ne0: int
    elements: int

    @property
    def is_matrix(self) -> bool:
        """2-D or 3-D weights; llama.cpp quantises only these (vectors stay F32)."""
        return self.role not in ("norm", "bias")

    @property
    def is_expert(self) -> bool:
        return self.role.endswith("_exps")

    @property
    def category(self) -> str:
        """llama.cpp's tensor_category for the quantiser's rules."""
        if self.role.startswith("ffn_") and self.role.endswith("_exps"):
            return self.role.removesuffix("_exps")
        return self.role


def tensors(model: ModelSpec) -> tuple[Tensor, ...]:
    """Every weight tensor of ``model`` in GGUF order (embedding, blocks, output)."""
    return _tensors(shape_key(model))


def shape_key(model: ModelSpec) -> tuple:
    """The fields that decide a model's tensors (``SHAPE_FIELDS``), as a hashable key."""
    return tuple(getattr(model, f) for f in SHAPE_FIELDS)


def tensors_of(key: tuple) -> tuple[Tensor, ...]:
    """``tensors`` by a ``shape_key`` (what per-shape caches call)."""
    return _tensors(key)


SHAPE_FIELDS = ("architecture", "layers", "hidden_size", "intermediate_size", "attention_heads",
                 "kv_heads", "head_dim", "vocab_size", "tied_embeddings", "experts")


@lru_cache(maxsize=256)
def _tensors(key: tuple) -> tuple[Tensor, ...]:
    m = _Shape(*key)
    h, q, kv, inter = m.hidden_size, m.q_dim, m.kv_dim, m.intermediate_size
    out: list[Tensor] = [Tensor("token_embd", None, h, m.vocab_size * h)]
    norms = 4 if m.architecture in FOUR_NORM_ARCHS else 2
    for i in range(m.layers):
        blk: list[Tensor] = [Tensor("norm", i, h, h) for _ in range(norms)]
        if m.architecture in QK_NORM_ARCHS:
            blk += [Tensor("norm", i, m.head_dim, m.head_dim), Tensor("norm", i, m.head_dim, m.head_dim)]
        if m.architecture in FUSED_ARCHS:
            blk.append(Tensor("attn_qkv", i, h, h * (q + 2 * kv)))
        else:
            blk += [Tensor("attn_q", i, h, h * q), Tensor("attn_k", i, h, h * kv),
                    Tensor("attn_v", i, h, h * kv)]
        if m.architecture in QKV_BIAS_ARCHS:
            blk += [Tensor("bias", i, q, q), Tensor("bias", i, kv, kv), Tensor("bias", i, kv, kv)]
        blk.append(Tensor("attn_output", i, q, q * h))
        if m.experts:
            e = m.experts
            blk += [Tensor("ffn_gate_inp", i, h, h * e),
                    Tensor("ffn_gate_exps", i, h, h * inter * e),
                    Tensor("ffn_up_exps", i, h, h * inter * e),
                    Tensor("ffn_down_exps", i, inter, inter * h * e)]
        elif m.architecture in FUSED_ARCHS:
            blk += [Tensor("ffn_up", i, h, h * 2 * inter), Tensor("ffn_down", i, inter, inter * h)]
        else:
            blk += [Tensor("ffn_gate", i, h, h * inter), Tensor("ffn_up", i, h, h * inter),
                    Tensor("ffn_down", i, inter, inter * h)]
        out += blk
    out.append(Tensor("norm", None, h, h))  # output_norm
    if not m.tied_embeddings:
        out.append(Tensor("output", None, h, m.vocab_size * h))
    return tuple(out)


def parameter_count(model: ModelSpec) -> int:
    """Parameters implied by the architecture (a tied embedding counted once)."""
    return sum(t.elements for t in tensors(model))


def active_parameter_count(model: ModelSpec) -> int:
    """Parameters one token passes through: all but the unused routed experts."""
    total = 0
    for t in tensors(model):
        if t.is_expert:
            total += t.elements * model.experts_per_token // model.experts
        else:
            total += t.elements
    return total
