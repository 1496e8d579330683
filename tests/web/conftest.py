"""Fixtures for the web tests: a small hand-made catalog and a TestClient.

The catalog is the founding post's build plus a few alternatives, written
here so the page tests do not move when the built-in data grows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dlrig.catalog import Catalog
from dlrig.market import Market, Rate
from dlrig.parts import Case, Cpu, Gpu, Memory, Motherboard, PowerConnectors, Price, Psu, Storage

D = dt.date(2017, 5, 20)


def _price(amount: float, market: str = "us", currency: str = "USD") -> Price:
    return Price(market=market, amount_minor=int(round(amount * 100)), currency=currency, date=D,
                 source="test")


def make_catalog() -> Catalog:
    parts = [
        Cpu(id="cpu/g4560", name="Intel Pentium G4560", socket="LGA1151", microarchitecture="Kaby Lake",
            generation="intel-7", cores=2, threads=4, base_clock_ghz=3.5, tdp_w=54, cooler_included=True,
            integrated_graphics=True),
        Cpu(id="cpu/r5-1600", name="AMD Ryzen 5 1600", socket="AM4", microarchitecture="Zen",
            generation="ryzen-1000", cores=6, threads=12, base_clock_ghz=3.2, tdp_w=65, cooler_included=True),
        Gpu(id="gpu/gtx1070", name="Zotac GeForce GTX 1070 Mini", chipset="GeForce GTX 1070", vram_gb=8,
            length_mm=210, board_power_w=150, power_connectors=PowerConnectors(pin8=1)),
        Gpu(id="gpu/gtx1060", name="EVGA GeForce GTX 1060 6GB", chipset="GeForce GTX 1060 6GB", vram_gb=6,
            length_mm=240, board_power_w=120, power_connectors=PowerConnectors(pin6=1)),
        Memory(id="mem/2x8", name="Kingston 2 x 8 GB DDR4-2400", memory_type="DDR4", speed_mts=2400,
               modules=2, module_gb=8),
        Motherboard(id="mb/b250m", name="Gigabyte GA-B250M-DS3H", socket="LGA1151", chipset="B250",
                    form_factor="Micro-ATX", memory_type="DDR4", memory_slots=4, max_memory_gb=64),
        Storage(id="ssd/120", name="SanDisk SSD Plus 120 GB", kind="SSD", interface="SATA", capacity_gb=120),
        Psu(id="psu/evga500", name="EVGA 500 W1", wattage_w=500, efficiency="80+", pcie_8pin=2),
        Case(id="case/100r", name="Corsair Carbide 100R", form_factors=("ATX", "Micro-ATX", "Mini-ITX"),
             max_gpu_length_mm=414),
        Case(id="case/corev1", name="Thermaltake Core V1", size="Mini-ITX", form_factors=("Mini-ITX",),
             max_gpu_length_mm=285),
    ]
    prices = {
        "cpu/g4560": 64, "cpu/r5-1600": 219, "gpu/gtx1070": 379, "gpu/gtx1060": 249, "mem/2x8": 120,
        "mb/b250m": 75, "ssd/120": 55, "psu/evga500": 45, "case/100r": 50, "case/corev1": 50,
    }
    return Catalog(
        parts=parts,
        prices=[(pid, _price(a)) for pid, a in prices.items()],
        markets=[
            Market(code="us", name="United States", currency="USD"),
            Market(code="ar", name="Argentina", currency="ARS", markup_pct=25, estimate_from="us"),
        ],
        rates=[Rate(base="USD", quote="ARS", rate=Decimal("15.5"), date=dt.date(2017, 5, 1))],
    )


FOUNDING = ["cpu/g4560", "gpu/gtx1070", "mem/2x8", "mb/b250m", "ssd/120", "psu/evga500", "case/100r"]


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return make_catalog()


@pytest.fixture(scope="session")
def client(catalog):
    from dlrig.web import create_app

    return TestClient(create_app(catalog=catalog))


@pytest.fixture
def json_headers():
    return {"Accept": "application/json"}


@pytest.fixture(scope="session")
def real_client():
    """The app over the built-in catalog (the founding post's market is in it)."""
    from dlrig.catalog.builtin import load_builtin
    from dlrig.web import create_app

    return TestClient(create_app(catalog=load_builtin()))


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so the page fixture knows a test failed."""
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """One Chromium for every browser test: Playwright's sync API runs one event loop per
    thread, so a second ``sync_playwright()`` while the first is open fails."""
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="the playwright package is not installed")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()
