"""Every chart dlrig draws (matplotlib, Agg; imported only when a chart is drawn).

Three charts, each a ``*_figure`` function that builds a matplotlib ``Figure`` (what the
tests measure) and a ``*_chart`` function that returns its bytes as PNG, SVG or PDF:

- ``sweep_chart``: estimated throughput and the build's total price against the budget
  (two panels sharing the budget axis), the GPU named where it changes, budgets with no
  build marked.
- ``history_chart``: a part's prices over time, a line per store (and market), new and
  used told apart by line style, estimates dotted, one panel per currency.
- ``gpu_value_chart``: throughput per money against GPU memory, the value front and the
  best few named (``report.gpuvalue`` builds the points from ``perf.rank_gpus``).

Why they look the way they do: layout is matplotlib's constrained layout, so the title,
axis labels and legends (placed outside the axes) never overlap; point labels are placed
by ``_place_labels``, which measures each label with the renderer and tries positions
until it collides with neither another label nor the data (a label that fits nowhere is
left out and counted in a note). Money axes use a thousands-separator formatter, never
matplotlib's "1e6" offset. Colours read on white and on near-black (series colours and
the PNG's grey ink have >= 3:1 contrast on both, the background is transparent); an SVG
instead draws its ink in ``currentColor`` on a background that follows the viewer's
``prefers-color-scheme``. An SVG is deterministic (fixed hash salt, no date), so the
same data gives the same bytes.
"""

from __future__ import annotations

import io
import math
import textwrap
import threading
from collections import defaultdict
from contextlib import contextmanager
from html import escape
from pathlib import Path

from .. import files
from ..errors import InputError

FORMATS = ("png", "svg", "pdf")

# Mid-tone colours with >= 3:1 contrast on both #ffffff and #16191d.
PALETTE = ("#2f7fd1", "#d9730d", "#1a9e77", "#d6404e", "#8e63ce", "#0f9bb0", "#c2578f", "#a8862a")
GREY = "#7c7c7c"  # the PNG's ink: 4.2:1 on white, 4.2:1 on #16191d
# Placeholders the SVG writer swaps for currentColor and the scheme's background colour.
_INK_MARK = "#010203"
_BG_MARK = "#fefdfc"
_SVG_STYLE = ("<style>svg{color:#1d232b;--chart-bg:#ffffff}"
              "@media (prefers-color-scheme: dark){svg{color:#e4e7eb;--chart-bg:#16191d}}</style>")
LINE_STYLES = {"new": "-", "used": "--", "refurbished": "-."}
DPI = 110
NOTE_SIZE = 7.5

_LOCK = threading.Lock()  # rcParams are global: one chart at a time


# -- formats and files ------------------------------------------------------------------------

def chart_format(path_or_fmt: str | Path) -> str:
    """The image format a file name (its suffix) or a format name asks for; PNG when a
    name has no suffix. An unknown one is a one-line error, raised before any work."""
    s = str(path_or_fmt)
    fmt = s.lower() if s.lower() in FORMATS else _suffix(s) or "png"
    if fmt not in FORMATS:
        raise InputError(f"plot file {Path(s).name}: cannot write .{fmt} images",
                         hint="end the name in " + ", ".join("." + f for f in FORMATS),
                         field="plot")
    return fmt


def check_chart_path(path: str | Path) -> Path:
    """The chart's path, refused in one line for an unknown suffix (none is a PNG, as
    ``chart_format`` reads it), a missing folder, or a target that is not a regular file (a
    FIFO, a device, a folder): checked before any work."""
    out = files.expand(path)
    if (_suffix(out.name) or "png") not in FORMATS:
        raise InputError(f"plot file must end in .png or .svg (or .pdf): {out}",
                         hint="e.g. chart.png or chart.svg", field="plot")
    return files.check_output(out, "plot", field="plot")


