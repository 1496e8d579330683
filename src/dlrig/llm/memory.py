"""GPU memory a model needs for a task, broken down, and whether GPUs hold it.

One definition for the planner, ``dlrig fit`` and ``dlrig check``: a
:class:`Job` (model, task, settings) gives a :class:`MemoryBreakdown` in
bytes (integers), and :func:`fits` says whether a set of GPUs holds it,
under the task's split rule:

* inference (llama.cpp ``--split-mode layer``): each GPU holds its share of
  the transformer blocks with their KV cache, plus its own CUDA context and
  compute buffer; the last one also the output layer and embedding;
* training (data parallel): every GPU holds the whole job.

Each formula's source is in docs/memory.md; the constants below say theirs.
Sizes are bytes; the CLI prints GB (10^9) and GiB (2^30) side by side, and
GPU memory sizes as makers label them are binary (a "24 GB" card holds
24 GiB).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from ..errors import InputError
from .models import ModelSpec, kv_row_bytes
from .quant import file_type, layer_weight_bytes
from .tensors import SHAPE_FIELDS, shape_key, tensors_of

TASKS = ("inference", "lora", "qlora", "full")
GIB = 2**30

# CUDA context, kernels and library handles one process holds on each GPU
# before any tensor: nvidia-smi shows 781 MiB right after PyTorch initialises
# CUDA with no tensors allocated (pytorch/pytorch#34323). llama.cpp loads
# fewer libraries; the same figure is used for it, erring on the safe side.
CUDA_CONTEXT_BYTES = 781 * 2**20

# llama.cpp's default physical batch (n_ubatch): the compute buffer is sized
# for a graph of this many tokens.
N_UBATCH = 512

# QLoRA's NF4 with double quantisation: 4 bits per weight plus 0.127 bits of
# quantisation constants (Dettmers et al. 2023, section 3: double
# quantisation cuts the constants from 0.5 to 0.127 bits per parameter).
NF4_BITS = 4.127

# Bytes per trainable parameter, mixed-precision AdamW (ZeRO, Rajbhandari et
# al. 2019, section 3.1: 2 + 2 + 12 = 16 bytes per parameter: fp16 weights,
# fp16 gradients, fp32 master weights, momentum and variance).
FULL_WEIGHT, FULL_GRAD, FULL_OPTIM = 2, 2, 12
# LoRA adapters kept in bf16 (the QLoRA reference script casts the LoRA
# layers to bf16 with --bf16) with fp32 AdamW moments: 2 + 2 + 8 bytes.
ADAPTER_WEIGHT, ADAPTER_GRAD, ADAPTER_OPTIM = 2, 2, 8

# Fp32 logits and their gradient per token and vocabulary entry in training
# (the loss is computed in fp32 over [tokens x vocab]).
LOGIT_BYTES = 8

DEFAULT_CONTEXT = {"inference": 4096, "lora": 2048, "qlora": 2048, "full": 2048}


@dataclass(frozen=True)
class Job:
    """A model and what is done with it."""

    model: ModelSpec
    task: str = "inference"
    quant: str | None = "q4_k_m"  # inference weights; a GGUF file's own when None
    context: int | None = None  # tokens per sequence (default by task)
    batch: int = 1  # training: sequences per step
    users: int = 1  # inference: concurrent sequences, each with its own context
    lora_rank: int = 16
    grad_checkpointing: bool = True
    kv_type: str = "f16"

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise InputError(f"unknown task '{self.task}'", hint="use one of " + ", ".join(TASKS),
                             field="task")
        ctx = self.tokens
        if ctx < 1 or ctx > 10_000_000:
            raise InputError(f"context {ctx} tokens is out of range", hint="give 1 to 10,000,000",
                             field="context")
        if ctx > self.model.context_max:
            raise InputError(
                f"context {ctx:,} tokens exceeds {self.model.name}'s {self.model.context_max:,}",
                hint=f"use a context of {self.model.context_max} tokens or less", field="context")
        for name in ("batch", "users", "lora_rank"):
            v = getattr(self, name)
            if not 1 <= v <= 100_000:
                raise InputError(f"{name} {v} is out of range", hint="give 1 to 100,000",
                                 field=name)
        if self.task == "inference":
            if self.quant is None and self.model.weight_bytes is None:
                raise InputError(f"no quantisation given for {self.model.name}",
                                 hint="give one, e.g. q4_k_m", field="quant")
            if self.quant is not None:
                file_type(self.quant)
        kv_row_bytes(1, self.kv_type)

    @property
    def tokens(self) -> int:
        if self.context is not None:
            return self.context
        return min(DEFAULT_CONTEXT[self.task], self.model.context_max)

    @property
    def training(self) -> bool:
        return self.task != "inference"


@dataclass(frozen=True)
class MemoryBreakdown:
    """Bytes a job needs, by kind; ``total`` is for one GPU holding everything."""

    job: Job
    weights: int
    kv_cache: int
    activations: int  # inference: llama.cpp compute buffer; training: saved activations + logits
    gradients: int
    optimizer: int
    overhead: int  # per GPU: CUDA context
    trainable_params: int = 0
    layer_weights: tuple[int, ...] = field(default=(), repr=False)
    layer_kv: tuple[int, ...] = field(default=(), repr=False)
    notes: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return self.weights + self.kv_cache + self.activations + self.gradients + self.optimizer + self.overhead

    @property
    def split_rule(self) -> str:
        return "layer" if self.job.task == "inference" else "data-parallel"

    def items(self) -> list[tuple[str, int]]:
        """(label, bytes) for each nonzero part, in display order."""
        parts = [("weights", self.weights), ("KV cache", self.kv_cache),
                 ("compute buffer" if self.job.task == "inference" else "activations", self.activations),
                 ("gradients", self.gradients), ("optimizer states", self.optimizer),
                 ("CUDA context (per GPU)", self.overhead)]
        return [(k, v) for k, v in parts if v]

    def to_dict(self) -> dict:
        j = self.job
        return {
            "model": j.model.name, "task": j.task,
            "quant": (j.quant or j.model.quant) if j.task == "inference" else None,
            "context": j.tokens, "batch": j.batch, "users": j.users,
            "lora_rank": j.lora_rank if j.task in ("lora", "qlora") else None,
            "grad_checkpointing": j.grad_checkpointing if j.training else None,
            "kv_type": j.kv_type if j.task == "inference" else None,
            "bytes": {"weights": self.weights, "kv_cache": self.kv_cache,
                      "activations": self.activations, "gradients": self.gradients,
                      "optimizer": self.optimizer, "overhead_per_gpu": self.overhead,
                      "total": self.total},
            "total_gb": round(self.total / 1e9, 2), "total_gib": round(self.total / GIB, 2),
            "trainable_params": self.trainable_params or None,
            "split_rule": self.split_rule, "notes": list(self.notes),
        }


# --- inference -----------------------------------------------------------


def compute_buffer_bytes(model: ModelSpec, kv_tokens: int) -> int:
    """llama.cpp's compute buffer for one ``N_UBATCH``-token graph, f32 scratch.

    Without flash attention the graph materialises one layer's attention
    scores (n_kv x n_ubatch x heads), beside the FFN and hidden-state
    intermediates: ``n_ubatch x (n_kv x heads + 4 x ffn + 4 x hidden) x 4``
    bytes. Checked against a published log: 304 MiB for a 28-layer,
    28-head Qwen2 7B at n_ctx 2048 (docs/memory.md). Flash attention
    (llama.cpp ``-fa``) drops the score term, so this errs high.
    """
    ffn = model.intermediate_size * (model.experts_per_token or 1)
    per_token = kv_tokens * model.attention_heads + 4 * ffn + 4 * model.hidden_size
    return min(N_UBATCH, max(kv_tokens, 1)) * per_token * 4


def _inference(job: Job) -> MemoryBreakdown:
    m = job.model
    quant = job.quant or m.quant
    notes: list[str] = []
    if job.quant is None or (m.weight_bytes is not None and quant == m.quant):
        weights = m.weight_bytes
        per, rest = _scaled_layers(m, quant, weights)
        notes.append("weights: the GGUF file's tensor bytes")
    else:
        per, rest = layer_weight_bytes(m, quant)
        weights = sum(per) + rest
    per_layer_kv = kv_row_bytes(2 * m.kv_dim, job.kv_type)
    local = min(job.tokens, m.sliding_window or job.tokens)
    layer_kv = tuple(
        job.users * per_layer_kv * (local if i in _sliding_layers(m) else job.tokens) for i in range(m.layers))
    kv = sum(layer_kv)
    if m.sliding_window_layers:
        notes.append(f"KV: {m.sliding_window_layers} of {m.layers} layers keep only "
                     f"{m.sliding_window:,} tokens (sliding window)")
    compute = compute_buffer_bytes(m, job.users * job.tokens)
    return MemoryBreakdown(job, weights=weights, kv_cache=kv, activations=compute, gradients=0,
                           optimizer=0, overhead=CUDA_CONTEXT_BYTES, layer_weights=tuple(per),
                           layer_kv=layer_kv, notes=tuple(notes))


def _sliding_layers(m: ModelSpec) -> frozenset[int]:
    """Indexes of the sliding-window layers: Gemma 2 alternates (even ones
    local), Gemma 3 makes every sixth layer global."""
    n = m.sliding_window_layers
    if not n:
        return frozenset()
    if n * 2 == m.layers:
        return frozenset(range(0, m.layers, 2))
    glob = m.layers - n
    step = m.layers // glob if glob else m.layers + 1
    global_idx = {k * step - 1 for k in range(1, glob + 1)}
    return frozenset(i for i in range(m.layers) if i not in global_idx)


def _scaled_layers(m: ModelSpec, quant: str | None, total: int) -> tuple[list[int], int]:
    """Per-layer split of a GGUF file's weight bytes, shaped like a Q4_K_M mix."""
    per, rest = layer_weight_bytes(m, quant if quant else "q4_k_m")
    est = sum(per) + rest
    scale = total / est if est else 1.0
    per = [int(b * scale) for b in per]
    return per, total - sum(per)


