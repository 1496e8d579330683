"""Whether a part agrees with the specs a row states (capacity, VRAM, DDR speed...).

Rows state specs in their text (``words.read_text``) or in fields (a
pc-part-dataset row: ``row_specs``); ``checks_of`` normalises them once per
row (socket spellings, form factors, 80 Plus tiers), ``disagree`` compares
them with a part's own fields, which are trusted over its name. A spec the
part leaves unknown (None) is not a disagreement.
"""

from __future__ import annotations

from typing import Any

from ..parts import Category
from . import words as W


def implied_words(specs: dict[str, Any]) -> set[str]:
    """Words a part's name may hold for what the row says in specs ('850' of 850 W, 'd4' of DDR4)."""
    out: set[str] = set()
    for v in specs.values():
        if isinstance(v, int | float) and not isinstance(v, bool):
            out.add(f"{v:g}")
        elif isinstance(v, str):
            out.add(v.lower())
    mt = specs.get("memory_type")
    if mt:
        out |= {mt.lower(), "d" + mt[-1]}
    return out


def confirmed(specs: dict[str, Any]) -> list[str]:
    names = {"vram_gb": "VRAM", "capacity_gb": "capacity", "cores": "cores", "wattage_w": "wattage",
             "memory_type": "DDR generation", "speed_mts": "speed", "modules": "modules",
             "total_gb": "size", "socket": "socket", "form_factor": "form factor", "cas": "CAS",
             "kind": "type", "interface": "interface", "size_mm": "size", "efficiency": "80 Plus tier"}
    return sorted({names[k] for k in specs if k in names})


_TIERS = {"bronze": "80+ Bronze", "silver": "80+ Silver", "gold": "80+ Gold",
          "platinum": "80+ Platinum", "titanium": "80+ Titanium"}
_TIERS_SET = frozenset(_TIERS.values())


def checks_of(specs: dict[str, Any]) -> list[tuple[str, str | None, Any]]:
    """A row's specs as (key, part field, value to compare), normalised once per row
    rather than once per candidate part."""
    out = []
    for k, v in specs.items():
        if v is None or v == "":
            continue
        if k == "socket":
            v = W.socket_key(str(v))
        elif k == "form_factor":
            v = W.board_form(str(v))
        elif k == "psu_form":
            v = W.psu_form(str(v))
        elif k == "efficiency":
            v = _TIERS.get(str(v))
        if v is not None and (k in _FIELDS or k in ("year", "total_gb")):
            out.append((k, _FIELDS.get(k), v))
    return out


def disagree(e: Any, checks: list[tuple[str, str | None, Any]]) -> str | None:
    """The first spec of ``checks`` (``checks_of``) the part contradicts, in words; None if none.

    ``e`` is the resolver's index entry of the part (its ``part``, ``year`` and
    ``year_slack``: a year read from a release date may trail a list's label by one)."""
    p: Any = e.part
    for k, attr, v in checks:
        if k == "year":
            if e.year is not None and abs(e.year - v) > e.year_slack:
                return f"year {e.year}, the row says {v}"
            continue
        if k == "total_gb":
            mods = getattr(p, "modules", None)
            if mods is not None and mods * p.module_gb != v:
                return f"{mods * p.module_gb} GB in all, the row says {v}"
            continue
        if k == "size_mm":
            rad, height = getattr(p, "radiator_mm", None), getattr(p, "height_mm", None)
            if (rad or height) and not ((rad and rad == v) or (height and abs(height - v) <= 2)):
                return f"{rad or height} mm, the row says {v} mm"
            continue
        got = getattr(p, attr, None) if attr else None
        if got is None:
            continue
        if k == "capacity_gb":
            if abs(got - v) > 0.025 * v:
                return f"{got:g} GB, the row says {v:g} GB"
        elif k == "length_mm":
            if abs(got - v) > 5:
                return f"{got} mm long, the row says {v} mm"
        elif k == "socket":
            if W.socket_key(got) != v:
                return f"socket {got}, the row says {v}"
        elif k == "efficiency":
            if got in _TIERS_SET and got != v:
                return f"{got}, the row says {v}"
        elif k == "cas":
            if got != v:
                return f"CL{got}, the row says CL{v}"
        elif isinstance(v, float) or isinstance(got, float):
            if abs(got - v) > 1e-6:
                return f"{_LABEL.get(k, k)} {got:g}, the row says {v:g}"
        elif got != v:
            return f"{_LABEL.get(k, k)} {got}, the row says {v}".strip()
    return None


_FIELDS = {"vram_gb": "vram_gb", "capacity_gb": "capacity_gb", "cores": "cores",
           "threads": "threads", "wattage_w": "wattage_w", "memory_type": "memory_type",
           "speed_mts": "speed_mts", "modules": "modules", "module_gb": "module_gb",
           "cas": "cas_latency", "socket": "socket", "form_factor": "form_factor",
           "kind": "kind", "interface": "interface", "length_mm": "length_mm",
           "efficiency": "efficiency", "psu_form": "form_factor", "storage_form": "form_factor",
           "size_mm": None}
_LABEL = {"vram_gb": "VRAM GB", "cores": "cores", "wattage_w": "W", "modules": "modules",
          "module_gb": "GB per module", "speed_mts": "MT/s", "memory_type": "",
          "kind": "", "interface": ""}


def row_specs(category: Category, row: dict[str, Any]) -> dict[str, Any]:
    """The specs a pc-part-dataset row states in its fields, as ``words`` names them."""
    out: dict[str, Any] = {}

    def num(v):
        return v if isinstance(v, int | float) and not isinstance(v, bool) and v > 0 else None

    if category == Category.cpu:
        out["cores"] = num(row.get("core_count"))
    elif category == Category.gpu:
        out["vram_gb"] = float(row["memory"]) if num(row.get("memory")) else None
        out["length_mm"] = num(row.get("length"))
    elif category == Category.memory:
        sp = row.get("speed")
        if isinstance(sp, list) and len(sp) == 2 and num(sp[0]) and num(sp[1]):
            out["memory_type"], out["speed_mts"] = f"DDR{sp[0]}", int(sp[1])
        mo = row.get("modules")
        if isinstance(mo, list) and len(mo) == 2 and num(mo[0]) and num(mo[1]):
            out["modules"], out["module_gb"] = int(mo[0]), int(mo[1])
        out["cas"] = num(row.get("cas_latency"))
    elif category == Category.storage:
        out["capacity_gb"] = num(row.get("capacity"))
        t = str(row.get("type") or "")
        if t:
            out["kind"] = "SSD" if t.upper() == "SSD" else "HDD"
        iface = str(row.get("interface") or "").lower()
        if "pcie" in iface:
            out["interface"] = "NVMe"
        elif "sata" in iface:
            out["interface"] = "SATA"
        ff = str(row.get("form_factor") or "")
        out["storage_form"] = "M.2" if ff.startswith("M.2") else {"2.5": "2.5", "3.5": "3.5"}.get(ff)
    elif category == Category.psu:
        out["wattage_w"] = num(row.get("wattage"))
    elif category == Category.motherboard:
        if row.get("socket"):
            out["socket"] = str(row["socket"])
        if row.get("form_factor"):
            out["form_factor"] = str(row["form_factor"]).lower()
    elif category == Category.cooler:
        out["size_mm"] = num(row.get("size"))
    return {k: v for k, v in out.items() if v is not None}
