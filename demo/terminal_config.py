"""The demo terminal's settings, written where a person can use them.

``make demo`` keeps everything of its own under its state dir: the cards, the PSAM, the clearing
database and the terminal's journal (``STATE/terminal/``). It writes the terminal's settings to
``STATE/terminal.toml`` (this run's clearing service; its token in the terminal's token file,
mode 0600) and uses that very file for its own purchase; ``--stay`` prints it, so that
``cardsvc pay`` tried by hand journals where the demo does and uploads to the demo's clearing.
A ``cardsvc`` run with other settings (the default ``var/``) has its own journal, which knows
nothing of the demo's cards.
"""

from __future__ import annotations

import json
from pathlib import Path

from config.files import atomic_write
from config.layout import VarLayout

__all__ = ["TERMINAL_CONFIG", "stay_lines", "write_terminal_config"]

TERMINAL_CONFIG = "terminal.toml"
CARD_READER, SAM_READER = "Virtual PCD 00 00", "Virtual PCD 00 01"


def write_terminal_config(state: Path, clearing_url: str, token: str) -> Path:
    """Write ``STATE/terminal.toml`` (and the token file it names) for this run's clearing
    service; returns its path."""
    var = VarLayout((state / "terminal").resolve())
    atomic_write(var.clearing_client_token, token + "\n", mode=0o600, dir_mode=0o700)
    text = "\n".join([
        "# Written by `make demo`: the demo terminal's settings (its own journal, its clearing).",
        "# Use it with CITIZEN_HALL_CONFIG=<this file> while `python -m demo --stay` runs.",
        "[paths]",
        f"var_dir = {json.dumps(str(var.root))}",
        "[card]",
        "demo = true",
        f"reader = {json.dumps(CARD_READER)}",
        f"sam = {json.dumps('pcsc:' + SAM_READER)}",
        "[clearing_client]",
        f"url = {json.dumps(clearing_url)}",
        f"token_file = {json.dumps(str(var.clearing_client_token))}",
        "",
    ])
    return atomic_write(state / TERMINAL_CONFIG, text)


def stay_lines(socket_env: str, socket: str, config: Path) -> list[str]:
    """What ``--stay`` prints: the environment that reaches the demo's cards, journal and
    clearing, and commands to try with it."""
    return [
        "在另一个终端中使用演示的读卡器、日志和清算中心 · in another terminal, to use the demo's "
        "readers, journal and clearing:",
        f"  export {socket_env}={socket}",
        f"  export CITIZEN_HALL_CONFIG={config.resolve()}",
        "  cardsvc balance; cardsvc pay 1.00; cardsvc upload; cardsvc journal; opensc-tool -l",
    ]