# --- training ------------------------------------------------------------


def lora_params(model: ModelSpec, rank: int) -> int:
    """Adapter parameters of LoRA on every linear layer of the blocks
    (q, k, v, o, gate, up, down; all experts of an MoE): rank x (in + out)
    per matrix (Hu et al. 2021)."""
    return _lora_params(shape_key(model), rank)


@lru_cache(maxsize=1024)
def _lora_params(key: tuple, rank: int) -> int:
    experts = dict(zip(SHAPE_FIELDS, key, strict=True))["experts"]
    total = 0
    for t in tensors_of(key):
        if t.layer is None or not t.is_matrix or t.role == "ffn_gate_inp":
            continue
        n = experts if t.is_expert else 1
        d_in = t.ne0
        d_out = t.elements // (d_in * n)
        total += n * rank * (d_in + d_out)
    return total


def activation_bytes(model: ModelSpec, tokens: int, checkpointing: bool) -> int:
    """Activations saved for the backward pass, 16-bit, FlashAttention-style
    attention (no [seq x seq] scores stored), plus fp32 logits.

    Per token and block: the inputs of the two norms, of the Q/K/V and
    output projections, Q, K, V and the attention output, and the SwiGLU
    gate, up and product: 2 x (6 h + 2 q + 2 kv + 3 ffn) bytes, the
    per-layer count of Korthikanti et al. 2022 ("Reducing Activation
    Recomputation", eq. 1: 34 s b h without dropout masks and softmax) for
    today's gated FFN and GQA. With gradient checkpointing only each
    block's input (2 h bytes) is kept, and one block is recomputed at a time.
    """
    h, q, kv = model.hidden_size, model.q_dim, model.kv_dim
    ffn = model.intermediate_size * (model.experts_per_token or 1)
    per_layer = 2 * (6 * h + 2 * q + 2 * kv + 3 * ffn)
    if checkpointing:
        saved = model.layers * 2 * h + per_layer
    else:
        saved = model.layers * per_layer
    return tokens * saved + tokens * model.vocab_size * LOGIT_BYTES


