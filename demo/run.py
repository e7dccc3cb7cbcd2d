"""``make demo`` (``python -m demo``): the whole chain on simulators, in steps.

1. start a private pcscd with the vpcd driver (or use the system one: ``--system-pcscd``),
2. start the virtual card and the PSAM as child processes (``simulators card|psam serve``),
   their state in ``var/demo/`` (``--state DIR``, ``--fresh`` to start from the demo data),
3. list the readers (card present, ATR),
4. read the demo card's EF15/EF16 and say who it belongs to; read the PSAM's terminal ID,
5. start the clearing service (``backoffice serve --demo``, SQLite in the state dir),
6. make a canteen purchase with the product's terminal (journalled, PSAM-signed), upload it;
   clearing verifies its TAC,
7. show today's reconciliation (per card: the balance it should have, mismatches),
8. stop everything it started (also on Ctrl-C, SIGTERM or an error). ``--stay`` keeps the
   simulators running until Ctrl-C so that other tools (opensc-tool, ``cardsvc``) can be tried.

Output is for people, in Chinese with English. Failures are one clear line on stderr and an
exit code of config/cli.py (3: pcscd or a simulator unavailable, 1: the card refused), never a
traceback. Later issues add steps: each step is one method of :class:`Demo`.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TextIO

import httpx

from backoffice.auth import TokenStore
from cardsvc.clearing_client import ClearingClient
from cardsvc.cli_common import exit_code
from cardsvc.errors import CardServiceError
from cardsvc.messages import MESSAGES
from cardsvc.money import format_fen
from cardsvc.records import HolderData, PublicData, RecordError
from cardsvc.session import card_session
from cardsvc.uploader import Uploader
from config.cli import EXIT_CONFIG, EXIT_FAILED, EXIT_OK, EXIT_UNAVAILABLE, EXIT_USAGE
from config.runtime import configure_logging, free_tcp_port, stop_process, wait_http_ok
from config.settings import Settings, load_settings
from demo.terminal_config import stay_lines, write_terminal_config
from drivers.pcsc import BackendSpi, CardChannel, PcscError, ReaderStatus, open_backend
from simulators.card.cli import DEFAULT_CARD
from simulators.pcscd import (
    READER_NAMES,
    SOCKET_ENV,
    PcscdError,
    PcscdProcess,
    system_pcscd_running,
)

PROG = "make demo"
SYSTEM_VPCD_PORTS = (35963, 35964)
SELECT_ADF = bytes.fromhex("00A4040009A00000000386980701")
READ_EF15 = bytes.fromhex("00B0950000")
READ_EF16 = bytes.fromhex("00B0960000")
SELECT_PSAM_DF = bytes.fromhex("00A40000021001")
READ_TERMINAL_ID = bytes.fromhex("00B0960006")


class DemoError(Exception):
    """A step failed; the message is for a person, ``code`` the exit code."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


class _Stopped(Exception):
    """SIGTERM arrived: unwind and stop what we started."""


@dataclass
class Options:
    state: Path
    card: str = DEFAULT_CARD
    system_pcscd: bool = False
    fresh: bool = False
    stay: bool = False
    timeout: float = 15.0
    verbose: bool = False


