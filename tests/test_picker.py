"""The part picker (dlrig.picker): filters, search, sort, pages and the compatibility
verdict, on the built-in catalog's curated parts (their figures are the makers').

Facts the tests pin, with their sources:
- NVIDIA GeForce RTX 4090 Founders Edition: 24 GB GDDR6X, 304 mm long, 3 slots
  (nvidia.com/en-us/geforce/graphics-cards/40-series/rtx-4090/, "Specs": Length 304 mm).
- NVIDIA GeForce RTX 3090 Founders Edition: 24 GB GDDR6X, 313 mm long
  (nvidia.com/en-us/geforce/graphics-cards/30-series/rtx-3090-3090ti/, "Specs": 313 mm).
- ASUS TUF Gaming GeForce RTX 4090 OC (TUF-RTX4090-O24G-GAMING): 348.2 x 150 x 72.6 mm
  (asus.com, the card's "Tech Specs": Dimensions).
- Fractal Design Meshify C: GPUs up to 315 mm long (fractal-design.com, Meshify C
  "Specifications": GPU max length 315 mm).
- AMD Radeon RX 7900 XTX: 24 GB GDDR6, 287 mm, 355 W typical board power
  (amd.com/en/products/graphics/desktops/radeon/7000-series/amd-radeon-rx-7900xtx.html).
"""

from __future__ import annotations

import datetime as dt

import pytest

from dlrig.build import Build, BuildItem
from dlrig.catalog import Catalog, builtin
from dlrig.parts import Category, Gpu, PowerConnectors, Price
from dlrig.perf import get_workload
from dlrig.picker import PickQuery, empty, parse_query, pick, place, remove, set_quantity
from dlrig.rules import context_for

FE_4090 = "gpu/nvidia-geforce-rtx-4090-founders-edition"
FE_3090 = "gpu/nvidia-geforce-rtx-3090-founders-edition"
TUF_4090 = "gpu/asus-tuf-geforce-rtx-4090-oc"
MESHIFY_C = "case/fractal-design-meshify-c"
RADEON = "gpu/amd-radeon-rx-7900-xtx"
WL = get_workload("cnn")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    """The built-in catalog plus AMD's reference RX 7900 XTX (from AMD's page above)."""
    b = builtin()
    radeon = Gpu(id=RADEON, name="AMD Radeon RX 7900 XTX", chipset="Radeon RX 7900 XTX",
                 vram_gb=24, length_mm=287, slot_width=2.5, board_power_w=355,
                 power_connectors=PowerConnectors(pin8=2), source="AMD product page")
    prices = [(p.id, q) for p in b.parts() for q in b.prices(p.id)]
    prices.append((RADEON, Price(market="us", amount_minor=99_900, currency="USD",
                                 date=dt.date(2022, 12, 13), source="AMD launch price")))
    return Catalog(parts=[*b.parts(), radeon], prices=prices, markets=b.markets.values())


def q(slot: Category, **params) -> PickQuery:
    query, errors = parse_query(slot, {k: v if isinstance(v, list) else [str(v)]
                                       for k, v in params.items()})
    assert not errors, errors
    return query


def run(catalog, build, query, market="us", workload=None):
    return pick(catalog, build, query, context_for(catalog, market, workload=workload),
                market, WL)


def every(catalog, build, query, **kw):
    """All rows over all pages."""
    first = run(catalog, build, query, **kw)
    rows = list(first.rows)
    for n in range(2, first.pages + 1):
        rows += run(catalog, build, PickQuery(**{**query.__dict__, "page": n}), **kw).rows
    return first, rows


def test_a_24_gb_filter_returns_only_24_gb_cards(catalog):
    first, rows = every(catalog, empty(), q(Category.gpu, vram=["24"], condition="any", all=1))
    ids = {r.part.id for r in rows}
    assert {FE_4090, FE_3090, RADEON} <= ids  # 24 GB each, per NVIDIA's and AMD's pages
    assert all(r.part.vram_gb == 24 for r in rows)
    assert len(rows) == first.shown == first.matched
    anyq = catalog.market("us").with_terms(used=True)
    none_left = [p.id for p in catalog.parts(Category.gpu) if p.vram_gb == 24
                 and catalog.local_price(p.id, anyq) is not None and p.id not in ids]
    assert none_left == []


