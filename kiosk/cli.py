"""``kiosk``: the citizens' self-service kiosk.

    kiosk run [--config FILE] [--windowed] [--size 1080x1920] [--px-per-mm 4.0]
    kiosk pin-hash            read a technician PIN on stdin, print [kiosk] technician_pin_hash

``run`` opens the kiosk fullscreen and frameless with the devices and services of the
configuration (printer queue and worker, document camera, ID-card reader, the hall's
catalogue). Exit codes: 0 closed, 2 usage, 4 configuration.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from config.cli import EXIT_CONFIG, EXIT_OK, EXIT_USAGE, fail
from config.runtime import configure_logging
from config.settings import ConfigError, KioskSettings, Settings, load_settings
from kiosk.pin import pin_hash

PROG = "kiosk"
QT_KEYBOARD_REFUSED = (
    'kiosk.virtual_keyboard = "qt": 本版本未接入 Qt 虚拟键盘（表单由内置键盘输入，Qt 键盘不会'
    '输入到这些栏目，且其许可为 GPLv3 或商业许可），请改为 "builtin" / not supported in this '
    "version: the kiosk's fields take the built-in keyboard's input, which Qt Virtual Keyboard "
    '(GPLv3 or commercial) cannot type into; set "builtin"')
log = logging.getLogger(__name__)


def check(k: KioskSettings) -> None:
    """Refuse settings the kiosk cannot honour (a ConfigError names the key)."""
    if k.language not in ("zh", "en"):
        raise ConfigError("kiosk.language: zh or en")
    if k.orientation not in ("auto", "portrait", "landscape"):
        raise ConfigError("kiosk.orientation: auto, portrait or landscape")
    if k.virtual_keyboard == "qt":
        raise ConfigError(QT_KEYBOARD_REFUSED)
    if k.virtual_keyboard != "builtin":
        raise ConfigError("kiosk.virtual_keyboard: builtin / 只能是 builtin（内置键盘）")
    if min(k.warning_s, k.warning_care_s) < 20:
        raise ConfigError("kiosk.warning_s: at least 20 seconds (WCAG 2.2.1)")
    if min(k.idle_s, k.idle_care_s) <= 0 or k.px_per_mm < 0:
        raise ConfigError("kiosk.idle_s / px_per_mm: must be positive")


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError("WIDTHxHEIGHT, e.g. 1080x1920") from None
    return w, h


def _run(settings: Settings, args: argparse.Namespace) -> int:
    from PySide6.QtCore import QSize, Qt  # noqa: PLC0415 - Qt only for `run`
    from PySide6.QtGui import QGuiApplication  # noqa: PLC0415

    from kiosk.app import build  # noqa: PLC0415
    from kiosk.wiring import ports_from_settings  # noqa: PLC0415

    app = QGuiApplication(sys.argv[:1])
    try:
        ports = ports_from_settings(settings)
    except ConfigError as exc:
        return fail(PROG, str(exc), EXIT_CONFIG)
    size = QSize(*args.size) if args.size else None
    kiosk = build(ports, settings.kiosk, size=size, px_per_mm=args.px_per_mm)
    kiosk.vm.quitRequested.connect(app.quit)  # the technician's exit
    if not args.windowed:
        kiosk.window.setFlag(Qt.WindowType.FramelessWindowHint, True)
        kiosk.window.showFullScreen()
    log.info("kiosk.started", extra={"event": "kiosk.started",
                                     "terminal": settings.kiosk.terminal_name})
    try:
        return EXIT_OK if app.exec() == 0 else 1
    finally:
        kiosk.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description="The citizens' self-service kiosk.")
    sub = parser.add_subparsers(dest="action", required=True)
    run = sub.add_parser("run", help="open the kiosk (fullscreen, frameless)")
    run.add_argument("--config", type=Path, help="settings file")
    run.add_argument("--windowed", action="store_true", help="a normal window (development)")
    run.add_argument("--size", type=_size, help="window size, e.g. 1080x1920")
    run.add_argument("--px-per-mm", type=float, default=None, help="override the screen DPI")
    run.add_argument("--log-level", default="INFO")
    sub.add_parser("pin-hash", help="hash a technician PIN read from stdin")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.action == "pin-hash":
        pin = sys.stdin.readline().strip()
        if not (pin.isdigit() and 6 <= len(pin) <= 12):
            return fail(PROG, "the PIN must be 6 to 12 digits", EXIT_USAGE)
        print(pin_hash(pin))
        return EXIT_OK
    configure_logging(args.log_level)
    try:
        settings = load_settings(args.config)
        check(settings.kiosk)
    except ConfigError as exc:
        return fail(PROG, str(exc), EXIT_CONFIG)
    return _run(settings, args)
