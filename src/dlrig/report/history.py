"""A part's price history as a PNG (matplotlib, Agg backend: no display needed).

Quoted prices are solid lines with filled markers; estimated prices (a US
price carried over with the market's markup, taxes and rate) are dashed
with hollow markers, and the legend says so.
"""

from __future__ import annotations

import io
from collections import defaultdict
from pathlib import Path

from .. import files
from ..errors import InputError


def check_plot_path(path: str | Path) -> Path:
    """The plot's path, or a one-line error for a wrong suffix, a missing folder, or a
    target that is not a regular file (a FIFO, a device): checked before any work."""
    out = files.expand(path)
    if out.suffix.lower() != ".png":
        raise InputError(f"plot file must end in .png: {out}", hint="e.g. history.png", field="plot")
    return files.check_output(out, "plot", field="plot")


def plot_history(points, title: str, path: str | Path, credit: str = "") -> Path:
    """Write the plot of ``points`` (``store.queries.Point``) to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = check_plot_path(path)
    series: dict[tuple[str, str, bool], list] = defaultdict(list)
    for p in points:
        series[(p.market, p.currency, p.estimated, getattr(p, "condition", "new"))].append(p)
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    for (market, cur, est, cond), pts in sorted(series.items()):
        pts = sorted(pts, key=lambda p: p.date)
        ax.plot([p.date for p in pts], [p.amount for p in pts],
                linestyle="--" if est else "-", marker="o", markerfacecolor="none" if est else None,
                label=f"{market} ({cur})" + (" - estimated" if est else "")
                + (f" - {cond}" if cond != "new" else ""))
    ax.set_title(title)
    ax.set_ylabel("price")
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    if credit:
        fig.text(0.01, 0.01, credit, fontsize=7, alpha=0.7)
    fig.autofmt_xdate()
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return files.write_output(out, buf.getvalue(), "plot", field="plot")
