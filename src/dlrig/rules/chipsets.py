"""The chipset table (``data/chipsets.toml``): which CPU generations a board runs.

Kept as data, not code, so a wrong or missing chipset is a one-line fix; the
platform rules only ask two questions of it: does this chipset run that
generation at all, and does it need a BIOS update first.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Chipset:
    name: str
    socket: str
    native: tuple[str, ...]
    update: tuple[str, ...]

    @property
    def supported(self) -> tuple[str, ...]:
        return self.native + self.update


def norm_socket(socket: str) -> str:
    """'LGA 1151', 'lga-1151', 'Socket AM4' -> 'LGA1151', 'AM4'."""
    s = re.sub(r"[\s_-]+", "", socket.upper())
    return s.removeprefix("SOCKET")


def norm_chipset(name: str) -> str:
    """'Intel B250', 'AMD B550 chipset' -> 'B250', 'B550'."""
    s = name.upper().replace("CHIPSET", " ")
    s = re.sub(r"\b(INTEL|AMD)\b", " ", s)
    return re.sub(r"\s+", "", s)


@cache
def table() -> dict[str, Chipset]:
    """Every chipset and alias, by normalised name."""
    text = (resources.files("dlrig") / "data" / "chipsets.toml").read_text(encoding="utf-8")
    out: dict[str, Chipset] = {}
    for name, row in tomllib.loads(text)["chipset"].items():
        for n in (name, *row.get("aliases", ())):
            out[norm_chipset(n)] = Chipset(
                n, row["socket"], tuple(row["native"]), tuple(row.get("update", ()))
            )
    return out


def lookup(name: str) -> Chipset | None:
    key = norm_chipset(name)
    t = table()
    if key in t:
        return t[key]
    # 'X570S', 'B550M' and similar vendor suffixes: the longest known prefix.
    for k in sorted(t, key=len, reverse=True):
        if key.startswith(k):
            return t[k]
    return None


@cache
def known_generations() -> frozenset[str]:
    return frozenset(g for c in table().values() for g in c.supported)


_GEN_NAMES = {
    "intel-6": "Intel 6th gen (Skylake)",
    "intel-7": "Intel 7th gen (Kaby Lake)",
    "intel-8": "Intel 8th gen (Coffee Lake)",
    "intel-9": "Intel 9th gen (Coffee Lake Refresh)",
    "intel-10": "Intel 10th gen (Comet Lake)",
    "intel-11": "Intel 11th gen (Rocket Lake)",
    "intel-12": "Intel 12th gen (Alder Lake)",
    "intel-13": "Intel 13th gen (Raptor Lake)",
    "intel-14": "Intel 14th gen (Raptor Lake Refresh)",
    "intel-ultra-200": "Intel Core Ultra 200S (Arrow Lake)",
    "ryzen-1000": "Ryzen 1000 (Zen)",
    "ryzen-2000": "Ryzen 2000 (Zen+)",
    "ryzen-3000": "Ryzen 3000 (Zen 2)",
    "ryzen-5000": "Ryzen 5000 (Zen 3)",
    "ryzen-7000": "Ryzen 7000 (Zen 4)",
    "ryzen-9000": "Ryzen 9000 (Zen 5)",
    "threadripper-7000": "Ryzen Threadripper 7000 (Zen 4)",
    "threadripper-9000": "Ryzen Threadripper 9000 (Zen 5)",
    "threadripper-pro-7000": "Ryzen Threadripper PRO 7000 WX (Zen 4)",
    "threadripper-pro-9000": "Ryzen Threadripper PRO 9000 WX (Zen 5)",
}


def generation_name(key: str) -> str:
    return _GEN_NAMES.get(key, key)
