"""Form values: parsed once, each error kept beside its field.

A bad value never raises out of a route: it becomes a message attached to
the field that held it, the form is shown again with what the person typed,
and JSON clients get the same ``{"errors": {field: message}}``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

MAX_TEXT = 200_000  # characters of pasted text we agree to read


@dataclass
class Form:
    """Raw values in, typed values out, one message per bad field."""

    raw: Mapping[str, Any]
    errors: dict[str, str] = field(default_factory=dict)

    def text(self, name: str, default: str = "", max_len: int = 200) -> str:
        value = self.raw.get(name, default)
        value = default if value is None else str(value)
        value = value.strip()
        if len(value) > max_len:
            self.errors[name] = f"too long: {len(value):,} characters, at most {max_len:,}"
            return value[:max_len]
        return value

    def amount(self, name: str, currency: str, *, low: float, high: float, what: str,
               required: bool = True) -> Decimal | None:
        """Money as people write it in ``currency`` (``dlrig.validate.amount``: "1.000" is
        a thousand pesos, and ambiguous in dollars), in ``[low, high]``."""
        from ..errors import DlrigError
        from ..validate import amount

        raw = self.text(name, "", 40)
        if raw == "":
            if required:
                self.errors[name] = f"give the {what}"
            return None
        try:
            value = amount(raw, currency, field=name, what=what)
        except DlrigError as e:
            self.errors[name] = e.one_line()
            return None
        if value < Decimal(str(low)) or value > Decimal(str(high)):
            if value <= 0 < low:
                self.errors[name] = f"the {what} must be more than zero (got {raw})"
            else:
                self.errors[name] = (f"the {what} must be between {_fmt(low)} and {_fmt(high)} "
                                     f"(got {raw})")
            return None
        return value

    def number(
        self, name: str, *, default: float | None = None, low: float, high: float,
        what: str, required: bool = True,
    ) -> Decimal | None:
        """A positive decimal in ``[low, high]``; commas as thousands separators are fine."""
        raw = self.text(name, "" if default is None else str(default), 40).replace(",", "").replace("_", "")
        if raw == "":
            if required:
                self.errors[name] = f"give the {what}"
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            self.errors[name] = f"'{raw}' is not a number; write the {what} like 1000 or 1250.50"
            return None
        if not value.is_finite():
            self.errors[name] = f"the {what} must be a finite number"
            return None
        if value < Decimal(str(low)) or value > Decimal(str(high)):
            if value <= 0 < low:
                self.errors[name] = f"the {what} must be more than zero (got {raw})"
            else:
                self.errors[name] = f"the {what} must be between {_fmt(low)} and {_fmt(high)} (got {raw})"
            return None
        return value

    def integer(self, name: str, *, default: int, low: int, high: int, what: str) -> int:
        raw = self.text(name, str(default), 20)
        if raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            self.errors[name] = f"'{raw}' is not a whole number; give the {what} as 1, 2, ..."
            return default
        if not low <= value <= high:
            self.errors[name] = f"the {what} must be from {low} to {high} (got {value})"
            return min(max(value, low), high)
        return value

    def choice(self, name: str, options: Iterable[str], *, default: str | None, what: str) -> str | None:
        opts = list(options)
        raw = self.text(name, default or "", 100)
        if raw == "":
            return default
        if raw not in opts:
            shown = ", ".join(opts[:8]) + (" ..." if len(opts) > 8 else "")
            self.errors[name] = f"unknown {what} '{raw}'; choose one of {shown}"
            return default
        return raw

    def flag(self, name: str) -> bool:
        return str(self.raw.get(name, "")).lower() in ("1", "on", "true", "yes")

    @property
    def ok(self) -> bool:
        return not self.errors


def _fmt(x: float) -> str:
    return f"{int(x):,}" if math.isfinite(x) and float(x).is_integer() else f"{x:,}"
