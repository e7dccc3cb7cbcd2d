"""``make demo`` (``python -m demo``): the kiosk on the hall's services and devices.

With a display: the back office with the demo catalogue, the virtual printer, camera and ID-card
reader, pcscd with the demo city card and PSAM and the card service, the kiosk window and the
hall-simulator window (:mod:`demo.hall_window`) for the person
trying it. Without one (a fresh server, CI), or with ``--journey``: the scripted citizen
journey (:mod:`demo.journey`) offscreen, its screenshots, receipt and ``journey.json`` under
``var/demo/journey/``, and a short summary. ``python -m demo cards`` is the card chain demo
(:mod:`demo.run`). Exit codes: 0 done, 1 a step failed, 3 a service or device did not start.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from config.cli import EXIT_FAILED, EXIT_OK, EXIT_UNAVAILABLE, EXIT_USAGE, fail
from config.runtime import configure_logging

PROG = "make demo"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--journey", action="store_true",
                        help="run the scripted citizen journey even with a display")
    parser.add_argument("--state", type=Path, default=Path("var/demo/kiosk"),
                        help="where the services keep their state (emptied first)")
    parser.add_argument("--out", type=Path, default=Path("var/demo/journey"),
                        help="where the journey writes its screenshots and journey.json")
    parser.add_argument("--log-level", default="WARNING")
    parser.add_argument("--fresh", action="store_true",
                        help="accepted for make demo FRESH=1: the kiosk demo always starts from"
                             " the demo data")
    parser.add_argument("--stay", action="store_true", help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    if args.stay:
        return fail(PROG, "STAY=1 keeps the card chain's simulators: make demo CARDS=1 STAY=1",
                    EXIT_USAGE)
    configure_logging(args.log_level)
    headless = args.journey or not (os.environ.get("DISPLAY") or
                                    os.environ.get("WAYLAND_DISPLAY"))
    if headless:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtGui import QGuiApplication  # noqa: PLC0415 - after the platform is chosen
    from PySide6.QtWidgets import QApplication  # noqa: PLC0415

    from demo.devices import Stack, StackError  # noqa: PLC0415
    from demo.journey import Journey, JourneyError, summary  # noqa: PLC0415

    shutil.rmtree(args.state, ignore_errors=True)
    args.state.mkdir(parents=True)
    stack = Stack(args.state.resolve())
    app = QGuiApplication.instance() or (QGuiApplication(sys.argv[:1]) if headless
                                         else QApplication(sys.argv[:1]))
    closers: list[Callable[[], None]] = []
    journey: Journey | None = None
    try:
        print("启动服务和设备 · starting the hall's services and devices", flush=True)
        stack.start_hall()
        stack.start_printer()
        stack.start_camera()
        stack.start_idcard("none")  # the citizen logs in with the city card
        stack.start_cards()
        if not headless:
            from demo.hall_window import run_interactive  # noqa: PLC0415
            return run_interactive(app, stack, args.state / "kiosk")
        shutil.rmtree(args.out, ignore_errors=True)
        args.out.mkdir(parents=True)
        journey = Journey(stack, args.out)
        journey.kiosk, closers = journey.build_kiosk(args.state / "kiosk")
        print("市民办事旅程 · the citizen's journey (offscreen)", flush=True)
        try:
            journey.run()
        except JourneyError as exc:
            doc = journey.report(False, str(exc))
            print("\n".join(summary(doc)))
            return fail(PROG, f"the journey stopped: {exc}", EXIT_FAILED)
        doc = journey.report(True)
        print("\n".join(summary(doc)))
        print(f"  截图和回执 screenshots and receipt: {args.out}/ (journey.json)")
        return EXIT_OK
    except StackError as exc:
        return fail(PROG, str(exc), EXIT_UNAVAILABLE)
    except Exception as exc:  # a person reads this: one line, the details in the log
        logging.getLogger(__name__).exception("demo.failed")
        return fail(PROG, f"the demo failed: {type(exc).__name__}: {exc}", EXIT_FAILED)
    finally:
        if journey is not None and journey.kiosk is not None:
            journey.kiosk.close()
        for close in closers:
            close()
        stack.stop()
