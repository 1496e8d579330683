"""Reading the members of a downloaded ``.tar.gz`` with limits, for the importers.

Hostile archives found before this module: a 1 MB gzip inflating to a 1 GiB member took
2.1 GB of memory, and a file that was not an archive at all (an HTML error page saved as
``.tar.gz``) gave one exception per decompressor ``tarfile.open(mode='r:*')`` tried. So:

- The file itself passes ``dlrig.files.check_input`` (a regular file, at most
  ``LIMITS['archive']``); its kind is read from its first bytes, and anything that is not
  a gzip, bzip2, xz or plain tar archive is one line saying what it looks like.
- Members are read as a stream, in order, never all at once: a member larger than
  ``LIMITS['archive member']`` is refused from its header before any of it is inflated,
  and everything inflated is counted against ``LIMITS['archive total']``, so a bomb stops
  at the cap, with memory held to one member.
- Only regular files are read. Links, devices, FIFOs, and names that are absolute or
  climb out with ``..`` are skipped: nothing is ever extracted to disk, and no name may
  pretend to be somewhere else.
- The whole compressed stream is read to its end, so a truncated or corrupt download
  fails its checksum instead of silently yielding fewer records.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import re
import tarfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from ..errors import InputError
from ..files import LIMITS, MB, check_input
from .records import shown

# A tar header extension (a long name, pax attributes) is a few hundred bytes; tarfile reads
# one whole into memory, so a forged header claiming a gigabyte is refused.
MAX_HEADER = 1 * MB
_READ = 1 << 20
_ODD = re.compile(r"[\x00-\x1f\x7f]")
_EXTENSIONS = (tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK, tarfile.XHDTYPE,
               tarfile.XGLTYPE, tarfile.SOLARIS_XHDTYPE)


class _Refused(Exception):
    """Raised inside tarfile's reading; turned into one ``InputError`` line."""


class _Capped:
    """A read-only stream that counts what it hands out and refuses past ``cap`` bytes."""

    def __init__(self, raw: IO[bytes], cap: int, name: str):
        self.raw, self.cap, self.name, self.count = raw, cap, name, 0

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n if n is not None and n >= 0 else _READ)
        self.count += len(data)
        if self.count > self.cap:
            raise _Refused(f"{self.name} inflates to more than {self.cap / MB:,.0f} MB")
        return data


class _SafeTarInfo(tarfile.TarInfo):
    """tarfile's member header, refusing extension headers too large to be real."""

    def _proc_member(self, tarfile_):  # noqa: D401 - tarfile's hook
        if self.type == tarfile.GNUTYPE_SPARSE:  # extension blocks without end; never needed
            raise _Refused("a sparse member, which no published archive holds")
        if self.type in _EXTENSIONS and self.size > MAX_HEADER:
            raise _Refused(f"a tar header of {self.size / MB:,.0f} MB")
        return super()._proc_member(tarfile_)


def _looks_like(head: bytes) -> str:
    """What a file that is no tar archive seems to be, for the one-line error."""
    low = head.lstrip()[:64].lower()
    if low.startswith((b"<!doctype html", b"<html", b"<?xml", b"<")):
        return "it looks like a web page, not an archive"
    if head.startswith(b"PK\x03\x04"):
        return "it is a .zip archive"
    if low.startswith((b"{", b"[")):
        return "it looks like JSON"
    if not head:
        return "it is empty"
    return "its first bytes are no archive's"


def _open_stream(path: Path, f: IO[bytes]) -> IO[bytes]:
    head = f.read(512)
    f.seek(0)
    if head.startswith(b"\x1f\x8b"):
        return gzip.GzipFile(fileobj=f, mode="rb")
    if head.startswith(b"BZh"):
        return bz2.BZ2File(f)
    if head.startswith(b"\xfd7zXZ\x00"):
        return lzma.LZMAFile(f)
    f.seek(257)
    magic = f.read(5)
    f.seek(0)
    if magic == b"ustar":
        return f
    raise InputError(f"{path} is not a .tar.gz archive ({_looks_like(head)})",
                     hint="give the .tar.gz the project publishes, or a checkout folder")


def safe_name(name: str) -> str | None:
    """A member's name relative to the archive ('./a/b' -> 'a/b'); None for an absolute
    name, one that climbs out with '..', or one with control characters."""
    if name.startswith(("/", "\\")) or _ODD.search(name):
        return None
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]
    if not parts or ".." in parts or (len(parts[0]) == 2 and parts[0][1] == ":"):
        return None
    return "/".join(parts)


def members(path: str | Path, want: Callable[[str], bool]) -> Iterator[tuple[str, bytes]]:
    """``(name, bytes)`` of every regular member whose safe name ``want`` accepts, in
    archive order; every failure is one ``InputError`` line (see the module docstring)."""
    what = "archive"
    p = check_input(path, what)
    member_cap, total_cap = LIMITS["archive member"], LIMITS["archive total"]
    try:
        f = open(p, "rb", buffering=_READ)  # noqa: SIM115 - closed below
    except OSError as e:
        raise InputError(f"cannot read {what} {p}: {e.strerror or e}",
                         hint="check its permissions") from None
    with f:
        stream = _Capped(_open_stream(p, f), total_cap, str(p))
        try:
            try:
                tar = tarfile.open(fileobj=stream, mode="r|", tarinfo=_SafeTarInfo)
            except tarfile.ReadError as e:
                if "zlib" in str(e):
                    raise
                while stream.read(_READ):  # a damaged stream fails here, not as 'no tar'
                    pass
                raise InputError(f"{p} is not a .tar.gz archive (it holds no tar archive)",
                                 hint="give the .tar.gz the project publishes") from None
            with tar:
                while (m := tar.next()) is not None:
                    tar.members.clear()  # a stream keeps every header otherwise
                    if m.type not in (tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.CONTTYPE):
                        continue  # folders, links, devices, FIFOs, sparse files
                    if m.size > member_cap:
                        raise _Refused(f"member {shown(m.name, 80)} is {m.size / MB:,.0f} MB, "
                                       f"more than the {member_cap / MB:,.0f} MB one can be")
                    name = safe_name(m.name)
                    if name is None or not want(name):
                        continue
                    fh = tar.extractfile(m)
                    yield name, fh.read(member_cap + 1) if fh else b""
            while stream.read(_READ):  # to the end: a truncated gzip fails its checksum here
                pass
        except _Refused as e:
            raise InputError(f"{p}: {e}", hint="check it is the right archive; nothing was "
                             "imported") from None
        except (tarfile.TarError, EOFError, OSError, zlib.error, lzma.LZMAError) as e:
            reason = " ".join(str(e).split()) or type(e).__name__
            if isinstance(e, EOFError):
                reason = "it ends before its last member: the download was cut short"
            raise InputError(f"{p}: damaged archive ({shown(reason, 120)})",
                             hint="download it again; nothing was imported") from None

