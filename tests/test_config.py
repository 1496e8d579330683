"""The config file (``dlrig.config``, ``dlrig config ...``): precedence and bad files.

Precedence is observed through what commands do, not through ``config show``: the market a
GPU ranking prices in (its currency is the market file's), the VRAM floor a workload
applies (read from the workload's own file here, never typed in), the database a command
writes to. Each run is a fresh process (``dlrig.cli.main``), as a person runs it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dlrig.perf import get_workload

MAIN = "import sys; from dlrig.cli import main; main(sys.argv[1:])"


def run(*args: str, env: dict[str, str]):
    return subprocess.run([sys.executable, "-c", MAIN, *args], capture_output=True, text=True,
                          timeout=120, env=env)


@pytest.fixture
def cfg(tmp_path):
    """An environment with its own config file and database paths (none exist yet)."""
    env = dict(os.environ, COLUMNS="120", TERM="dumb", NO_COLOR="1",
               DLRIG_CONFIG=str(tmp_path / "config.toml"))
    env.pop("DLRIG_DB", None)
    env["XDG_DATA_HOME"] = str(tmp_path / "data")  # the default database, on Linux
    return env, tmp_path / "config.toml"


def _gpus(env, *extra):
    r = run("gpus", "--json", "--limit", "3", *extra, env=env)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_config_market_is_the_default_and_an_explicit_option_wins(cfg):
    env, file = cfg
    assert {g["price"] for g in _gpus(env)} == {None}  # no market: no prices
    r = run("config", "set", "market", "ar", env=env)
    assert r.returncode == 0, r.stderr
    assert 'market = "ar"' in file.read_text()
    assert {g["price"]["currency"] for g in _gpus(env)} == {"ARS"}
    assert {g["price"]["currency"] for g in _gpus(env, "--market", "us")} == {"USD"}
    assert run("config", "unset", "market", env=env).returncode == 0
    assert {g["price"] for g in _gpus(env)} == {None}


def _floors(env, *extra):
    rows = _gpus(env, "--below-floor", "--limit", "0", *extra)
    return {(g["vram_gb"], g["meets_vram_floor"]) for g in rows}


def test_config_workload_sets_the_floor_and_the_option_wins(cfg):
    env, file = cfg
    cnn, learning = get_workload("cnn").vram_floor_gb, get_workload("learning").vram_floor_gb
    assert cnn != learning
    file.write_text('workload = "learning"\n')
    with_config = _floors(env)
    assert with_config and all(ok == (v >= learning) for v, ok in with_config)
    explicit = _floors(env, "--workload", "cnn")
    assert all(ok == (v >= cnn) for v, ok in explicit)
    assert with_config != explicit


def test_config_db_is_the_default_database_and_dlrig_db_wins(cfg, tmp_path):
    env, file = cfg
    mine = tmp_path / "mine.db"
    assert run("config", "set", "db", str(mine), env=env).returncode == 0
    r = run("rates", "set", "USD", "ARS", "16", "--date", "2017-06-01", env=env)
    assert r.returncode == 0, r.stderr
    assert mine.is_file()  # the configured path, not the user data dir
    shown = json.loads(run("config", "show", "--json", env=env).stdout)
    db = next(s for s in shown["settings"] if s["key"] == "db")
    assert db == {"key": "db", "value": str(mine), "source": "config file"}
    other = tmp_path / "env.db"
    env2 = dict(env, DLRIG_DB=str(other))
    assert run("rates", "set", "USD", "ARS", "16", "--date", "2017-06-01",
               env=env2).returncode == 0
    assert other.is_file()
    shown = json.loads(run("config", "show", "--json", env=env2).stdout)
    assert next(s for s in shown["settings"] if s["key"] == "db")["source"] == "$DLRIG_DB"
    explicit = tmp_path / "explicit.db"
    assert run("rates", "set", "USD", "ARS", "16", "--date", "2017-06-01", "--db",
               str(explicit), env=env2).returncode == 0
    assert explicit.is_file()


def test_a_build_files_market_is_not_replaced_by_the_config(cfg):
    """'check' and 'swap' price in the build's market unless --market is given."""
    from dlrig.cli.defaults import NOT_FROM_CONFIG, default_map

    class Opt:
        param_type_name = "option"

        def __init__(self, name):
            self.name = name

    class Cmd:
        params = [Opt("market"), Opt("workload"), Opt("currency"), Opt("db")]

    values = {"market": "ar", "workload": "cnn", "currency": "USD", "db": "x.db"}
    assert default_map(Cmd(), ("plan",), values) == {"market": "ar", "workload": "cnn",
                                                     "currency": "USD"}
    for path, skipped in NOT_FROM_CONFIG.items():
        assert not set(default_map(Cmd(), path, values)) & skipped


