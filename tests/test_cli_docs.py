"""docs/cli.md is generated from the commands; it must not drift from them."""

from pathlib import Path

from dlrig.cli.reference import commands, markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def test_cli_reference_is_up_to_date():
    assert DOC.read_text(encoding="utf-8") == markdown(), (
        "docs/cli.md is out of date: run `python -m dlrig.cli.reference > docs/cli.md`"
    )


def test_every_command_has_a_docstring():
    undocumented = [path for path, cmd in commands() if not (cmd.help or "").strip()]
    assert not undocumented, f"commands without help text: {undocumented}"
