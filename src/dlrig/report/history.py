"""A part's price history as a PNG or SVG file (``dlrig prices history --plot``).

The drawing is ``report.charts.history_chart`` (a line per store, new and used told
apart by line style, estimates dotted with hollow markers); this module keeps the file
side the CLI calls: the path checked before any work, the bytes written atomically.
"""

from __future__ import annotations

from pathlib import Path

from . import charts


def check_plot_path(path: str | Path) -> Path:
    """The plot's path, or a one-line error for a wrong suffix (.png, .svg or .pdf), a
    missing folder, or a target that is not a regular file (a FIFO, a device): checked
    before any work."""
    return charts.check_chart_path(path)


def plot_history(points, title: str, path: str | Path, credit: str = "") -> Path:
    """Write the chart of ``points`` (``catalog.quotes.Quote``) to ``path``, in the format
    its suffix names."""
    out = check_plot_path(path)
    data = charts.history_chart(points, f"{title}: price history", charts.chart_format(out),
                                credit=credit)
    return charts.write_chart(out, data)
