"""What a plan values: the founding post's choices, memory as capacity, measured multi-GPU
speed, a CPU that feeds the GPU, a PSU sized for the upgrade, power limits, and what
binds when nothing fits.

Every expectation is a published fact, cited where it is used; none is the planner's
own earlier output.
"""

from __future__ import annotations

import pytest

from dlrig.catalog.builtin import load_builtin
from dlrig.optimize import PlanRequest, plan
from dlrig.optimize.candidates import Candidate
from dlrig.optimize.objective import option_throughput, preference
from dlrig.parts import Category
from dlrig.rules import Context, check_build, context_for_build
from dlrig.units import Money


@pytest.fixture(scope="module")
def catalog():
    return load_builtin()


def usd(n: float) -> Money:
    return Money.of(n, "USD")


def _part(res, cat: Category):
    return next(p.part for p in res.parts if p.part.category == cat)


def _reason(res, cat: Category) -> str:
    return next(p.reason for p in res.parts if p.part.category == cat)


def test_the_founding_budget_buys_all_seven_parts_of_the_post(catalog):
    # The post (shared/seed, 2017-05-31): Pentium G4560, Gigabyte GA-B250M-DS3H, 2 x 8 GB
    # HyperX Fury DDR4-2400, SanDisk SSD Plus 120 GB, Zotac GTX 1070 Mini, EVGA 500 W
    # ("a 430 W unit was also possible ... I did not want to risk it") and Corsair
    # Carbide 100R.
    res = plan(catalog, PlanRequest(usd(1000), "ar-2017-05"))
    assert res.ok
    ids = {p.part.id for p in res.parts}
    assert ids == {"cpu/intel-pentium-g4560", "motherboard/gigabyte-ga-b250m-ds3h",
                   "memory/kingston-hyperx-fury-16gb-2x8gb-ddr4-2400",
                   "storage/sandisk-ssd-plus-120gb", "gpu/zotac-geforce-gtx-1070-mini",
                   "psu/evga-500-w1", "case/corsair-carbide-100r"}
    # The 500 W unit is bought for the plan's own upgrade path (GTX 1080, 1080 Ti: 250 W).
    assert "upgrade" in _reason(res, Category.psu)
    assert [u.gpu for u in res.upgrades] == ["GTX 1080", "GTX 1080 Ti"]
    # ...and with the natural upgrade put in, the PSU still covers the sustained draw with
    # 25 % headroom (the 430 W unit would not: issue 10).
    ti = catalog.get("gpu/evga-geforce-gtx-1080-ti-sc-black")
    upgraded = res.build.with_part(ti)
    r = check_build(upgraded, context_for_build(catalog, upgraded, "ar-2017-05"))
    assert not [f for f in r.findings if f.rule in ("power.psu-min", "power.psu-headroom")]
    small = upgraded.with_part(catalog.get("psu/evga-430-w1"))
    r = check_build(small, context_for_build(catalog, small, "ar-2017-05"))
    assert [f for f in r.findings if f.rule == "power.psu-headroom"]


def test_memory_counts_within_the_speed_band_for_llm_inference(catalog):
    # 1,100 USD: the 16 GB RTX 5060 Ti over the 12 GB RTX 5070 (issue 9: the 5070 decodes
    # faster, but 16 GB runs a 24B model at Q4_K_M that 12 GB does not).
    res = plan(catalog, PlanRequest(usd(1100), "us", workload="llm-inference"))
    gpu = _part(res, Category.gpu)
    assert gpu.vram_gb == 16 and "5060 Ti" in gpu.chipset
    reason = _reason(res, Category.gpu)
    assert "RTX 5070" in reason and "12 GB" in reason and "Mistral Small 24B" in reason
    assert res.capacity_gb == 15
    # 1,500 USD with used cards allowed (r/LocalLLaMA's usual buy): a used 24 GB RTX 3090
    # over the new 16 GB RTX 5080; new only, the 5080 (no new 3090 is sold any more).
    res = plan(catalog, PlanRequest(usd(1500), "us", workload="llm-inference", used=True))
    gpu = next(p for p in res.parts if p.part.category == Category.gpu)
    assert gpu.part.vram_gb == 24 and gpu.unit_price.condition == "used"
    assert "RTX 5080" in _reason(res, Category.gpu)
    res = plan(catalog, PlanRequest(usd(1500), "us", workload="llm-inference"))
    assert "5080" in _part(res, Category.gpu).chipset