def _training(job: Job) -> MemoryBreakdown:
    m = job.model
    tokens = job.batch * job.tokens
    acts = activation_bytes(m, tokens, job.grad_checkpointing)
    notes = [f"activations for {job.batch} x {job.tokens:,} tokens"
             + (", gradient checkpointing on" if job.grad_checkpointing else ", no gradient checkpointing")]
    params = _elements(m)
    if job.task == "full":
        return MemoryBreakdown(job, weights=FULL_WEIGHT * params, kv_cache=0, activations=acts,
                               gradients=FULL_GRAD * params, optimizer=FULL_OPTIM * params,
                               overhead=CUDA_CONTEXT_BYTES, trainable_params=params,
                               notes=tuple(notes + ["AdamW, mixed precision: 16 bytes per parameter"]))
    adapters = lora_params(m, job.lora_rank)
    if job.task == "lora":
        base = 2 * params
        notes.append("base weights frozen in bf16")
    else:  # qlora: NF4 linear layers of the blocks, bf16 embedding, output and norms
        linear = _linear_elements(m)
        base = int(linear * NF4_BITS / 8) + 2 * (params - linear)
        notes.append("base linear layers in NF4 with double quantisation (4.127 bits), "
                     "embedding and output in bf16")
    return MemoryBreakdown(job, weights=base + ADAPTER_WEIGHT * adapters, kv_cache=0, activations=acts,
                           gradients=ADAPTER_GRAD * adapters, optimizer=ADAPTER_OPTIM * adapters,
                           overhead=CUDA_CONTEXT_BYTES, trainable_params=adapters,
                           notes=tuple(notes + [f"LoRA rank {job.lora_rank} on every linear layer: "
                                                f"{adapters / 1e6:,.0f} M trainable parameters"]))


def _elements(model: ModelSpec) -> int:
    """Elements of every weight tensor."""
    return _sums(shape_key(model))[0]


def _linear_elements(model: ModelSpec) -> int:
    """Elements of the blocks' linear layers (what QLoRA stores in NF4)."""
    return _sums(shape_key(model))[1]


