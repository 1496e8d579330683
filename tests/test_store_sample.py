"""A small hand-written open-db checkout, shaped like the real one, for fast tests.

Record layouts follow open-db's ``schemas/*.schema.json`` (fields dlrig
reads only). ``write_sample`` writes ``open-db/<Category>/<uuid>.json``.
"""

from __future__ import annotations

import json
import tarfile
import uuid
from pathlib import Path


def _id(n: int) -> str:
    return str(uuid.UUID(int=n))


def cpu(n: int, name: str, *, packaging: str = "Boxed", socket: str = "LGA 1151",
        arch: str = "Kaby Lake", cores: int = 2, threads: int = 4) -> dict:
    return {
        "opendb_id": _id(n), "cores": {"total": cores, "threads": threads},
        "clocks": {"performance": {"base": 3.5, "boost": 0}},
        "cache": {"l3": 3},
        "specifications": {"integratedGraphics": {"model": "Intel HD Graphics 610"},
                           "memory": {"types": ["DDR4"]}, "tdp": 54, "packaging": packaging,
                           "includesCooler": packaging == "Boxed", "ppt": 0},
        "metadata": {"name": name, "manufacturer": "Intel", "releaseYear": 2017},
        "microarchitecture": arch, "socket": socket,
    }


def gpu(n: int, name: str, chipset: str = "GeForce GTX 1070", memory: int = 8, length: int = 210,
        tdp: int = 150) -> dict:
    return {
        "opendb_id": _id(n), "power_connectors": {"pcie_6_pin": 0, "pcie_8_pin": 1},
        "metadata": {"name": name, "manufacturer": "ZOTAC"}, "chipset_manufacturer": "NVIDIA",
        "chipset": chipset, "memory": memory, "interface": "PCIe 3.0 x16", "length": length,
        "tdp": tdp, "total_slot_width": 2, "cooling": "2 Fans",
    }


def board(n: int, name: str, socket: str | None = "LGA 1151") -> dict:
    rec = {
        "opendb_id": _id(n), "memory": {"max": 64, "ram_type": "DDR4", "slots": 4},
        "storage_devices": {"sata_6_gb_s": 6}, "bios_features": {"flashback": False},
        "metadata": {"name": name, "manufacturer": "Gigabyte"}, "form_factor": "Micro ATX",
        "chipset": "Intel B250", "pcie_slots": [{"gen": "3.0", "quantity": 1, "lanes": 16}],
        "m2_slots": [{"interface": "PCIe 3.0 x4"}],
    }
    if socket:
        rec["socket"] = socket
    return rec


def ram(n: int, name: str, speed: int = 2400, colour: str = "BLACK") -> dict:
    return {"opendb_id": _id(n), "modules": {"quantity": 2, "capacity_gb": 8},
            "metadata": {"name": name, "manufacturer": "Kingston"}, "speed": speed, "ram_type": "DDR4",
            "form_factor": "288-pin DIMM", "color": [colour], "cas_latency": 15, "ecc": "Non-ECC",
            "registered": "Unbuffered"}


def storage(n: int, name: str, capacity: int = 120) -> dict:
    return {"opendb_id": _id(n), "metadata": {"name": name, "manufacturer": "SanDisk"},
            "capacity": capacity, "type": "SSD", "storage_type": "SSD", "form_factor": '2.5"',
            "interface": "SATA 6.0 Gb/s", "nvme": False}


def psu(n: int, name: str, watts: int = 500) -> dict:
    return {"opendb_id": _id(n), "connectors": {"pcie_6_plus_2_pin": 2, "pcie_12vhpwr": 0},
            "metadata": {"name": name, "manufacturer": "EVGA"}, "wattage": watts, "form_factor": "ATX",
            "efficiency_rating": "80+", "modular": "Non-Modular"}


def case(n: int, name: str, gpu_len: int = 414) -> dict:
    return {"opendb_id": _id(n), "metadata": {"name": name, "manufacturer": "Corsair"},
            "supported_motherboard_form_factors": ["ATX", "Micro ATX", "Mini-ITX"],
            "form_factor": "ATX Mid Tower", "max_video_card_length": gpu_len, "max_cpu_cooler_height": 160,
            "internal_3_5_bays": 3, "internal_2_5_bays": 2, "expansion_slots": 7,
            "supported_power_supply_form_factors": []}


def cooler(n: int, name: str) -> dict:
    return {"opendb_id": _id(n), "metadata": {"name": name, "manufacturer": "Cooler Master"},
            "height": 159, "cpu_sockets": ["LGA 1151", "AM4"], "water_cooled": False}


