"""The part picker: a slot's parts searched, filtered, sorted and judged against a build.

PCPartPicker's everyday motion, as a library the web's Build and Swap pages (and any
other front end) call: ``parse_query`` reads what a person asked (from a URL query),
``pick`` returns one page of parts with each one's price (store, date, condition),
whether it fits the build and, when not, why (the check's own error message, or for a
GPU the workload's software that does not run on it), and ``place``/``remove``/
``set_quantity`` edit the build list a line at a time. ``dlrig swap`` (the CLI) and the
web's Swap page both list a slot's alternatives with ``pick``: one definition of
"what could go here".
"""

from __future__ import annotations

from .compat import Judgement, judge
from .edit import MAX_QUANTITY, MULTI, SLOT_ORDER, empty, place, remove, set_quantity, swap_line
from .filters import FILTERS, Filter, filters_for
from .page import Facet, PickPage, PickRow, market_for, pick
from .query import ALL_ROWS, PER_PAGE, SORTS, PickQuery, parse_query, sorts_for
from .rate import build_throughput, unsupported_reason, workload_label

__all__ = ["ALL_ROWS", "FILTERS", "MAX_QUANTITY", "MULTI", "PER_PAGE", "SLOT_ORDER", "SORTS",
           "Facet", "Filter", "Judgement", "PickPage", "PickQuery", "PickRow",
           "build_throughput", "empty", "filters_for", "judge", "market_for", "parse_query",
           "pick", "place", "remove", "set_quantity", "sorts_for", "swap_line",
           "unsupported_reason", "workload_label"]
