"""Units kept as integers where they are compared or optimised.

Money is held in integer minor units (cents, centavos) with its currency, so
sums are exact and the CP-SAT model can use the same numbers. Watts and
millimetres are plain ints in the part models.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .errors import InputError

# The currencies dlrig offers: each is the currency of a built-in market
# (src/dlrig/data/markets/*.toml: us, ar, de, uk, in, br), so a price, a rate or a
# tariff in it can be used somewhere; tests/test_markets.py keeps the two lists equal.
# A currency without a market is not offered (the Chilean and Mexican pesos, the
# Canadian dollar and the yen were listed once with no market behind them).
# All of these use two decimals (minor units per major unit: MINOR).
CURRENCIES = {
    "USD": "US dollar",
    "ARS": "Argentine peso",
    "EUR": "Euro",
    "GBP": "Pound sterling",
    "BRL": "Brazilian real",
    "INR": "Indian rupee",
}
MINOR = 100
MAX_AMOUNT = 10**12


def check_currency(code: str) -> str:
    """Upper-case and validate an ISO 4217 code that dlrig knows."""
    c = (code or "").strip().upper()
    if c not in CURRENCIES:
        raise InputError(
            f"unknown currency '{code}'", hint="use one of " + ", ".join(sorted(CURRENCIES))
        )
    return c


@dataclass(frozen=True, order=True)
class Money:
    """An exact amount: ``minor`` units (cents) of ``currency``."""

    minor: int
    currency: str

    @classmethod
    def of(cls, amount: float | int | str | Decimal, currency: str) -> Money:
        """An amount in major units; refuses NaN, infinities and absurd sizes.

        The bound (10^12 major units) keeps every sum of prices far inside
        the 64-bit integers CP-SAT works in.
        """
        try:
            d = Decimal(str(amount).strip().replace("_", ""))
        except (InvalidOperation, ValueError):
            raise InputError(f"'{amount}' is not an amount of money", hint="write it like 1000 or 999.99") from None
        if not d.is_finite():
            raise InputError(f"'{amount}' is not a finite amount of money", hint="write it like 1000 or 999.99")
        if abs(d) > MAX_AMOUNT:
            raise InputError(f"amount {amount} is too large", hint=f"amounts are limited to {MAX_AMOUNT:,}")
        return cls(int((d * MINOR).quantize(Decimal(1), rounding=ROUND_HALF_UP)), check_currency(currency))

    @property
    def amount(self) -> float:
        return self.minor / MINOR

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def __mul__(self, k: int) -> Money:
        return Money(self.minor * k, self.currency)

    __rmul__ = __mul__

    def convert(self, rate: float | Decimal, currency: str) -> Money:
        """This amount times ``rate`` (units of ``currency`` per unit of ours)."""
        d = Decimal(self.minor) * Decimal(str(rate))
        return Money(int(d.quantize(Decimal(1), rounding=ROUND_HALF_UP)), check_currency(currency))

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise ValueError(f"cannot combine {self.currency} and {other.currency}")

    def format(self, decimals: bool | None = None) -> str:
        """``1,234 USD`` or ``1,234.50 USD``; cents shown only when present."""
        whole, cents = divmod(abs(self.minor), MINOR)
        sign = "-" if self.minor < 0 else ""
        show = decimals if decimals is not None else cents != 0
        body = f"{whole:,}.{cents:02d}" if show else f"{whole + (1 if cents >= 50 and decimals is False else 0):,}"
        return f"{sign}{body} {self.currency}"

    def __str__(self) -> str:
        return self.format()
