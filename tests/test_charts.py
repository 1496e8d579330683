"""The charts (issue 15, item 4): valid PNG/SVG/PDF, units on every axis, plain amounts on
money axes, no text drawn over other text, deterministic SVG, matplotlib imported lazily.

Overlap is measured the way the chart is drawn: the Agg renderer's ``draw_text`` is
spied on during a real draw, so only text that is actually drawn counts, each with the
box the renderer gives it.
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import xml.etree.ElementTree as ET
from itertools import combinations
from unittest import mock

import pytest

from dlrig.catalog.quotes import Quote
from dlrig.errors import InputError
from dlrig.optimize.sweep import SweepRow
from dlrig.perf.ranking import GpuScore
from dlrig.report import charts
from dlrig.report.gpuvalue import front, value_points, value_unit
from dlrig.units import Money

SVG_NS = "{http://www.w3.org/2000/svg}"


# -- inputs (made up: these tests judge the drawing, not the numbers) -------------------------

def sweep_rows(n: int = 11, change_every: int = 3, infeasible: int = 2, currency: str = "USD"):
    rows = []
    for i in range(n):
        budget = Money.of(500 + 100 * i, currency)
        if i < infeasible:
            rows.append(SweepRow(budget, "infeasible", None, None, None, None, 0, 0.0, [], 0.1))
            continue
        gpu = f"GeForce GTX 10{60 + 10 * ((i - infeasible) // change_every)}"
        rows.append(SweepRow(budget, "optimal", Money.of(budget.amount * 0.96, currency), None,
                             gpu, "Intel Core i5-7400", 16, 0.2 + 0.05 * i, [], 0.1))
    return rows


def quotes(base: float = 900_000, currency: str = "ARS", market: str = "ar"):
    day = dt.date(2024, 1, 1)
    out = []
    for k in range(14):
        d = day + dt.timedelta(days=30 * k)
        out.append(Quote(d, market, int((base + 25_000 * k) * 100), currency, "store list", "Mexx"))
        out.append(Quote(d, market, int((base + 50_000 + 20_000 * k) * 100), currency,
                         "store list", "Compra Gamer"))
        if k % 3 == 0:
            out.append(Quote(d, market, int((base * 0.66 + 10_000 * k) * 100), currency,
                             "MercadoLibre", "MercadoLibre", "used"))
        if k % 4 == 0:
            out.append(Quote(d, market, int(base * 1.2 * 100), currency, "estimated from us",
                             estimated=True))
    return out


def score(name: str, vram: float, rel: float, price: float | None, currency: str = "USD",
          floor: bool = True, est: bool = False) -> GpuScore:
    return GpuScore(name=name, architecture="Ampere", generation="GeForce 30", release_year=2021,
                    vram_gb=vram, memory_bandwidth_gb_s=500, fp32_tflops=10, tensor_tflops=None,
                    compute_tflops=10, relative_throughput=rel, meets_vram_floor=floor,
                    price=None if price is None else Money.of(price, currency),
                    price_estimated=est)


def crowd(currency: str = "USD", scale: float = 1.0) -> list[GpuScore]:
    """40 cards piled on a few memory sizes, names as long as real ones."""
    out = []
    for i in range(40):
        vram = (6, 8, 8, 12, 16, 16, 24, 4)[i % 8]
        out.append(score(f"GeForce RTX {3050 + 10 * (i % 9)} Ti SUPER {i}", vram,
                         0.3 + 0.04 * i, (250 + 37 * i) * scale, currency, floor=vram >= 8,
                         est=i % 5 == 0))
    return out


# -- helpers ---------------------------------------------------------------------------------

def drawn_texts(fig):
    """(text, display box, font size) of every text the Agg renderer draws (the text's own
    box: an annotation's leader line is checked apart, in ``assert_readable``)."""
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.text import Text

    seen = {}
    real_text, real_draw = RendererAgg.draw_text, Text.draw
    current = []

    def draw(self, renderer):  # which Text is drawing (a multi-line one passes mtext=None)
        current.append(self)
        try:
            return real_draw(self, renderer)
        finally:
            current.pop()

    def spy(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if current and s.strip():
            seen[id(current[-1])] = current[-1]
        return real_text(self, gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)

    with mock.patch.object(RendererAgg, "draw_text", spy), mock.patch.object(Text, "draw", draw):
        fig.canvas.draw()
    r = fig.canvas.get_renderer()
    return [(t.get_text(), Text.get_window_extent(t, r), t.get_fontsize(), t)
            for t in seen.values()]


def _leader_points(annotation):
    """Points along an annotation's drawn leader line (display coordinates), its ends left
    out (one end touches its own label, the other its point)."""
    path = annotation.arrow_patch.get_path()
    out = []
    for a, b in zip(path.vertices, path.vertices[1:], strict=False):
        n = max(1, int(((b - a) ** 2).sum() ** 0.5 / 2))
        out += [a + (b - a) * i / n for i in range(1, n)]
    return out


def assert_readable(fig):
    """No two drawn texts overlap (boxes shrunk by half a pixel for rounding), every text
    lies inside the figure, none is smaller than 7 pt."""
    texts = drawn_texts(fig)
    assert texts
    box = fig.bbox
    for text, bb, size, _ in texts:
        assert size >= 7, (text, size)
        assert box.x0 - 1 <= bb.x0 and bb.x1 <= box.x1 + 1 and box.y0 - 1 <= bb.y0 \
            and bb.y1 <= box.y1 + 1, f"{text!r} leaves the figure"
    for (ta, a, *_), (tb, b, *_) in combinations(texts, 2):
        assert not a.padded(-0.5).overlaps(b.padded(-0.5)), f"{ta!r} overlaps {tb!r}"
    for ta, _, _, art in texts:  # no leader line runs through another text
        if getattr(art, "arrow_patch", None) is not None:
            for tb, b, _, other in texts:
                if other is not art:
                    assert not any(b.padded(-1).contains(*p) for p in _leader_points(art)), \
                        f"the leader of {ta!r} crosses {tb!r}"
    return [(t, bb, size) for t, bb, size, _ in texts]


def build(fn, *args, **kw):
    with charts.drawing():
        fig = fn(*args, **kw)
        return fig, assert_readable(fig)


def labels(fig):
    return [(ax.get_xlabel(), ax.get_ylabel()) for ax in fig.get_axes()]


# -- formats and files -----------------------------------------------------------------------

@pytest.mark.parametrize("make", [
    lambda fmt: charts.sweep_chart(sweep_rows(), "sweep", fmt),
    lambda fmt: charts.history_chart(quotes(), "RTX 3060: price history", fmt, credit="test"),
    lambda fmt: charts.gpu_value_chart(crowd(), "USD", "value", fmt, vram_floor_gb=8),
], ids=["sweep", "history", "gpus"])
def test_each_chart_writes_png_svg_and_pdf(make):
    from PIL import Image

    png = make("png")
    img = Image.open(io.BytesIO(png))
    assert img.format == "PNG" and img.mode == "RGBA" and img.width >= 900
    assert img.getpixel((0, 0))[3] == 0  # transparent background: reads on light and dark
    svg = make("svg")
    root = ET.fromstring(svg)
    assert root.tag == SVG_NS + "svg" and root.get("role") == "img"
    assert root.find(SVG_NS + "title").text
    text = svg.decode()
    assert "currentColor" in text and "prefers-color-scheme: dark" in text
    assert "#010203" not in text and "#fefdfc" not in text  # placeholders all replaced
    assert svg == make("svg")  # deterministic: the same data gives the same bytes
    assert b"<dc:date>" not in svg
    assert make("pdf").startswith(b"%PDF")


def test_format_from_suffix_or_name_and_bad_ones_refused_in_one_line(tmp_path):
    assert charts.chart_format("a/b.SVG") == "svg" and charts.chart_format("svg") == "svg"
    assert charts.chart_format("plot") == "png"
    with pytest.raises(InputError, match=r"\.jpg"):
        charts.chart_format("x.jpg")
    with pytest.raises(InputError, match=r"\.png or \.svg"):
        charts.check_chart_path(tmp_path / "x.gif")
    with pytest.raises(InputError):
        charts.check_chart_path(tmp_path / "missing" / "x.png")
    out = charts.write_chart(tmp_path / "s.svg", charts.sweep_chart(sweep_rows(), "s", "svg"))
    assert ET.parse(out).getroot().tag == SVG_NS + "svg"


def test_history_file_takes_png_or_svg(tmp_path):
    from dlrig.report.history import plot_history

    assert plot_history(quotes(), "RTX", tmp_path / "h.png").read_bytes()[:4] == b"\x89PNG"
    assert ET.parse(plot_history(quotes(), "RTX", tmp_path / "h.svg")).getroot().tag.endswith("svg")


def test_importing_the_charts_does_not_import_matplotlib():
    code = ("import sys, dlrig.report.charts, dlrig.report.history, dlrig.report.gpuvalue; "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- sweep -----------------------------------------------------------------------------------

def test_sweep_units_gpu_names_and_infeasible_steps():
    rows = sweep_rows()
    fig, texts = build(charts.sweep_figure, rows, "dlrig sweep: us, workload cnn")
    top, bottom = fig.get_axes()
    assert top.get_ylabel() == "throughput (× RTX 3090)"
    assert bottom.get_ylabel() == "total price (USD)" and bottom.get_xlabel() == "budget (USD)"
    drawn = {t for t, _, _ in texts}
    changes = ["GTX 1060", "GTX 1070", "GTX 1080"]
    assert all(name in drawn for name in changes)
    # Budgets with no build: an x on the budget axis, and the legend says what it means.
    xs = [ln for ln in top.get_lines() if ln.get_marker() == "x"]
    assert len(xs) == 1 and list(xs[0].get_xdata()) == [500, 600]
    assert "no build fits" in drawn
    # A title that does not collide with anything (checked by build) and is drawn.
    assert "dlrig sweep: us, workload cnn" in drawn


def test_sweep_with_a_new_gpu_at_every_step_keeps_labels_apart():
    rows = sweep_rows(n=30, change_every=1, infeasible=0)
    with charts.drawing():
        fig = charts.sweep_figure(rows, "every step a new GPU")
        texts = assert_readable(fig)
    drawn = [t for t, _, _ in texts]
    named = [t for t in drawn if t.startswith("GTX")]
    note = [t for t in drawn if "not named for lack of room" in t]
    # Each change is named or counted in the note; never drawn over another label.
    left = int(note[0].split()[0]) if note else 0
    assert len(named) + left == 30 and len(named) >= 8


def test_sweep_money_axes_have_no_offset_for_pesos():
    rows = sweep_rows(currency="ARS")
    rows = [SweepRow(Money.of(r.budget.amount * 1500, "ARS"), r.status,
                     r.total and Money.of(r.total.amount * 1500, "ARS"), None, r.gpu, r.cpu,
                     r.ram_gb, r.throughput, [], 0.1) for r in rows]
    fig, texts = build(charts.sweep_figure, rows, "pesos")
    bottom = fig.get_axes()[1]
    for axis in (bottom.xaxis, bottom.yaxis):
        assert axis.get_offset_text().get_text() == ""
        ticks = [t.get_text() for t in axis.get_ticklabels() if t.get_text()]
        assert any("," in t for t in ticks) and not any("e" in t.lower() for t in ticks)


def test_empty_sweep_is_a_one_line_error():
    with pytest.raises(InputError, match="no budgets"):
        charts.sweep_chart([], "x")


# -- price history ---------------------------------------------------------------------------

def test_history_y_axis_reads_plain_pesos_around_a_million():
    fig, texts = build(charts.history_figure, quotes(), "RTX 3060 12GB: price history",
                       credit="PCPartPicker; store lists")
    (ax,) = fig.get_axes()
    assert ax.get_ylabel() == "price (ARS)" and "date" in ax.get_xlabel()
    assert ax.yaxis.get_offset_text().get_text() == ""
    ticks = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert ticks and all("e" not in t.lower() for t in ticks)
    values = [float(t.replace(",", "")) for t in ticks]
    assert max(values) >= 1_000_000
    assert f"{1_000_000:,}" in ticks or any(len(t) >= 7 and "," in t for t in ticks)
    assert any("PCPartPicker" in t for t, _, _ in texts)  # the source credit is drawn


def test_history_stores_are_lines_and_used_is_dashed():
    fig, texts = build(charts.history_figure, quotes(), "h")
    (ax,) = fig.get_axes()
    style = {ln.get_label(): ln.get_linestyle() for ln in ax.get_lines()}
    assert style == {"Mexx (ar)": "-", "Compra Gamer (ar)": "-", "MercadoLibre (ar), used": "--",
                     "estimated from us (ar)": ":"}
    assert len({ln.get_color() for ln in ax.get_lines()}) == 4  # each store its own colour
    drawn = {t for t, _, _ in texts}
    assert "MercadoLibre (ar), used" in drawn and "Mexx (ar)" in drawn


def test_history_in_two_currencies_gets_a_panel_each():
    pts = quotes() + quotes(base=600, currency="USD", market="us")
    fig, _ = build(charts.history_figure, pts, "h")
    assert [y for _, y in labels(fig)] == ["price (ARS)", "price (USD)"]


def test_history_of_a_single_quote():
    fig, _ = build(charts.history_figure, quotes()[:1], "one")
    assert fig.get_axes()[0].get_ylabel() == "price (ARS)"


# -- GPU value -------------------------------------------------------------------------------

def test_value_front_is_the_cards_nothing_beats_on_both_memory_and_value():
    pts, unit = value_points([score("A", 8, 1.0, 500), score("B", 12, 0.9, 600),
                              score("C", 8, 0.5, 500), score("D", 16, 1.2, 800),
                              score("E", 24, 0.6, 1500), score("F", 4, 0.1, None)], "USD")
    assert unit == 1000
    # A: 2.0 per 1,000 USD at 8 GB; B: 1.5 at 12 GB (beaten by D: 1.5 at 16 GB, more memory,
    # same value); C: 1.0 at 8 GB (beaten by A); D; E: 0.4 at 24 GB, the most memory.
    assert front(pts) == {"A", "D", "E"}
    assert {p.name for p in pts} == {"A", "B", "C", "D", "E"}  # F has no price


def test_value_unit_makes_pesos_readable():
    # A card of relative throughput 1.0 at 1,500,000 ARS: 0.67 per 1,000,000 ARS.
    assert value_unit([1.0 / 1_500_000]) == 1_000_000
    assert value_unit([1.0 / 700]) == 1000


def test_no_prices_is_a_one_line_error_that_names_the_fix():
    with pytest.raises(InputError) as e:
        charts.gpu_value_chart([score("A", 8, 1.0, None)], "USD", "v")
    assert "no GPU" in str(e.value) and "market" in e.value.hint


@pytest.mark.parametrize("currency, scale", [("USD", 1), ("ARS", 1500)])
def test_crowded_value_chart_labels_without_collisions(currency, scale):
    fig, texts = build(charts.gpu_value_figure, crowd(currency, scale), currency,
                       "GPU value for CNN training", vram_floor_gb=8)
    (ax,) = fig.get_axes()
    assert ax.get_xlabel() == "GPU memory (GB, log scale)"
    unit = "1,000 USD" if currency == "USD" else "1,000,000 ARS"
    assert ax.get_ylabel() == f"throughput per {unit} (× RTX 3090)"
    ticks = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert not any("e" in t for t in ticks) and ax.yaxis.get_offset_text().get_text() == ""
    named = [t for t, _, _ in texts if t.startswith("RTX")]
    assert len(named) >= 4
    assert any("named (the value front" in t for t, _, _ in texts)


def test_value_chart_of_the_ranking_dlrig_gpus_shows():
    """The same rows as ``dlrig gpus --market us`` (built-in catalog): drawn, readable."""
    from dlrig.catalog import builtin
    from dlrig.perf import get_workload, rank_gpus, select_gpus

    w = get_workload("cnn")
    rows = select_gpus(rank_gpus(w, include_all=True, catalog=builtin(), market="us"),
                       below_floor=True)
    fig, texts = build(charts.gpu_value_figure, rows, "USD", "GPU value", vram_floor_gb=8)
    best = max((s for s in rows if s.throughput_per_1000), key=lambda s: s.throughput_per_1000)
    assert charts.short_gpu(best.name) in {t for t, _, _ in texts}  # the best card is named
