"""The pages in a real browser (Debian's Chromium through Playwright).

One server and one browser for the session; each test gets a fresh page,
and a failing test leaves a full-page screenshot in ``test-artifacts/``.
Skipped, with the reason, where /usr/bin/chromium or Playwright is missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")  # the browser fixture (conftest) launches it
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
BAD_CSV = "producto;precio\nZotac GeForce GTX 1070 Mini;7.900,00\nIntel Pentium G4560;1.350\nAcme thing;abc\n"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed (apt-get install chromium)"),
]


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    from dlrig.web import create_app
    from dlrig.web.threadserver import serve

    # A database that does not exist yet: the built-in catalog until the first import.
    srv = serve(create_app(db=tmp_path_factory.mktemp("web") / "dlrig.db"))
    yield srv.url
    srv.stop()


@pytest.fixture
def page(browser, request):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    ctx.close()


def _plan_founding(page, server):
    page.goto(f"{server}/plan")
    page.fill("#f-budget", "1,000")
    page.select_option("#f-currency", "USD")
    page.select_option("#f-market", "ar-2017-05")
    page.click("#plan-form button[type=submit]")
    page.wait_for_selector("#build")


def test_plan_the_founding_build(page, server):
    _plan_founding(page, server)
    gpu_row = page.locator('#build tr[data-category="gpu"]')
    assert "GTX 1070" in gpu_row.inner_text()
    total = page.locator("#total").inner_text()
    assert total.endswith("ARS") and total.replace(",", "").split()[0].isdigit()
    assert "USD" in page.locator("#build tfoot").inner_text()


def test_swap_the_case_for_the_core_v1(page, server):
    _plan_founding(page, server)
    page.click("#swap-link")
    page.click('#build tr[data-category="case"] a.swap')
    page.click("details.incompatible summary")
    page.click("text=Thermaltake Core V1")
    page.wait_for_selector('[data-rule="fit.form-factor"]')
    assert "Mini-ITX" in page.locator('[data-rule="fit.form-factor"]').inner_text()
    assert "1 error" in page.locator("dl.facts").inner_text()


def test_check_a_pasted_part_list(page, server):
    page.goto(f"{server}/check")
    page.fill("#f-parts", "Type|Item|Price\n:----|:----|:----\n"
              "**CPU** | Intel Pentium G4560 | $64\n**Motherboard** | Gigabyte GA-B250M-DS3H | $75\n")
    page.click("form button[type=submit]")
    page.wait_for_selector("#verdict")
    assert "Gigabyte GA-B250M-DS3H" in page.locator("table.parts").inner_text()
    assert page.locator(".finding").count() >= 1


def test_upload_a_csv_with_a_bad_row(page, server):
    page.goto(f"{server}/prices")
    page.set_input_files("#f-file", files=[{"name": "lista.csv", "mimeType": "text/csv",
                                            "buffer": BAD_CSV.encode()}])
    page.fill("#f-store", "Mexx")
    page.select_option("#f-market", "ar")
    page.click("#import-form button[type=submit]")
    err = page.wait_for_selector("#err-file")
    assert "line 4" in err.inner_text() and "nothing imported" in err.inner_text()


def test_open_the_sweep_plot(page, server):
    page.goto(f"{server}/sweep")
    page.fill("#f-from", "700")
    page.fill("#f-to", "1100")
    page.fill("#f-step", "200")
    page.select_option("#f-currency", "USD")
    page.select_option("#f-market", "ar-2017-05")
    page.click("form button[type=submit]")
    img = page.wait_for_selector("#sweep-plot img")
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", img)
    with page.expect_popup() as popup:
        page.click("text=Open the plot")
    plot = popup.value
    plot.wait_for_load_state()
    assert plot.locator("svg").count() == 1