class Demo:
    """The demo's steps over one cleanup stack: everything started is stopped in reverse."""

    def __init__(self, options: Options, out: TextIO, cleanup: contextlib.ExitStack) -> None:
        self.options = options
        self.out = out
        self.cleanup = cleanup
        self.ports: tuple[int, int] = SYSTEM_VPCD_PORTS
        self.backend: BackendSpi | None = None
        self.children: list[tuple[str, subprocess.Popen[bytes], Path]] = []

    def say(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def steps(self) -> list[tuple[str, Callable[[], None]]]:
        return [
            ("启动 PC/SC 服务 · starting the PC/SC service (pcscd)", self.start_pcscd),
            ("插入虚拟卡和 PSAM · inserting the virtual card and PSAM", self.start_simulators),
            ("读卡器 · readers", self.list_readers),
            ("识别持卡人 · who the card belongs to", self.identify_card),
            ("终端安全模块 · terminal secure module (PSAM)", self.read_psam),
            ("清算中心 · starting the clearing service", self.start_clearing),
            ("消费并上传清算 · a purchase reaching clearing", self.purchase_and_upload),
            ("今日对账 · today's reconciliation", self.reconcile),
            ("市民之家事项 · the hall's matters (search yyzz)", self.search_hall),
        ]

    def run(self) -> None:
        steps = self.steps()
        for number, (title, step) in enumerate(steps, 1):
            self.say(f"\n[{number}/{len(steps)}] {title}")
            step()
        if self.options.stay:
            self.stay()

    # -- steps -------------------------------------------------------------------------------

    def start_pcscd(self) -> None:
        if self.options.system_pcscd:
            if not system_pcscd_running():
                raise DemoError(
                    "no pcscd is running; drop --system-pcscd to start a private one",
                    EXIT_UNAVAILABLE,
                )
            self.say(f"  使用系统 pcscd · using the system pcscd, vpcd ports {self.ports}")
            return
        workdir = Path(self.cleanup.enter_context(tempfile.TemporaryDirectory(prefix="demo-")))
        daemon = PcscdProcess(workdir / "pcscd")
        try:
            daemon.start()
        except PcscdError as exc:
            raise DemoError(f"cannot start pcscd: {exc}", EXIT_UNAVAILABLE) from exc
        self.cleanup.callback(self._stop_pcscd, daemon)
        os.environ.update(daemon.env)  # before the first PC/SC call of this process
        self.ports = (daemon.ports[0], daemon.ports[1])
        mode = "私有 private" if daemon.private else "共享 shared"
        self.say(f"  pcscd ({mode}) pid {daemon.pid}, {SOCKET_ENV}={daemon.socket_path}")

    def start_simulators(self) -> None:
        state = self.options.state
        if self.options.fresh and state.exists():
            shutil.rmtree(state)
        logs = state / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        card_no = self.options.card
        self._spawn(
            f"card {card_no}",
            logs / "card.log",
            [
                "card",
                "serve",
                "--vpcd-port",
                str(self.ports[0]),
                "--card",
                card_no,
                "--state",
                str(state / "cards"),
            ],
        )
        self._spawn(
            "psam",
            logs / "psam.log",
            ["psam", "serve", "--vpcd-port", str(self.ports[1]), "--state", str(state / "psam")],
        )
        self.backend = open_backend("pcsc://")
        self.cleanup.callback(self.backend.close)
        self._wait_for_cards()
        self.say(f"  虚拟卡 virtual card {card_no} -> {READER_NAMES[0]}")
        self.say(f"  PSAM -> {READER_NAMES[1]}   (状态 state: {state}, 日志 logs: {logs})")

    def list_readers(self) -> None:
        for reader, status in sorted(self._statuses().items()):
            card = (
                f"有卡 card present, ATR {status.atr.hex(' ').upper()}"
                if status.present
                else "无卡 no card"
            )
            self.say(f"  {reader}: {card}")

    def identify_card(self) -> None:
        with self._channel(READER_NAMES[0]) as channel:
            self._expect_ok(channel, SELECT_ADF, "SELECT of the city-card application")
            ef15 = self._expect_ok(channel, READ_EF15, "READ BINARY EF15")
            ef16 = self._expect_ok(channel, READ_EF16, "READ BINARY EF16")
        try:
            public, holder = PublicData.decode(ef15), HolderData.decode(ef16)
        except RecordError as exc:
            raise DemoError(f"the card's data do not match the card profile: {exc}") from exc
        today = dt.date.today()
        validity = (
            "已过期 expired"
            if public.expired(today)
            else "未生效 not yet valid"
            if public.not_yet_valid(today)
            else "有效 valid"
        )
        number = " ".join(public.card_no[i : i + 4] for i in range(0, 16, 4))
        self.say(f"  卡号 Card number : {number}")
        self.say(f"  持卡人 Holder    : {holder.name}")
        self.say(f"  证件号 ID number : {holder.masked_id}")
        self.say(f"  卡类型 Card type : {public.card_type.label_zh} ({public.card_type.label_en})")
        self.say(f"  有效期 Validity  : {public.start} — {public.expiry}  ({validity})")

    def read_psam(self) -> None:
        with self._channel(READER_NAMES[1]) as channel:
            self._expect_ok(channel, SELECT_PSAM_DF, "SELECT of the PSAM application")
            terminal = self._expect_ok(channel, READ_TERMINAL_ID, "READ BINARY terminal ID")
        self.say(f"  终端号 Terminal ID: {terminal.hex().upper()}")

    def start_clearing(self) -> None:
        port = free_tcp_port()
        self.clearing_url = f"http://127.0.0.1:{port}"
        self.clearing_token = secrets.token_urlsafe(24)
        db = self.options.state / "clearing.sqlite3"
        config = self.options.state / "backoffice.toml"  # the hall's database, key and tokens
        config.write_text(f'[paths]\nvar_dir = "{self.options.state / "backoffice"}"\n',
                          encoding="utf-8")
        self._spawn_program(
            "clearing", self.options.state / "logs" / "clearing.log",
            ["backoffice.cli", "serve", "--demo", "--port", str(port), "--db", f"sqlite:///{db}",
             "--config", str(config)],
            env={"BACKOFFICE_TOKEN": self.clearing_token})
        proc = self.children[-1][1]
        if not wait_http_ok(f"{self.clearing_url}/healthz", self.options.timeout,
                            alive=lambda: proc.poll() is None):
            raise DemoError(f"the clearing service did not start: "
                            f"{_tail(self.options.state / 'logs' / 'clearing.log')}",
                            EXIT_UNAVAILABLE)
        self.say(f"  清算中心 clearing service on {self.clearing_url} "
                 f"(OpenAPI {self.clearing_url}/docs), SQLite {db}")

    def _terminal_settings(self) -> Settings:
        """The settings ``--stay`` prints (the embedded default, the state under ``--state``,
        the clearing service just started with its token in a 0600 file), read back from the
        file it names."""
        self.terminal_config = write_terminal_config(self.options.state, self.clearing_url,
                                                     self.clearing_token)
        return load_settings(self.terminal_config, env={})

    def purchase_and_upload(self) -> None:
        settings = self._terminal_settings()
        try:
            with card_session(settings) as terminal:
                tx = terminal.purchase(1250, "canteen")
            with ClearingClient.from_settings(settings) as client:
                report = Uploader(settings.var.journal, client).upload_once()
        except CardServiceError as exc:
            raise DemoError(MESSAGES.line(exc), exit_code(exc)) from exc
        self.say(f"  食堂消费 Canteen purchase: {format_fen(tx.amount_fen)} 元, 余额 balance "
                 f"{format_fen(tx.balance_after_fen)} 元 (TTSN {tx.ttsn}, TAC {tx.tac})")
        self.say(f"  已记入交易日志 journalled before the card committed: "
                 f"{settings.var.journal}")
        self.say(f"  上传清算 uploaded: {report.sent} sent, {report.new} new, "
                 f"{report.duplicate} already there, {report.rejected} rejected; "
                 f"TAC verified by clearing")

    def reconcile(self) -> None:
        today = dt.date.today().isoformat()
        answer = httpx.get(f"{self.clearing_url}/v1/reconciliation/{today}", timeout=30,
                           headers={"Authorization": f"Bearer {self.clearing_token}"})
        if answer.status_code != 200:
            raise DemoError(f"reconciliation failed: HTTP {answer.status_code}", EXIT_FAILED)
        day = answer.json()
        totals = day["totals"]
        self.say(f"  {today}: 消费 debits {totals['debits_count']} 笔 "
                 f"{format_fen(totals['debits_fen'])} 元, 充值 loads {totals['loads_count']} 笔 "
                 f"{format_fen(totals['loads_fen'])} 元")
        for card in day["cards"]:
            expected, reported = card["expected_balance_fen"], card["last_reported_balance_fen"]
            self.say(f"  卡 card {card['card_no']}: 应有余额 expected balance "
                     f"{format_fen(expected) if expected is not None else '?'} 元, "
                     f"最后上报 last reported {format_fen(reported or 0)} 元")
        verdict = "账目相符 everything adds up" if day["ok"] else \
            f"差异 {len(day['mismatches'])} mismatch(es): " + \
            "; ".join(m["detail"] for m in day["mismatches"][:3])
        self.say(f"  {verdict}")
        if not day["ok"]:  # a mismatch is a failure, not a line of text
            raise DemoError(f"对账不符 reconciliation found {len(day['mismatches'])} "
                            f"mismatch(es) on {today}; the journals that did not reach this "
                            f"clearing are the cause (`python -m demo --fresh` starts over)",
                            EXIT_FAILED)

    def search_hall(self) -> None:
        tokens = TokenStore(self.options.state / "backoffice" / "backoffice" / "tokens.json")
        token = tokens.issue("kiosk", label="make-demo")[1]
        answer = httpx.get(f"{self.clearing_url}/v1/hall/matters", params={"q": "yyzz"},
                           timeout=30, headers={"Authorization": f"Bearer {token}"})
        if answer.status_code != 200:
            raise DemoError(f"hall search failed: HTTP {answer.status_code}", EXIT_FAILED)
        hits = answer.json()
        if not hits:
            self.say("  演示事项目录尚未安装 no demo catalogue (config/demo/hall/catalogue.json)")
        for hit in hits[:3]:
            self.say(f"  {hit['name']['zh']} · {hit['name']['en']} ({hit['department']})")

    def stay(self) -> None:
        self.say("\n模拟器运行中 · simulators running.")
        socket = os.environ.get(SOCKET_ENV, "/run/pcscd/pcscd.comm")
        for line in stay_lines(SOCKET_ENV, socket, self.terminal_config):
            self.say(line)
        self.say("按 Ctrl-C 停止 · press Ctrl-C to stop")
        while True:
            for name, proc, log in self.children:
                if proc.poll() is not None:
                    raise DemoError(f"the {name} simulator stopped: {_tail(log)}", EXIT_UNAVAILABLE)
            time.sleep(0.5)

    # -- helpers -----------------------------------------------------------------------------

    def _spawn(self, name: str, log: Path, args: list[str]) -> None:
        self._spawn_program(name, log, ["simulators.cli", *args])

    def _spawn_program(self, name: str, log: Path, args: list[str],
                       env: dict[str, str] | None = None) -> None:
        command = [sys.executable, "-m", *args]
        with open(log, "ab") as stderr:
            proc = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
                env={**os.environ, **(env or {})},
            )
        self.children.append((name, proc, log))
        self.cleanup.callback(stop_process, proc)

    def _wait_for_cards(self) -> None:
        deadline = time.monotonic() + self.options.timeout
        while True:
            for name, proc, log in self.children:
                if proc.poll() is not None:
                    code = (
                        proc.returncode
                        if proc.returncode in (EXIT_USAGE, EXIT_CONFIG)
                        else EXIT_UNAVAILABLE
                    )
                    raise DemoError(
                        f"the {name} simulator exited (code {proc.returncode}): {_tail(log)}", code
                    )
            statuses = self._statuses()
            if all(statuses.get(r) is not None and statuses[r].present for r in READER_NAMES):
                return
            if time.monotonic() > deadline:
                missing = [r for r in READER_NAMES if not (r in statuses and statuses[r].present)]
                raise DemoError(
                    f"pcscd does not see a card in {', '.join(missing)} after "
                    f"{self.options.timeout:.0f} s",
                    EXIT_UNAVAILABLE,
                )
            time.sleep(0.1)

    def _statuses(self) -> dict[str, ReaderStatus]:
        assert self.backend is not None
        try:
            return self.backend.reader_statuses()
        except PcscError as exc:
            raise DemoError(f"cannot list the readers: {exc}", EXIT_UNAVAILABLE) from exc

    @contextlib.contextmanager
    def _channel(self, reader: str) -> Iterator[CardChannel]:
        assert self.backend is not None
        try:
            with CardChannel.connect(self.backend, reader, timeout=5.0) as channel:
                yield channel
        except PcscError as exc:
            raise DemoError(f"{reader}: {exc}", EXIT_UNAVAILABLE) from exc

    @staticmethod
    def _expect_ok(channel: CardChannel, apdu: bytes, what: str) -> bytes:
        response = channel.transmit(apdu)
        if response.sw != 0x9000:
            raise DemoError(f"{what} refused by the card: SW {response.sw:04X}")
        return bytes(response.data)

    @staticmethod
    def _stop_pcscd(daemon: PcscdProcess) -> None:
        daemon.stop()
        os.environ.pop(SOCKET_ENV, None)


