"""PCPartPicker-style price import: matching rules, the report, review rows."""

from __future__ import annotations

import datetime as dt

import pytest
from test_store_sample import pcpp_imported

from dlrig.catalog import Catalog
from dlrig.catalog.matching import Matcher, model_tokens, spec_filters
from dlrig.catalog.pcpp import price_minor
from dlrig.parts import Category, Cpu, Gpu, Motherboard
from dlrig.store import Database, load_catalog
from dlrig.store.queries import unmatched


def _cpu(pid, name, cores=20):
    return Cpu(id=pid, name=name, socket="LGA1700", microarchitecture="Raptor Lake Refresh",
               generation="intel-14", cores=cores, threads=28, base_clock_ghz=3.4, tdp_w=125)


def _board(pid, name, memory_type="DDR4"):
    return Motherboard(id=pid, name=name, socket="AM4", chipset="B550", form_factor="ATX",
                       memory_type=memory_type, memory_slots=4, max_memory_gb=128)


def _gpu(pid, name, chipset="GeForce RTX 3060 12 GB", length=235):
    return Gpu(id=pid, name=name, chipset=chipset, vram_gb=12, length_mm=length, board_power_w=170)


@pytest.fixture
def matcher():
    return Matcher(Catalog(parts=[
        _cpu("cpu/k", "Intel Core i7 14700K"), _cpu("cpu/kf", "Intel Core i7 14700KF"),
        _board("mb/e", "ASUS ROG STRIX B550-E GAMING"), _board("mb/f", "ASUS ROG STRIX B550-F GAMING WIFI"),
        _board("mb/d4", "ASUS TUF B550-PLUS D4"), _board("mb/d5", "ASUS TUF B550-PLUS", "DDR5"),
        _gpu("gpu/ventus", "MSI GeForce RTX 3060 Ventus 2X 12G"),
        _gpu("gpu/generic-geforce-rtx-3060-12-gb-12gb", "GeForce RTX 3060 12 GB (any board)", length=300),
    ]))


def test_model_numbers_must_all_appear(matcher):
    assert matcher.match(Category.cpu, "Intel Core i7-14700K").part_id == "cpu/k"
    assert matcher.match(Category.cpu, "Intel Core i7-14700KF").part_id == "cpu/kf"
    assert matcher.match(Category.cpu, "Intel Core i7-13700K").status == "unmatched"
    assert matcher.match(Category.motherboard, "Asus ROG STRIX B550-F GAMING WIFI").part_id == "mb/f"
    assert matcher.match(Category.motherboard, "Asus ROG STRIX B550-F GAMING").part_id == "mb/f"
    assert model_tokens("Corsair Vengeance 32 GB") == set()  # sizes are spec filters, not names


def test_spec_filter_rejects_a_matching_name_with_other_specs(matcher):
    keep = spec_filters(Category.cpu, {"core_count": 8})
    assert matcher.match(Category.cpu, "Intel Core i7-14700K", keep).status == "unmatched"


def test_fewest_extra_words_wins(matcher):
    assert matcher.match(Category.motherboard, "Asus TUF B550-PLUS").part_id == "mb/d5"


def test_gpu_board_then_chip_level_entry(matcher):
    m = matcher.match_gpu("MSI GeForce RTX 3060 Ventus 2X 12G", "GeForce RTX 3060 12GB", 12, 235)
    assert (m.status, m.part_id, m.how) == ("matched", "gpu/ventus", "name")
    m = matcher.match_gpu("Zotac Twin Edge", "GeForce RTX 3060 12GB", 12, 224)
    assert (m.part_id, m.how) == ("gpu/generic-geforce-rtx-3060-12-gb-12gb", "chip")
    assert matcher.match_gpu("X", "GeForce RTX 3060 LHR", 12).how == "chip"  # LHR is the same chip
    assert matcher.match_gpu("X", "Voodoo 5 6000", 0.1).status == "unmatched"


@pytest.mark.parametrize("raw,cents", [(299.97, 29997), ("1519", 151900), (None, None), (0, None),
                                       (-5, None), ("abc", None), (True, None)])
def test_price_minor(raw, cents):
    assert price_minor(raw) == cents


@pytest.mark.shared_data
def test_2025_snapshot_match_rates_meet_the_targets():
    _, results = pcpp_imported()
    res = results[dt.date(2025, 7, 23)]
    gpu, cpu, mb = (res.categories[c] for c in (Category.gpu, Category.cpu, Category.motherboard))
    assert gpu.priced > 1000 and gpu.rate() >= 0.80, gpu
    assert cpu.priced > 400 and cpu.rate() >= 0.65, cpu
    assert mb.priced > 800 and mb.rate() >= 0.65, mb
    for r in res.categories.values():
        assert r.matched + r.ambiguous + r.unmatched == r.priced  # every priced row accounted for


@pytest.mark.shared_data
def test_unmatched_rows_are_kept_for_review_and_prices_form_a_history():
    path, results = pcpp_imported()
    res = results[dt.date(2025, 7, 23)]
    with Database(path) as db:
        total, _ = unmatched(db, "pcpp", dt.date(2025, 7, 23), limit=1)
        n_prices = db.conn.execute("SELECT COUNT(*) FROM prices WHERE date = '2025-07-23'").fetchone()[0]
        two = db.conn.execute("SELECT COUNT(*) FROM (SELECT part_id FROM prices GROUP BY part_id "
                              "HAVING COUNT(DISTINCT date) >= 2)").fetchone()[0]
    assert total == len(res.review) == sum(r.ambiguous + r.unmatched for r in res.categories.values())
    assert n_prices == res.written > 3000
    assert two > 1000  # parts priced in both snapshots: a real history
    cat = load_catalog(path, as_of=dt.date(2024, 12, 31))
    assert all(p.date <= dt.date(2024, 12, 31) for part in cat.parts() for p in cat.prices(part.id))
