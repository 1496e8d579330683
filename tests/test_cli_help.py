"""Help text says what to write, never a Python type: no ``<str>``, ``<bool>``,
``<list[str]>`` or ``<int range>`` in any command's --help or in docs/cli.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import dlrig.cli
from dlrig.cli.reference import commands

DOCS = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
# '<' + a lower-case word (a type name, 'int range', 'list[str]', 'path') + '>'
PLACEHOLDER = re.compile(r"<[a-z][a-z_ |,\[\]]*>")
PATHS = [["--help"]] + sorted({tuple(p.split()[1:]) for p, _ in commands()}
                             | {tuple(p.split()[1:2]) for p, _ in commands()})


def test_the_pattern_finds_what_typer_shows():
    for text in ("--only <list[str]>", "--quick <bool>", "--limit <int range> [x>=1]",
                 "--dir <path>", "base <str>"):
        assert PLACEHOLDER.search(text), text


@pytest.mark.parametrize("path", PATHS, ids=" ".join)
def test_help_has_no_type_placeholder(path):
    args = list(path) if path == ["--help"] else [*path, "--help"]
    r = CliRunner().invoke(dlrig.cli.app, args, env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert not PLACEHOLDER.search(r.output), PLACEHOLDER.findall(r.output)


def test_docs_have_no_type_placeholder():
    text = DOCS.read_text(encoding="utf-8")
    assert not PLACEHOLDER.search(text), PLACEHOLDER.findall(text)