def _tail(log: Path) -> str:
    try:
        lines = log.read_text(errors="replace").strip().splitlines()
    except OSError:
        return "no log"
    return lines[-1] if lines else "no log"


def _raise_stopped(signo: int, frame: FrameType | None) -> None:
    raise _Stopped


def parse_args(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m demo", description="Demo: virtual card and PSAM behind pcscd."
    )
    parser.add_argument(
        "--state",
        type=Path,
        default=Path("var/demo"),
        help="where the simulators keep their state and logs (default var/demo)",
    )
    parser.add_argument(
        "--fresh", action="store_true", help="start from the demo data (forget earlier state)"
    )
    parser.add_argument("--card", default=DEFAULT_CARD, help="demo card number")
    parser.add_argument(
        "--system-pcscd",
        action="store_true",
        help="use the running system pcscd (vpcd ports 35963/35964)",
    )
    parser.add_argument(
        "--stay", action="store_true", help="keep the simulators running until Ctrl-C"
    )
    parser.add_argument(
        "--timeout", type=float, default=15.0, help="seconds to wait for pcscd to see the cards"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log (JSON) to stderr")
    args = parser.parse_args(argv)
    return Options(
        state=args.state,
        card=args.card,
        system_pcscd=args.system_pcscd,
        fresh=args.fresh,
        stay=args.stay,
        timeout=args.timeout,
        verbose=args.verbose,
    )


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    configure_logging("DEBUG" if options.verbose else "CRITICAL")
    previous = signal.signal(signal.SIGTERM, _raise_stopped), signal.getsignal(signal.SIGINT)
    out = sys.stdout
    code = EXIT_OK
    try:
        with contextlib.ExitStack() as cleanup:
            demo = Demo(options, out, cleanup)
            try:
                demo.run()
            finally:
                # a second Ctrl-C or SIGTERM must not cut the cleanup short
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                out.write("\n停止模拟器 · stopping the simulators\n")
                out.flush()
    except DemoError as exc:
        print(f"{PROG}: 错误 error: {exc}", file=sys.stderr)
        code = exc.code
    except _Stopped:
        code = EXIT_OK if options.stay else EXIT_FAILED
    except KeyboardInterrupt:
        if not options.stay:  # with --stay, Ctrl-C is the way to stop
            print(f"{PROG}: 已中断 interrupted", file=sys.stderr)
        code = EXIT_OK if options.stay else 130
    except OSError as exc:
        print(f"{PROG}: 错误 error: {exc}", file=sys.stderr)
        code = EXIT_UNAVAILABLE
    finally:
        signal.signal(signal.SIGTERM, previous[0])
        signal.signal(signal.SIGINT, previous[1])
    if code == EXIT_OK:
        out.write("完成 · done\n")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
