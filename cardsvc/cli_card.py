"""``cardsvc identify | balance | history | pay | ride | load | block``: the card at a terminal.

Human output is Chinese with English; ``--json`` prints one JSON document with integer fen.
Errors are one line on stderr (Chinese / English) with the exit codes of :mod:`config.cli`.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from typing import Any

from cardsvc.cli_common import EDGE
from cardsvc.codes import ErrorCode
from cardsvc.errors import CardServiceError
from cardsvc.messages import MESSAGES
from cardsvc.money import AmountError, format_fen, parse_yuan
from cardsvc.profile import PURCHASE_KINDS, CardType
from cardsvc.session import card_session
from cardsvc.terminal import CardInfo, CardTerminal, FreeRide, History, TxResult
from config.cli import EXIT_OK, EXIT_USAGE, print_json, report
from config.settings import Settings, load_settings

TITLES = {
    "identify": "show who the card belongs to",
    "balance": "show the card's balance",
    "history": "show the card's purse and transit logs",
    "pay": "debit an amount (canteen or supermarket)",
    "ride": "charge a bus fare (compound purchase with a transit record)",
    "load": "top up the card (needs the card's PIN)",
    "block": "block the card's application (a lost card)",
}


def _parser(op: str, prog: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, description=TITLES[op])
    if op == "pay":
        p.add_argument("amount", help="amount in yuan, at most two decimals (12.50)")
        p.add_argument("--kind", choices=PURCHASE_KINDS, default="canteen")
    elif op == "ride":
        p.add_argument("--line", required=True, help="bus line (e.g. 1, K1)")
        p.add_argument("--fare", help="base fare in yuan (default: from the fare table)")
    elif op == "load":
        p.add_argument("amount", help="amount in yuan, at most two decimals (100)")
        p.add_argument("--pin", required=True, help="the card's PIN")
    p.add_argument("--json", action="store_true", help="print JSON (amounts in integer fen)")
    p.add_argument("--reader", help="user-card reader name (default: first reader with a card)")
    p.add_argument("--sam", help="pcsc:READER or soft:KEYFILE (default: from configuration)")
    p.add_argument("--backend", help="reader backend URL (default: pcsc://)")
    p.add_argument("--config", help="configuration file (TOML)")
    p.add_argument("-v", "--verbose", action="store_true", help="log to stderr")
    return p


class UsageError(Exception):
    """A malformed argument (exit code 2)."""


def _yuan(text: str, what: str) -> int:
    try:
        return parse_yuan(text)
    except AmountError as exc:
        raise UsageError(f"{what}: {exc}") from exc


def _masked_line(label_zh: str, label_en: str, value: str) -> str:
    return f"  {label_zh} {label_en:<10} {value}"


def _show_info(info: CardInfo) -> None:
    status = {"ok": "正常 valid", "expired": "已过期 expired", "blocked": "已锁定 blocked",
              "hotlisted": "已挂失 reported lost", "not_yet_valid": "未启用 not yet valid"}
    print("市民卡信息 Citizen card")
    print(_masked_line("卡号", "Card", info.card_no))
    if info.holder:
        print(_masked_line("姓名", "Holder", info.holder.name))
        print(_masked_line("证件", "ID", info.holder.masked_id))
    print(_masked_line("类型", "Type", f"{info.card_type.label_zh} {info.card_type.label_en}"))
    print(_masked_line("有效期", "Valid", f"{info.start.isoformat()} ~ {info.expiry.isoformat()}"))
    print(_masked_line("状态", "Status", status[info.status]))


def _show_tx(tx: TxResult) -> None:
    title = {"purchase": "消费成功 Purchase done", "compound": "乘车扣费成功 Bus fare paid",
             "load": "充值成功 Top-up done"}[tx.type]
    print(title)
    print(_masked_line("卡号", "Card", tx.card_no))
    if tx.line:
        print(_masked_line("线路", "Line", tx.line))
    print(_masked_line("金额", "Amount", f"{format_fen(tx.amount_fen)} 元 yuan"))
    print(_masked_line("余额", "Balance", f"{format_fen(tx.balance_after_fen)} 元 yuan"))
    print(_masked_line("终端", "Terminal", f"{tx.terminal_id}  流水 TTSN {tx.ttsn:08d}"))
    print(_masked_line("时间", "Time", tx.date_time.isoformat(sep=" ", timespec="seconds")))
    print(_masked_line("TAC", "", tx.tac))
    for w in tx.warnings:
        print(f"  注意 Note: {w}")


def _show_history(h: History) -> None:
    print(f"交易记录 History of card {h.card_no}")
    print("  钱包 Purse (EF18, newest first):")
    if not h.purse:
        print("    (无 none)")
    for r in h.purse:
        print(f"    {r.when:%Y-%m-%d %H:%M:%S}  {r.type_label:<4}  {format_fen(r.amount_fen):>9} 元"
              f"  ATC {r.atc:<5} 终端 {r.terminal_id}")
    print("  乘车 Transit (EF1E, newest first):")
    if not h.transit:
        print("    (无 none)")
    for t in h.transit:
        print(f"    {t.when:%Y-%m-%d %H:%M:%S}  线路 line {t.line_label:<7}"
              f" {format_fen(t.amount_fen):>7} 元  余额 {format_fen(t.balance_after_fen)} 元")


def _run(op: str, args: argparse.Namespace, settings: Settings) -> int:
    amount = 0
    if op in ("pay", "load"):
        amount = _yuan(args.amount, "金额 amount")
    fare = _yuan(args.fare, "票价 fare") if op == "ride" and args.fare else None
    with card_session(settings, with_load_authority=op == "load") as term:
        actions: dict[str, Callable[[CardTerminal], Any]] = {
            "identify": lambda t: t.identify(),
            "balance": lambda t: t.balance(),
            "history": lambda t: t.history(),
            "pay": lambda t: t.purchase(amount, args.kind),
            "ride": lambda t: t.ride(args.line, fare),
            "load": lambda t: t.load(amount, args.pin),
            "block": lambda t: t.block(),
        }
        result = actions[op](term)
    _report(op, result, args.json)
    return EXIT_OK


def _report(op: str, result: Any, as_dict: bool) -> None:
    if op == "balance":
        card_no, balance = result
        if as_dict:
            print_json({"card_no": card_no, "balance_fen": balance})
        else:
            print(f"卡号 Card {card_no}  余额 Balance {format_fen(balance)} 元 yuan")
    elif op == "block":
        if as_dict:
            print_json({"card_no": result, "blocked": True})
        else:
            print(f"卡片已锁定 Card {result} is blocked")
    elif isinstance(result, CardInfo):
        print_json(result.as_dict()) if as_dict else _show_info(result)
    elif isinstance(result, History):
        print_json(result.as_dict()) if as_dict else _show_history(result)
    elif isinstance(result, FreeRide):
        if as_dict:
            print_json(result.as_dict())
        else:
            kind = CardType(result.card_type)
            print(f"免费乘车 Free ride ({kind.label_zh} {kind.label_en}), 线路 line {result.line}")
    elif isinstance(result, TxResult):
        print_json(result.as_dict()) if as_dict else _show_tx(result)


def main(argv: list[str], prog: str) -> int:
    op = prog.rsplit(maxsplit=1)[-1]
    args = _parser(op, prog).parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.ERROR,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")

    def body() -> int:
        try:
            return _run(op, args, load_settings(args.config, overrides=_overrides(args)))
        except UsageError as exc:
            words = MESSAGES.words(ErrorCode.AMOUNT_INVALID)
            return report(prog, f"{words.zh} {words.en}: {exc}", EXIT_USAGE)
        except CardServiceError as exc:
            if args.json:
                print_json({"ok": False, "error": type(exc).__name__, "code": exc.code.value,
                            "message": str(exc), "message_zh": MESSAGES.zh(exc),
                            **_extra(exc)})
            raise

    return EDGE.run(prog, body)


def _overrides(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """The options that are settings (``--reader``, ``--sam``, ``--backend``)."""
    return {"card": {"reader": args.reader, "sam": args.sam, "backend": args.backend}}


def _extra(exc: CardServiceError) -> dict[str, Any]:
    return {k: v for k, v in vars(exc).items() if k in ("tries_left", "balance_fen", "amount_fen")}
