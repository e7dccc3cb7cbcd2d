"""``cardsvc identify | balance | history | pay | ride | load | block``: the card at a terminal.

When the card service runs (``cardsvc serve`` answers on ``[service]``'s address and its token
file is readable), the command goes through it: the service owns the readers and the PSAM, so
nothing interleaves with its own operations. Otherwise the command runs the runtime in this
process for this one operation (``--local`` forces that); if another program holds the PSAM
it says so (``卡服务正在使用 PSAM``, exit 3).

A ``pay``/``ride``/``load`` whose earlier attempt on this card turns out to have gone through
(its answer was lost) is refused with what happened (``上一笔 2.00 元扣款已成功``, exit 1);
``--again`` charges anyway. Human output is Chinese with English; ``--json`` one JSON
document, integer fen.
"""

from __future__ import annotations

import argparse
import logging
from typing import Any

from cardsvc.cli_common import EDGE
from cardsvc.client import CardServiceClient
from cardsvc.codes import ErrorCode
from cardsvc.errors import CardServiceError
from cardsvc.fares import line_id
from cardsvc.messages import MESSAGES
from cardsvc.money import AmountError, format_fen, parse_yuan
from cardsvc.profile import PURCHASE_KINDS
from cardsvc.purse.commands import is_pin
from cardsvc.runtime import Runtime, RuntimeOptions, with_card
from cardsvc.runtime_ops import card_event
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
STATUS = {"ok": "正常 valid", "expired": "已过期 expired", "blocked": "已锁定 blocked",
          "hotlisted": "已挂失 reported lost", "not_yet_valid": "未启用 not yet valid"}


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
    if op in ("pay", "ride", "load"):
        p.add_argument("--again", action="store_true",
                       help="charge even though the card's earlier attempt went through")
    p.add_argument("--json", action="store_true", help="print JSON (amounts in integer fen)")
    p.add_argument("--local", action="store_true",
                   help="do not go through a running card service")
    p.add_argument("--reader", help="user-card reader name (default: first reader with a card)")
    p.add_argument("--sam", help="pcsc:READER or soft:KEYFILE (default: from configuration)")
    p.add_argument("--backend", help="reader backend URL (default: pcsc://)")
    p.add_argument("--config", help="configuration file (TOML)")
    p.add_argument("-v", "--verbose", action="store_true", help="log to stderr")
    return p


class UsageError(Exception):
    """A malformed argument (exit code 2); ``code`` gives its words."""

    def __init__(self, message: str, code: ErrorCode = ErrorCode.AMOUNT_INVALID) -> None:
        super().__init__(message)
        self.code = code


def _yuan(text: str, what: str) -> int:
    try:
        return parse_yuan(text)
    except AmountError as exc:
        raise UsageError(f"{what}: {exc}") from exc


def _pin_arg(text: str) -> str:
    if not is_pin(text):
        raise UsageError("--pin: 4 to 12 digits, an even number of them",
                         ErrorCode.PIN_MALFORMED)
    return text


def _line_arg(text: str) -> str:
    try:
        return line_id(text)
    except ValueError as exc:
        raise UsageError(f"--line: {exc}", ErrorCode.LINE_INVALID) from exc


def _line(label_zh: str, label_en: str, value: str) -> str:
    return f"  {label_zh} {label_en:<10} {value}"


def _show(op: str, doc: dict[str, Any]) -> None:
    if op == "balance":
        print(f"卡号 Card {doc['card_no']}  余额 Balance {format_fen(doc['balance_fen'])} 元 yuan")
    elif op == "block":
        print(f"卡片已锁定 Card {doc['card_no']} is blocked")
    elif op == "identify":
        print("市民卡信息 Citizen card")
        print(_line("卡号", "Card", doc["card_no"]))
        if doc.get("holder_name"):
            print(_line("姓名", "Holder", doc["holder_name"]))
            print(_line("证件", "ID", doc["id_number_masked"]))
        print(_line("类型", "Type", f"{doc['card_type_zh']} {doc['card_type']}"))
        print(_line("有效期", "Valid", f"{doc['valid_from']} ~ {doc['valid_to']}"))
        print(_line("状态", "Status", STATUS[doc["status"]]))
    elif op == "history":
        _show_history(doc)
    elif doc.get("free"):
        print(f"免费乘车 Free ride ({doc['card_type']}), 线路 line {doc['line']}")
    else:
        _show_tx(doc)


