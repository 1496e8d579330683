"""Quantisation formats: bits per weight and llama.cpp's per-tensor mixes.

A GGUF "file type" such as Q4_K_M is not one format: llama.cpp's quantiser
(``llama_tensor_get_type_impl`` in ``src/llama-quant.cpp``) keeps the output
matrix in Q6_K, puts the attention-V and FFN-down tensors of about half the
layers (``use_more_bits``) in Q6_K, and falls back to a 32-block type when a
row length is not a multiple of 256 (Qwen2.5-72B's FFN width 29,568). This
module reproduces those rules for the file types dlrig offers, so that a
model's file size, and the bytes read per generated token, come out as the
published GGUF files measure.

Block layouts (ggml's ``block_*`` structs; the ``gguf`` package's
``GGML_QUANT_SIZES`` lists the same): Q4_0 18 bytes per 32 weights (4.5
bits per weight), Q5_0 22/32 (5.5), Q8_0 34/32 (8.5), Q3_K 110/256
(3.4375), Q4_K 144/256 (4.5), Q5_K 176/256 (5.5), Q6_K 210/256 (6.5625),
IQ4_XS 136/256 (4.25). IQ4_XS is modelled as quantised with an importance
matrix (as published IQ4_XS files are; without one llama.cpp bumps the first
eighth of FFN-down to Q5_K); the other types as quantised without one (with
one, Q4_0/Q5_0 bump the first eighth of FFN-down to Q4_1/Q5_1).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InputError
from .models import ModelSpec
from .tensors import Tensor, tensors

# ggml tensor types: (weights per block, bytes per block).
GGML_TYPES: dict[str, tuple[int, int]] = {
    "f32": (1, 4),
    "f16": (1, 2),
    "bf16": (1, 2),
    "q4_0": (32, 18),
    "q4_1": (32, 20),
    "q5_0": (32, 22),
    "q5_1": (32, 24),
    "q8_0": (32, 34),
    "q2_k": (256, 84),
    "q3_k": (256, 110),
    "q4_k": (256, 144),
    "q5_k": (256, 176),
    "q6_k": (256, 210),
    "iq4_nl": (32, 18),
    "iq4_xs": (256, 136),
}

# Fallback when a row length is not a multiple of the type's block
# (llama-quant.cpp tensor_type_fallback).
FALLBACK = {"q3_k": "q4_0", "q2_k": "q4_0", "q4_k": "q5_0", "q5_k": "q5_1", "q6_k": "q8_0",
            "iq4_xs": "iq4_nl"}


@dataclass(frozen=True)
class FileType:
    """A GGUF file type: its default tensor type and what it is called."""

    name: str  # dlrig's id, lower case: 'q4_k_m'
    label: str  # as llama.cpp and file names spell it: 'Q4_K_M'
    default: str  # ggml type of most weights


FILE_TYPES: dict[str, FileType] = {ft.name: ft for ft in (
    FileType("f16", "F16", "f16"),
    FileType("bf16", "BF16", "bf16"),
    FileType("q8_0", "Q8_0", "q8_0"),
    FileType("q6_k", "Q6_K", "q6_k"),
    FileType("q5_k_m", "Q5_K_M", "q5_k"),
    FileType("q5_k_s", "Q5_K_S", "q5_k"),
    FileType("q5_0", "Q5_0", "q5_0"),
    FileType("q4_k_m", "Q4_K_M", "q4_k"),
    FileType("q4_k_s", "Q4_K_S", "q4_k"),
    FileType("q4_0", "Q4_0", "q4_0"),
    FileType("iq4_xs", "IQ4_XS", "iq4_xs"),
    FileType("q3_k_m", "Q3_K_M", "q3_k"),
)}

# llama.cpp's LLAMA_FTYPE numbers (general.file_type in a GGUF header).
FTYPE_IDS = {1: "f16", 2: "q4_0", 7: "q8_0", 8: "q5_0", 12: "q3_k_m", 14: "q4_k_s", 15: "q4_k_m",
             16: "q5_k_s", 17: "q5_k_m", 18: "q6_k", 30: "iq4_xs", 32: "bf16"}


def file_type(name: str) -> FileType:
    """The file type called ``name`` (any case, 'Q4_K_M' or 'q4_k_m')."""
    key = (name or "").strip().lower().replace("-", "_")
    if key in FILE_TYPES:
        return FILE_TYPES[key]
    raise InputError(f"unknown quantisation '{name}'", hint="use one of " + ", ".join(FILE_TYPES))


def bits_per_weight(ggml_type: str) -> float:
    """Bits per weight of one ggml type, block scales included."""
    block, size = GGML_TYPES[ggml_type]
    return size * 8 / block


def tensor_bytes(t: Tensor, ggml_type: str) -> int:
    """Bytes of ``t`` stored as ``ggml_type``: rows x blocks per row x block bytes."""
    block, size = GGML_TYPES[ggml_type]
    rows = t.elements // t.ne0
    return rows * (-(-t.ne0 // block)) * size


def _use_more_bits(i: int, n: int) -> bool:
    """llama.cpp's choice of the layers that get more bits: the first and last
    eighth and every third layer in between."""
    return i < n // 8 or i >= 7 * n // 8 or (i - n // 8) % 3 == 2


def _is_70b(model: ModelSpec) -> bool:
    """llama.cpp's LLM_TYPE_70B: 80-block Llama and Qwen2 models."""
    return model.layers == 80 and model.architecture in ("llama", "qwen2")