def _suffix(name: str) -> str:
    """A file name's suffix, lower case, without its dot ("" for none). Unlike
    ``Path.suffix``, a name that is only a suffix (".svg") has one: ``chart_format`` and
    ``check_chart_path`` must agree on the format a name asks for, or a PNG is written
    under an SVG's name."""
    name = Path(name).name
    return name.rsplit(".", 1)[1].lower() if "." in name else ""


def write_chart(path: str | Path, data: bytes) -> Path:
    """Chart bytes written atomically to ``path`` (never over a FIFO or a device)."""
    return files.write_output(check_chart_path(path), data, "plot", field="plot")


# -- shared drawing helpers -------------------------------------------------------------------

def _mpl():
    """matplotlib with the Agg backend (no display), imported on first use only."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    return matplotlib


def _new_figure(width: float, height: float, svg: bool, note_lines: int = 0):
    """A figure on its own Agg canvas (no pyplot: no global figure list to leak into): the
    chart's ``body`` and, with ``note_lines``, a foot below it for a note (a source credit,
    what was left unnamed), so the note never meets the body's legend. Returns
    ``(fig, body, note)``; ``note`` is an empty text to fill in with ``_set_note``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    foot = (note_lines * NOTE_SIZE * 1.35 + 8) / 72 if note_lines else 0
    fig = Figure(figsize=(width, height + foot), dpi=DPI, layout="constrained",
                 facecolor=_BG_MARK if svg else "none")
    FigureCanvasAgg(fig)
    fig.dlrig_ink = _INK_MARK if svg else GREY
    if not note_lines:
        return fig, fig, None
    body, low = fig.subfigures(2, 1, height_ratios=(height, foot), facecolor="none")
    note = low.text(0.01, 0.5, "", fontsize=NOTE_SIZE, color=fig.dlrig_ink, alpha=0.85,
                    ha="left", va="center", linespacing=1.35)
    return fig, body, note


def _style_axes(ax, ink: str) -> None:
    ax.set_facecolor("none")
    for s in ax.spines.values():
        s.set_color(ink)
    for s in ("top", "right"):
        ax.spines[s].set_visible(False)
    ax.tick_params(colors=ink, labelsize=9)
    ax.xaxis.label.set_color(ink)
    ax.yaxis.label.set_color(ink)
    ax.title.set_color(ink)
    ax.grid(True, color=ink, alpha=0.22, linewidth=0.6)
    ax.set_axisbelow(True)


def _legend(fig, handles, ink: str, ncols: int = 3, loc: str = "outside lower center"):
    leg = fig.legend(handles=handles, loc=loc, ncols=ncols, frameon=False, fontsize=8.5)
    for t in leg.get_texts():
        t.set_color(ink)
    return leg


def _amount_text(v: float, step: float) -> str:
    """A tick's amount with thousands separators and just enough decimals for its step."""
    decimals = 0 if step >= 1 or step <= 0 else min(6, -math.floor(math.log10(step)))
    return f"{v:,.{decimals}f}"


def _amount_axis(axis) -> None:
    """Plain amounts on ``axis`` ("1,250,000", never "1.25" with a "1e6" offset)."""
    from matplotlib.ticker import FuncFormatter

    def fmt(v, pos=None):
        ticks = axis.get_majorticklocs()
        step = min((abs(b - a) for a, b in zip(ticks, ticks[1:], strict=False) if b != a),
                   default=abs(v) or 1)
        return _amount_text(v, step)

    axis.set_major_formatter(FuncFormatter(fmt))


def _value_axis(axis) -> None:
    """Small ratios to three significant digits, without scientific notation."""
    from matplotlib.ticker import FuncFormatter

    def fmt(v, pos=None):
        if v == 0:
            return "0"
        digits = max(0, 2 - math.floor(math.log10(abs(v))))
        return f"{v:,.{digits}f}".rstrip("0").rstrip(".") if digits else f"{v:,.0f}"

    axis.set_major_formatter(FuncFormatter(fmt))


