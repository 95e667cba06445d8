"""``main.py kiosk …``: the kiosk's screen, or a kiosk command of the command line."""

from __future__ import annotations

import argparse

import pytest

from fzmediate.cli import build_parser
from fzmediate.cli_kiosk import KIOSK_COMMANDS
from main import opens_app


def _kiosk_commands() -> set[str]:
    parser = build_parser()
    top = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    kiosk = top.choices["kiosk"]
    group = next(a for a in kiosk._actions if isinstance(a, argparse._SubParsersAction))
    return set(group.choices)


def test_the_routing_knows_every_kiosk_command() -> None:
    assert _kiosk_commands() == set(KIOSK_COMMANDS)


@pytest.mark.parametrize(
    ("argv", "app"),
    [
        (["desk"], True),
        (["kiosk"], True),
        (["kiosk", "--data-dir", "K"], True),
        (["kiosk", "--data-dir", "K", "--lang", "en"], True),
        (["kiosk", "init", "--office-key", "office.key"], False),
        (["--data-dir", "K", "kiosk", "init", "--office-key", "office.key"], False),
        (["kiosk", "--data-dir", "K", "sync", "--json"], False),
        (["kiosk", "--help"], True),
        (["kiosk", "init", "--help"], False),
        (["sync"], False),
        ([], False),
    ],
)
def test_kiosk_commands_go_to_the_command_line(argv: list[str], app: bool) -> None:
    assert opens_app(argv) is app
