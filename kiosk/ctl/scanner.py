"""``kioskctl scanner``: the document camera, for technicians.

    kioskctl scanner detect IMAGE... [--json]     corners (clockwise from top-left) and verdict
    kioskctl scanner capture [--pages N] [--out DIR] [--timeout S] [--frames N] [--json]
                                                  auto-capture pages, save JPEGs and one PDF
    kioskctl scanner qr [--timeout S]             read a receipt's QR held up to the camera
    kioskctl scanner calibrate [--frames N] [--write]
                                                  fit the quality thresholds to this camera

The camera is ``[scanner] url`` of the settings unless ``--url`` is given; ``sim:NAME`` cameras
live under ``<paths.var_dir>/camera``; calibrated thresholds in
``<paths.var_dir>/scanner/calibration.json`` are used when present.
Exit codes: 0 done, 1 refused or failed, 2 usage, 3 camera unavailable, 4 configuration.
``detect`` takes pictures of any size, orientation (EXIF) and pixel format
(:mod:`kiosk.ctl.scanner_images`); a file that cannot be read gets one line in Chinese and
English in place of its result, the other files are still done, and the exit code is 1.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2.utils.logging as cv2_logging
import numpy as np

from config.cli import (
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    fail,
    print_json,
)
from config.layout import VarLayout
from config.runtime import configure_logging
from config.settings import ConfigError, load_settings
from drivers.scanner import (
    AutoCapture,
    CalibrationError,
    Camera,
    CameraError,
    CameraUnavailable,
    Frame,
    NoGoodPage,
    ScannerError,
    Status,
    Thresholds,
    calibrate,
    decode_qr,
    detect_page,
    judge,
    load_thresholds,
    open_camera,
    save_calibration,
    save_jpeg,
    save_pdf,
)
from kiosk.ctl.messages import MESSAGES
from kiosk.ctl.scanner_images import CANNOT_READ, UnreadableImage, load_image


@dataclass(frozen=True)
class Context:
    url: str
    var_dir: Path
    thresholds: Thresholds


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Document camera (高拍仪).")
    sub = parser.add_subparsers(dest="action", required=True)
    detect = sub.add_parser("detect", help="find the page in image files")
    detect.add_argument("images", nargs="+", type=Path, metavar="IMAGE")
    capture = sub.add_parser("capture", help="auto-capture pages from the camera")
    capture.add_argument("--pages", type=int, default=1, help="how many pages to capture")
    capture.add_argument("--out", type=Path, default=Path("scans"), help="output folder")
    capture.add_argument("--timeout", type=float, default=30.0, help="seconds to wait in all")
    capture.add_argument("--frames", type=int, default=0,
                         help="give up after this many frames too (0: only the timeout)")
    qr = sub.add_parser("qr", help="read a QR code held up to the camera")
    qr.add_argument("--timeout", type=float, default=10.0)
    cal = sub.add_parser("calibrate", help="fit the quality thresholds to this camera")
    cal.add_argument("--frames", type=int, default=30, help="frames of a clean, still page")
    cal.add_argument("--write", action="store_true", help="save them for every later run")
    for p in (detect, capture, qr, cal):
        p.add_argument("--json", action="store_true", help="print JSON for scripts")
        p.add_argument("--config", help="settings file (default: $CITIZEN_HALL_CONFIG ...)")
        p.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    for p in (capture, qr, cal):
        p.add_argument("--url", help="camera URL (default: [scanner] url of the settings)")
        p.add_argument(
            "--no-realtime",
            dest="realtime",
            action="store_false",
            help="read file and simulated cameras as fast as possible",
        )
    return parser


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")


def _tell(text: str) -> None:
    sys.stderr.write(text + "\n")


def _frames(camera: Camera, deadline: float, limit: int = 0) -> Iterator[Frame]:
    count = 0
    while time.monotonic() < deadline and (limit <= 0 or count < limit):
        count += 1
        yield camera.read(timeout=max(0.1, min(2.0, deadline - time.monotonic())))


def _detect_one(path: Path, ctx: Context) -> dict[str, Any]:
    try:
        loaded = load_image(path)
    except UnreadableImage as exc:
        return {"image": str(path), "error": {"zh": f"{CANNOT_READ.zh}：{exc.words.zh}",
                                              "en": f"{CANNOT_READ.en}: {exc.words.en}"}}
    det = detect_page(loaded.frame)
    verdict = judge(loaded.frame, det, ctx.thresholds)
    corners = det.as_list()
    if corners is not None and loaded.factor != 1.0:
        corners = [[round(x * loaded.factor, 2), round(y * loaded.factor, 2)] for x, y in corners]
    return {
        "image": str(path),
        "size": list(loaded.size),
        "corners": corners,
        "quality": verdict.as_dict(),
    }


def _detect(args: argparse.Namespace, ctx: Context) -> int:
    results = [_detect_one(path, ctx) for path in args.images]
    code = EXIT_FAILED if any("error" in r for r in results) else EXIT_OK
    if args.json:
        print_json(results)
        return code
    for r in results:
        if "error" in r:
            _say(f"{r['image']}: 错误：{r['error']['zh']} / error: {r['error']['en']}")
        elif r["corners"] is None:
            _say(f"{r['image']}: no page ({r['quality']['words']})")
        else:
            corners = " ".join(f"({x:.1f},{y:.1f})" for x, y in r["corners"])
            _say(f"{r['image']}: page {corners}: {r['quality']['words']}")
    return code


def _status_words(status: Status) -> str:
    """What auto-capture says now: the quality verdict's reason, else the state's words."""
    if status.verdict is not None and not status.verdict.ok:
        return status.verdict.words
    return MESSAGES.en(status)


def _capture(args: argparse.Namespace, ctx: Context, camera: Camera) -> int:
    if args.pages < 1:
        return fail(args.prog, "--pages must be at least 1", EXIT_USAGE)
    auto = AutoCapture(thresholds=ctx.thresholds)
    pages: list[np.ndarray] = []
    saved: list[dict[str, Any]] = []
    last = ""
    for frame in _frames(camera, time.monotonic() + args.timeout, args.frames):
        status = auto.feed(frame)
        words = _status_words(status)
        if words != last and not args.json:
            _tell(f"[{frame.timestamp:6.2f} s] {words}")
            last = words
        if status.capture is None:
            continue
        cap = status.capture
        path = save_jpeg(cap.page, args.out / f"page-{len(pages) + 1:03d}.jpg")
        pages.append(cap.page)
        saved.append(
            {
                "jpeg": str(path),
                "frame": cap.frame.index,
                "corners": cap.detection.as_list(),
                "wait_s": round(cap.wait_s, 3),
                "process_ms": round(cap.process_ms, 1),
                "quality": cap.verdict.as_dict(),
            }
        )
        if len(pages) == args.pages:
            break
    if not pages:
        within = f"{args.frames} frames" if args.frames > 0 else f"{args.timeout:g} s"
        raise NoGoodPage(f"no page good enough in {within}: {last or 'no frame'}", last)
    pdf = save_pdf(pages, args.out / "scan.pdf")
    if args.json:
        print_json({"camera": ctx.url, "pdf": str(pdf), "pages": saved})
    else:
        for s in saved:
            _say(f"captured {s['jpeg']} ({s['wait_s']:.2f} s after the page lay still)")
        _say(f"wrote {pdf} ({len(pages)} page{'s' if len(pages) > 1 else ''}, A4, 200 dpi)")
    return EXIT_OK if len(pages) == args.pages else EXIT_FAILED


def _qr(args: argparse.Namespace, ctx: Context, camera: Camera) -> int:
    for frame in _frames(camera, time.monotonic() + args.timeout):
        texts = decode_qr(frame.image)
        if texts:
            if args.json:
                print_json({"camera": ctx.url, "frame": frame.index, "qr": texts})
            else:
                _say("\n".join(texts))
            return EXIT_OK
    return fail(
        args.prog,
        f"no QR code seen in {args.timeout:g} s: hold the receipt flat, "
        "its code facing the camera, a hand's width away",
        EXIT_FAILED,
    )


def _calibrate(args: argparse.Namespace, ctx: Context, camera: Camera) -> int:
    frames = [camera.read() for _ in range(max(3, args.frames))]
    result = calibrate(frames, ctx.thresholds)
    path = save_calibration(result, ctx.var_dir) if args.write else None
    if args.json:
        print_json(result.as_dict() | {"written": str(path) if path else None})
        return EXIT_OK
    t = result.thresholds
    _say(
        f"page found in {result.found} of {result.frames} frames; sharpness median "
        f"{result.sharpness_median:.1f} (10th percentile {result.sharpness_p10:.1f}), "
        f"glare up to {result.glare_max:.2%}"
    )
    _say(
        f"thresholds: blurred below {t.min_sharpness:g}, glare above {t.max_glare:.1%}, "
        f"too small below {t.min_area:.0%} of the picture"
    )
    _say(f"saved to {path}" if path else "not saved (add --write to keep them)")
    return EXIT_OK


def _context(args: argparse.Namespace) -> Context:
    settings = load_settings(args.config)
    var_dir = Path(settings.paths.var_dir)
    return Context(
        getattr(args, "url", None) or settings.scanner.url, var_dir, load_thresholds(var_dir)
    )


def main(argv: list[str], prog: str) -> int:
    args = _parser(prog).parse_args(argv)
    args.prog = prog
    cv2_logging.setLogLevel(cv2_logging.LOG_LEVEL_ERROR)  # no OpenCV warnings on the console
    if args.verbose:
        configure_logging(logging.INFO)
    try:
        ctx = _context(args)
    except ConfigError as exc:
        return fail(prog, str(exc), EXIT_CONFIG)
    except CalibrationError as exc:
        return fail(prog, MESSAGES.line(exc), EXIT_CONFIG)
    if args.action == "detect":
        return _detect(args, ctx)
    try:
        with open_camera(
            ctx.url, sim_root=VarLayout(ctx.var_dir).cameras, realtime=args.realtime
        ) as camera:
            if args.action == "capture":
                return _capture(args, ctx, camera)
            if args.action == "qr":
                return _qr(args, ctx, camera)
            return _calibrate(args, ctx, camera)
    except (CameraUnavailable, CameraError) as exc:
        return fail(prog, MESSAGES.line(exc), EXIT_UNAVAILABLE)
    except ScannerError as exc:
        return fail(prog, MESSAGES.line(exc), EXIT_FAILED)
