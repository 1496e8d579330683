"""Fixtures for the LLM tests: no user model files, a tiny GGUF writer."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _no_user_models(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("DLRIG_MODELS", raising=False)


def write_gguf(path, *, arch="llama", layers=2, hidden=64, ffn=128, heads=4, kv=2, vocab=100,
               ctx=2048, tied=False, file_type=1, experts=None, used=None, name="Tiny test model",
               skip_keys=()):
    """A small but complete GGUF file written with the gguf package's writer."""
    import gguf

    w = gguf.GGUFWriter(str(path), arch)
    w.add_name(name)
    keys = {
        "block_count": lambda: w.add_block_count(layers),
        "embedding_length": lambda: w.add_embedding_length(hidden),
        "feed_forward_length": lambda: w.add_feed_forward_length(ffn),
        "head_count": lambda: w.add_head_count(heads),
        "head_count_kv": lambda: w.add_head_count_kv(kv),
        "context_length": lambda: w.add_context_length(ctx),
    }
    for k, add in keys.items():
        if k not in skip_keys:
            add()
    w.add_file_type(file_type)
    if experts:
        w.add_expert_count(experts)
        w.add_expert_used_count(used)
    w.add_token_list([f"t{i}".encode() for i in range(vocab)])
    hd = hidden // heads
    f16 = np.float16
    w.add_tensor("token_embd.weight", np.zeros((vocab, hidden), dtype=f16))
    for i in range(layers):
        shapes = [("attn_q", (heads * hd, hidden)), ("attn_k", (kv * hd, hidden)),
                  ("attn_v", (kv * hd, hidden)), ("attn_output", (hidden, heads * hd))]
        if experts:
            shapes += [("ffn_gate_exps", (experts, ffn, hidden)), ("ffn_up_exps", (experts, ffn, hidden)),
                       ("ffn_down_exps", (experts, hidden, ffn))]
            w.add_tensor(f"blk.{i}.ffn_gate_inp.weight", np.zeros((experts, hidden), dtype=np.float32))
        else:
            shapes += [("ffn_gate", (ffn, hidden)), ("ffn_up", (ffn, hidden)), ("ffn_down", (hidden, ffn))]
        for n, shape in shapes:
            w.add_tensor(f"blk.{i}.{n}.weight", np.zeros(shape, dtype=f16))
        w.add_tensor(f"blk.{i}.attn_norm.weight", np.zeros(hidden, dtype=np.float32))
        w.add_tensor(f"blk.{i}.ffn_norm.weight", np.zeros(hidden, dtype=np.float32))
    w.add_tensor("output_norm.weight", np.zeros(hidden, dtype=np.float32))
    if not tied:
        w.add_tensor("output.weight", np.zeros((vocab, hidden), dtype=f16))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path
