"""The GPU code paths, run on CPU tensors so CI exercises them without a GPU."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from dlrig.bench import cnn, gpu, multigpu  # noqa: E402


@pytest.fixture
def ctx():
    return gpu.GpuCtx(torch=torch, device=torch.device("cpu"), idle_s=0.0)


def test_matmul_flops_accounting(ctx, monkeypatch):
    # Every product "takes" 2 ms: 2 * 256^3 FLOPs / 2 ms.
    monkeypatch.setattr(gpu, "time_calls", lambda t, d, fn, iters, between=None:
                        [fn() or 0.002 for _ in range(iters)])
    m = gpu.matmul_burst(ctx, "fp32", 256, budget_s=0.02)
    assert m.value.median == pytest.approx(2 * 256**3 / 0.002 / 1e12)
    assert m.value.n == 10 and m.id == "gpu0.matmul.fp32.256.burst"


def test_matmul_burst_and_sustained_run(ctx):
    b = gpu.matmul_burst(ctx, "bf16", 128, budget_s=0.02)
    s = gpu.matmul_sustained(ctx, "fp32", 128, seconds=0.1)
    assert b.value.median > 0 and s.value.median > 0
    assert "second half" in s.method and s.params["mode"] == "sustained"
    assert not torch.backends.cuda.matmul.allow_tf32  # restored after a tf32 test


def test_memory_copy_counts_read_and_write(ctx, monkeypatch):
    monkeypatch.setattr(gpu, "time_calls", lambda t, d, fn, iters, between=None:
                        [fn() or 0.001 for _ in range(iters)])
    m = gpu.memory_copy(ctx, 4 << 20, iters=3)
    assert m.value.median == pytest.approx(2 * (4 << 20) / 0.001 / 1e9)


def test_cnn_training_step_measures_images_per_second():
    m = cnn.train_demand(torch, torch.device("cpu"), batch=4, image=32, steps=2, warmup=1,
                         tiny=True)
    assert m.value.unit == "images/s" and m.value.median > 0 and m.value.n == 2


def test_resnet50_has_resnet50s_parameter_count():
    model = cnn._resnet(torch)
    # torchvision's resnet50: 25,557,032 parameters.
    assert sum(p.numel() for p in model.parameters()) == 25_557_032


def test_allreduce_bus_bandwidth_with_gloo():
    ms = multigpu.allreduce(2, "gloo", [0.25], iters=2, timeout_s=60)
    (m,) = ms
    assert m.id == "multi.allreduce.gloo.0.25" and m.value.median > 0
    assert m.params == {"backend": "gloo", "world": 2, "size_mib": 0.25}
