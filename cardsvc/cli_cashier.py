"""``cardsvc cashier --kind canteen``: the cashier's own program at a canteen or supermarket till.

The cashier types the amount (yuan) and Enter; the customer sees 请刷卡 / Please tap with the
amount in large digits; the tap is charged once and the result and the new balance are shown
in large text; the receipt is printed by the card service's print queue (``--no-receipt`` for a
supermarket that does not want one). While it waits, ``c`` + Enter cancels the sale. ``r`` +
Enter refunds the last sale made by mistake: the customer leaves the card on the reader and
types the card's PIN; the refund is an online load that clearing authorises against that sale,
once. ``q`` quits.

It talks to the running card service (``cardsvc serve``) through cardsvc/client.py, like any
cash register: each sale has its own ``client_ref``, so a sale whose answer is lost is asked
again and never charged twice.
"""

from __future__ import annotations

import argparse
import itertools
import select
import sys
import termios
import threading
import time
from collections.abc import Mapping
from types import MappingProxyType
from typing import TextIO

from cardsvc.cli_common import EDGE
from cardsvc.client import CardServiceClient, Tx
from cardsvc.display import Screen, render
from cardsvc.errors import CardServiceError
from cardsvc.messages import MESSAGES
from cardsvc.money import AmountError, format_fen, parse_yuan
from cardsvc.profile import PURCHASE_KINDS
from config.cli import EXIT_OK, EXIT_UNAVAILABLE, report
from config.settings import load_settings

TITLE: Mapping[str, tuple[str, str]] = MappingProxyType(
    {"canteen": ("食堂收银", "Canteen till"), "retail": ("超市收银", "Supermarket till")})


def main(argv: list[str], prog: str) -> int:
    p = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    p.add_argument("--kind", choices=PURCHASE_KINDS, default="canteen")
    p.add_argument("--no-receipt", action="store_true", help="do not print receipts")
    p.add_argument("--wait", type=float, default=60.0, metavar="SECONDS",
                   help="how long a sale waits for a tap (default 60)")
    p.add_argument("--socket", metavar="PATH", help="the card service's unix socket")
    p.add_argument("--config", help="configuration file (TOML)")
    args = p.parse_args(argv)
    return EDGE.run(prog, lambda: _run(args, prog))


def _run(args: argparse.Namespace, prog: str) -> int:
    settings = load_settings(args.config)
    with CardServiceClient.from_settings(settings, uds=args.socket) as svc:
        if not svc.health():
            return report(prog, "卡服务未运行 / the card service is not running: start "
                                "`cardsvc serve`", EXIT_UNAVAILABLE)
        Till(svc, args.kind, receipt=not args.no_receipt, wait_s=args.wait).run()
    return EXIT_OK


class Till:
    def __init__(self, svc: CardServiceClient, kind: str, *, receipt: bool, wait_s: float,
                 out: TextIO | None = None, inp: TextIO | None = None) -> None:
        self.svc, self.kind, self.receipt, self.wait_s = svc, kind, receipt, wait_s
        self.out, self.inp = out or sys.stdout, inp or sys.stdin
        self.colour = self.out.isatty()
        self._seq = itertools.count(1)
        self._prefix = f"till-{int(time.time())}"
        self._last: tuple[str, int] | None = None  # the last sale: its client_ref and amount

    def show(self, screen: Screen) -> None:
        print(render(screen, colour=self.colour), file=self.out, flush=True)

    def run(self) -> None:
        zh, en = TITLE[self.kind]
        self.show(Screen("info", zh, en, lines=["输入金额后回车 Type the amount, Enter",
                                                "r 退款（上一笔）refund the last sale",
                                                "q 退出 quit"]))
        while True:
            print("金额 Amount (元 yuan): ", end="", file=self.out, flush=True)
            line = self.inp.readline()
            if not line or line.strip().lower() == "q":
                return
            if not line.strip():
                continue
            if line.strip().lower() == "r":
                self.refund_last()
                continue
            try:
                amount = parse_yuan(line.strip())
            except AmountError as exc:
                self.show(Screen("error", "金额无效", f"Invalid amount: {exc}"))
                continue
            self.sell(amount)

    def sell(self, amount: int) -> None:
        ref = f"{self._prefix}-{next(self._seq)}"
        self.show(Screen("info", "请刷卡", "Please tap", big=format_fen(amount),
                         lines=["c 回车取消 c + Enter cancels"]))
        outcome: list[Tx | CardServiceError] = []

        def sale() -> None:
            try:
                outcome.append(self.svc.sale(amount, self.kind, ref, timeout_s=self.wait_s,
                                             receipt=self.receipt))
            except CardServiceError as exc:
                outcome.append(exc)

        worker = threading.Thread(target=sale, daemon=True)
        worker.start()
        while worker.is_alive():
            worker.join(0.1)
            if self._cancel_typed():
                self.svc.cancel_sale(ref)
        result = outcome[0]
        if isinstance(result, Tx):
            self._last = (ref, result.amount_fen)
            self.show(Screen("ok", "支付成功", "Paid", big=format_fen(result.amount_fen),
                             lines=[f"余额 Balance {format_fen(result.balance_fen or 0)} 元",
                                    f"卡号 Card {result.raw.get('card_no', '')}"]))
        else:
            self.refused(result)

    def _cancel_typed(self) -> bool:
        try:
            ready, _, _ = select.select([self.inp], [], [], 0)
        except (ValueError, OSError):  # not a real file (tests): nothing to read
            return False
        return bool(ready) and self.inp.readline().strip().lower() == "c"

    def refused(self, exc: CardServiceError) -> None:
        """The service's words for it (a remote refusal carries its Chinese), else ours."""
        zh = getattr(exc, "message_zh", "") or MESSAGES.zh(exc)
        self.show(Screen("refused", zh, str(exc)))

    def refund_last(self) -> None:
        if self._last is None:
            self.show(Screen("error", "没有可退款的交易", "No sale to refund"))
            return
        ref, amount = self._last
        self.show(Screen("info", "退款：卡放在读卡器上，输入密码",
                         "Refund: leave the card on the reader and type its PIN",
                         big=format_fen(amount), lines=["空密码回车取消 Enter alone cancels"]))
        pin = self._read_secret("密码 PIN: ")
        if not pin:
            self.show(Screen("info", "退款已取消", "Refund cancelled"))
            return
        try:
            tx = self.svc.refund(ref, pin, client_ref=f"{ref}-refund")
        except CardServiceError as exc:
            self.refused(exc)
            return
        self._last = None
        self.show(Screen("ok", "已退款", "Refunded", big=format_fen(tx.amount_fen),
                         lines=[f"余额 Balance {format_fen(tx.balance_fen or 0)} 元"]))

    def _read_secret(self, prompt: str) -> str:
        """A line typed without echo when the input is a terminal (the PIN is never shown).
        Echo goes off before the prompt shows: a PIN typed at once is not echoed either."""
        try:
            fd = self.inp.fileno()
            saved = termios.tcgetattr(fd)
        except (OSError, ValueError, termios.error):  # not a terminal: read as it comes
            print(prompt, end="", file=self.out, flush=True)
            return self.inp.readline().strip()
        quiet = saved[:]
        quiet[3] &= ~termios.ECHO
        termios.tcsetattr(fd, termios.TCSADRAIN, quiet)
        print(prompt, end="", file=self.out, flush=True)
        try:
            return self.inp.readline().strip()
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
            print(file=self.out, flush=True)