@lru_cache(maxsize=1024)
def _sums(key: tuple) -> tuple[int, int]:
    ts = tensors_of(key)
    return (sum(t.elements for t in ts),
            sum(t.elements for t in ts
                if t.layer is not None and t.is_matrix and t.role != "ffn_gate_inp"))


def breakdown(job: Job) -> MemoryBreakdown:
    """The memory ``job`` needs, by kind."""
    return _inference(job) if job.task == "inference" else _training(job)


# --- does it fit ---------------------------------------------------------


@dataclass(frozen=True)
class FitResult:
    ok: bool
    per_gpu: tuple[int, ...]  # bytes each GPU must hold
    reason: str
    layers: tuple[int, ...] = ()  # inference: blocks per GPU

    def __iter__(self):  # (ok, per_gpu, reason), as fits() documents
        return iter((self.ok, list(self.per_gpu), self.reason))


def _fmt(b: int) -> str:
    return f"{b / 1e9:,.1f} GB ({b / GIB:,.1f} GiB)"


def fits(job_or_breakdown: Job | MemoryBreakdown, vram_gb: list[float]) -> FitResult:
    """Whether GPUs with ``vram_gb`` memory each (binary GB as labelled: a
    "24 GB" card holds 24 GiB) hold the job. Unpacks as
    ``(ok, per-GPU bytes, reason)``.

    Inference splits whole blocks across GPUs in proportion to their free
    memory (llama.cpp's default ``--split-mode layer``); every GPU pays its
    CUDA context and compute buffer, and the last also holds the output
    layer and embedding. Training is data parallel: every GPU holds it all.
    """
    bd = job_or_breakdown if isinstance(job_or_breakdown, MemoryBreakdown) else breakdown(job_or_breakdown)
    if not vram_gb:
        raise InputError("no GPUs to fit the job on")
    caps = [int(v * GIB) for v in vram_gb]
    if any(c <= 0 for c in caps):
        raise InputError("GPU memory sizes must be positive")
    n = len(caps)
    if bd.split_rule == "data-parallel":
        need = bd.total
        per = tuple(need for _ in caps)
        short = [i for i, c in enumerate(caps) if c < need]
        if not short:
            return FitResult(True, per, f"each GPU holds the whole job: {_fmt(need)} of "
                                        f"{min(caps) / GIB:g} GiB")
        if n == 1:
            return FitResult(False, per, f"needs {_fmt(need)} on one GPU; it has {caps[0] / GIB:g} GiB")
        return FitResult(False, per, f"data-parallel training puts the whole job on every GPU: needs "
                                     f"{_fmt(need)} per GPU, the smallest has {min(caps) / GIB:g} GiB")
    fixed = bd.overhead + bd.activations
    layers = [w + k for w, k in zip(bd.layer_weights, bd.layer_kv, strict=True)]
    rest = bd.weights - sum(bd.layer_weights)
    room = [c - fixed - (rest if i == n - 1 else 0) for i, c in enumerate(caps)]
    total_layers = sum(layers)
    if n == 1:
        need = fixed + rest + total_layers
        if need <= caps[0]:
            return FitResult(True, (need,), f"fits: {_fmt(need)} of {caps[0] / GIB:g} GiB",
                             (len(layers),))
        return FitResult(False, (need,), f"needs {_fmt(need)} on one GPU; it has {caps[0] / GIB:g} GiB")
    # Proportional shares of the blocks, then any leftovers where there is room.
    usable = [max(r, 0) for r in room]
    share = [total_layers * u / sum(usable) if sum(usable) else 0 for u in usable]
    assigned = [0] * n
    load = [0] * n
    i = 0
    for gpu in range(n):
        while i < len(layers) and load[gpu] + layers[i] <= min(usable[gpu], share[gpu] + layers[i] / 2):
            load[gpu] += layers[i]
            assigned[gpu] += 1
            i += 1
    for gpu in range(n):
        while i < len(layers) and load[gpu] + layers[i] <= usable[gpu]:
            load[gpu] += layers[i]
            assigned[gpu] += 1
            i += 1
    per = tuple(fixed + load[g] + (rest if g == n - 1 else 0) for g in range(n))
    if i == len(layers) and all(r >= 0 for r in room):
        split = "/".join(str(a) for a in assigned)
        return FitResult(True, per, f"fits with the blocks split {split} across {n} GPUs "
                                    f"(largest share {_fmt(max(per))})", tuple(assigned))
    need = fixed * n + rest + total_layers
    return FitResult(False, per, f"needs about {_fmt(need)} across {n} GPUs "
                                 f"({_fmt(fixed)} of CUDA context and compute buffer on each); "
                                 f"they have {sum(caps) / GIB:g} GiB", tuple(assigned))