def test_memory_does_not_count_for_cnn_training(catalog):
    res = plan(catalog, PlanRequest(usd(1500), "us", workload="cnn", explain=False))
    assert res.capacity_gb == 0
    assert [s["stage"] for s in res.stats.stages] == ["throughput", "balance", "cost",
                                                      "preference"]


def test_two_gpus_split_by_layers_do_not_double_one_users_speed(catalog):
    # llama.cpp, Llama 3 8B Q4_K_M tg512: 2 x RTX 4090 124.65 tokens/s against 130.58 for
    # one (XiongjieDai/GPU-Benchmarks-on-LLM-Inference @ aa72e0ec): 0.95 x.
    from dlrig.perf import get_workload, gpu_throughput

    gpu = catalog.get("gpu/nvidia-geforce-rtx-4090-founders-edition")
    w = get_workload("llm-inference")
    cand = Candidate(gpu, None, 1, gpu_throughput(gpu, w))
    ratio = option_throughput(cand, 2, w, Context()) / option_throughput(cand, 1, w, Context())
    assert ratio == pytest.approx(124.65 / 130.58, abs=0.05)
    # Data-parallel ResNet-50 does scale: 2 x RTX 4090 2,468 images/s against 1,301 for one
    # (Lambda deeplearning-benchmark, pytorch-train-throughput-fp16.csv @ aa5addb6): 1.90 x.
    cnn = get_workload("cnn")
    cand = Candidate(gpu, None, 1, gpu_throughput(gpu, cnn))
    ratio = option_throughput(cand, 2, cnn, Context()) / option_throughput(cand, 1, cnn, Context())
    assert ratio == pytest.approx(2468 / 1301, rel=0.1)


def test_a_fast_gpu_gets_a_cpu_that_feeds_it_and_nvidias_psu_size(catalog):
    res = plan(catalog, PlanRequest(usd(3500), "us", workload="cnn"))
    gpu, cpu, psu = (_part(res, c) for c in (Category.gpu, Category.cpu, Category.psu))
    assert "5090" in gpu.chipset
    # dlrig bench measured ~280 images/s per loader worker at 2.1 GHz; Lambda's RTX 5090
    # class demand exceeds a 4-core i3's three workers, so the cheapest CPU that fits is
    # not the i3-12100F and the reason names the feed rule.
    assert cpu.cores > 4
    assert "decodes images" in _reason(res, Category.cpu)
    # NVIDIA's required system power for the RTX 5090 is 1,000 W (product page).
    assert psu.wattage_w == 1000
    # The reference board wins ties at the same price (Founders Edition).
    assert gpu.brand == "NVIDIA"


def test_without_a_workload_money_left_after_the_gpu_buys_cpu_and_ssd_room(catalog):
    """The brief's complaint: "a 4-core i3 feeds an RTX 5090". With no workload no rule asks for
    more than 2 threads per GPU, but money the GPU cannot use buys room to grow.

    Puget Systems (Hardware Recommendations for Machine Learning / AI): "at least 4 cores for
    each GPU accelerator"; an RTX 5090 trains ResNet-50 at about twice an RTX 3090's 905
    images/s (Lambda deeplearning-benchmark), more than a 4-core CPU's three loader workers
    decode at ~280 images/s each per 2.1 GHz (dlrig/dataload.py).
    """
    from dlrig.dataload import cpu_supply, gpu_demand
    from dlrig.perf import get_workload

    res = plan(catalog, PlanRequest(usd(3500), "us", explain=False))
    gpu, cpu = _part(res, Category.gpu), _part(res, Category.cpu)
    assert "5090" in gpu.chipset
    assert cpu.cores > 4 and "i3-12100F" not in cpu.name
    assert cpu_supply(cpu) >= gpu_demand(gpu, get_workload("cnn"))
    ssd = sum(p.part.capacity_gb * p.quantity for p in res.parts
              if p.part.category == Category.storage)
    assert ssd >= 1000
    assert {"cpu_room", "ssd_room"} <= set(res.score.terms)
    # The founding budget has no money to spare: the post's 2-core Pentium stays (above).


