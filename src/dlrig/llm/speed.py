"""How fast a model runs on a set of GPUs: the model's numbers into ``perf.decode``.

``perf.decode`` is the measured speed model (fitted to published llama.cpp
and MLC results; docs/performance-model.md) and takes plain numbers; this
module turns a model, a quantisation and a context into those numbers:

- bytes read per generated token: every weight but the token embedding at
  the file's quantisation, only the routed experts a token uses for
  mixture-of-experts models (``ModelSpec.weight_bytes_per_token``);
- KV-cache bytes per token of context (GQA-aware, f16 unless given);
- the mean context over an answer: the prompt plus half the answer, taken as
  half the context window asked for (a chat fills its window over time);
- layers, for the per-layer cost.

``decode_tps`` is what ``dlrig fit`` prints and what the planner maximises
for ``--model`` inference plans, so both say the same number.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..catalog.gpu_specs import ChipSpec
from .models import ModelSpec

# The mean context a token of an answer sees, as a share of the window asked for.
MEAN_CONTEXT_SHARE = 0.5


def decode_tps(model: ModelSpec, quant: str | None, chips: Sequence[ChipSpec],
               context_tokens: int, *, split: str = "layer", kv_type: str = "f16",
               link: str = "pcie") -> float | None:
    """Tokens/s one user gets from ``model`` at ``quant`` on ``chips`` (None: not rated)."""
    from ..perf.decode import decode_tps as perf_decode_tps

    q = quant or model.quant
    if q is None:
        return None
    return perf_decode_tps(model.weight_bytes_per_token(q), model.kv_bytes_per_token(kv_type),
                           MEAN_CONTEXT_SHARE * context_tokens, model.layers, list(chips),
                           split=split, link=link)


def prefill_tps(model: ModelSpec, quant: str | None, chips: Sequence[ChipSpec]) -> float | None:
    """Prompt tokens/s (a few hundred tokens at a time) of ``model`` on ``chips``."""
    from ..perf.decode import prefill_tps as perf_prefill_tps
    from .tensors import active_parameter_count

    quantized = (quant or model.quant or "f16").lower() not in ("f16", "bf16", "f32")
    return perf_prefill_tps(active_parameter_count(model), list(chips), quantized=quantized)
