"""``simulators printer``: run the virtual ESC/POS printer, set its paper, decode a capture.

    simulators printer serve --port 9100 --out DIR [--paper ok|near-end|out] [--pty PATH]
                             [--width 58|80] [--font gb18030|gbk] [--silent] [--no-png]
    simulators printer paper DIR ok|near-end|out
    simulators printer decode FILE --out DIR [--width 58|80] [--font gb18030|gbk]
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from config.cli import EXIT_FAILED, EXIT_OK, EXIT_UNAVAILABLE, EXIT_USAGE, fail
from simulators.printer.decoder import EscPosDecoder
from simulators.printer.model import Receipt
from simulators.printer.render import ReceiptRenderer, find_cjk_font, write_receipt
from simulators.printer.server import Paper, VirtualPrinter, write_paper_file

PAPERS = [p.value for p in Paper]


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Virtual ESC/POS receipt printer.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="listen on TCP (and a pty) and decode what is printed")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=9100, help="TCP port (0: any free port)")
    serve.add_argument("--out", type=Path, required=True, help="directory for the receipts")
    serve.add_argument("--paper", choices=PAPERS, default="ok")
    serve.add_argument("--pty", type=Path, help="also serve a pty, linked at this path")
    serve.add_argument("--silent", action="store_true", help="never answer DLE EOT status")
    serve.add_argument("--no-png", action="store_true",
                       help="decode only: no PNG/text files (for benchmarks)")
    paper = sub.add_parser("paper", help="change the paper state of a running printer")
    paper.add_argument("out", type=Path, help="the --out directory of the printer")
    paper.add_argument("state", choices=PAPERS)
    decode = sub.add_parser("decode", help="decode a file of ESC/POS bytes (a file:// capture)")
    decode.add_argument("file", type=Path)
    decode.add_argument("--out", type=Path, required=True)
    for command in (serve, decode):
        command.add_argument("--width", type=int, choices=(58, 80), default=58,
                             help="paper width in mm (32 or 48 columns)")
        command.add_argument("--font", choices=("gb18030", "gbk"), default="gb18030",
                             help="the printer's Chinese font encoding")
    return parser


def main(argv: list[str], prog: str) -> int:
    args = _parser(prog).parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if args.command == "paper":
        if not args.out.is_dir():
            return fail(prog, f"{args.out} is not a printer's output directory", EXIT_USAGE)
        write_paper_file(args.out, args.state)
        print(f"paper: {args.state}")
        return EXIT_OK
    if args.command == "decode":
        return _decode(args, prog)
    return _serve(args, prog)


def _serve(args: argparse.Namespace, prog: str) -> int:
    if find_cjk_font() is None:
        print(f"{prog}: warning: no CJK font (apt install fonts-wqy-microhei); Chinese will "
              "draw as boxes in the PNGs", file=sys.stderr)
    printer = VirtualPrinter(args.out, host=args.host, port=args.port, paper=args.paper,
                             paper_mm=args.width, encoding=args.font,
                             answer_status=not args.silent, pty_path=args.pty,
                             render=not args.no_png)
    try:
        printer.start()
    except OSError as exc:
        return fail(prog, f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
                    EXIT_UNAVAILABLE)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    where = f" and {args.pty}" if args.pty else ""
    print(f"virtual printer listening on {printer.url}{where} ({args.width} mm, {args.font}, "
          f"paper {args.paper}); receipts in {args.out}", flush=True)
    stop.wait()
    printer.stop()
    print(f"stopped after {len(printer.receipts)} receipt(s)", flush=True)
    return EXIT_OK


def _decode(args: argparse.Namespace, prog: str) -> int:
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        return fail(prog, f"cannot read {args.file}: {exc.strerror}", EXIT_USAGE)
    args.out.mkdir(parents=True, exist_ok=True)
    receipts: list[Receipt] = []
    columns, dots = (32, 384) if args.width == 58 else (48, 576)
    decoder = EscPosDecoder(columns=columns, dots=dots, encoding=args.font,
                            on_receipt=receipts.append)
    decoder.feed(data)
    decoder.finish()
    renderer = ReceiptRenderer()
    for receipt in receipts:
        png = write_receipt(receipt, args.out, renderer)
        qr = ", ".join(receipt.qr_codes) or "none"
        print(f"{png}: {len(receipt.lines)} lines, cut {receipt.cut or 'none'}, QR {qr}")
        for warning in receipt.warnings:
            print(f"  warning: {warning}")
    return EXIT_OK if receipts and not any(r.warnings for r in receipts) else EXIT_FAILED
