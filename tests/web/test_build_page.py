"""The Build page: an empty list filled slot by slot through the picker, by links only."""

from __future__ import annotations

import re
from html import unescape

J = {"Accept": "application/json"}


def links(html: str, cls: str) -> list[str]:
    return [unescape(h) for h in re.findall(rf'class="{cls}[^"]*" href="([^"]+)"', html)]


def test_the_build_page_starts_empty_with_one_choose_per_slot(client):
    r = client.get("/build?market=us")
    assert r.status_code == 200
    for slot in ("cpu", "cooler", "motherboard", "memory", "storage", "gpu", "case", "psu"):
        assert f'/build/pick/{slot}?' in r.text
    assert 'id="verdict"' in r.text and "INCOMPLETE" in r.text
    assert '<a href="/build"' in r.text  # in the menu


def test_choose_replace_remove_by_links(client):
    r = client.get("/build/pick/cpu?market=us")
    assert r.status_code == 200 and "Intel Pentium G4560" in r.text
    choose = links(r.text, "choose")
    g4560 = next(u for u in choose if "g4560" in u)
    page = client.get(g4560).text
    assert "Intel Pentium G4560" in page and 'id="total"' in page
    assert re.search(r'id="total">64 USD', page)  # the test catalog's price
    replace = links(page, "replace")[0]
    assert "replace=cpu%2Fg4560" in replace or "replace=cpu/g4560" in replace
    alt = client.get(replace.split("#")[0] + "&format=json").json()["picker"]
    assert alt["replacing"] == "cpu/g4560"
    assert "cpu/g4560" not in [x["id"] for x in alt["rows"] + alt["others"]]  # not its own
    removed = client.get(links(page, "remove")[0]).text
    assert "Intel Pentium G4560" not in removed and "Choose a CPU" in removed


def test_the_verdict_power_and_total_follow_the_list(client):
    j = client.get("/build?p=cpu/g4560&p=mb/b250m&market=us", headers=J).json()
    assert j["result"]["ok"] is True and j["total"]["amount"] == 64 + 75
    j2 = client.get("/build?p=cpu/r5-1600&p=mb/b250m&market=us", headers=J).json()
    assert j2["result"]["ok"] is False  # AM4 CPU on an LGA1151 board
    assert any(f["rule"] == "platform.socket" for f in j2["result"]["findings"])
    p1 = j["result"]["power"]["sustained_w"]
    j3 = client.get("/build?p=cpu/g4560&p=mb/b250m&p=gpu/gtx1070&market=us", headers=J).json()
    assert j3["result"]["power"]["sustained_w"] > p1 and j3["total"]["amount"] == 64 + 75 + 379


def test_the_picker_refuses_an_incompatible_board_and_says_why(client):
    r = client.get("/build/pick/cpu?p=mb/b250m&p=gpu/gtx1070&market=us&format=json")
    j = r.json()["picker"]
    assert [x["id"] for x in j["rows"]] == ["cpu/g4560"]
    other = j["others"][0]
    assert other["id"] == "cpu/r5-1600" and other["status"] == "incompatible"
    assert "AM4" in other["reason"] and "LGA1151" in other["reason"]
    html = client.get("/build/pick/cpu?p=mb/b250m&market=us&all=1").text
    assert 'data-status="incompatible"' in html and "AM4" in html


def test_quantities_and_a_second_drive(client):
    page = client.get("/build?p=gpu/gtx1070&p=ssd/120&market=us").text
    more = [u for u in links(page, "more")]
    assert any("gtx1070%2A2" in u or "gtx1070*2" in u for u in more)
    j = client.get("/build?p=gpu/gtx1070*2&market=us", headers=J).json()
    assert j["total"]["amount"] == 2 * 379
    assert "Add another" in page


def test_filters_in_the_url(client):
    j = client.get("/build/pick/gpu?market=us&vram=8&format=json").json()["picker"]
    assert [x["id"] for x in j["rows"]] == ["gpu/gtx1070"]  # 8 GB; the GTX 1060 has 6
    j = client.get("/build/pick/gpu?market=us&price_max=300&format=json").json()["picker"]
    assert [x["id"] for x in j["rows"]] == ["gpu/gtx1060"]
    j = client.get("/build/pick/gpu?market=us&q=zotac&format=json").json()["picker"]
    assert [x["id"] for x in j["rows"]] == ["gpu/gtx1070"]
    row = j["rows"][0]
    assert row["unit_price"]["date"] == "2017-05-20" and row["unit_price"]["source"] == "test"


def test_bad_input_is_a_message_not_a_traceback(client):
    r = client.get("/build/pick/gpu?market=us&price_max=abc", headers=J)
    assert r.status_code == 422 and "not a number" in r.json()["errors"]["price_max"]
    r = client.get("/build/pick/spoiler?market=us")
    assert r.status_code == 404 and "unknown slot" in r.text
    r = client.get("/build/pick/gpu?market=us&replace=gpu/nope", headers=J)
    assert r.status_code == 422 and "to replace" in r.json()["errors"]["replace"]
    r = client.get("/build?p=nope", headers=J)
    assert r.status_code == 422 and "unknown part" in r.json()["errors"]["parts"]


def test_swap_rows_can_be_removed_and_every_slot_added(client):
    page = client.get("/swap?p=cpu/g4560&p=mb/b250m&p=gpu/gtx1070&market=us&slot=gpu").text
    assert 'id="picker"' in page and 'class="remove"' in page
    assert "/build?p=cpu" in page  # edit line by line
