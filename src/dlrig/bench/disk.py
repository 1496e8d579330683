"""Sequential read of a file the bench writes, bypassing the page cache.

Reading a file just written mostly measures RAM: the page cache holds it.
The bench opens it with O_DIRECT (page-aligned buffers from ``mmap``); where
the file system refuses O_DIRECT (tmpfs, some network and FUSE file systems,
macOS) it asks the kernel to drop the file's cached pages
(``posix_fadvise(DONTNEED)``) and reads it buffered, and says so, because the
figure may then be the page cache's.
"""

from __future__ import annotations

import errno
import mmap
import os
import time
from pathlib import Path

from .inventory import disk_for_path
from .schema import Measurement, Stat

MIB = 1 << 20
BLOCK = 8 * MIB


def _write(path: Path, size: int) -> float:
    """Write ``size`` bytes of incompressible data, fsync; returns GB/s."""
    chunk = os.urandom(BLOCK)
    t0 = time.perf_counter()
    with open(path, "wb", buffering=0) as f:
        left = size
        while left > 0:
            n = min(left, BLOCK)
            f.write(chunk[:n])
            left -= n
        os.fsync(f.fileno())
    return size / (time.perf_counter() - t0) / 1e9


def _read_direct(path: Path) -> float:
    flags = os.O_RDONLY | getattr(os, "O_DIRECT", 0)
    if not getattr(os, "O_DIRECT", 0):
        raise OSError(errno.EINVAL, "O_DIRECT is not available on this platform")
    fd = os.open(path, flags)
    buf = mmap.mmap(-1, BLOCK)  # page-aligned, as O_DIRECT requires
    try:
        total = 0
        t0 = time.perf_counter()
        while True:
            n = os.readv(fd, [buf])
            if n <= 0:
                break
            total += n
        return total / (time.perf_counter() - t0) / 1e9
    finally:
        os.close(fd)
        buf.close()


def _drop_cache(path: Path) -> bool:
    if not hasattr(os, "posix_fadvise"):
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        return True
    finally:
        os.close(fd)


def _read_buffered(path: Path) -> float:
    total = 0
    t0 = time.perf_counter()
    with open(path, "rb", buffering=0) as f:
        buf = bytearray(BLOCK)
        while True:
            n = f.readinto(buf)
            if not n:
                break
            total += n
    return total / (time.perf_counter() - t0) / 1e9


def run(directory: Path, size_mib: int, passes: int) -> list[Measurement]:
    directory.mkdir(parents=True, exist_ok=True)
    disk = disk_for_path(directory)
    where = f"{directory} ({disk.fstype} on {disk.device}, {disk.kind})"
    path = directory / f".dlrig-bench-{os.getpid()}.bin"
    size = size_mib * MIB
    t0 = time.perf_counter()
    try:
        write = _write(path, size)
        t_write = time.perf_counter() - t0
        reads, method, caveat = [], "", None
        try:
            reads = [_read_direct(path) for _ in range(passes)]
            method = (f"sequential read of a {size_mib} MiB file written by the bench in {where}, "
                      f"O_DIRECT with 8 MiB aligned reads, {passes} passes")
            if disk.kind == "ram":
                caveat = f"{disk.fstype} lives in RAM: this is memory speed, not a disk's"
        except OSError as e:
            dropped = _drop_cache(path)
            for _ in range(passes):
                if dropped:
                    _drop_cache(path)
                reads.append(_read_buffered(path))
            caveat = (f"O_DIRECT refused here ({os.strerror(e.errno) if e.errno else e}); "
                      + ("read buffered after posix_fadvise(DONTNEED)" if dropped
                         else "read buffered without dropping the cache")
                      + (": the file system lives in RAM, this is memory speed"
                         if disk.kind == "ram" else "; the page cache may have served part of it"))
            method = (f"sequential read of a {size_mib} MiB file written by the bench in {where}, "
                      f"8 MiB reads, {passes} passes; {caveat}")
    finally:
        try:
            path.unlink()
        except OSError:
            pass
    t_read = time.perf_counter() - t0 - t_write
    params = {"dir": str(directory), "size_mib": size_mib, "fstype": disk.fstype,
              "disk_kind": disk.kind, "o_direct": "O_DIRECT with" in method}
    return [
        Measurement(id="disk.read.seq", section="disk", label="disk sequential read",
                    method=method, value=Stat.of(reads, "GB/s"),
                    params={**params, "wall_s": round(t_read, 3)}, reason=caveat),
        Measurement(id="disk.write.seq", section="disk", label="disk sequential write + fsync",
                    method=(f"write of {size_mib} MiB of random bytes in 8 MiB blocks then fsync, "
                            f"in {where}; one pass"),
                    value=Stat.of([write], "GB/s"), params={**params, "wall_s": round(t_write, 3)}),
    ]
