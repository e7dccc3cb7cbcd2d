"""``simulators camera``: the virtual document camera.

simulators camera serve [--name default] [--scenario place] [--fps 15]
    write the scenario's frames under <var_dir>/camera/NAME and serve them as the camera
    ``sim:NAME`` until SIGTERM (the manifest goes away with the process)
simulators camera make --out DIR [--count 300] [--kind mixed] [--seed 1] [--video]
    write a data set: numbered JPEG frames (a cv2.VideoCapture image folder), truth.json
simulators camera scenarios
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Iterator
from pathlib import Path

from config.cli import EXIT_CONFIG, EXIT_FAILED, EXIT_OK, EXIT_USAGE, fail, print_json
from config.runtime import block_stop_signals, configure_logging, wait_for_stop
from config.settings import ConfigError, load_settings
from simulators.camera.scene import KINDS, SceneGenerator
from simulators.camera.sequence import SCENARIOS, ClipFrame, scenario
from simulators.camera.store import FRAMES, PATTERN, remove_manifest, write_clip, write_manifest

log = logging.getLogger(__name__)


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError("size is WIDTHxHEIGHT, e.g. 1280x720") from None
    if not (160 <= w <= 8192 and 120 <= h <= 8192):
        raise argparse.ArgumentTypeError("size out of range")
    return w, h


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Virtual document camera.")
    sub = parser.add_subparsers(dest="action", required=True)
    serve = sub.add_parser("serve", help="serve a scenario as the camera sim:NAME")
    serve.add_argument("--name", default="default", help="camera name (sim:NAME)")
    serve.add_argument("--dir", type=Path, help="folder to use instead of <var_dir>/camera/NAME")
    serve.add_argument("--scenario", choices=SCENARIOS, default="place")
    serve.add_argument("--pages", type=int, default=3, help="pages laid down (place, mixed)")
    serve.add_argument("--config", help="settings file (for paths.var_dir)")
    make = sub.add_parser("make", help="write a data set of scenes with ground truth")
    make.add_argument("--out", type=Path, required=True)
    make.add_argument("--count", type=int, default=300)
    make.add_argument("--kind", choices=KINDS, default="mixed")
    make.add_argument("--video", action="store_true", help="also write clip.avi (MJPEG)")
    for p in (serve, make):
        p.add_argument("--seed", type=int, default=1)
        p.add_argument("--fps", type=float, default=15.0)
        p.add_argument("--size", type=_size, default=(1280, 720), help="WIDTHxHEIGHT")
        p.add_argument("--log-level", default="INFO")
    sub.add_parser("scenarios", help="list the scenarios and scene kinds")
    return parser


def _scenes(gen: SceneGenerator, kind: str, count: int) -> Iterator[ClipFrame]:
    for _ in range(count):
        scene = gen.scene(kind)
        yield ClipFrame(scene.image, scene.spec, True, 0, scene.page.qr_text)


def main(argv: list[str], prog: str) -> int:
    args = _parser(prog).parse_args(argv)
    if args.action == "scenarios":
        print_json({"scenarios": list(SCENARIOS), "kinds": list(KINDS)})
        return EXIT_OK
    configure_logging(args.log_level)
    gen = SceneGenerator(args.seed, args.size)
    if args.action == "make":
        if args.count < 1:
            return fail(prog, "--count must be at least 1", EXIT_USAGE)
        started = time.monotonic()
        truth = write_clip(args.out, _scenes(gen, args.kind, args.count), args.fps, args.video)
        log.info(
            "data set written",
            extra={
                "out": str(args.out),
                "frames": len(truth["frames"]),
                "s": round(time.monotonic() - started, 1),
            },
        )
        return EXIT_OK
    folder = args.dir
    if folder is None:
        try:
            folder = Path(load_settings(args.config).paths.var_dir) / "camera" / args.name
        except ConfigError as exc:
            return fail(prog, str(exc), EXIT_CONFIG)
    block_stop_signals()
    remove_manifest(folder)
    truth = write_clip(folder, scenario(gen, args.scenario, args.pages), args.fps)
    write_manifest(folder, f"{FRAMES}/{PATTERN}", args.fps)
    log.info(
        "virtual camera serving",
        extra={
            "camera": f"sim:{args.name}",
            "dir": str(folder),
            "scenario": args.scenario,
            "frames": len(truth["frames"]),
            "fps": args.fps,
        },
    )
    try:
        signo = wait_for_stop()
    finally:
        remove_manifest(folder)
    log.info("virtual camera stopped", extra={"camera": f"sim:{args.name}", "signal": signo})
    return EXIT_OK if signo is not None else EXIT_FAILED