def _show_tx(tx: dict[str, Any]) -> None:
    title = {"purchase": "消费成功 Purchase done", "compound": "乘车扣费成功 Bus fare paid",
             "load": "充值成功 Top-up done"}[tx["type"]]
    print(title + ("（重复请求，未再扣款 a retry: not charged again）" if tx.get("replayed")
                   else ""))
    print(_line("卡号", "Card", tx["card_no"]))
    if tx.get("line"):
        print(_line("线路", "Line", tx["line"]))
    print(_line("金额", "Amount", f"{format_fen(tx['amount_fen'])} 元 yuan"))
    print(_line("余额", "Balance", f"{format_fen(tx['balance_fen'])} 元 yuan"))
    print(_line("终端", "Terminal", f"{tx['terminal_id']}  流水 TTSN {tx['ttsn']:08d}"))
    print(_line("时间", "Time", tx["date_time"].replace("T", " ")))
    print(_line("TAC", "", tx["tac"]))
    for w in tx.get("warnings") or ():
        print(f"  注意 Note: {w}")


def _show_history(h: dict[str, Any]) -> None:
    print(f"交易记录 History of card {h['card_no']}")
    print("  钱包 Purse (EF18, newest first):")
    for r in h["purse"] or [{"none": True}]:
        if r.get("none"):
            print("    (无 none)")
            continue
        print(f"    {r['date_time'].replace('T', ' ')}  {r['type_zh']:<4}  "
              f"{format_fen(r['amount_fen']):>9} 元  ATC {r['atc']:<5} 终端 {r['terminal_id']}")
    print("  乘车 Transit (EF1E, newest first):")
    for t in h["transit"] or [{"none": True}]:
        if t.get("none"):
            print("    (无 none)")
            continue
        print(f"    {t['date_time'].replace('T', ' ')}  线路 line {t['line']:<7}"
              f" {format_fen(t['amount_fen']):>7} 元  余额 {format_fen(t['balance_after_fen'])} 元")


def _remote(op: str, args: argparse.Namespace, svc: CardServiceClient, amount: int,
            fare: int | None) -> dict[str, Any]:
    again = getattr(args, "again", False)
    if op == "identify":
        return dict(vars(svc.identify()))
    if op == "balance":
        return dict(vars(svc.balance()))
    if op == "history":
        return svc.history()
    if op == "pay":
        return dict(svc.purchase(amount, args.kind, again=again).raw)
    if op == "ride":
        return dict(svc.ride(_line_arg(args.line), fare, again=again).raw)
    if op == "load":
        return dict(svc.load(amount, _pin_arg(args.pin), again=again).raw)
    return {"card_no": svc.block(), "blocked": True}


def _local(op: str, args: argparse.Namespace, settings: Settings, amount: int,
           fare: int | None) -> dict[str, Any]:
    again = getattr(args, "again", False)
    with Runtime(settings, RuntimeOptions(uploader=False)) as rt:
        ops = rt.ops
        if op == "identify":
            info = ops.identify()
            return info.as_dict() | card_event(info)
        if op == "balance":
            card_no, fen = ops.balance()
            return {"card_no": card_no, "balance_fen": fen}
        if op == "history":
            return ops.history().as_dict()
        if op == "pay":
            return ops.purchase(amount, args.kind, again=again).as_dict()
        if op == "ride":
            return ops.ride(_line_arg(args.line), fare, again=again).as_dict()
        if op == "load":
            return ops.load(amount, _pin_arg(args.pin), again=again).as_dict()
        return {"card_no": ops.block(), "blocked": True}


def _run(op: str, args: argparse.Namespace) -> int:
    settings = with_card(load_settings(args.config), reader=args.reader, sam=args.sam,
                         backend=args.backend)
    amount = _yuan(args.amount, "金额 amount") if op in ("pay", "load") else 0
    fare = _yuan(args.fare, "票价 fare") if op == "ride" and args.fare else None
    if op == "ride":
        _line_arg(args.line)  # refused before any device is touched
    elif op == "load":
        _pin_arg(args.pin)
    doc: dict[str, Any] | None = None
    if not args.local:
        try:
            svc = CardServiceClient.from_settings(settings)
        except CardServiceError:
            svc = None  # no token file: no service has run here
        if svc is not None:
            with svc:
                if svc.health():
                    doc = _remote(op, args, svc, amount, fare)
    if doc is None:
        doc = _local(op, args, settings, amount, fare)
    if args.json:
        print_json(doc)
    else:
        _show(op, doc)
    return EXIT_OK


def main(argv: list[str], prog: str) -> int:
    op = prog.rsplit(maxsplit=1)[-1]
    args = _parser(op, prog).parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.ERROR,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")

    def body() -> int:
        try:
            return _run(op, args)
        except UsageError as exc:
            words = MESSAGES.words(exc.code)
            return report(prog, f"{words.zh} {words.en}: {exc}", EXIT_USAGE)
        except CardServiceError as exc:
            if args.json:
                zh = getattr(exc, "message_zh", "") or MESSAGES.zh(exc)
                print_json({"ok": False, "code": str(exc.code), "message": str(exc),
                            "message_zh": zh})
            raise

    return EDGE.run(prog, body)
