"""``cardsvc validator --line 1``: a bus validator. Taps one after another with no operator: the
fare of the line by card type (free rides recorded, not charged), an anti-passback window, a
clear result per tap in large text, the reader's buzzer/LED. Offline first: the hotlist is the
one cached in the journal and uploads wait in the journal until clearing answers.

The runtime runs in this process (no web framework). ``--json`` prints one JSON line per tap
(for scripts and the soak bench) instead of the screen. Stops cleanly on SIGTERM / Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import threading
from typing import Any

from cardsvc.cli_common import EDGE
from cardsvc.display import Screen, render
from cardsvc.events import Event
from cardsvc.money import format_fen
from cardsvc.runtime import Runtime, RuntimeOptions, with_card
from config.cli import EXIT_OK, EXIT_USAGE, report
from config.runtime import block_stop_signals, configure_logging, wait_for_stop
from config.settings import load_settings
from drivers.pcsc.feedback import open_feedback

SHOWN = ("operation_finished", "several_cards", "reader_unavailable", "reader_available")


def screen_of(event: Event) -> Screen | None:
    """What the rider sees for one event (None: nothing to show)."""
    data = event.data
    if event.type == "several_cards":
        return Screen("error", "请只出示一张卡", "Please present one card")
    if event.type == "reader_unavailable":
        return Screen("error", "读卡器不可用", "Reader unavailable")
    if event.type == "reader_available":
        return Screen("info", "请刷卡", "Please tap")
    if event.type != "operation_finished":
        return None
    if not data["ok"]:
        if data["code"] in ("card_removed", "sam_unavailable"):
            return Screen("error", data["message_zh"], data["message"])
        return Screen("refused", data["message_zh"], data["message"])
    result: dict[str, Any] = data["result"]
    if result.get("free"):
        return Screen("ok", "免费乘车", "Free ride", lines=[f"线路 Line {result['line']}"])
    title = ("已扣费", "Paid (recovered)") if result.get("replayed") else ("扣款成功", "Paid")
    return Screen("ok", *title, big=format_fen(result["amount_fen"]),
                  lines=[f"票价 Fare {format_fen(result['amount_fen'])} 元   "
                         f"余额 Balance {format_fen(result['balance_fen'])} 元"])


def main(argv: list[str], prog: str) -> int:
    p = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    p.add_argument("--line", required=True, help="the bus line (its fare is in the fare table)")
    p.add_argument("--passback", type=float, default=30.0, metavar="SECONDS",
                   help="anti-passback window: the same card again within it is not charged")
    p.add_argument("--feedback", default="none", help="reader buzzer/LED: none, acs or "
                                                      "control:CODE (default none)")
    p.add_argument("--reader", help="the card reader (default: any reader not the SAM's)")
    p.add_argument("--sam", help="pcsc:READER or soft:KEYFILE (default: [card] sam)")
    p.add_argument("--json", action="store_true", help="one JSON line per tap, no screen")
    p.add_argument("--config", help="configuration file (TOML)")
    p.add_argument("-v", "--verbose", action="store_true", help="log to stderr (JSON lines)")
    args = p.parse_args(argv)
    if not args.line.strip() or args.passback < 0:
        return report(prog, "用法错误 usage: --line must name a line, --passback >= 0",
                      EXIT_USAGE)
    try:
        feedback = open_feedback(args.feedback)
    except ValueError as exc:
        return report(prog, f"用法错误 usage: {exc}", EXIT_USAGE)
    configure_logging(logging.INFO if args.verbose else logging.WARNING)
    return EDGE.run(prog, lambda: _run(args, feedback))


def _run(args: argparse.Namespace, feedback: Any) -> int:
    settings = with_card(load_settings(args.config), reader=args.reader, sam=args.sam)
    block_stop_signals()
    runtime = Runtime(settings, RuntimeOptions(role="validator", line=args.line,
                                               passback_s=args.passback, feedback=feedback))
    sub = runtime.events.subscribe()
    stop = threading.Event()
    runtime.start()

    def show() -> None:
        while not stop.is_set():
            event = sub.get(0.5)
            if event is None or event.type not in (*SHOWN, "card_removed"):
                continue
            if args.json:
                print(json.dumps({"type": event.type, **event.data}, ensure_ascii=False),
                      flush=True)
            elif event.type != "card_removed" and (screen := screen_of(event)) is not None:
                print(render(screen, colour=sys.stdout.isatty()), flush=True)

    printer = threading.Thread(target=show, name="screen", daemon=True)
    printer.start()
    if not args.json:
        print(render(Screen("info", f"{args.line} 路  请刷卡", f"Line {args.line}: please tap"),
                     colour=sys.stdout.isatty()), flush=True)
    try:
        wait_for_stop(printer.is_alive)
    finally:
        runtime.stop()
        stop.set()
        printer.join(2)
        sub.close()
    return EXIT_OK
