"""``dlrig bench``: measure a machine and name what holds it back.

``runner.run`` measures (inventory, GPU, PCIe, disk, data loading, several
GPUs), ``verdict.judge`` names the bottleneck, ``compare.compare`` sets two
runs side by side. torch and nvidia-ml-py are optional: without them the CPU,
disk and loader parts still run and the GPU part says why it was skipped.
"""
