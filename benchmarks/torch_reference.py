"""An independent measurement, in plain torch, to check `dlrig bench` against.

Shares no code with dlrig: bf16 matmul 8192^3 (burst after idle, and 10 s
sustained), device-to-device copy of 1 GiB, pinned host-to-device copy of
1 GiB, and a torchvision ResNet-50 training step (if torchvision is there),
all timed with CUDA events. Usage: python3 benchmarks/torch_reference.py OUT.json
"""

from __future__ import annotations

import json
import statistics
import sys
import time

import torch


def events(fn, iters):
    out = []
    for _ in range(iters):
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record()
        fn()
        e.record()
        out.append((s, e))
    torch.cuda.synchronize()
    return [s.elapsed_time(e) / 1e3 for s, e in out]


def main(path: str) -> None:
    dev = torch.device("cuda")
    res = {"device": torch.cuda.get_device_name(dev), "torch": torch.__version__}
    n = 8192
    a = torch.randn(n, n, device=dev, dtype=torch.bfloat16)
    b = torch.randn(n, n, device=dev, dtype=torch.bfloat16)
    events(lambda: a @ b, 5)
    time.sleep(1.0)
    secs = events(lambda: a @ b, 20)
    res["bf16_matmul_8192_burst_tflops"] = statistics.median(2 * n**3 / t / 1e12 for t in secs)
    secs, t_end = [], time.perf_counter() + 10
    while time.perf_counter() < t_end:
        secs += events(lambda: a @ b, 50)
    half = secs[len(secs) // 2:]
    res["bf16_matmul_8192_sustained_tflops"] = statistics.median(2 * n**3 / t / 1e12 for t in half)
    a = b = None  # free the GPU memory before the next test

    size = 1 << 30
    src = torch.empty(size, dtype=torch.uint8, device=dev).random_(0, 255)
    dst = torch.empty_like(src)
    events(lambda: dst.copy_(src), 3)
    secs = events(lambda: dst.copy_(src), 20)
    res["device_copy_1GiB_GBps"] = statistics.median(2 * size / t / 1e9 for t in secs)
    src = dst = None

    host = torch.empty(size, dtype=torch.uint8, pin_memory=True).fill_(1)
    gpu = torch.empty(size, dtype=torch.uint8, device=dev)
    events(lambda: gpu.copy_(host, non_blocking=True), 2)
    secs = events(lambda: gpu.copy_(host, non_blocking=True), 10)
    res["pinned_h2d_1GiB_GBps"] = statistics.median(size / t / 1e9 for t in secs)
    host = gpu = None

    try:
        import torchvision
    except ImportError:
        res["resnet50_note"] = "torchvision not installed"
    else:
        torch.backends.cudnn.benchmark = True
        model = torchvision.models.resnet50().to(dev).to(memory_format=torch.channels_last)
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        x = torch.randn(128, 3, 224, 224, device=dev).contiguous(memory_format=torch.channels_last)
        y = torch.randint(0, 1000, (128,), device=dev)

        def step():
            opt.zero_grad(set_to_none=True)
            with torch.autocast("cuda", dtype=torch.bfloat16):
                loss = torch.nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()

        events(step, 8)
        secs = events(step, 30)
        res["torchvision_resnet50_bs128_bf16_images_per_s"] = statistics.median(
            128 / t for t in secs)
    with open(path, "w") as f:
        json.dump(res, f, indent=1)
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main(sys.argv[1])