def _wrap(width_in: float, lines: list[str]) -> list[str]:
    """``lines`` wrapped to a figure ``width_in`` inches wide at the note's font size."""
    width_chars = int(width_in * 72 / (NOTE_SIZE * 0.58))
    return [w for x in lines if x for w in textwrap.wrap(x, width_chars)]


def _set_note(note, lines: list[str]) -> None:
    if note is None:  # no foot was reserved: nothing to say
        return
    note.set_text("\n".join(_wrap(note.get_figure(root=True).get_figwidth(), lines)))


def _settle(fig):
    """Run the layout once and freeze it, so what ``_place_labels`` measures is what is
    saved. Returns the renderer."""
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    fig.set_layout_engine("none")
    return renderer


def _obstacles(ax) -> tuple[list, list]:
    """The data of ``ax`` in display coordinates: marker positions, and points sampled every
    2 px along each drawn line (steps included), so a label can be kept off both."""
    import numpy as np

    marks: list = []
    lines: list = []
    for line in ax.get_lines():
        if not line.get_visible():
            continue
        xy = line._get_transformed_path().get_fully_transformed_path().vertices
        if line.get_marker() not in ("None", "", " ", None):
            marks += list(ax.transData.transform(line.get_xydata()))
        if line.get_linestyle() in ("None", "", " ") or len(xy) < 2:
            continue
        for a, b in zip(xy, xy[1:], strict=False):
            n = max(1, int(np.hypot(*(b - a)) / 2))
            lines += [a + (b - a) * i / n for i in range(n + 1)]
    for coll in ax.collections:
        offs = coll.get_offsets()
        if len(offs):
            marks += list(coll.get_offset_transform().transform(offs))
    return marks, lines


def _segment(a, b, step: float = 2.0) -> list:
    """Points every ``step`` pixels from ``a`` to ``b`` (display coordinates)."""
    n = max(1, int(math.hypot(b[0] - a[0], b[1] - a[1]) / step))
    return [(a[0] + (b[0] - a[0]) * i / n, a[1] + (b[1] - a[1]) * i / n) for i in range(n + 1)]


# Offsets (points) and alignments tried in turn; far ones get a leader line.
_SPOTS = [(0, 7, "center", "bottom"), (0, -7, "center", "top"), (5, 5, "left", "bottom"),
          (-5, 5, "right", "bottom"), (5, -5, "left", "top"), (-5, -5, "right", "top"),
          (8, 0, "left", "center"), (-8, 0, "right", "center"),
          (0, 18, "center", "bottom"), (0, -18, "center", "top"),
          (8, 16, "left", "bottom"), (-8, 16, "right", "bottom"), (8, -16, "left", "top"),
          (-8, -16, "right", "top"), (0, 30, "center", "bottom"), (0, -30, "center", "top"),
          (14, 28, "left", "bottom"), (-14, 28, "right", "bottom")]


def _place_labels(ax, renderer, items, ink: str, fontsize: float = 8.0,
                  avoid_data: bool = True) -> list[str]:
    """Annotate ``items`` ((text, (x, y)) in data coordinates, most important first) so no
    label overlaps another, leaves the axes or (when it can help it) covers the data.
    Returns the texts that fit nowhere (left out)."""
    from matplotlib.text import Text

    axbox = ax.get_window_extent(renderer)
    marks, lines = _obstacles(ax) if avoid_data else ([], [])
    # First keep off markers and lines, then off markers only, then off other labels only.
    levels = (marks + lines, marks, [])
    taken = []  # placed labels' boxes
    leaders: list = []  # points along placed leader lines
    left_out = []
    for text, xy in items:
        placed = False
        for data in levels:
            for dx, dy, ha, va in _SPOTS:
                far = abs(dx) + abs(dy) > 12
                a = ax.annotate(text, xy, xytext=(dx, dy), textcoords="offset points", ha=ha,
                                va=va, fontsize=fontsize, color=ink, annotation_clip=False,
                                arrowprops=dict(arrowstyle="-", color=ink, lw=0.5, alpha=0.6,
                                                shrinkA=1, shrinkB=3) if far else None)
                a.update_positions(renderer)
                bb = Text.get_window_extent(a, renderer).padded(2)
                lead = _segment(ax.transData.transform(xy),
                                a.get_transform().transform(a.get_position())) if far else []
                ok = (axbox.x0 <= bb.x0 and bb.x1 <= axbox.x1 and axbox.y0 <= bb.y0
                      and bb.y1 <= axbox.y1 and not any(bb.overlaps(t) for t in taken)
                      and not any(bb.contains(x, y) for x, y in data)
                      and not any(bb.contains(x, y) for x, y in leaders)
                      and not any(t.contains(x, y) for t in taken for x, y in lead))
                if ok:
                    taken.append(bb)
                    leaders += lead
                    placed = True
                    break
                a.remove()
            if placed:
                break
        if not placed:
            left_out.append(text)
    return left_out


