"""``kioskctl printer``: the receipt printer, for technicians.

    kioskctl printer status  [--printer URL] [--profile NAME] [--timeout S] [--json]
    kioskctl printer test    [--printer URL] [--profile NAME] [--timeout S] [--json]
    kioskctl printer queue   [--json] [--limit N]
    kioskctl printer reprint JOB

``--printer`` / ``--profile`` / ``--timeout`` override ``[printer]`` of the settings
(``--config PATH``). ``test`` prints a page with Chinese text, a QR code and rulers of the paper
width, straight to the printer (not through the queue). ``queue`` lists the kiosk's print jobs
(``paths.var_dir``); ``reprint`` queues an uncertain or finished job again, headed 补打.

Exit codes: 0 ready / printed; 1 the printer answered but cannot print (paper out) or a job
cannot be reprinted; 2 usage; 3 the printer is offline or did not answer; 4 configuration.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from config.cli import (
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    fail,
    print_json,
)
from config.settings import ConfigError, Settings, load_settings
from drivers.printer import (
    PROFILES,
    Job,
    JobState,
    LayoutError,
    Printer,
    PrinterConfigError,
    PrinterError,
    PrinterNotReady,
    PrinterState,
    PrinterStatus,
    PrinterUnavailable,
    PrintInterrupted,
    PrintQueue,
    QueueError,
)
from drivers.printer.testpage import test_page
from kiosk.ctl.messages import MESSAGES, printer_status_en


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Receipt printer: test page, status.")
    parser.add_argument("--config", type=Path, help="settings file (default: see README)")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (("status", "report the printer's state in plain words"),
                       ("test", "print a test page (Chinese, QR code, width rulers)")):
        command = sub.add_parser(name, help=text)
        command.add_argument("--printer", metavar="URL",
                             help="tcp://HOST:9100, serial:///dev/ttyUSB0?baudrate=19200, "
                                  "usb://VID:PID, file:///dev/usb/lp0")
        command.add_argument("--profile", choices=sorted(PROFILES))
        command.add_argument("--timeout", type=float, metavar="SECONDS")
        command.add_argument("--json", action="store_true")
    queue = sub.add_parser("queue", help="list the print jobs of this kiosk")
    queue.add_argument("--limit", type=int, default=20)
    queue.add_argument("--json", action="store_true")
    reprint = sub.add_parser("reprint", help="print a job again (headed 补打 / reprint)")
    reprint.add_argument("job", type=int)
    return parser


def main(argv: list[str], prog: str) -> int:
    args = _parser(prog).parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        return fail(prog, str(exc), EXIT_CONFIG)
    if args.command in ("queue", "reprint"):
        return _queue(args, settings, prog)
    try:
        printer = Printer(args.printer or settings.printer.url,
                          args.profile or settings.printer.profile,
                          args.timeout if args.timeout is not None else settings.printer.timeout_s)
    except PrinterConfigError as exc:
        given = args.printer or args.profile or args.timeout is not None
        where = "" if given else f"{settings.source}: [printer] "
        return fail(prog, f"{MESSAGES.zh(exc)} / {where}{exc}",
                    EXIT_USAGE if given else EXIT_CONFIG)
    if args.command == "status":
        return _status(printer, args.json)
    return _test(printer, args.json, prog)


def _english(status: PrinterStatus) -> str:
    return f"{status.state.value}: {printer_status_en(status)}"


def _exit_code(status: PrinterStatus) -> int:
    if status.ready:
        return EXIT_OK
    return EXIT_FAILED if status.state is PrinterState.PAPER_OUT else EXIT_UNAVAILABLE


def _status_json(printer: Printer, status: PrinterStatus) -> dict[str, object]:
    return {"url": printer.url.text, "profile": printer.profile.name,
            "state": status.state.value, "ready": status.ready, "detail": status.detail,
            "words": MESSAGES.zh(status),
            "answers": {str(k): v for k, v in status.answers.items()}}


def _status(printer: Printer, as_dict: bool) -> int:
    status = printer.status()
    if as_dict:
        print_json(_status_json(printer, status))
    else:
        print(f"printer {printer.url} ({printer.profile.name}): {_english(status)}")
        print(MESSAGES.zh(status))
        if status.state is PrinterState.UNKNOWN and not printer.reads_status:
            print("(this link is write-only: print a test page to check the printer)")
    return _exit_code(status)


def _test(printer: Printer, as_dict: bool, prog: str) -> int:
    doc = test_page(printer.profile, printer.url.text)
    try:
        report = printer.print(doc)
    except PrinterNotReady as exc:
        return fail(prog, f"{MESSAGES.zh(exc.status)} / test page not printed: "
                          f"{_english(exc.status)}", _exit_code(exc.status))
    except PrintInterrupted as exc:
        return fail(prog, MESSAGES.line(exc, f"test page may be partly printed: {exc}"),
                    EXIT_UNAVAILABLE)
    except PrinterUnavailable as exc:
        return fail(prog, MESSAGES.line(exc, f"test page not printed: {exc}"), EXIT_UNAVAILABLE)
    except (LayoutError, PrinterError) as exc:
        return fail(prog, MESSAGES.line(exc, f"test page not printed: {exc}"), EXIT_FAILED)
    if as_dict:
        before = report.status_before
        print_json({"url": printer.url.text, "profile": printer.profile.name, "printed": True,
                    "bytes": report.bytes_sent, "seconds": round(report.seconds, 4),
                    "confirmed": report.confirmed,
                    "state": before.state.value if before else PrinterState.UNKNOWN.value})
    else:
        how = "confirmed by the printer" if report.confirmed else "not confirmed: write-only link"
        print(f"test page sent to {printer.url} ({printer.profile.name}): {report.bytes_sent} "
              f"bytes in {report.seconds * 1000:.0f} ms, {how}")
        if report.status_before and report.status_before.state is PrinterState.PAPER_NEAR_END:
            print(MESSAGES.zh(report.status_before))
    return EXIT_OK


def _queue(args: argparse.Namespace, settings: Settings, prog: str) -> int:
    path = settings.var.print_queue
    if not path.exists():
        if args.command == "reprint":
            return fail(prog, f"no print queue at {path}", EXIT_FAILED)
        if args.json:
            print_json([])
        else:
            print(f"no print queue at {path}")
        return EXIT_OK
    try:
        queue = PrintQueue(path)
        if args.command == "reprint":
            job = queue.reprint(args.job)
            print(f"job {job.id} queued: reprint of job {args.job}; it prints when the kiosk's "
                  "print worker runs")
            return EXIT_OK
        jobs = queue.jobs(limit=args.limit)
    except QueueError as exc:
        return fail(prog, MESSAGES.line(exc), EXIT_FAILED)
    if args.json:
        print_json([{"id": j.id, "state": j.state.value, "title": j.title, "key": j.key,
                     "note": j.note and j.note.value, "message": _job_message(j),
                     "attempts": j.attempts, "created": j.created, "printed": j.printed,
                     "reprint_of": j.reprint_of} for j in jobs])
        return EXIT_OK
    if not jobs:
        print(f"no print jobs in {queue.path}")
    for j in jobs:
        mark = f"  <- reprint? `kioskctl printer reprint {j.id}`" \
            if j.state is JobState.UNCERTAIN else ""
        print(f"{j.id:6d}  {j.state.value:<9}  {j.title}  {_job_message(j)}{mark}")
    return EXIT_OK


def _job_message(job: Job) -> str:
    """What a person reads about a job: why it waits (in Chinese), else the particulars."""
    return MESSAGES.zh(job.note) if job.note is not None else job.message
