"""Swap: alternatives for a slot, the new build's findings."""

from __future__ import annotations

from urllib.parse import urlencode

J = {"Accept": "application/json"}
BASE = [("p", "cpu/intel-pentium-g4560"), ("p", "gpu/zotac-geforce-gtx-1070-mini"),
        ("p", "memory/kingston-hyperx-fury-16gb-2x8gb-ddr4-2400"),
        ("p", "motherboard/gigabyte-ga-b250m-ds3h"), ("p", "storage/sandisk-ssd-plus-120gb"),
        ("p", "psu/evga-500-w1"), ("market", "ar-2017-05")]


def url(case="case/corsair-carbide-100r", **extra):
    return "/swap?" + urlencode([*BASE, ("p", case), *extra.items()])


def test_case_alternatives_split_by_compatibility(real_client):
    j = real_client.get(url(slot="case"), headers=J).json()
    alts = {a["id"]: a for a in j["alternatives"]}
    core = alts["case/thermaltake-core-v1"]
    assert core["compatible"] is False and core["conflict"]["rule"] == "fit.form-factor"
    assert any(a["compatible"] for a in alts.values())
    assert "case/corsair-carbide-100r" not in alts  # the current part is not its own alternative
    assert core["delta_price"]["currency"] == "ARS"


def test_choosing_the_core_v1_shows_the_form_factor_error(real_client):
    page = real_client.get(url(slot="case")).text
    assert "Thermaltake Core V1" in page
    r = real_client.get(url("case/thermaltake-core-v1", slot="case", was="case/corsair-carbide-100r"))
    assert r.status_code == 200
    assert 'data-rule="fit.form-factor"' in r.text and 'id="swapped"' in r.text
    j = real_client.get(url("case/thermaltake-core-v1"), headers=J).json()
    assert j["result"]["ok"] is False


def test_gpu_alternatives_carry_the_throughput_difference(real_client):
    j = real_client.get(url(slot="gpu"), headers=J).json()
    by = {a["id"]: a for a in j["alternatives"]}
    up = [a for a in by.values() if "1080" in a["name"]]
    down = [a for a in by.values() if "1060" in a["name"]]
    assert up and all(a["delta_throughput_pct"] > 0 for a in up)
    assert down and all(a["delta_throughput_pct"] < 0 and a["delta_price"]["amount"] < 0
                    for a in down)


def test_only_parts_on_sale_in_the_market_are_offered(real_client):
    j = real_client.get(url(slot="gpu"), headers=J).json()
    assert all(a["price"] is not None for a in j["alternatives"])
    assert not any("RTX" in a["name"] for a in j["alternatives"])  # 2017: no RTX cards yet


def test_no_build_shows_the_load_form_and_a_pasted_list_loads(real_client):
    r = real_client.get("/swap")
    assert r.status_code == 200 and 'name="parts"' in r.text
    md = open_partlist()
    if md is None:
        return
    r = real_client.post("/swap", data={"parts": md, "market": "ar-2017-05"})
    assert r.status_code == 200 and "/swap?p=" in r.text


def test_bad_slot_and_unknown_part(real_client):
    j = real_client.get(url(slot="spoiler"), headers=J)
    assert j.status_code == 422 and "spoiler" in j.json()["errors"]["slot"]
    j = real_client.get("/swap?p=case/nope", headers=J)
    assert j.status_code == 422 and "unknown part" in j.json()["errors"]["parts"]


def open_partlist():
    from pathlib import Path

    p = Path(__file__).resolve().parents[2] / "examples" / "ar-2017-05" / "partlist.md"
    return p.read_text(encoding="utf-8") if p.is_file() else None


def test_undo_puts_a_several_line_slot_back_exactly(real_client):
    """Two GPU lines (1 x GTX 1070, 2 x GTX 1060 6GB); a swap replaces the first line, and
    Undo must bring back both lines with their quantities, not one line of one part."""
    import html
    import re

    two = [(k, v) for k, v in BASE if not v.startswith("gpu/")] + [
        ("p", "gpu/zotac-geforce-gtx-1070-mini"), ("p", "gpu/zotac-geforce-gtx-1060-6gb-mini*2"),
        ("p", "case/corsair-carbide-100r")]
    page = real_client.get("/swap?" + urlencode([*two, ("slot", "gpu")])).text
    links = [html.unescape(h) for h in re.findall(r'href="(/swap\?[^"]*was=[^"]*)"', page)]
    assert links, "no row links to a swapped build"
    swapped = real_client.get(links[0]).text
    undo = html.unescape(re.search(r'<a href="(/swap\?[^"]*)">Undo</a>', swapped).group(1))
    back = real_client.get(undo, headers=J).json()["build"]
    gpus = sorted((i["part"]["id"], i["quantity"]) for i in back["items"]
                  if i["part"]["category"] == "gpu")
    assert gpus == [("gpu/zotac-geforce-gtx-1060-6gb-mini", 2),
                    ("gpu/zotac-geforce-gtx-1070-mini", 1)]