def _save(fig, fmt: str, title: str) -> bytes:
    buf = io.BytesIO()
    meta = {"svg": {"Date": None}, "pdf": {"CreationDate": None, "ModDate": None}}.get(fmt, {})
    fig.savefig(buf, format=fmt, metadata=meta, dpi=DPI,
                transparent=fmt != "svg")
    data = buf.getvalue()
    if fmt == "svg":
        data = _svg_colours(data.decode("utf-8"), title).encode("utf-8")
    return data


def _svg_colours(svg: str, title: str) -> str:
    """The SVG's ink in ``currentColor``, its background the scheme's, a title for screen
    readers (``role="img"``)."""
    svg = svg.replace(_INK_MARK, "currentColor").replace(_BG_MARK, "var(--chart-bg)")
    head, sep, rest = svg.partition("<metadata>")
    head = head.replace("<svg ", '<svg role="img" ', 1)
    return head + _SVG_STYLE + f"<title>{escape(title)}</title>\n " + sep + rest


@contextmanager
def drawing():
    """The settings every chart is drawn under (deterministic SVG, font sizes), one chart
    at a time: rcParams are global, so a second thread waits."""
    mpl = _mpl()
    with _LOCK, mpl.rc_context({"svg.hashsalt": "dlrig", "svg.fonttype": "path",
                                "font.size": 9.5, "axes.titlesize": 11,
                                "figure.titlesize": 12, "axes.labelsize": 9.5}):
        yield


def _render(build, fmt: str, title: str, *args, **kw) -> bytes:
    """``build(*args, svg=..., **kw)`` drawn and saved in ``fmt``."""
    fmt = chart_format(fmt)
    with drawing():
        fig = build(*args, svg=fmt == "svg", **kw)
        return _save(fig, fmt, title)


# -- sweep ------------------------------------------------------------------------------------

def _ref() -> str:
    from ..perf import REFERENCE_CHIP

    return REFERENCE_CHIP.removeprefix("GeForce ")


def short_gpu(name: str) -> str:
    return name.removeprefix("GeForce ").removeprefix("NVIDIA ")