def test_config_path_follows_dlrig_config(cfg):
    env, file = cfg
    r = run("config", "path", env=env)
    assert r.returncode == 0 and r.stdout.strip() == str(file)


@pytest.mark.parametrize("text, words", [
    ('market = "mars"\n', ["market", "unknown market 'mars'", "dlrig config unset market"]),
    ("market = 3\n", ["market", "must be a non-empty string", "dlrig config set market"]),
    ('currency = "DOGE"\n', ["currency", "unknown currency", "dlrig config unset currency"]),
    ('workload = "nope"\n', ["workload", "unknown workload", "dlrig config unset workload"]),
    ('budget = "1000"\n', ["unknown key 'budget'", "dlrig config unset budget"]),
    ('market = "us\n', ["not valid TOML", "delete the file"]),
    (b"\xff\xfe market", ["not valid TOML"]),
])
def test_a_bad_config_file_is_one_line_naming_file_key_and_fix(cfg, text, words):
    env, file = cfg
    file.write_bytes(text if isinstance(text, bytes) else text.encode())
    r = run("markets", env=env)
    assert r.returncode == 2 and r.stdout == ""
    line = r.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert str(file) in line
    for w in words:
        assert w in line, line


def test_a_bad_key_can_be_unset_and_the_file_works_again(cfg):
    env, file = cfg
    file.write_text('market = "us"\nbudget = 5\n')
    assert run("markets", env=env).returncode == 2
    r = run("config", "unset", "budget", env=env)
    assert r.returncode == 0, r.stderr
    assert run("markets", env=env).returncode == 0
    assert file.read_text() == 'market = "us"\n'


def test_config_set_refuses_bad_values_and_writes_nothing(cfg):
    env, file = cfg
    for key, value in (("market", "mars"), ("currency", "XYZ"), ("colour", "red"),
                       ("db", str(file.parent))):
        r = run("config", "set", key, value, env=env)
        assert r.returncode == 2 and "\n" not in r.stderr.strip(), r.stderr
    assert not file.exists()


def test_a_folder_as_config_file_is_one_line(cfg, tmp_path):
    env, _ = cfg
    env = dict(env, DLRIG_CONFIG=str(tmp_path))
    r = run("markets", env=env)
    assert r.returncode == 2 and "not a file" in r.stderr and str(tmp_path) in r.stderr


def test_library_settings_say_where_each_value_comes_from(tmp_path, monkeypatch):
    from dlrig import config

    file = tmp_path / "c.toml"
    monkeypatch.delenv("DLRIG_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    config.set_value("currency", "usd", file)
    got = {s.key: (s.value, s.source) for s in config.settings(file)}
    assert got["currency"] == ("USD", "config file")
    assert got["market"] == (None, "unset")
    assert got["db"][1] == "default"
    assert Path(got["db"][0]).name == "dlrig.db"


def test_set_never_drops_a_key_it_does_not_know_and_unset_removes_only_its_own(tmp_path):
    """A key someone wrote by hand (a typo, a newer version's key) is not silently lost."""
    from dlrig import config
    from dlrig.errors import InputError

    f = tmp_path / "config.toml"
    f.write_text('colour = "blue"\nbudgett = 1000\nmarket = "us"\n')
    before = f.read_bytes()
    with pytest.raises(InputError) as e:
        config.set_value("currency", "USD", f)
    assert "unknown key 'colour'" in str(e.value) and "config unset colour" in e.value.hint
    assert f.read_bytes() == before
    assert config.unset("colour", f)
    assert "budgett = 1000" in f.read_text() and 'market = "us"' in f.read_text()
    assert config.unset("budgett", f)
    assert config.set_value("currency", "USD", f) == "USD"
    assert f.read_text() == 'market = "us"\ncurrency = "USD"\n'
