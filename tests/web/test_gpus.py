"""The GPUs page: the library's ranking, sortable, priced in a market."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from dlrig.perf import rank_gpus


def test_ranking_matches_the_library(client, catalog):
    j = client.get("/gpus?workload=cnn&market=us&show=all&below_floor=1",
                   headers={"Accept": "application/json"}).json()
    expected = rank_gpus("cnn", catalog=catalog, market="us")
    assert [g["name"] for g in j["gpus"]] == [s.name for s in expected]
    assert j["gpus"][0]["relative_throughput"] == expected[0].relative_throughput


def test_priced_rows_by_default_with_throughput_per_money(client, catalog):
    j = client.get("/gpus?workload=cnn&market=us", headers={"Accept": "application/json"}).json()
    names = {g["name"] for g in j["gpus"]}
    # As `dlrig gpus`: cards under the workload's VRAM floor (cnn: 8 GB) are hidden by default.
    assert names == {"GeForce GTX 1070"}
    low = client.get("/gpus?workload=cnn&market=us&below_floor=1",
                     headers={"Accept": "application/json"}).json()
    assert {g["name"] for g in low["gpus"]} == {"GeForce GTX 1070", "GeForce GTX 1060 6 GB"}
    for g in j["gpus"]:
        assert g["throughput_per_1000"] is not None and g["throughput_per_1000"] > 0
    page = client.get("/gpus?workload=cnn&market=us").text
    assert "Per 1,000 USD" in page and "379 USD" in page


def test_sorting_by_a_column(client):
    def names(sort, order):
        j = client.get(f"/gpus?workload=cnn&market=us&show=all&sort={sort}&order={order}",
                       headers={"Accept": "application/json"}).json()
        return j["gpus"]

    by_vram = names("vram", "asc")
    assert [g["vram_gb"] for g in by_vram] == sorted(g["vram_gb"] for g in by_vram)
    by_price = names("price", "desc")
    priced = [g for g in by_price if g["price"]]
    assert [g["price"]["amount"] for g in priced] == sorted((g["price"]["amount"] for g in priced),
                                                            reverse=True)
    assert all(g["price"] is None for g in by_price[len(priced):])  # unpriced rows last


def test_estimated_prices_in_another_market(client):
    page = client.get("/gpus?workload=cnn&market=ar").text
    assert "ARS" in page and "est." in page


def test_bad_workload_and_sort(client):
    r = client.get("/gpus?workload=nope&sort=colour", headers={"Accept": "application/json"})
    assert r.status_code == 422
    assert "unknown workload 'nope'" in r.json()["errors"]["workload"]
    assert "colour" in r.json()["errors"]["sort"]
    r = client.get("/gpus?workload=nope")
    assert r.status_code == 422 and 'id="err-workload"' in r.text


def test_value_chart_is_an_svg_url_with_the_page_query(client):
    page = client.get("/gpus?workload=cnn&market=us&below_floor=1&sort=price").text
    src = "/gpus.svg?workload=cnn&amp;market=us&amp;show=priced&amp;below_floor=1"
    assert f'<img src="{src}"' in page
    r = client.get(src.replace("&amp;", "&"))
    assert r.status_code == 200 and r.headers["content-type"] == "image/svg+xml"
    assert ET.fromstring(r.content).tag == "{http://www.w3.org/2000/svg}svg"
    assert "GPU value for" in r.text  # the chart's <title>
    # The same query, sorted another way, draws the same chart.
    same = client.get("/gpus.svg?workload=cnn&market=us&show=priced&below_floor=1&sort=vram")
    assert same.content == r.content


def test_value_chart_errors_are_one_line_text(client):
    r = client.get("/gpus.svg?workload=nope")
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/plain")
    assert "unknown workload 'nope'" in r.text
