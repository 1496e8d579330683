"""NVML access: GPU facts and a background sampler of clocks, power and throttling.

Every GPU figure is read next to the conditions it ran under: a matmul at
1,300 MHz because the card hit its power cap is a different finding from one
at 1,980 MHz, and the PCIe link trains down at idle, so its generation and
width are only meaningful while a transfer runs. NVML (``nvidia-ml-py``) is
optional: without it every reader returns ``None`` and says why.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

from .schema import Telemetry
from .stats import percentile

# nvmlClocksEventReasons* / nvmlClocksThrottleReasons* bits (nvml.h).
THROTTLE_BITS = {
    0x1: "gpu_idle",
    0x2: "applications_clocks_setting",
    0x4: "sw_power_cap",
    0x8: "hw_slowdown",
    0x10: "sync_boost",
    0x20: "sw_thermal_slowdown",
    0x40: "hw_thermal_slowdown",
    0x80: "hw_power_brake_slowdown",
    0x100: "display_clock_setting",
}
# Reasons that mean the card is held back by heat or an external signal,
# rather than by the power budget it was designed to run at.
THERMAL_OR_HW = {"hw_slowdown", "sw_thermal_slowdown", "hw_thermal_slowdown",
                 "hw_power_brake_slowdown"}


def decode_reasons(mask: int) -> list[str]:
    return [name for bit, name in THROTTLE_BITS.items() if mask & bit]


class Nvml:
    """A thin, failure-tolerant wrapper; ``Nvml.open()`` returns None without NVML."""

    def __init__(self, mod):
        self.m = mod

    @classmethod
    def open(cls) -> tuple[Nvml | None, str | None]:
        try:
            import pynvml  # nvidia-ml-py
        except ImportError:
            return None, "nvidia-ml-py is not installed (pip install 'dlrig[bench]')"
        try:
            pynvml.nvmlInit()
        except Exception as e:  # NVMLError_LibraryNotFound, DriverNotLoaded, ...
            return None, f"NVML could not start: {e} (no NVIDIA driver on this machine?)"
        return cls(pynvml), None

    def _try(self, fn, *args):
        """Call an NVML function by object or name; None when missing or unsupported."""
        if isinstance(fn, str):
            fn = getattr(self.m, fn, None)
            if fn is None:  # older nvidia-ml-py
                return None
        try:
            return fn(*args)
        except Exception:
            return None

    def count(self) -> int:
        return self._try(self.m.nvmlDeviceGetCount) or 0

    def handle(self, index: int):
        return self.m.nvmlDeviceGetHandleByIndex(index)

    def driver(self) -> str | None:
        v = self._try(self.m.nvmlSystemGetDriverVersion)
        return v.decode() if isinstance(v, bytes) else v

    def name(self, h) -> str:
        v = self._try(self.m.nvmlDeviceGetName, h) or "unknown NVIDIA GPU"
        return v.decode() if isinstance(v, bytes) else v

    def vram_gb(self, h) -> float | None:
        mem = self._try(self.m.nvmlDeviceGetMemoryInfo, h)
        return mem.total / 1e9 if mem else None

    def power_limit_w(self, h) -> float | None:
        v = self._try(self.m.nvmlDeviceGetEnforcedPowerLimit, h)
        return v / 1000 if v else None

    def power_limit_default_w(self, h) -> float | None:
        v = self._try("nvmlDeviceGetPowerManagementDefaultLimit", h)
        return v / 1000 if v else None

    def pcie(self, h) -> tuple[int | None, int | None, int | None, int | None]:
        """(current gen, max gen, current width, max width)."""
        return (self._try(self.m.nvmlDeviceGetCurrPcieLinkGeneration, h),
                self._try(self.m.nvmlDeviceGetMaxPcieLinkGeneration, h),
                self._try(self.m.nvmlDeviceGetCurrPcieLinkWidth, h),
                self._try(self.m.nvmlDeviceGetMaxPcieLinkWidth, h))

    def max_sm_clock(self, h) -> float | None:
        return self._try(self.m.nvmlDeviceGetMaxClockInfo, h, self.m.NVML_CLOCK_SM)

    def sample(self, h) -> dict:
        reasons = self._try("nvmlDeviceGetCurrentClocksEventReasons", h)
        if reasons is None:  # the name before NVML 12.2
            reasons = self._try("nvmlDeviceGetCurrentClocksThrottleReasons", h)
        power = self._try(self.m.nvmlDeviceGetPowerUsage, h)
        return {
            "sm": self._try(self.m.nvmlDeviceGetClockInfo, h, self.m.NVML_CLOCK_SM),
            "power": power / 1000 if power is not None else None,
            "temp": self._try(self.m.nvmlDeviceGetTemperature, h, self.m.NVML_TEMPERATURE_GPU),
            "reasons": reasons,
            "gen": self._try(self.m.nvmlDeviceGetCurrPcieLinkGeneration, h),
            "width": self._try(self.m.nvmlDeviceGetCurrPcieLinkWidth, h),
        }


def telemetry_from_samples(samples: list[dict], *, power_limit_w: float | None = None,
                           max_sm: float | None = None) -> Telemetry:
    """Reduce raw samples to the figures a reader needs (pure: testable without a GPU)."""
    def col(key):
        return [s[key] for s in samples if s.get(key) is not None]

    sm, pw, tp = col("sm"), col("power"), col("temp")
    mask = 0
    for r in col("reasons"):
        mask |= int(r)
    # gpu_idle shows between kernels and says nothing about the load.
    reasons = [r for r in decode_reasons(mask) if r != "gpu_idle"]
    gens, widths = col("gen"), col("width")
    return Telemetry(
        samples=len(samples),
        sm_clock_mhz_median=percentile(sm, 50) if sm else None,
        sm_clock_mhz_min=min(sm) if sm else None,
        sm_clock_mhz_max_supported=max_sm,
        power_w_median=percentile(pw, 50) if pw else None,
        power_w_max=max(pw) if pw else None,
        power_limit_w=power_limit_w,
        temp_c_max=max(tp) if tp else None,
        throttle_reasons=reasons,
        pcie_gen=max(gens) if gens else None,
        pcie_width=max(widths) if widths else None,
    )


class Sampler:
    """Samples one GPU every ``interval`` seconds on a thread while a test runs."""

    def __init__(self, nvml: Nvml | None, index: int, interval: float = 0.05):
        self.nvml, self.index, self.interval = nvml, index, interval
        self.samples: list[dict] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _run(self, h):
        while not self._stop.is_set():
            self.samples.append(self.nvml.sample(h))
            self._stop.wait(self.interval)

    def start(self):
        if self.nvml is None:
            return self
        h = self.nvml.handle(self.index)
        self._thread = threading.Thread(target=self._run, args=(h,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> Telemetry | None:
        if self._thread is None:
            return None
        self._stop.set()
        self._thread.join(timeout=2)
        h = self.nvml.handle(self.index)
        return telemetry_from_samples(self.samples, power_limit_w=self.nvml.power_limit_w(h),
                                      max_sm=self.nvml.max_sm_clock(h))


@contextmanager
def sampling(nvml: Nvml | None, index: int, interval: float = 0.05):
    s = Sampler(nvml, index, interval).start()
    try:
        yield s
    finally:
        s.telemetry = s.stop()