def sweep_figure(rows, title: str, svg: bool = False):
    """Throughput (top) and total price (bottom) against the budget; see the module doc."""
    from matplotlib.lines import Line2D

    rows = list(rows)
    if not rows:
        raise InputError("the sweep has no budgets to plot", hint="give a range of budgets")
    fig, body, note = _new_figure(9, 6.2, svg, note_lines=1)
    ink = fig.dlrig_ink
    top, bottom = body.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    for ax in (top, bottom):
        _style_axes(ax, ink)
    cur = rows[0].budget.currency
    ok = [r for r in rows if r.ok]
    bad = [r for r in rows if not r.ok]
    xs = [r.budget.amount for r in ok]
    blue, orange, red = PALETTE[0], PALETTE[1], PALETTE[3]
    handles = []
    if ok:
        top.step(xs, [r.throughput for r in ok], where="post", color=blue, lw=1.8)
        top.plot(xs, [r.throughput for r in ok], "o", color=blue, ms=4)
        handles.append(Line2D([], [], color=blue, marker="o", ms=4, lw=1.8,
                              label="estimated throughput of the best build"))
        bottom.plot(xs, [r.total.amount for r in ok if r.total], "o-", color=orange, ms=4, lw=1.5)
        handles.append(Line2D([], [], color=orange, marker="o", ms=4, lw=1.5,
                              label="its total price"))
    allx = [r.budget.amount for r in rows]
    bottom.plot(allx, allx, "--", color=ink, lw=0.9, alpha=0.7)
    handles.append(Line2D([], [], color=ink, ls="--", lw=0.9, alpha=0.7,
                          label="the budget (the limit)"))
    if bad:
        statuses = sorted({r.status for r in bad})
        top.plot([r.budget.amount for r in bad], [0] * len(bad), "x", color=red, ms=7, mew=2,
                 clip_on=False)
        what = "no build fits" if statuses == ["infeasible"] else "no build (" + ", ".join(
            statuses) + ")"
        handles.append(Line2D([], [], color=red, marker="x", ls="", ms=7, mew=2, label=what))
    hi = max((r.throughput for r in ok), default=1.0) or 1.0
    top.set_ylim(0, hi * 1.35)
    span = (max(allx) - min(allx)) or max(allx) * 0.1 or 1
    top.set_xlim(min(allx) - span * 0.04, max(allx) + span * 0.08)
    top.set_ylabel(f"throughput (× {_ref()})")
    bottom.set_ylabel(f"total price ({cur})")
    bottom.set_xlabel(f"budget ({cur})")
    _amount_axis(bottom.xaxis)
    _amount_axis(bottom.yaxis)
    _value_axis(top.yaxis)
    fig.suptitle(title, color=ink)
    changes, last = [], None
    for r in ok:
        if r.gpu and r.gpu != last:
            changes.append((short_gpu(r.gpu), (r.budget.amount, r.throughput)))
        last = r.gpu or last
    if changes:
        top.plot([xy[0] for _, xy in changes], [xy[1] for _, xy in changes], "o", ms=9, mfc="none",
                 mec=blue, mew=1.2)
        handles.insert(1, Line2D([], [], ls="", marker="o", ms=9, mfc="none", mec=blue, mew=1.2,
                                 label="another GPU from here on (named)"))
    _legend(body, handles, ink, ncols=3)
    # Reserve the note's band first (one line), then lay out, then place the GPU names.
    renderer = _settle(fig)
    left_out = _place_labels(top, renderer, changes, ink)
    if left_out:
        _set_note(note, [f"{len(left_out)} GPU change(s) not named for lack of room: "
                         "see the table."])
    return fig


def sweep_chart(rows, title: str, fmt: str = "png") -> bytes:
    """The sweep chart as PNG, SVG or PDF bytes (same inputs as ``plan.sweep_plot_bytes``)."""
    return _render(sweep_figure, fmt, title, rows, title)


# -- price history ----------------------------------------------------------------------------

def _series_key(p):
    # A quote with no store is named by its source when that is short ("estimated from
    # us"); a curated quote's source is a sentence (the table under the chart cites it),
    # and such quotes form one "built-in" series per market and condition.
    source = getattr(p, "source", "") or ""
    store = getattr(p, "store", "") or (source if len(source) <= 32 else "built-in")
    return (p.currency, p.market, store, getattr(p, "condition", "new") or "new",
            bool(p.estimated), bool(getattr(p, "stand_in", False)))


