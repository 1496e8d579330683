"""Hostile queries on the part picker's pages and the chart routes (issue 15's new surfaces).

Whatever a URL holds (random keys and values for every picker parameter: the build's ``p=``
lines, words, each slot's filters, the price range, condition, sort, order, page, per page,
replace, quantity; or random chart parameters), the answer is a page or a 4xx with one
message per field, never a 500 and never a traceback. Runs on the web tests' small catalog
(tests/web/conftest.py) so each request takes milliseconds; derandomized, modest budgets.
"""

from __future__ import annotations

import pytest
from conftest import FOUNDING
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_hostile_cli import VALUES

from dlrig.parts import Category
from dlrig.picker import filters_for

J = {"Accept": "application/json"}
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])
PICKER_KEYS = sorted({f.key for c in Category for f in filters_for(c)}
                     | {"q", "price_min", "price_max", "condition", "sort", "order", "page",
                        "per_page", "all", "unpriced", "replace", "qty", "p", "market",
                        "workload", "name", "was", "circuit", "dataset_gb", "bios"})
PART_REFS = st.sampled_from([*FOUNDING, "gpu/gtx1060", "cpu/r5-1600", "case/corev1"])
WORDS = st.sampled_from(["us", "ar", "new", "used", "any", "price", "throughput", "value",
                         "vram", "cores", "asc", "desc", "1", "8", "16", "24", "AM4", "ATX",
                         "Mini-ITX", "gtx", "\x1b[2J", "<script>", "%00", "x" * 300])
VALUE = st.one_of(VALUES, WORDS, PART_REFS,
                  st.tuples(PART_REFS, VALUES).map(lambda t: f"{t[0]}*{t[1]}"))
PARAMS = st.lists(st.tuples(st.sampled_from(PICKER_KEYS), VALUE), max_size=8)


@pytest.fixture(scope="module")
def app_client(catalog):
    """The app over the small catalog, answering 500s instead of raising them: the test
    sees the status a person would."""
    from dlrig.web import create_app

    return TestClient(create_app(catalog=catalog), raise_server_exceptions=False)


def _messages(body) -> list[str]:
    """Every error message of a JSON answer (``error`` or ``errors: {field: message}``)."""
    out = []
    if isinstance(body, dict):
        if isinstance(body.get("error"), str):
            out.append(body["error"])
        if isinstance(body.get("errors"), dict):
            out.extend(str(v) for v in body["errors"].values())
    return out


def answered(r, *, json: bool) -> None:
    """A page or a 4xx that says what is wrong in one line per field; never a 500."""
    assert r.status_code < 500, (r.status_code, r.text[:500])
    assert "Traceback" not in r.text
    if not json or "json" not in r.headers.get("content-type", ""):
        return
    msgs = _messages(r.json())
    if r.status_code >= 400:
        assert msgs, r.text[:500]
    for m in msgs:  # JSON escapes control characters; a message is still one line
        assert m.strip() and "\n" not in m and "\r" not in m, m


BASE = [("p", x) for x in FOUNDING] + [("market", "us")]


@SETTINGS
@given(slot=st.sampled_from([c.value for c in Category]), params=PARAMS,
       full=st.booleans(), as_json=st.booleans())
def test_random_build_picker_queries_never_500(app_client, slot, params, full, as_json):
    r = app_client.get(f"/build/pick/{slot}", params=(BASE if full else []) + params,
                       headers=J if as_json else {})
    answered(r, json=as_json)


@SETTINGS
@given(params=PARAMS, as_json=st.booleans())
def test_random_build_lists_never_500(app_client, params, as_json):
    r = app_client.get("/build", params=params, headers=J if as_json else {})
    answered(r, json=as_json)


@SETTINGS
@given(slot=st.sampled_from([c.value for c in Category]), params=PARAMS, as_json=st.booleans())
def test_random_swap_queries_never_500(app_client, slot, params, as_json):
    r = app_client.get("/swap", params=[*BASE, ("slot", slot), *params],
                       headers=J if as_json else {})
    answered(r, json=as_json)


CHART_KEYS = ["from", "to", "step", "market", "workload", "currency", "part", "sort", "order",
              "all", "show", "below_floor", "count", "circuit", "dataset_gb"]
CHART_VALUE = st.one_of(VALUES, WORDS, st.sampled_from(["900", "1000", "100", "gpu/gtx1070",
                                                        "cnn", "USD", "priced", "all"]))


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(["/sweep.svg", "/prices.svg", "/gpus.svg"]),
       params=st.lists(st.tuples(st.sampled_from(CHART_KEYS), CHART_VALUE), max_size=6))
def test_random_chart_queries_never_500(app_client, route, params):
    r = app_client.get(route, params=params)
    assert r.status_code < 500, (r.status_code, r.text[:500])
    if r.status_code >= 400:
        text = r.text.strip()
        assert text and "\n" not in text and "Traceback" not in text, text[:500]
    else:
        assert r.headers["content-type"].startswith("image/svg+xml")


# -- regressions --------------------------------------------------------------------------

def test_a_swap_undo_of_a_part_from_another_slot_is_not_offered(app_client):
    """Before: ``/swap?slot=cpu&was=gpu/gtx1060`` offered an Undo that put the GPU back in
    place of the GPU line (the ``was`` part was never checked against the slot)."""
    r = app_client.get("/swap", params=[*BASE, ("slot", "cpu"), ("was", "gpu/gtx1060")])
    assert r.status_code == 200 and 'id="swapped"' not in r.text


@pytest.mark.parametrize("path", ["/build", "/build/pick/gpu", "/swap"])
def test_a_superscript_quantity_in_a_build_link_is_a_4xx(app_client, path):
    r = app_client.get(path, params=[("p", "gpu/gtx1070*²"), ("market", "us"), ("slot", "gpu")],
                       headers=J)
    answered(r, json=True)
    assert r.status_code in (400, 422)
