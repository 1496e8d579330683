"""Build files: catalog refs, inline parts, quantities, PCPartPicker lists, and
one-line errors naming the file, the part and the field."""

from __future__ import annotations

import pytest

from dlrig.build import build_from_dict, load_build, parse_pcpp_markdown
from dlrig.catalog import Catalog
from dlrig.errors import BuildFileError
from dlrig.store import builtin_catalog

INLINE_GPU = {"category": "gpu", "name": "My GTX 1070", "chipset": "GeForce GTX 1070",
              "vram_gb": 8, "board_power_w": 150, "length_mm": 210}

PCPP = """Type|Item|Price
:----|:----|:----
**CPU** | [Intel Pentium G4560 3.5 GHz Dual-Core Processor](https://pcpartpicker.com/product/a) | $64.99
**Motherboard** | [Gigabyte GA-B250M-DS3H Micro ATX LGA1151 Motherboard](https://pcpartpicker.com/product/b) | $79.99
**Memory** | [Kingston HyperX Fury 16 GB (2 x 8 GB) DDR4-2400 CL15 Memory](https://pcpartpicker.com/product/c) | $119.99
**Storage** | [SanDisk SSD PLUS 120 GB 2.5" Solid State Drive](https://pcpartpicker.com/product/d) | $49.99
**Video Card** | [Zotac GeForce GTX 1070 8 GB Mini Video Card](https://pcpartpicker.com/product/e) | $379.99
**Case** | [Corsair Carbide 100R ATX Mid Tower Case](https://pcpartpicker.com/product/f) | $59.99
**Power Supply** | [EVGA 500 W1 500 W 80+ Certified ATX Power Supply](https://pcpartpicker.com/product/g) | $39.99
"""


@pytest.fixture(scope="module")
def catalog():
    return builtin_catalog()


def test_refs_by_id_and_name_with_quantity(catalog, tmp_path):
    f = tmp_path / "b.toml"
    f.write_text('name = "x"\n[[part]]\nref = "cpu/intel-pentium-g4560"\n'
                 '[[part]]\nref = "Zotac GeForce GTX 1070 Mini"\nquantity = 2\n')
    b = load_build(f, catalog)
    assert b.name == "x"
    assert b.cpu.id == "cpu/intel-pentium-g4560"
    assert len(b.gpus) == 2 and b.gpus[0].id == "gpu/zotac-geforce-gtx-1070-mini"


def test_inline_part_gets_an_inline_id():
    b = build_from_dict({"part": [INLINE_GPU]}, Catalog(), "t.toml")
    assert b.gpus[0].id == "inline/my-gtx-1070"
    assert b.gpus[0].length_mm == 210


def test_pcpartpicker_markdown(catalog, tmp_path):
    f = tmp_path / "list.md"
    f.write_text(PCPP)
    b = load_build(f, catalog)
    assert {i.part.id for i in b.items} == {
        "cpu/intel-pentium-g4560", "motherboard/gigabyte-ga-b250m-ds3h",
        "memory/kingston-hyperx-fury-16gb-2x8gb-ddr4-2400", "storage/sandisk-ssd-plus-120gb",
        "gpu/zotac-geforce-gtx-1070-mini", "case/corsair-carbide-100r", "psu/evga-500-w1"}


def test_pcpartpicker_unknown_row_names_line_and_closest(catalog):
    text = PCPP.replace("Zotac GeForce GTX 1070 8 GB Mini", "Acme Hyperblaster 9000")
    with pytest.raises(BuildFileError) as e:
        parse_pcpp_markdown(text, catalog, "list.md")
    msg = e.value.one_line()
    assert "list.md" in msg and "line 7" in msg and "Acme Hyperblaster 9000" in msg


@pytest.mark.parametrize("part, expect", [
    ({"ref": "cpu/intel-pentium-g4560", "quantity": -1}, ["part 1", "quantity", "-1"]),
    ({"ref": "cpu/intel-pentium-g4560", "quantity": "two"}, ["quantity", "'two'"]),
    (dict(INLINE_GPU, length_mm="210 mm"), ["part 1", "My GTX 1070", "length_mm", "210 mm"]),
    (dict(INLINE_GPU, vram_gb=-8), ["My GTX 1070", "vram_gb"]),
    ({"category": "gpu", "name": "Half"}, ["Half", "chipset"]),
    ({"category": "gizmo", "name": "Thing"}, ["Thing", "gizmo"]),
    ({"name": "Nothing"}, ["Nothing", "ref", "category"]),
    ({"ref": "intel pentum g4650"}, ["unknown part", "closest matches", "G4560"]),
])
def test_bad_parts_are_one_line_errors_naming_file_part_and_field(catalog, part, expect):
    with pytest.raises(BuildFileError) as e:
        build_from_dict({"part": [part]}, catalog, "my-build.toml")
    msg = e.value.one_line()
    assert "\n" not in msg
    assert msg.startswith("my-build.toml")
    for s in expect:
        assert s in msg, (s, msg)


def test_missing_and_broken_files(catalog, tmp_path):
    with pytest.raises(BuildFileError, match="not found"):
        load_build(tmp_path / "nope.toml", catalog)
    f = tmp_path / "broken.toml"
    f.write_text("[[part]\nref = ")
    with pytest.raises(BuildFileError, match="invalid TOML") as e:
        load_build(f, catalog)
    assert str(f) in e.value.one_line()


def test_pcpartpicker_plain_text_export_reads_as_the_markdown_table(tmp_path):
    """PCPartPicker's "Text" export ("CPU: ... ($64.00 @ Amazon)") is the same list as its
    markdown table (examples/ar-2017-05/partlist.md): the same parts, each row's line."""
    from dlrig.build import load_build, looks_like_pcpp
    from dlrig.catalog import builtin

    text = "\n".join([
        "PCPartPicker Part List: https://pcpartpicker.com/list/NLN6Z8",
        "",
        "CPU: Intel Pentium G4560 3.5 GHz Dual-Core Processor  (ARS 1,300.00)",
        "Motherboard: Gigabyte GA-B250M-DS3H Micro ATX LGA1151 Motherboard  (ARS 1,650.00)",
        "Memory: Kingston HyperX Fury 16 GB (2 x 8 GB) DDR4-2400 CL15 Memory  (ARS 2,250.00)",
        "Storage: SanDisk SSD Plus 120 GB 2.5\" Solid State Drive",
        "Video Card: Zotac GeForce GTX 1070 8 GB Mini Video Card  (ARS 7,700.00)",
        "Case: Corsair Carbide 100R ATX Mid Tower Case  (ARS 1,050.00)",
        "Power Supply: EVGA 500 W 80+ Certified ATX Power Supply  (ARS 1,000.00)",
        "Total: ARS 15,900.00",
        "Generated by PCPartPicker 2017-05-31 10:00 EDT-0400",
    ]) + "\n"
    assert looks_like_pcpp(text)
    f = tmp_path / "list.txt"
    f.write_text(text, encoding="utf-8")
    cat = builtin()
    plain = load_build(f, cat)
    from pathlib import Path

    examples = Path(__file__).resolve().parents[1] / "examples" / "ar-2017-05"
    table = load_build(examples / "partlist.md", cat)
    assert sorted(i.part.id for i in plain.items) == sorted(i.part.id for i in table.items)
    assert [m.line for m in plain.matches] == [3, 4, 5, 6, 7, 8, 9]