def history_figure(points, title: str, credit: str = "", svg: bool = False):
    """A part's prices over time; see the module doc. ``points``: ``catalog.quotes.Quote``
    (or anything with date, market, amount, currency, store/source, condition, estimated)."""
    import matplotlib.dates as mdates
    from matplotlib.lines import Line2D

    points = list(points)
    if not points:
        raise InputError("no prices to plot", hint="import prices first: 'dlrig prices import'")
    series: dict[tuple, list] = defaultdict(list)
    for p in points:
        series[_series_key(p)].append(p)
    currencies = sorted({k[0] for k in series})
    kinds = {"estimated" if k[4] else k[3] for k in series}
    words = {"new": "solid new", "used": "dashed used", "refurbished": "dash-dot refurbished",
             "estimated": "dotted estimated (hollow markers)"}
    note_text = (["Line style: " + ", ".join(words.get(k, k) for k in sorted(kinds)) + "."]
                 if len(kinds) > 1 else []) + (["Data: " + credit] if credit else [])
    fig, body, note = _new_figure(9, 2.2 + 2.6 * len(currencies), svg,
                                  note_lines=len(_wrap(9, note_text)))
    _set_note(note, note_text)
    ink = fig.dlrig_ink
    axes = body.subplots(len(currencies), 1, sharex=True, squeeze=False)[:, 0]
    colours: dict[tuple[str, str], str] = {}
    handles = []
    for ax, cur in zip(axes, currencies, strict=True):
        _style_axes(ax, ink)
        for key in sorted(k for k in series if k[0] == cur):
            _, market, store, cond, est, stand_in = key
            colour = colours.setdefault((market, store), PALETTE[len(colours) % len(PALETTE)])
            pts = sorted(series[key], key=lambda p: p.date)
            ls = ":" if est else LINE_STYLES.get(cond, "-.")
            marker = "s" if stand_in else "o"
            label = f"{store} ({market})" + ("" if cond == "new" else f", {cond}")
            label += ", estimated" if est and "estimat" not in store else ""
            label += ", chip MSRP" if stand_in else ""
            ax.plot([p.date for p in pts], [p.amount for p in pts], ls=ls, marker=marker,
                    color=colour, ms=4.5, lw=1.6, mfc="none" if est else colour, label=label)
            handles.append(Line2D([], [], ls=ls, marker=marker, color=colour, ms=4.5, lw=1.6,
                                  mfc="none" if est else colour, label=label))
        ax.set_ylabel(f"price ({cur})")
        _amount_axis(ax.yaxis)
        lo = min(p.amount for p in points if p.currency == cur)
        hi = max(p.amount for p in points if p.currency == cur)
        # At least +-10 % of the top price in view, so a 2 % wiggle does not look like a crash.
        mid, half = (lo + hi) / 2, max((hi - lo) / 2 * 1.15, hi * 0.1, 0.5)
        ax.set_ylim(max(0, mid - half), mid + half)
    dates = sorted({p.date for p in points})
    import datetime as dt

    margin = max(dt.timedelta(days=10), (dates[-1] - dates[0]) * 0.04)
    axes[-1].set_xlim(dates[0] - margin, dates[-1] + margin)
    loc = mdates.AutoDateLocator(minticks=3, maxticks=8)
    axes[-1].xaxis.set_major_locator(loc)
    # Months with their year ("Sep 2023"), January as the year alone: no tick is ambiguous.
    axes[-1].xaxis.set_major_formatter(mdates.ConciseDateFormatter(
        loc, formats=["%Y", "%b %Y", "%d %b", "%H:%M", "%H:%M", "%S.%f"]))
    axes[-1].xaxis.get_offset_text().set_color(ink)
    axes[-1].set_xlabel("date of the quote")
    fig.suptitle(title, color=ink)
    _legend(body, handles, ink, ncols=min(3, len(handles)))
    return fig


def history_chart(points, title: str, fmt: str = "png", credit: str = "") -> bytes:
    """The price-history chart as PNG, SVG or PDF bytes."""
    return _render(history_figure, fmt, title, points, title, credit=credit)


# -- GPU value --------------------------------------------------------------------------------

_VRAM_TICKS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 80, 96, 128, 192)


