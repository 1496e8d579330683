"""How many images per second the GPU consumes when training a standard CNN.

The demand side of the data-loading question: a ResNet-50 (written here in
plain torch, since torchvision does not install beside every torch build)
trained on synthetic 224x224 batches already on the GPU, mixed precision
(bf16 autocast where the card has it, else fp16), channels-last, SGD. No
input pipeline is involved, so the figure is what the GPU alone could eat;
the loader has to deliver at least that to keep it busy.
"""

from __future__ import annotations

from .schema import Measurement, Stat
from .timing import is_cuda, sync, time_calls


def _resnet(torch, layers=(3, 4, 6, 3), width=64, classes=1000):
    nn = torch.nn

    class Bottleneck(nn.Module):
        expansion = 4

        def __init__(self, cin, planes, stride):
            super().__init__()
            cout = planes * 4
            self.body = nn.Sequential(
                nn.Conv2d(cin, planes, 1, bias=False), nn.BatchNorm2d(planes), nn.ReLU(True),
                nn.Conv2d(planes, planes, 3, stride, 1, bias=False), nn.BatchNorm2d(planes),
                nn.ReLU(True),
                nn.Conv2d(planes, cout, 1, bias=False), nn.BatchNorm2d(cout))
            self.short = None
            if stride != 1 or cin != cout:
                self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                           nn.BatchNorm2d(cout))
            self.relu = nn.ReLU(True)

        def forward(self, x):
            s = x if self.short is None else self.short(x)
            return self.relu(self.body(x) + s)

    mods = [nn.Conv2d(3, width, 7, 2, 3, bias=False), nn.BatchNorm2d(width), nn.ReLU(True),
            nn.MaxPool2d(3, 2, 1)]
    cin = width
    for i, blocks in enumerate(layers):
        planes = width * 2**i
        for j in range(blocks):
            mods.append(Bottleneck(cin, planes, 2 if (j == 0 and i > 0) else 1))
            cin = planes * 4
    mods += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, classes)]
    return nn.Sequential(*mods)


def train_demand(torch, device, index: int = 0, *, batch: int = 128, image: int = 224,
                 steps: int = 30, warmup: int = 8, tiny: bool = False) -> Measurement:
    """Images/s of ResNet-50 training steps on synthetic data (``tiny``: a small net, for tests)."""
    cuda = is_cuda(device)
    model_name = "ResNet-50" if not tiny else "ResNet-style (tiny, test size)"
    if tiny:
        model = _resnet(torch, layers=(1, 1), width=8, classes=10)
    else:
        model = _resnet(torch)
    model = model.to(device).to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    if cuda:
        torch.backends.cudnn.benchmark = True
        amp = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    else:
        amp = torch.bfloat16
    g = torch.Generator(device=device).manual_seed(0)
    x = torch.randn(batch, 3, image, image, device=device, generator=g)
    x = x.contiguous(memory_format=torch.channels_last)
    y = torch.randint(0, 10 if tiny else 1000, (batch,), device=device, generator=g)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        with torch.autocast(device_type=device.type, dtype=amp, enabled=cuda):
            loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    time_calls(torch, device, step, warmup)
    sync(torch, device)
    secs = time_calls(torch, device, step, steps)
    rate = [batch / t for t in secs]
    return Measurement(
        id=f"gpu{index}.train.cnn", section="gpu",
        label=f"{model_name} training step, synthetic {image}x{image} batch {batch}",
        method=(f"{model_name} in plain torch, channels-last, "
                f"{'autocast ' + str(amp).replace('torch.', '') if cuda else 'fp32'}, SGD; "
                f"random inputs already on the device; {warmup} warm-up steps, then {steps} "
                f"steps each timed with {'CUDA events' if cuda else 'a host clock'}"),
        value=Stat.of(rate, "images/s"),
        params={"model": "resnet50" if not tiny else "tiny", "batch": batch, "image": image})