def test_a_315_mm_case_refuses_a_348_mm_4090_and_takes_the_304_mm_fe(catalog):
    build = Build((BuildItem(catalog.get(MESHIFY_C)),))
    first, rows = every(catalog, build, q(Category.gpu, vram=["24"], condition="any", all=1))
    by = {r.part.id: r for r in rows}
    tuf = by[TUF_4090]
    assert tuf.status == "incompatible" and tuf.conflict.rule == "fit.gpu-length"
    assert "348" in tuf.reason and "315" in tuf.reason
    assert by[FE_4090].status == "compatible" and by[FE_3090].status == "compatible"
    # compatible only (the default) leaves the TUF out, and keeps it among the others
    default = run(catalog, build, q(Category.gpu, vram=["24"]))
    assert TUF_4090 not in {r.part.id for r in default.rows}
    assert TUF_4090 in {r.part.id for r in default.others}
    assert default.incompatible >= 1 and default.compatible == default.shown


def test_a_length_filter_reads_the_datasheet_length(catalog):
    _, rows = every(catalog, empty(), q(Category.gpu, length_max=310, vram=["24"], condition="any", all=1))
    ids = {r.part.id for r in rows}
    assert FE_4090 in ids and RADEON in ids  # 304 mm, 287 mm
    assert FE_3090 not in ids and TUF_4090 not in ids  # 313 mm, 348 mm
    assert all(r.part.length_mm is not None and r.part.length_mm <= 310 for r in rows)


def test_a_radeon_says_its_software_is_not_supported_not_minus_100_percent(catalog):
    build = Build((BuildItem(catalog.get(FE_3090)),))
    _, rows = every(catalog, build, q(Category.gpu, q="radeon", condition="any", all=1))
    r = next(r for r in rows if r.part.id == RADEON)
    assert r.status == "unsupported" and not r.compatible
    assert "AMD" in r.reason and "CUDA" in r.reason and "CNN training" in r.reason
    assert r.delta_throughput_pct is None and r.throughput is None
    default = run(catalog, build, q(Category.gpu, q="radeon", replace=FE_3090))
    assert RADEON not in {x.part.id for x in default.rows}
    assert default.unsupported == 1


def test_the_cli_swap_list_says_so_too(catalog, tmp_path, monkeypatch):
    import json

    from typer.testing import CliRunner

    import dlrig.cli.swap
    from dlrig.cli import app

    monkeypatch.setattr(dlrig.cli.swap, "open_catalog", lambda *a, **k: catalog)
    plan = tmp_path / "b.toml"
    plan.write_text(f'name = "b"\nmarket = "us"\npart = [{{ ref = "{FE_3090}" }}]\n')
    args = ["swap", str(plan), "gpu", "-q", "radeon", "--all"]
    r = CliRunner().invoke(app, [*args, "--json"])
    assert r.exit_code == 0, r.output
    a = next(a for a in json.loads(r.stdout)["alternatives"] if a["id"] == RADEON)
    assert a["status"] == "unsupported" and a["delta_throughput_pct"] is None
    assert "CUDA" in a["reason"]
    r = CliRunner().invoke(app, args, env={"COLUMNS": "100"})
    assert "not supported" in r.stdout and "CUDA" in r.stdout and "-100" not in r.stdout


def test_search_needs_every_word(catalog):
    _, rows = every(catalog, empty(), q(Category.gpu, q="4090 founders", all=1))
    assert [r.part.id for r in rows] == [FE_4090]
    _, rows = every(catalog, empty(), q(Category.gpu, q="4090", all=1))
    assert {FE_4090, TUF_4090} <= {r.part.id for r in rows}
    assert all("4090" in r.part.name for r in rows)


