"""A build list edited one line at a time, as on PCPartPicker: add, replace, remove, count.

The picker's "choose" is ``place``: a slot that holds one part (CPU, cooler, board, case,
PSU) takes the new part in place of its line; a slot that holds several lines (GPUs,
memory kits, drives) gets the part as a new line, or in place of the line named by
``replace``. Quantities: only those slots take more than one of a part (a second kit,
a second card), at most ``MAX_QUANTITY`` as in a build link.
"""

from __future__ import annotations

from ..build import Build, BuildItem
from ..errors import InputError
from ..parts import AnyPart, Category

# PCPartPicker's order of a list: the web's Build page shows its rows in it.
SLOT_ORDER = (Category.cpu, Category.cooler, Category.motherboard, Category.memory,
              Category.storage, Category.gpu, Category.case, Category.psu)
MULTI = frozenset({Category.gpu, Category.memory, Category.storage})
MAX_QUANTITY = 16


def empty(name: str = "build", market: str | None = None) -> Build:
    return Build((), name, market)


def _with_items(build: Build, items: list[BuildItem]) -> Build:
    order = list(Category)
    items = sorted(items, key=lambda i: order.index(i.part.category))
    return Build(tuple(items), build.name, build.market, build.source, build.notes, build.intent)


def _check_quantity(part: AnyPart, quantity: int) -> int:
    if part.category not in MULTI:
        return 1
    if not 1 <= quantity <= MAX_QUANTITY:
        raise InputError(f"quantity must be from 1 to {MAX_QUANTITY} (got {quantity})")
    return quantity


def line_quantity(build: Build, slot: Category, replace: str | None = None) -> int:
    """The quantity a new part for ``slot`` keeps: the replaced line's, else 1."""
    for item in build.of(slot):
        if replace is None and slot not in MULTI or item.part.id == replace:
            return item.quantity
    return 1


def swap_line(build: Build, slot: Category) -> str | None:
    """The line a swap of ``slot`` replaces: a several-line slot's first line (a one-part
    slot's part is replaced by ``place`` anyway). ``dlrig swap`` and the web's Swap page
    try each part in its place, so both list the same rows."""
    current = build.of(slot)
    return current[0].part.id if current and slot in MULTI else None


def place(build: Build, part: AnyPart, quantity: int | None = None,
          replace: str | None = None) -> Build:
    """``build`` with ``part`` chosen for its slot (see the module's rules); choosing a
    part the build already lists adds to that line instead of a second one."""
    slot = part.category
    qty = _check_quantity(part, quantity if quantity is not None
                          else line_quantity(build, slot, replace))
    items = list(build.items)
    if slot not in MULTI:
        items = [i for i in items if i.part.category != slot]
    elif replace is not None:
        items = [i for i in items if i.part.id != replace]
    for k, i in enumerate(items):
        if i.part.id == part.id:  # the same part again: one line, more of it
            items[k] = BuildItem(part, _check_quantity(part, min(i.quantity + qty, MAX_QUANTITY)))
            return _with_items(build, items)
    items.append(BuildItem(part, qty))
    return _with_items(build, items)


def remove(build: Build, part_id: str) -> Build:
    """``build`` without the line of ``part_id`` (unchanged when it has none)."""
    return _with_items(build, [i for i in build.items if i.part.id != part_id])


def set_quantity(build: Build, part_id: str, quantity: int) -> Build:
    """``build`` with the line of ``part_id`` at ``quantity`` (1 for one-part slots)."""
    items = [BuildItem(i.part, _check_quantity(i.part, quantity)) if i.part.id == part_id else i
             for i in build.items]
    return _with_items(build, items)