def sample_records() -> dict[str, list[dict]]:
    """Eight categories, with the quirks the importer must handle."""
    return {
        "CPU": [cpu(1, "Intel Pentium G4560"), cpu(2, "Intel Pentium G4560", packaging="OEM/Tray"),
                cpu(3, "Intel Core i3-7100", cores=2, threads=4)],
        "GPU": [gpu(10, "ZOTAC GeForce GTX 1070 Mini"), gpu(11, "Some Board GTX 1060 3GB",
                                                            "GeForce GTX 1060", 3, 180, 120)],
        "Motherboard": [board(20, "Gigabyte GA-B250M-DS3H"), board(21, "Socketless Board", socket=None)],
        "RAM": [ram(30, "Kingston ValueRAM DDR4-2400 16GB (2x8GB)"),
                ram(31, "Kingston ValueRAM DDR4-2400 16GB (2x8GB)", colour="GREEN")],
        "Storage": [storage(40, "SanDisk SSD PLUS 120GB"), storage(41, "Seagate IronWolf NAS 10 TB", 10)],
        "PSU": [psu(50, "EVGA 500 W1")],
        "PCCase": [case(60, "Corsair Carbide 100R"), case(61, "YEYIAN Dragoon ATX Mid Tower", 9)],
        "CPUCooler": [cooler(70, "Cooler Master Hyper 212")],
    }


def write_sample(root: Path, records: dict[str, list[dict]] | None = None) -> Path:
    """Write a checkout under ``root`` and return ``root``."""
    for folder, recs in (records or sample_records()).items():
        d = root / "open-db" / folder
        d.mkdir(parents=True, exist_ok=True)
        for r in recs:
            (d / f"{r['opendb_id']}.json").write_text(json.dumps(r), encoding="utf-8")
    return root


def tar_sample(root: Path, out: Path, prefix: str = "buildcores-open-db-main") -> Path:
    """A .tar.gz like GitHub's archive: everything under one top folder."""
    with tarfile.open(out, "w:gz") as t:
        t.add(root / "open-db", arcname=f"{prefix}/open-db")
    return out


def test_sample_has_all_eight_categories(tmp_path):
    root = write_sample(tmp_path)
    assert sorted(p.name for p in (root / "open-db").iterdir()) == sorted(sample_records())


# -- the real archive, imported once per test session --------------------------
REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared" / "data"
OPENDB = SHARED / "buildcores-open-db-136a77ae.tar.gz"
PCPP = SHARED / "pc-part-dataset-snapshots.tar.gz"
_CACHE: dict[str, object] = {}


def need_shared(path: Path) -> None:
    import pytest

    if not path.is_file():
        pytest.skip(f"shared test data not found: {path} (see ../shared/data/README.md)")


def opendb_imported():
    """(db path, ImportResult) of the real open-db archive, imported once per session."""
    import tempfile

    need_shared(OPENDB)
    if "opendb" not in _CACHE:
        from dlrig.catalog.opendb import import_opendb
        from dlrig.store import Database

        path = Path(tempfile.mkdtemp(prefix="dlrig-test-")) / "opendb.db"
        with Database(path) as db:
            _CACHE["opendb"] = (path, import_opendb(db, OPENDB))
    return _CACHE["opendb"]


def pcpp_imported():
    """(db path, {date: PcppResult}) with two snapshots on top of the open-db import."""
    import datetime as dt
    import tempfile

    need_shared(PCPP)
    if "pcpp" not in _CACHE:
        from dlrig.catalog.pcpp import import_pcpp
        from dlrig.store import Database, load_catalog
        from dlrig.store.db import copy_database

        src, _ = opendb_imported()
        path = Path(tempfile.mkdtemp(prefix="dlrig-test-")) / "pcpp.db"
        copy_database(src, path)
        out = {}
        with Database(path) as db:
            cat = load_catalog(path)
            for day in (dt.date(2024, 5, 14), dt.date(2025, 7, 23)):
                out[day] = import_pcpp(db, PCPP, day, cat)
        _CACHE["pcpp"] = (path, out)
    return _CACHE["pcpp"]


def dump(path: Path) -> dict[str, list]:
    """Every row of every table, for 'nothing changed' checks."""
    import sqlite3

    c = sqlite3.connect(str(path))
    try:
        names = [r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return {n: sorted(c.execute(f"SELECT * FROM {n}"), key=repr) for n in names}
    finally:
        c.close()