def gpu_value_figure(scores, currency: str, title: str, vram_floor_gb: float | None = None,
                     top: int = 6, svg: bool = False):
    """Throughput per money against VRAM for the priced rows of a ranking; see the module
    doc. ``scores``: ``perf.GpuScore`` rows as ``rank_gpus``/``select_gpus`` give them."""
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    from .gpuvalue import labelled, value_points

    pts, unit = value_points(scores, currency)
    cur = pts[0].currency
    fig, body, note = _new_figure(9, 5.8, svg, note_lines=2)
    ink = fig.dlrig_ink
    ax = body.subplots()
    _style_axes(ax, ink)
    blue, orange = PALETTE[0], PALETTE[1]
    groups = [
        (lambda p: p.on_front and p.meets_vram_floor, blue, 46, "best value for its memory"),
        (lambda p: not p.on_front and p.meets_vram_floor, ink, 22, "other cards"),
        (lambda p: not p.meets_vram_floor, orange, 22, "under the workload's memory floor"),
    ]
    handles = []
    for keep, colour, size, label in groups:
        for est in (False, True):
            sel = [p for p in pts if keep(p) and p.estimated == est]
            if not sel:
                continue
            ax.scatter([p.vram_gb for p in sel], [p.value for p in sel], s=size,
                       facecolors="none" if est else colour, edgecolors=colour, linewidths=1.2,
                       alpha=1 if colour != ink else 0.7, zorder=3)
        if any(keep(p) for p in pts):
            handles.append(Line2D([], [], ls="", marker="o", color=colour, ms=math.sqrt(size),
                                  alpha=1 if colour != ink else 0.7, label=label))
    if any(p.estimated for p in pts):
        handles.append(Line2D([], [], ls="", marker="o", mfc="none", color=ink, ms=5,
                              label="price estimated from another market"))
    best = sorted((p for p in pts if p.on_front), key=lambda p: p.vram_gb)
    if len(best) > 1:
        ax.step([p.vram_gb for p in best], [p.value for p in best], where="pre", color=blue,
                lw=1, alpha=0.6, zorder=2)
    vr = [p.vram_gb for p in pts]
    lo, hi = min(vr), max(vr)
    ax.set_xscale("log", base=2)
    ax.set_xlim(lo / 1.35, hi * 1.35)
    ax.xaxis.set_major_locator(FixedLocator([t for t in _VRAM_TICKS if lo / 1.35 <= t <= hi * 1.35]
                                            or [lo]))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, pos=None: f"{v:g}"))
    if vram_floor_gb and lo / 1.35 < vram_floor_gb < hi * 1.35:
        ax.axvline(vram_floor_gb, color=ink, ls="--", lw=0.9, alpha=0.6)
        handles.append(Line2D([], [], color=ink, ls="--", lw=0.9, alpha=0.6,
                              label=f"workload's memory floor ({vram_floor_gb:g} GB)"))
    top_value = max(p.value for p in pts)
    ax.set_ylim(0, top_value * 1.18)
    ax.set_xlabel("GPU memory (GB, log scale)")
    ax.set_ylabel(f"throughput per {unit:,} {cur} (× {_ref()})")
    _value_axis(ax.yaxis)
    fig.suptitle(title, color=ink)
    _legend(body, handles, ink, ncols=min(3, len(handles)))
    renderer = _settle(fig)
    names = labelled(pts, top)
    left_out = _place_labels(ax, renderer,
                             [(short_gpu(p.name), (p.vram_gb, p.value)) for p in names], ink)
    shown = len(names) - len(left_out)
    _set_note(note, [
        f"{len(pts)} GPUs; {shown} named (the value front and the best {top} by value)"
        + (f", {len(left_out)} left unnamed for lack of room" if left_out else "")
        + ". Throughput is estimated from chip specs; price is the cheapest board."])
    return fig


def gpu_value_chart(scores, currency: str, title: str, fmt: str = "png",
                    vram_floor_gb: float | None = None, top: int = 6) -> bytes:
    """The GPU value chart as PNG, SVG or PDF bytes."""
    return _render(gpu_value_figure, fmt, title, scores, currency, title,
                   vram_floor_gb=vram_floor_gb, top=top)