def test_money_left_unspent_is_said(catalog):
    res = plan(catalog, PlanRequest(usd(8000), "us", workload="cnn"))
    assert res.ok and res.unspent is not None
    assert res.unspent.amount.amount == pytest.approx(8000 - res.total_budget.amount, abs=1)
    assert any("--gpus 2" in s or "does not fit" in s for s in res.unspent.suggestions)


def test_power_limit_lowers_draw_and_throughput_by_the_measured_curve(catalog):
    base = PlanRequest(usd(3500), "us", workload="cnn", explain=False)
    full = plan(catalog, base)
    from dataclasses import replace

    capped = plan(catalog, replace(base, power_limit="0.7"))
    g_full, g_cap = _part(full, Category.gpu), _part(capped, Category.gpu)
    if g_full.id == g_cap.id:
        # 70 % of board power keeps 85 % of training throughput (docs/power.md: Puget
        # Systems' 4 x RTX 3090 and club-3090 sweeps).
        assert capped.throughput == pytest.approx(0.85 * full.throughput, rel=0.01)
        assert capped.power.sustained_w < full.power.sustained_w
    assert capped.check.power.power_limit


def test_the_binding_requirement_is_the_least_relaxation_that_fits(catalog):
    # Issue 10: the 2017 CNN plan is broken by the 250 GB SSD floor (a 240 GB SSD fits),
    # not by the 8 GB VRAM floor, whose relaxation would buy a worse card.
    res = plan(catalog, PlanRequest(usd(1000), "ar-2017-05", workload="cnn"))
    assert not res.ok
    text = res.infeasibility.summary
    assert "SSD floor of 250 GB (240 GB would fit)" in text
    assert "VRAM" not in text.split("breaks it is")[1]


def test_too_many_gpus_say_the_largest_count_that_has_a_build(catalog):
    res = plan(catalog, PlanRequest(usd(2000), "ar-2017-05", gpus=2))
    assert not res.ok
    assert "The most GPUs this market can build a machine for is 1" in res.infeasibility.summary


def test_builders_preferences_break_price_ties():
    from dlrig.parts import Gpu, Storage

    nvme = Storage(id="s/a", name="a", kind="SSD", interface="NVMe", capacity_gb=500,
                   form_factor="M.2")
    sata = Storage(id="s/b", name="b", kind="SSD", interface="SATA", capacity_gb=500)
    assert preference(nvme) > preference(sata)
    fe = Gpu(id="g/fe", name="NVIDIA GeForce RTX 5090 Founders Edition", brand="NVIDIA",
             chipset="GeForce RTX 5090", vram_gb=32, board_power_w=575, slot_width=2,
             length_mm=304)
    astral = Gpu(id="g/astral", name="ASUS ROG Astral RTX 5090", brand="ASUS",
                 chipset="GeForce RTX 5090", vram_gb=32, board_power_w=575, slot_width=3.8,
                 length_mm=358)
    assert preference(fe) > preference(astral)


def test_twelve_thousand_dollars_buy_a_four_gpu_workstation(catalog):
    # Issue 10: --gpus 4 for LLM fine-tuning at 12,000 USD is a real 4-GPU workstation:
    # four full-length slots on CPU lanes (a Threadripper PRO board), cards that fit next
    # to each other, within the US 15 A circuit (1,440 W: NEC 80 % of 120 V x 15 A).
    res = plan(catalog, PlanRequest(usd(12000), "us", gpus=4, workload="llm-finetune"))
    assert res.ok, res.message
    assert res.gpus == 4 and res.build.count(Category.gpu) == 4
    board = res.build.board
    assert board.registered_memory and len(board.pcie_slots) >= 4
    assert all(r.severity.value == "info" for r in res.check.findings)
    wall = res.power.sustained_w * 100 / 80  # no unit is below 80 % efficient at load
    assert wall <= 1440
    # The throughput is the measured data-parallel scaling, below 4 x one card.
    one = plan(catalog, PlanRequest(usd(12000), "us", gpus=1, workload="llm-finetune",
                                    require=(_part(res, Category.gpu).id,), explain=False))
    assert 3.0 * one.throughput < res.throughput < 4.0 * one.throughput