def tensor_type(model: ModelSpec, ft: FileType, t: Tensor) -> str:
    """The ggml type llama.cpp's quantiser gives tensor ``t`` in file type ``ft``.

    Follows ``llama_tensor_get_type_impl`` for the file types in
    ``FILE_TYPES`` (no imatrix, no user overrides), then the row-length
    fallback.
    """
    if not t.is_matrix or t.role == "ffn_gate_inp":
        return "f32"  # norms, biases and MoE routers are never quantised
    new = ft.default
    if new in ("f16", "bf16", "f32"):
        return new
    n = model.layers
    i = t.layer if t.layer is not None else 0
    n_expert = model.experts or 1
    cat = t.category
    is_output = cat == "output" or (model.tied_embeddings and cat == "token_embd")
    if is_output:
        if t.ne0 % GGML_TYPES[new][0]:
            new = "q8_0"
        elif new != "q8_0":
            new = "q6_k"
    elif cat == "token_embd":
        pass
    elif cat in ("attn_v", "attn_qkv"):
        name = ft.name
        if name == "q3_k_m":
            new = "q5_k" if i < 2 else "q4_k"
        elif name == "iq4_xs" and model.attention_heads // model.kv_heads >= 4:
            new = "q5_k"
        elif name in ("q4_k_m", "q5_k_m") and _use_more_bits(i, n):
            new = "q6_k"
        elif name == "q4_k_s" and i < 4:
            new = "q5_k"
        if _is_70b(model) and new in ("q3_k", "q4_k"):
            new = "q5_k"
        if n_expert == 8:
            new = "q8_0"
    elif cat == "attn_k":
        if n_expert == 8:
            new = "q8_0"
    elif cat == "ffn_down":
        name = ft.name
        if name == "q3_k_m":
            new = "q5_k" if i < n // 16 else "q4_k"
        elif name == "q4_k_m":
            if _use_more_bits(i, n):
                new = "q6_k"
        elif name == "q5_k_m" and _use_more_bits(i, n):
            new = "q6_k"
        elif name == "q4_k_s" and i < n // 8:
            new = "q5_k"
    elif cat == "attn_output":
        name = ft.name
        if n_expert == 8:
            if name in ("q3_k_m", "q4_k_s", "q4_k_m", "iq4_xs"):
                new = "q5_k"
        elif name == "q3_k_m":
            new = "q4_k"
    block = GGML_TYPES[new][0]
    if t.ne0 % block:
        new = FALLBACK.get(new, "f16")
        if t.ne0 % GGML_TYPES[new][0]:
            new = "f16"
    return new


def tensor_types(model: ModelSpec, quant: str) -> list[tuple[Tensor, str]]:
    """Each tensor of ``model`` with the type it gets in file type ``quant``."""
    ft = file_type(quant)
    return [(t, tensor_type(model, ft, t)) for t in tensors(model)]


def weights_bytes(model: ModelSpec, quant: str) -> int:
    """Bytes of all weight tensors at ``quant``: the GGUF file less its header.

    The header (tokenizer vocabulary and metadata) adds a few megabytes.
    """
    return sum(tensor_bytes(t, ty) for t, ty in tensor_types(model, quant))


def average_bits_per_weight(model: ModelSpec, quant: str) -> float:
    """Bits per weight of the whole mix (what llama.cpp prints as 'BPW')."""
    total = sum(t.elements for t in tensors(model))
    return weights_bytes(model, quant) * 8 / total


def active_weight_bytes(model: ModelSpec, quant: str) -> int:
    """Weight bytes read per generated token: all but the token embedding
    (one row is looked up) and, for mixture-of-experts models, only
    ``experts_per_token`` of the routed experts."""
    total = 0
    for t, ty in tensor_types(model, quant):
        if t.role == "token_embd" and not model.tied_embeddings:
            continue
        b = tensor_bytes(t, ty)
        if t.is_expert:
            b = b * model.experts_per_token // model.experts
        total += b
    return total


def layer_weight_bytes(model: ModelSpec, quant: str) -> tuple[list[int], int]:
    """Bytes per block and bytes outside the blocks (embedding, output, final norm).

    The multi-GPU layer split hands whole blocks to GPUs.
    """
    per = [0] * model.layers
    rest = 0
    for t, ty in tensor_types(model, quant):
        b = tensor_bytes(t, ty)
        if t.layer is None:
            rest += b
        else:
            per[t.layer] += b
    return per, rest
