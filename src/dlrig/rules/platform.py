"""Platform rules: CPU socket, chipset and BIOS generation, graphics, cooling."""

from __future__ import annotations

from ..parts import Category
from .registry import PairRule, Severity, Violation, register


def _socket_test(cpu_socket, board_socket, ctx):
    if cpu_socket != board_socket:
        return Violation(
            "{a} needs socket " + cpu_socket + " but {b} has socket " + board_socket,
            "choose a CPU and a motherboard with the same socket",
            {"cpu_socket": cpu_socket, "board_socket": board_socket},
        )
    return None


register(PairRule(
    id="platform.socket",
    severity=Severity.error,
    title="CPU socket matches the motherboard",
    rationale="A CPU only fits a board with its exact socket (LGA1151 is not LGA1200; AM4 is not AM5).",
    categories=(Category.cpu, Category.motherboard),
    key_a=lambda cpu: cpu.socket,
    key_b=lambda board: board.socket,
    test=_socket_test,
))
