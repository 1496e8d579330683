"""Hostile input to the importers (issue 12, items 1-3, 7, 12, 13): FIFOs, devices, oversized
files, archive bombs and traps, wrong-typed and absurd records, and ``catalog update``
against a local server. Each case must end in one line (exit 2 from the CLI), no traceback,
the database unchanged and no file created; where an importer's contract keeps the good
rows of a file, they still import.

Everything here is synthetic (built in ``tmp_path``); the only network address used is a
server on 127.0.0.1 started by the test.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import signal
import tarfile
import tempfile
import threading
import time
import tracemalloc
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from test_store_sample import cpu, dump, gpu, sample_records, tar_sample, write_sample
from typer.testing import CliRunner

from dlrig.catalog import opendb, pcpp
from dlrig.catalog.opendb import convert, iter_records
from dlrig.catalog.pricelist import parse_price_list
from dlrig.cli import app, main
from dlrig.errors import InputError, NetworkError
from dlrig.files import LIMITS, MB
from dlrig.parts import Category
from dlrig.store import Database, load_catalog
from dlrig.store.rates import parse_rates_file

runner = CliRunner()
ENV = {"COLUMNS": "300"}


def one_line(r, *needles: str, code: int = 2) -> str:
    """The CLI refused with exactly one 'error:' line holding every needle, and exit
    ``code`` (2: the input; a failed download exits with ``NetworkError.exit_code``)."""
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert r.exit_code == code, (r.exit_code, r.output, r.exception)
    assert len(lines) == 1 and lines[0].startswith("error:"), r.output
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


@contextlib.contextmanager
def no_hang(seconds: int = 10):
    """Fail instead of hanging (an open() of a FIFO blocks until a writer comes)."""
    def _alarm(*_):
        raise TimeoutError(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.fixture
def db(tmp_path):
    """A database holding the sample checkout, for 'nothing changed' checks."""
    p = tmp_path / "h.db"
    with Database(p) as d:
        opendb.import_opendb(d, write_sample(tmp_path / "sample"))
    return p


# -- 1. files: FIFOs, devices, links to devices, oversized files --------------------------
def _fifo(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    return path


def _commands(kind: str, path: Path, db: Path) -> list[str]:
    return {
        "csv": ["prices", "import", "csv", str(path), "--store", "mexx", "--market", "ar",
                "--currency", "ARS", "--date", "2017-05-31", "--db", str(db)],
        "rates": ["rates", "import", str(path), "--db", str(db)],
        "open-db": ["catalog", "import", "open-db", str(path), "--db", str(db)],
        "pcpp": ["prices", "import", "pcpp", str(path), "--date", "2025-07-23", "--db", str(db)],
    }[kind]


KINDS = ("csv", "rates", "open-db", "pcpp")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("what", ["fifo", "dev-zero", "link-to-dev-zero", "folder-for-file"])
def test_special_files_are_refused_before_opening(tmp_path, kind, what):
    if what == "fifo":
        path = _fifo(tmp_path / "in.dat")
    elif what == "dev-zero":
        path = Path("/dev/zero")
    elif what == "link-to-dev-zero":
        path = tmp_path / "zero.dat"
        path.symlink_to("/dev/zero")
    else:
        if kind in ("open-db", "pcpp"):
            pytest.skip("a folder is a valid checkout or snapshot for these importers")
        path = tmp_path / "folder.csv"
        path.mkdir()
    new_db = tmp_path / "new.db"
    with no_hang():
        r = runner.invoke(app, _commands(kind, path, new_db), env=ENV)
    words = {"fifo": "FIFO", "dev-zero": "character device", "link-to-dev-zero": "character device",
             "folder-for-file": "folder"}[what]
    one_line(r, words)
    assert not new_db.exists()  # refused before the database was created


def test_a_fifo_inside_a_checkout_is_refused_not_waited_on(tmp_path, db):
    root = write_sample(tmp_path / "co")
    _fifo(root / "open-db" / "CPU" / "00000000-0000-0000-0000-0000000000ff.json")
    before = dump(db)
    with no_hang():
        r = runner.invoke(app, _commands("open-db", root, db), env=ENV)
    one_line(r, "FIFO", "0000000000ff.json")
    assert dump(db) == before


def test_a_link_to_a_device_inside_a_checkout_is_refused(tmp_path, db):
    root = write_sample(tmp_path / "co")
    (root / "open-db" / "GPU" / "zero.json").symlink_to("/dev/zero")
    with no_hang():
        r = runner.invoke(app, _commands("open-db", root, db), env=ENV)
    one_line(r, "character device")


def test_a_fifo_in_a_snapshot_folder_is_refused(tmp_path, db):
    snap = tmp_path / "2025-07-23" / "json"
    snap.mkdir(parents=True)
    (snap / "cpu.json").write_text("[]")
    _fifo(snap / "memory.json")
    with no_hang():
        r = runner.invoke(app, _commands("pcpp", snap.parent, db), env=ENV)
    one_line(r, "FIFO", "memory.json")


@pytest.mark.parametrize("kind,limit", [("csv", "price list"), ("rates", "rates"),
                                        ("open-db", "archive"), ("pcpp", "archive")])
def test_a_file_over_its_limit_is_refused_without_reading_it(tmp_path, kind, limit):
    path = tmp_path / "huge.dat"
    with path.open("wb") as f:  # sparse: no disk used, and nothing may read it
        f.truncate(LIMITS[limit] + 1)
    new_db = tmp_path / "new.db"
    t0 = time.perf_counter()
    r = runner.invoke(app, _commands(kind, path, new_db), env=ENV)
    one_line(r, "MB")
    assert time.perf_counter() - t0 < 5 and not new_db.exists()


def test_an_oversized_record_file_in_a_checkout_is_refused(tmp_path, monkeypatch):
    monkeypatch.setitem(LIMITS, "archive member", 1 * MB)
    root = write_sample(tmp_path / "co")
    big = root / "open-db" / "CPU" / "big.json"
    with big.open("wb") as f:
        f.truncate(2 * MB)
    with pytest.raises(InputError, match="big.json is 2 MB"):
        list(iter_records(root))


# -- 1. archives: not an archive, damaged, bombs, traps -------------------------------------
@pytest.fixture
def sample_tgz(tmp_path):
    return tar_sample(write_sample(tmp_path / "co"), tmp_path / "open-db.tar.gz")


def _gz(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=1)


NOT_ARCHIVES = {
    "an HTML error page": (b"<!DOCTYPE html><html><body>Rate limit exceeded</body></html>",
                           "not a .tar.gz archive (it looks like a web page"),
    "a zip file": (b"PK\x03\x04" + b"\0" * 100, "not a .tar.gz archive (it is a .zip archive)"),
    "JSON": (b'{"message": "Not Found"}', "not a .tar.gz archive (it looks like JSON)"),
    "an empty file": (b"", "not a .tar.gz archive (it is empty)"),
    "random bytes": (bytes(range(7, 250)) * 3, "not a .tar.gz archive (its first bytes"),
    "a gzip of JSON": (_gz(b'[{"name": "x"}]' * 50), "not a .tar.gz archive (it holds no tar"),
    "a bzip2 header and junk": (b"BZh9" + b"junk" * 100, "damaged archive"),
}


@pytest.mark.parametrize("case", NOT_ARCHIVES, ids=list(NOT_ARCHIVES))
def test_what_is_not_an_archive_is_one_line(tmp_path, case, db):
    raw, expected = NOT_ARCHIVES[case]
    path = tmp_path / "download.tar.gz"
    path.write_bytes(raw)
    before = dump(db)
    for kind in ("open-db", "pcpp"):
        r = runner.invoke(app, _commands(kind, path, db), env=ENV)
        one_line(r, expected)
    assert dump(db) == before


def test_a_cut_short_archive_is_damaged_not_partly_imported(tmp_path, sample_tgz, db):
    raw = sample_tgz.read_bytes()
    before = dump(db)
    for keep in (len(raw) // 2, len(raw) - 9):  # mid-stream; only the gzip trailer missing
        cut = tmp_path / f"cut{keep}.tar.gz"
        cut.write_bytes(raw[:keep])
        r = runner.invoke(app, _commands("open-db", cut, db), env=ENV)
        one_line(r, "damaged archive", "download it again")
    assert dump(db) == before


def test_a_corrupt_archive_is_one_line(tmp_path, sample_tgz):
    raw = bytearray(sample_tgz.read_bytes())
    for i in range(len(raw) // 3, len(raw) // 3 + 64):
        raw[i] ^= 0x5A
    bad = tmp_path / "corrupt.tar.gz"
    bad.write_bytes(bytes(raw))
    with pytest.raises(InputError, match="damaged archive") as e:
        list(iter_records(bad))
    assert "\n" not in e.value.one_line()


def _tar(path: Path, entries: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as t:
        for info, data in entries:
            if data is not None:
                info.size = len(data)
            t.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def _member(name: str, data: bytes | None = None, **kw) -> tuple[tarfile.TarInfo, bytes | None]:
    info = tarfile.TarInfo(name)
    for k, v in kw.items():
        setattr(info, k, v)
    return info, data


def _record_bytes(n: int, name: str) -> bytes:
    return json.dumps(cpu(n, name)).encode()


def test_links_devices_and_escaping_names_in_an_archive_are_skipped(tmp_path):
    good = _record_bytes(1, "Intel Core i5-7500")
    target = tmp_path / "outside.json"
    arc = _tar(tmp_path / "trap.tar.gz", [
        _member("top/open-db/CPU/00000000-0000-0000-0000-000000000001.json", good),
        _member("top/open-db/CPU/symlink.json", type=tarfile.SYMTYPE, linkname="/etc/passwd"),
        _member("top/open-db/CPU/hardlink.json", type=tarfile.LNKTYPE,
                linkname="top/open-db/CPU/00000000-0000-0000-0000-000000000001.json"),
        _member("top/open-db/CPU/device.json", type=tarfile.CHRTYPE, devmajor=1, devminor=5),
        _member("top/open-db/CPU/fifo.json", type=tarfile.FIFOTYPE),
        _member("/open-db/CPU/absolute.json", _record_bytes(2, "Absolute Name CPU")),
        _member("../open-db/CPU/climbing.json", _record_bytes(3, "Climbing Name CPU")),
        _member("top/../../open-db/CPU/deep.json", _record_bytes(4, "Deep Climbing CPU")),
        _member(f"{'../' * 8}{target}", _record_bytes(5, "Outside Target CPU")),
    ])
    got = [(f, u, r["metadata"]["name"]) for f, u, r in iter_records(arc)]
    assert got == [("CPU", "00000000-0000-0000-0000-000000000001", "Intel Core i5-7500")]
    assert not target.exists()


def test_a_member_larger_than_its_cap_is_refused_from_its_header(tmp_path, monkeypatch):
    """A 1 GiB member, with the real caps: its header says so, and the import stops there
    (the archive itself is a few KB: nothing past the header is ever inflated)."""
    info = tarfile.TarInfo("top/open-db/CPU/bomb.json")
    info.size = 1024 * MB
    raw = info.tobuf(format=tarfile.USTAR_FORMAT) + b"\0" * 4096
    arc = tmp_path / "bomb.tar.gz"
    arc.write_bytes(_gz(raw))
    t0 = time.perf_counter()
    with pytest.raises(InputError, match="bomb.json is 1,024 MB, more than the 64 MB"):
        list(iter_records(arc))
    assert time.perf_counter() - t0 < 2


def test_an_inflating_member_is_refused_at_the_cap_without_holding_it(tmp_path, monkeypatch):
    """A small gzip inflating far past the member cap (2 MB of zeros against a 1 MB cap,
    the same code path as 1 GiB against 64 MB): refused, memory held well under the member."""
    monkeypatch.setitem(LIMITS, "archive member", 1 * MB)
    arc = _tar(tmp_path / "zeros.tar.gz", [_member("top/README.bin", b"\0" * (2 * MB))])
    assert arc.stat().st_size < 20_000
    with pytest.raises(InputError, match="README.bin is 2 MB, more than the 1 MB"):
        list(iter_records(arc))


def test_an_archive_inflating_past_its_total_is_refused_with_bounded_memory(tmp_path, monkeypatch):
    monkeypatch.setitem(LIMITS, "archive member", 1 * MB)
    monkeypatch.setitem(LIMITS, "archive total", 4 * MB)
    arc = _tar(tmp_path / "many.tar.gz",
               [_member(f"top/junk/{i}.bin", b"\0" * (MB - 4096)) for i in range(12)])
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match="inflates to more than 4 MB"):
            list(iter_records(arc))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * MB, peak  # streamed, never the whole archive (12 MB) or a member


def test_a_forged_huge_tar_header_is_refused(tmp_path):
    """A pax header claiming 8 MB (tarfile would read it whole into memory)."""
    info = tarfile.TarInfo("././@PaxHeader")
    info.type = tarfile.XHDTYPE
    info.size = 8 * MB
    raw = info.tobuf(format=tarfile.USTAR_FORMAT) + b"\0" * (8 * MB)
    arc = tmp_path / "pax.tar.gz"
    arc.write_bytes(_gz(raw))
    with pytest.raises(InputError, match="a tar header of 8 MB"):
        list(iter_records(arc))


def test_pcpp_archives_use_the_same_reader(tmp_path, monkeypatch):
    monkeypatch.setitem(LIMITS, "archive member", 1 * MB)
    arc = _tar(tmp_path / "snaps.tar.gz", [
        _member("./2025-07-23/json/cpu.json", b"[" + b" " * (2 * MB) + b"]")])
    with pytest.raises(InputError, match="cpu.json is 2 MB, more than the 1 MB"):
        pcpp.read_dataset(arc, __import__("datetime").date(2025, 7, 23))


# -- 2/7. open-db records: wrong types, absurd values, broken JSON --------------------------
GOOD = cpu(500, "Intel Core i5-7500", cores=4, threads=4)


def _mut(base: dict, dotted: str, value) -> dict:
    rec = json.loads(json.dumps(base))
    d = rec
    keys = dotted.split(".")
    for k in keys[:-1]:
        d = d.setdefault(k, {})
    if value is _DELETE:
        d.pop(keys[-1], None)
    else:
        d[keys[-1]] = value
    return rec


_DELETE = object()
_RAW = object()  # value given as raw JSON text (NaN, 1e400, deep nesting)

# (folder, record or raw bytes, outcome, reason substring)
OPENDB_CASES = {
    "NaN cores": ("CPU", _mut(GOOD, "cores.total", float("nan")), "quarantined",
                  "cores.total is not a finite number (nan)"),
    "1e400 cores": ("CPU", json.dumps(GOOD).replace('"total": 4', '"total": 1e400').encode(),
                    "quarantined", "cores.total is not a finite number (inf)"),
    "10^30 cores": ("CPU", _mut(GOOD, "cores.total", 10**30), "quarantined",
                    "cores.total is beyond any part (1.000e+30)"),
    "'eight' cores": ("CPU", _mut(GOOD, "cores.total", "eight"), "unusable", "no core count"),
    "negative cores": ("CPU", _mut(GOOD, "cores.total", -4), "unusable", "no core count"),
    "integer socket": ("CPU", _mut(GOOD, "socket", 1151), "unusable",
                       "socket is not text (got a number)"),
    "list as a name": ("CPU", _mut(GOOD, "metadata.name", ["Intel"]), "unusable",
                       "metadata.name is not text (got a list)"),
    "10,000-character name": ("CPU", _mut(GOOD, "metadata.name", "x" * 10_000), "quarantined",
                              "metadata.name is too long (10,000 characters"),
    "escape sequences in a name": ("CPU", _mut(GOOD, "metadata.name", "Intel \x1b]0;owned\x07 i5"),
                                   "quarantined", "holds control characters"),
    "escape in a socket": ("CPU", _mut(GOOD, "socket", "LGA\x1b[2J1151"), "quarantined",
                           "socket holds control characters ('LGA\\x1b[2J1151')"),
    "missing socket": ("CPU", _mut(GOOD, "socket", _DELETE), "unusable", "no socket"),
    "metadata is text": ("CPU", _mut(GOOD, "metadata", "Intel"), "unusable", "no name"),
    "a list record": ("CPU", b"[1, 2, 3]", "unusable", "not a JSON object (a list)"),
    "a string record": ("CPU", b'"Intel Core i5"', "unusable", "not a JSON object (text)"),
    "a number record": ("CPU", b"12", "unusable", "not a JSON object (a number)"),
    "null record": ("CPU", b"null", "unusable", "not a JSON object (null)"),
    "deep nesting": ("CPU", b"[" * 100_000 + b"]" * 100_000, "unusable", "JSON nested too deeply"),
    "deep nesting in a field": ("CPU", json.dumps(GOOD)[:-1].encode() + b', "x": '
                                + b"[" * 100_000 + b"]" * 100_000 + b"}", "unusable",
                                "JSON nested too deeply"),
    "invalid JSON": ("CPU", b'{"metadata": {"name": "x"', "unusable", "not valid JSON"),
    "not UTF-8": ("CPU", b'{"metadata": {"name": "\xff\xfe"}}', "unusable", "not UTF-8"),
    "a 5,000-digit integer": ("CPU", b'{"cores": {"total": ' + b"9" * 5000 + b"}}", "unusable",
                              "not valid JSON"),
    "types as text": ("CPU", _mut(GOOD, "specifications.memory.types", "DDR4"), "usable", ""),
    "GPU connectors as words": ("GPU", _mut(gpu(501, "ZOTAC GeForce GTX 1080 AMP"),
                                            "power_connectors.pcie_8_pin", "two"), "usable", ""),
    "GPU connectors a list": ("GPU", _mut(gpu(502, "ZOTAC GeForce GTX 1080 Mini"),
                                          "power_connectors", [8, 8]), "usable", ""),
    "GPU infinite length": ("GPU", json.dumps(gpu(503, "ZOTAC GTX 1080 X")).replace(
        '"length": 210', '"length": Infinity').encode(), "quarantined", "length is not a finite number (inf)"),
    "x16 slots 10^9": ("Motherboard", _mut(sample_records()["Motherboard"][0], "pcie_slots",
                                           [{"gen": "3.0", "quantity": 10**9, "lanes": 16}]),
                       "quarantined", "pcie_slots quantity is beyond any part (1.000e+9)"),
    "x16 slots 10^6": ("Motherboard", _mut(sample_records()["Motherboard"][0], "pcie_slots",
                                           [{"gen": "3.0", "quantity": 10**6, "lanes": 16}]),
                       "quarantined", "x16-size slots 1000000 where Micro-ATX has 4"),
    "board memory as text": ("Motherboard", _mut(sample_records()["Motherboard"][0], "memory",
                                                 "64GB DDR4"), "unusable", "no memory type"),
    "case bays as words": ("PCCase", _mut(sample_records()["PCCase"][0], "internal_3_5_bays",
                                          "many"), "usable", ""),
    "case form factors as text": ("PCCase", _mut(sample_records()["PCCase"][0],
                                                 "supported_motherboard_form_factors", "ATX"),
                                  "unusable", "no supported board form factors"),
    "PSU infinite watts": ("PSU", json.dumps(sample_records()["PSU"][0]).replace(
        '"wattage": 500', '"wattage": -Infinity').encode(), "quarantined", "wattage is not a finite number (-inf)"),
    "cooler sockets of odd kinds": ("CPUCooler", _mut(sample_records()["CPUCooler"][0],
                                                      "cpu_sockets", [1151, None, {"a": 1}]),
                                    "unusable", "no supported sockets"),
    "RAM speed 1e400": ("RAM", json.dumps(sample_records()["RAM"][0]).replace(
        '"speed": 2400', '"speed": 1e400').encode(), "quarantined", "speed is not a finite number (inf)"),
    "storage interface with escapes": ("Storage", _mut(sample_records()["Storage"][0], "interface",
                                                       "\x1b[2J" + "S" * 100), "unusable",
                                       "interface '\\x1b[2JSSSSS"),
    "storage capacity as text": ("Storage", _mut(sample_records()["Storage"][0], "capacity",
                                                 "1TB"), "unusable", "no capacity"),
}


def _write_record(root: Path, folder: str, uuid: str, rec) -> None:
    d = root / "open-db" / folder
    d.mkdir(parents=True, exist_ok=True)
    (d / f"{uuid}.json").write_bytes(rec if isinstance(rec, bytes) else json.dumps(rec).encode())


@pytest.fixture(scope="module")
def sample_parts():
    return {p.id for p in convert(iter(_sample_items())).parts}


def _sample_items():
    return [(f, r["opendb_id"], r) for f, recs in sample_records().items() for r in recs]


@pytest.mark.parametrize("case", OPENDB_CASES, ids=list(OPENDB_CASES))
def test_a_hostile_open_db_record_is_counted_and_the_rest_imports(tmp_path, case, sample_parts):
    folder, rec, outcome, reason = OPENDB_CASES[case]
    root = write_sample(tmp_path / "co")
    _write_record(root, folder, "00000000-0000-0000-0000-00000000beef", rec)
    conv = convert(iter_records(root))
    st = conv.stats[opendb.FOLDERS[folder]]
    got = {p.id for p in conv.parts}
    assert sample_parts <= got  # every good record still imports
    if outcome == "usable":
        assert len(got - sample_parts) == 1, got - sample_parts
        return
    assert got == sample_parts
    reasons = st.unusable if outcome == "unusable" else st.quarantined
    listed = [why for *_, why in conv.quarantine] if outcome == "quarantined" else list(reasons)
    assert any(reason in why for why in listed), (listed, reason)
    for why in [*st.unusable, *st.quarantined, *listed]:
        assert "\n" not in why and "\x1b" not in why


def test_the_cli_imports_a_checkout_full_of_hostile_records(tmp_path, sample_parts):
    root = write_sample(tmp_path / "co")
    for i, (folder, rec, _, _) in enumerate(OPENDB_CASES.values()):
        _write_record(root, folder, f"11111111-0000-0000-0000-{i:012d}", rec)
    dbp = tmp_path / "all.db"
    r = runner.invoke(app, ["catalog", "import", "open-db", str(root), "--db", str(dbp)],
                      env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "\x1b]0;owned" not in r.output and "Traceback" not in r.output
    with Database(dbp) as d:
        ids = {row[0] for row in d.conn.execute("SELECT id FROM parts")}
        names = [row[0] for row in d.conn.execute("SELECT name FROM quarantine")]
    assert sample_parts <= ids
    assert not any("\x1b" in n for n in names)  # a quarantined name is stored escaped


def test_a_hostile_archive_record_is_counted_like_a_folder_one(tmp_path):
    root = write_sample(tmp_path / "co")
    _write_record(root, "CPU", "00000000-0000-0000-0000-00000000dead", b"[" * 50_000)
    _write_record(root, "CPU", "bad name with spaces", GOOD)
    tgz = tar_sample(root, tmp_path / "h.tar.gz")
    a, b = convert(iter_records(root)), convert(iter_records(tgz))
    assert a.stats == b.stats
    assert a.stats[Category.cpu].unusable["file name is not a record id"] == 1


# -- 2/7. pc-part-dataset rows -----------------------------------------------------------
RYZEN = "AMD Ryzen 5 3600"  # a built-in part (cpu/amd-ryzen-5-3600)
PCPP_BAD = {
    "price 10^30": (b'{"name": "AMD Ryzen 5 3600", "price": 1' + b"0" * 30 + b"}",
                    "more than any part costs"),
    "price 1e400": (b'{"name": "AMD Ryzen 5 3600", "price": 1e400}', "not a finite number"),
    "price NaN": (b'{"name": "AMD Ryzen 5 3600", "price": NaN}', "not a finite number"),
    "price 'eight'": (b'{"name": "AMD Ryzen 5 3600", "price": "eight"}', "is not a number"),
    "price negative": (b'{"name": "AMD Ryzen 5 3600", "price": -5}', "is not above 0"),
    "price zero": (b'{"name": "AMD Ryzen 5 3600", "price": 0}', "is not above 0"),
    "price of a tenth cent": (b'{"name": "AMD Ryzen 5 3600", "price": 0.001}', "rounds to 0"),
    "price true": (b'{"name": "AMD Ryzen 5 3600", "price": true}', "not a number"),
    "name a number": (b'{"name": 3600, "price": 99}', "name is not text"),
    "name a list": (b'{"name": ["AMD"], "price": 99}', "name is not text"),
    "no name": (b'{"price": 99}', "a price without a name"),
    "escape in a name": (b'{"name": "AMD \\u001b[2J Ryzen", "price": 99}', "control characters"),
    "1,000-character name": (b'{"name": "' + b"x" * 1000 + b'", "price": 99}', "name is too long"),
    "a list row": (b"[1, 2]", "not a JSON object (a list)"),
    "a string row": (b'"AMD Ryzen 5 3600"', "not a JSON object (text)"),
    "infinite cores": (b'{"name": "AMD Ryzen 5 3600", "price": 99, "core_count": Infinity}',
                       "core_count is not a finite number (inf)"),
    "10^400 cores": (b'{"name": "AMD Ryzen 5 3600", "price": 99, "core_count": 1'
                     + b"0" * 400 + b"}", "beyond any part"),
}


def _snapshot(tmp_path: Path, rows: list[bytes], stem: str = "cpu") -> Path:
    d = tmp_path / "2025-07-23" / "json"
    d.mkdir(parents=True, exist_ok=True)
    (d / f"{stem}.json").write_bytes(b"[" + b", ".join(rows) + b"]")
    return d.parent


def test_hostile_pcpp_rows_are_counted_and_the_good_one_is_priced(tmp_path):
    good = b'{"name": "AMD Ryzen 5 3600", "price": 99.99, "core_count": 6}'
    rows = [good, *(raw for raw, _ in PCPP_BAD.values()),
            b'{"name": "AMD Ryzen 5 3600", "price": 120, "core_count": "eight"}',
            b'{"name": "AMD Ryzen 5 3600", "price": null}']
    snap = _snapshot(tmp_path, rows)
    dbp = tmp_path / "p.db"
    r = runner.invoke(app, ["prices", "import", "pcpp", str(snap), "--db", str(dbp)], env=ENV)
    assert r.exit_code == 0, r.output
    assert f"{len(PCPP_BAD)} rows could not be used" in r.output
    assert "Traceback" not in r.output and "\x1b[2J" not in r.output
    with Database(dbp) as d:
        prices = list(d.conn.execute("SELECT part_id, amount_minor FROM prices"))
    assert prices == [("cpu/amd-ryzen-5-3600", 9999)]  # the lowest good price; "eight" ignored
    res = pcpp.match_dataset(pcpp.read_dataset(snap, __import__("datetime").date(2025, 7, 23)),
                             load_catalog(dbp, prices=False), __import__("datetime").date(2025, 7, 23))
    reasons = [why for _, _, why in res.bad]
    for (_, expected), why in zip(PCPP_BAD.values(), reasons, strict=True):
        assert expected in why and "\n" not in why, (expected, why)
    assert res.categories[Category.cpu].bad == len(PCPP_BAD)


def test_an_infinite_memory_speed_does_not_reach_int(tmp_path):
    rows = [b'{"name": "Corsair Vengeance LPX 16 GB", "price": 50, "speed": [4, Infinity], '
            b'"modules": [2, 8]}',
            b'{"name": "Corsair Vengeance LPX 16 GB", "price": 50, "speed": [4, 3200], '
            b'"modules": [2, 1' + b"0" * 30 + b"]}"]
    snap = _snapshot(tmp_path, rows, "memory")
    r = runner.invoke(app, ["prices", "import", "pcpp", str(snap), "--db", str(tmp_path / "m.db")],
                      env=ENV)
    assert r.exit_code == 0, r.output
    assert "2 rows could not be used" in r.output


@pytest.mark.parametrize("raw,expected", [
    (b'{"not": "an array"}', "expected a JSON array of parts (got an object)"),
    (b"[" * 100_000, "JSON nested too deeply"),
    (b"[{]", "not valid JSON"),
])
def test_a_pcpp_file_that_is_no_array_is_one_line(tmp_path, raw, expected):
    d = tmp_path / "2025-07-23" / "json"
    d.mkdir(parents=True)
    (d / "cpu.json").write_bytes(raw)
    new_db = tmp_path / "new.db"
    r = runner.invoke(app, ["prices", "import", "pcpp", str(d.parent), "--db", str(new_db)], env=ENV)
    one_line(r, expected)
    assert not new_db.exists()


# -- 2/7. store price lists (CSV) --------------------------------------------------------
CSV_BAD = {
    "price 10^30": ("Intel Core i3-7100,1" + "0" * 30, "more than any part costs"),
    "price 1e400": ("Intel Core i3-7100,1e400", "price '1e400' is not a number"),
    "price NaN": ("Intel Core i3-7100,NaN", "price 'NaN' is not a number"),
    "price Infinity": ("Intel Core i3-7100,Infinity", "is not a number"),
    "price negative": ("Intel Core i3-7100,-5", "negative price"),
    "price 'eight'": ("Intel Core i3-7100,eight", "price 'eight' is not a number"),
    "price '12 GB'": ("Intel Core i3-7100,12 GB", "price '12 GB' is not a number"),
    "400-character name": ("x" * 400 + ",100", "part name is too long (400 characters, at most 300)"),
    "escape in a name": ("Intel \x1b]0;owned\x07 Core,100", "part name holds control characters ('Intel \\x1b]0;owned"),
    "name past csv's field limit": ("y" * 200_000 + ",100", "unreadable CSV (field larger"),
}


def _csv(tmp_path: Path, bad_line: str) -> Path:
    f = tmp_path / "lista.csv"
    f.write_bytes(("name,price\nIntel Pentium G4560,1500\n" + bad_line
                   + "\nZOTAC GeForce GTX 1070 Mini,99999\n").encode("utf-8"))
    return f


@pytest.mark.parametrize("case", CSV_BAD, ids=list(CSV_BAD))
def test_a_hostile_csv_row_names_its_line_and_the_good_rows_import_on_request(tmp_path, db, case):
    line, expected = CSV_BAD[case]
    f = _csv(tmp_path, line)
    before = dump(db)
    r = runner.invoke(app, _commands("csv", f, db), env=ENV)
    msg = one_line(r, "line 3: ", expected)
    assert "\x1b" not in msg and "\x00" not in msg
    assert dump(db) == before
    r = runner.invoke(app, [*_commands("csv", f, db), "--skip-bad-rows"], env=ENV)
    assert r.exit_code == 0, r.output
    assert "2 prices written" in r.output and "\x1b]0" not in r.output


def test_nul_is_binary_at_the_start_and_a_bad_row_later():
    assert "binary data" in str(pytest.raises(InputError, parse_price_list,
                                              b"name,price\nA\x00,1\n", "l.csv", "ARS").value)
    raw = b"name,price\n" + b"Intel Pentium G4560,10\n" * 300 + b"Intel\x00 Core,100\n"
    out = parse_price_list(raw, "l.csv", "ARS")
    assert len(out.rows) == 300 and out.bad == [(302, "part name holds control characters "
                                                        "('Intel\\x00 Core')")]


def test_the_parser_keeps_reading_after_an_unreadable_row():
    raw = ("name,price\n" + "z" * 200_000 + ",1\nIntel Pentium G4560,10\n").encode()
    out = parse_price_list(raw, "l.csv", "ARS")
    assert [r.name for r in out.rows] == ["Intel Pentium G4560"] and out.bad[0][0] == 2


# -- 1/2. exchange rates: files and 'rates set' ------------------------------------------
RATE_BAD = {
    "1e400": ("USD,ARS,1e400,2025-01-02", "outside 0.000001-10,000,000"),
    "1e-400": ("USD,ARS,1e-400,2025-01-02", "outside 0.000001-10,000,000"),
    "10^40": ("USD,ARS,1" + "0" * 40 + ",2025-01-02", "outside 0.000001-10,000,000"),
    "exponent past Decimal": ("USD,ARS,1e9999999999999999999999,2025-01-02",
                              "is out of range"),
    "NaN": ("USD,ARS,NaN,2025-01-02", "is not a number"),
    "negative": ("USD,ARS,-1,2025-01-02", "must be positive"),
    "'eight'": ("USD,ARS,eight,2025-01-02", "is not a number"),
    "bad date": ("USD,ARS,1000,2025-13-01", "date '2025-13-01' is not a date"),
    "future date": ("USD,ARS,1000,2999-01-01", "is in the future"),
    "escape in a source": ("USD,ARS,1000,2025-01-02,official,bank\x1b[2J", "control characters"),
    "escape in a currency": ("U\x1bSD,ARS,1000,2025-01-02", "unknown currency 'U\\x1bSD'"),
    "field past csv's limit": ("USD,ARS,1000," + "9" * 200_000, "unreadable CSV"),
}


@pytest.mark.parametrize("case", RATE_BAD, ids=list(RATE_BAD))
def test_a_hostile_rates_file_names_the_line_and_imports_nothing(tmp_path, db, case):
    row, expected = RATE_BAD[case]
    f = tmp_path / "rates.csv"
    f.write_bytes(f"base,quote,rate,date,kind,source\nUSD,ARS,1000,2025-01-01\n{row}\n".encode())
    before = dump(db)
    r = runner.invoke(app, ["rates", "import", str(f), "--db", str(db)], env=ENV)
    msg = one_line(r, "line 3: ", expected)
    assert "\x1b" not in msg
    assert dump(db) == before
    with pytest.raises(InputError):
        parse_rates_file(f.read_bytes(), "rates.csv")


@pytest.mark.parametrize("value,expected", [
    ("1e400", "outside"), ("1e-400", "outside"), ("1" + "0" * 40, "outside"),
    ("1e9999999999999999999999", "is out of range"), ("nan", "not a number"),
    ("inf", "not a number"), ("-5", "must be positive"), ("0", "must be positive"),
])
def test_rates_set_refuses_absurd_rates(tmp_path, db, value, expected):
    before = dump(db)
    r = runner.invoke(app, ["rates", "set", "USD", "ARS", value, "--date", "2025-01-01",
                            "--db", str(db)], env=ENV)
    one_line(r, expected)
    assert dump(db) == before


# -- 3/12/13. catalog update against a local server ---------------------------------------
class _Handler(BaseHTTPRequestHandler):
    archive = b""
    hits: Counter = Counter()

    def log_message(self, *args):
        pass

    def _send(self, status: int, body: bytes, ctype: str, length: int | None = None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client may leave first (timeouts, caps)
            self.wfile.write(body)

    def do_GET(self):  # noqa: N802 - http.server's name
        path = self.path.split("?")[0]
        self.hits[path] += 1
        gz = "application/gzip"
        if path == "/ok.tar.gz":
            self._send(200, self.archive, gz)
        elif path == "/page.tar.gz":
            self._send(200, b"<!doctype html><html><body>Sign in</body></html>", "text/html")
        elif path == "/html-as-gzip.tar.gz":
            self._send(200, b"<!doctype html><html><body>Not here</body></html>", gz)
        elif path == "/500.tar.gz":
            self._send(500, b"oops", "text/plain")
        elif path == "/404.tar.gz":
            self._send(404, b"<html>not found</html>", "text/html")
        elif path == "/flaky.tar.gz":
            if self.hits[path] == 1:
                self._send(503, b"busy", "text/plain")
            else:
                self._send(200, self.archive, gz)
        elif path == "/truncated.tar.gz":
            self._send(200, self.archive[: len(self.archive) // 2], gz, length=len(self.archive))
            self.close_connection = True
        elif path == "/slow.tar.gz":
            time.sleep(3)
            self._send(200, self.archive, gz)
        elif path == "/big.tar.gz":
            self._send(200, b"", gz, length=10**12)
        elif path == "/endless.tar.gz":
            self.send_response(200)
            self.send_header("Content-Type", gz)
            self.end_headers()
            with contextlib.suppress(OSError):
                for _ in range(64):
                    self.wfile.write(b"\0" * 65536)
        elif path == "/to-file.tar.gz":
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._send(404, b"", "text/plain")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that hung up (the timeout and size-cap cases) is expected


@pytest.fixture
def server(tmp_path, monkeypatch):
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))  # to see that nothing is left there
    monkeypatch.setattr("dlrig.sources.http.BACKOFF_S", 0.05)
    _Handler.archive = tar_sample(write_sample(tmp_path / "co"), tmp_path / "a.tar.gz").read_bytes()
    _Handler.hits = Counter()
    httpd = _Server(("127.0.0.1", 0), _Handler)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", temp
    httpd.shutdown()
    httpd.server_close()


def _update(url: str, db: Path, *extra: str):
    return runner.invoke(app, ["catalog", "update", "--url", url, "--db", str(db), *extra], env=ENV)


def test_update_downloads_and_imports(server, tmp_path, sample_parts):
    base, temp = server
    dbp = tmp_path / "u.db"
    r = _update(f"{base}/ok.tar.gz", dbp)
    assert r.exit_code == 0, r.output
    with Database(dbp) as d:
        assert sample_parts <= {row[0] for row in d.conn.execute("SELECT id FROM parts")}
    assert list(temp.iterdir()) == []


def test_a_server_error_is_tried_again(server, tmp_path):
    base, _ = server
    r = _update(f"{base}/flaky.tar.gz", tmp_path / "f.db")
    assert r.exit_code == 0, r.output
    assert _Handler.hits["/flaky.tar.gz"] == 2


UPDATE_FAILS = {
    "an HTML page": ("/page.tar.gz", [], "the server sent a web page, not an archive"),
    "HTML served as gzip": ("/html-as-gzip.tar.gz", [], "not a .tar.gz archive (it looks like a web page"),
    "HTTP 500": ("/500.tar.gz", ["--retries", "1"], "HTTP 500"),
    "HTTP 404": ("/404.tar.gz", [], "HTTP 404"),
    "a cut-off body": ("/truncated.tar.gz", ["--retries", "1"], "download failed"),
    "a slow server": ("/slow.tar.gz", ["--timeout", "0.5", "--retries", "0"],
                      "no answer within 0.5 s"),
    "a body past the cap": ("/big.tar.gz", [], "more than the"),
    "an endless body": ("/endless.tar.gz", [], "more than the 1 MB dlrig reads"),
    "a redirect to file://": ("/to-file.tar.gz", [], "download failed"),
}


@pytest.mark.parametrize("case", UPDATE_FAILS, ids=list(UPDATE_FAILS))
@pytest.mark.parametrize("existing", [True, False], ids=["existing db", "no db yet"])
def test_a_failed_update_changes_nothing_and_leaves_no_file(server, tmp_path, db, monkeypatch,
                                                              case, existing):
    base, temp = server
    path, extra, expected = UPDATE_FAILS[case]
    if case == "an endless body":
        monkeypatch.setitem(LIMITS, "archive", 1 * MB)
    target = db if existing else tmp_path / "never.db"
    before = dump(db)
    t0 = time.perf_counter()
    r = _update(base + path, target, *extra)
    one_line(r, expected, code=2 if case == "HTML served as gzip" else NetworkError.exit_code)
    assert time.perf_counter() - t0 < 15
    assert dump(db) == before
    assert existing or not target.exists()
    assert list(temp.iterdir()) == []  # the temporary download is gone


@pytest.mark.parametrize("url,expected", [
    ("file:///etc/passwd", "is a file:// address"),
    ("ftp://127.0.0.1/x.tar.gz", "is a ftp:// address"),
    ("127.0.0.1/x.tar.gz", "is no http(s) address"),
    ("http:///x.tar.gz", "names no host"),
    ("http://[::1/x", "is not a URL"),
    ("http://127.0.0.1/a\nb", "holds control characters"),
])
def test_update_takes_only_http_urls(tmp_path, url, expected):
    r = _update(url, tmp_path / "x.db")
    msg = one_line(r, expected, "--url")
    assert "\n" not in msg
    assert not (tmp_path / "x.db").exists()


@pytest.mark.parametrize("value", ["-1", "0", "inf", "nan", "-inf", "soon"])
def test_update_timeout_must_be_finite_and_positive(tmp_path, capsys, value):
    with pytest.raises(SystemExit) as e:
        main(["catalog", "update", "--url", "http://127.0.0.1:9/x.tar.gz", "--timeout", value,
              "--db", str(tmp_path / "t.db")])
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert e.value.code == 2 and len(lines) == 1 and "--timeout" in lines[0], err
    assert not (tmp_path / "t.db").exists()