def test_price_filter_and_sorts(catalog):
    _, rows = every(catalog, empty(), q(Category.gpu, price_max=1000, sort="price",
                                        order="asc", all=1))
    prices = [r.line_price.amount for r in rows]
    assert rows and all(p <= 1000 for p in prices) and prices == sorted(prices)
    _, rows = every(catalog, empty(), q(Category.gpu, sort="value"))
    values = [r.value for r in rows]
    assert values == sorted(values, reverse=True)
    _, rows = every(catalog, empty(), q(Category.gpu, sort="vram", order="desc"))
    assert [r.part.vram_gb for r in rows] == sorted((r.part.vram_gb for r in rows), reverse=True)


def test_used_condition_reads_used_quotes(catalog):
    # runlocalai.co (May 2026): RTX 4090 "$1,400-1,700 used", midpoint 1,550 (catalog source)
    _, rows = every(catalog, empty(), q(Category.gpu, q="4090 founders", condition="used"))
    assert rows[0].price.condition == "used" and rows[0].line_price.amount == 1550


def test_pages_cover_the_list_once(catalog):
    first, rows = every(catalog, empty(), q(Category.memory, per_page=5))
    assert first.pages == -(-first.shown // 5) and len(rows) == first.shown
    assert len({r.part.id for r in rows}) == len(rows)


def test_bad_values_are_one_line_messages():
    _, errors = parse_query(Category.gpu, {"price_min": ["900"], "price_max": ["100"],
                                           "sort": ["cores"], "length_max": ["long"]})
    assert "below the lowest" in errors["price_max"]
    assert "cannot sort gpu parts by 'cores'" in errors["sort"]
    assert "'long' is not a number" in errors["length_max"]


def test_editing_a_list_line_by_line(catalog):
    cpu_a = catalog.parts(Category.cpu)[0]
    cpu_b = catalog.parts(Category.cpu)[1]
    ssd = catalog.parts(Category.storage)[:2]
    b = place(empty(), cpu_a)
    b = place(b, cpu_b)  # a one-part slot: replaced
    assert [i.part.id for i in b.of(Category.cpu)] == [cpu_b.id]
    b = place(place(b, ssd[0]), ssd[1])  # drives: a second line
    assert [i.part.id for i in b.of(Category.storage)] == [ssd[0].id, ssd[1].id]
    b = place(b, ssd[0])  # the same drive again: one line of two
    assert {i.part.id: i.quantity for i in b.of(Category.storage)} == {ssd[0].id: 2, ssd[1].id: 1}
    b = set_quantity(place(b, catalog.get(FE_3090)), FE_3090, 2)
    assert b.count(Category.gpu) == 2
    b = place(b, catalog.get(FE_4090), replace=FE_3090)  # in place of the line, same count
    assert [(i.part.id, i.quantity) for i in b.of(Category.gpu)] == [(FE_4090, 2)]
    b = remove(b, ssd[1].id)
    assert [i.part.id for i in b.of(Category.storage)] == [ssd[0].id]


def test_a_line_to_replace_must_be_in_the_build(catalog):
    from dlrig.errors import InputError

    with pytest.raises(InputError, match="no gpu"):
        run(catalog, empty(), q(Category.gpu, replace=FE_3090))


def test_the_picker_imports_neither_the_cli_nor_the_web():
    # one library under both front ends: dlrig swap and the web's Swap page call it
    import subprocess
    import sys

    code = ("import sys, dlrig.picker; print(sorted(m for m in sys.modules "
            "if m.startswith(('dlrig.cli', 'dlrig.web'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_numeric_choice_matches_however_it_is_written():
    """'vram=24.0' asks for the same cards as 'vram=24' (a form or a script may write either)."""
    from dlrig.parts import Category
    from dlrig.picker import parse_query

    a, _ = parse_query(Category.gpu, {"vram": ["24.0"]})
    b, _ = parse_query(Category.gpu, {"vram": ["24"]})
    assert a.filters == b.filters == {"vram": {"24"}}
