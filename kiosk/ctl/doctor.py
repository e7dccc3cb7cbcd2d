"""``kioskctl doctor``: check every configured device of a kiosk and say, in plain words, what
works and what to fix.

    kioskctl doctor [--json] [--config PATH] [--timeout S] [--only NAME ...]

One small check per device, in a registry (:data:`CHECKS`, name -> function); each opens the
device through its driver's public API, asks it the cheapest real question, closes it, and
never raises: trouble becomes a :class:`Finding` with what to do about it. The checks run side
by side (each has its own timeout), so a dead kiosk is diagnosed in about one timeout.

    card-readers   drivers.pcsc: the PC/SC service answers, the readers named by [card] exist
    sam            cardsvc.sam over drivers.pcsc: the PSAM (or software SAM) gives its terminal
                   number
    printer        drivers.printer: the printer's own status (DLE EOT)
    camera         drivers.scanner: a frame from [scanner] url
    idcard         drivers.idcard: reset and SAM status of the ID-card reader ([idcard] url)
    backoffice     cardsvc.clearing_client: /healthz, and the token on /v1 ([clearing_client])

Exit codes: 0 every configured device works (warnings allowed), 1 something to fix,
2 usage, 4 configuration.
"""

from __future__ import annotations

import argparse
import enum
import sys
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from cardsvc.clearing_client import (
    ClearingClient,
    ClearingError,
    ClearingUnauthorized,
    ClearingUnreachable,
)
from cardsvc.errors import ServiceConfigError
from cardsvc.keys import KeyFileError
from cardsvc.sam import SamError, SamSpec, open_sam
from config.cli import EXIT_CONFIG, EXIT_FAILED, EXIT_OK, fail, print_json
from config.settings import ConfigError, Settings, load_settings
from drivers.idcard import IdCardError, open_reader
from drivers.pcsc import CardChannel, PcscError, ServiceUnavailable, open_backend
from drivers.pcsc.errors import ReaderBusy
from drivers.printer import PrinterError, PrinterState, open_printer


class Health(enum.Enum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"


@dataclass(frozen=True)
class Finding:
    device: str
    health: Health
    summary: str
    """What works, or what is wrong, in plain words."""
    fix: str = ""
    """What to do about it (empty when nothing needs doing)."""
    details: Mapping[str, Any] = field(default_factory=dict)
    ms: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "device": self.device,
            "status": self.health.value,
            "summary": self.summary,
            "fix": self.fix,
            "details": dict(self.details),
            "ms": round(self.ms, 1),
        }


@dataclass(frozen=True)
class Kiosk:
    """What a check gets: the settings and how long it may take."""

    settings: Settings
    timeout: float

    @property
    def var_dir(self) -> Path:
        return Path(self.settings.paths.var_dir)


Check = Callable[[Kiosk], Finding]


def _sam_reader(settings: Settings) -> str | None:
    """The PSAM's reader of ``[card] sam`` (None: a software SAM, or a malformed setting that
    the SAM check reports)."""
    try:
        return SamSpec.parse(settings.card.sam).reader
    except SamError:
        return None


def check_card_readers(kiosk: Kiosk) -> Finding:
    name, s = "card readers", kiosk.settings
    try:
        backend = open_backend(s.card.backend)
    except (ValueError, ImportError) as exc:
        return Finding(
            name,
            Health.FAIL,
            f"the reader backend {s.card.backend!r} cannot be used: {exc}",
            "correct [card] backend (pcsc://)",
        )
    try:
        statuses = backend.reader_statuses()
    except ServiceUnavailable as exc:
        return Finding(
            name, Health.FAIL, str(exc),
            "start pcscd (for the simulated kiosk: `simulators pcscd run`)",
        )
    except PcscError as exc:
        return Finding(
            name,
            Health.FAIL,
            f"the readers cannot be listed: {exc}",
            "check pcscd and the reader drivers",
        )
    finally:
        backend.close()
    sam = _sam_reader(s)
    users = [r for r in statuses if r != sam]
    seen = ", ".join(statuses) or "none"
    details = {"readers": {r: {"card": st.present} for r, st in statuses.items()}}
    if s.card.reader and s.card.reader not in statuses:
        return Finding(
            name,
            Health.FAIL,
            f"the card reader {s.card.reader!r} is not attached (attached: {seen})",
            "plug it in, or correct [card] reader",
            details,
        )
    if not users:
        return Finding(
            name,
            Health.FAIL,
            f"no reader for citizen cards (attached: {seen})",
            "plug in the card reader (for the simulated kiosk: `simulators pcscd run` "
            "and `simulators card serve`)",
            details,
        )
    shown = [s.card.reader] if s.card.reader else users
    words = "; ".join(
        f"{r}: {'a card is in it' if statuses[r].present else 'no card in it'}" for r in shown
    )
    return Finding(name, Health.OK, f"PC/SC service up; {words}", "", details)


def _sam_held(name: str, settings: Settings) -> Finding:
    """The PSAM is held exclusively: by the card service (fine), or by something else."""
    from cardsvc.client import CardServiceClient  # noqa: PLC0415 - only in this case
    from cardsvc.errors import CardServiceError  # noqa: PLC0415

    try:
        with CardServiceClient.from_settings(settings, timeout_s=3) as svc:
            up = svc.health()
    except CardServiceError:
        up = False
    if up:
        return Finding(name, Health.OK, "卡服务正在使用 PSAM / the card service holds the PSAM "
                       "(exclusive use): it answers through the service", "")
    return Finding(name, Health.FAIL, "another program holds the PSAM in exclusive use",
                   "stop the other program (is a `cardsvc` command still running?)")


def check_sam(kiosk: Kiosk) -> Finding:
    name, s = "SAM", kiosk.settings
    reader = _sam_reader(s)
    try:
        backend = open_backend(s.card.backend)
    except (ValueError, ImportError) as exc:
        return Finding(
            name, Health.FAIL, f"the reader backend cannot be used: {exc}", "correct [card] backend"
        )
    try:
        if reader is not None:
            statuses = backend.reader_statuses()
            if reader not in statuses:
                return Finding(
                    name,
                    Health.FAIL,
                    f"the PSAM's reader {reader!r} is not attached",
                    "plug in the PSAM reader, or correct [card] sam",
                )
            if not statuses[reader].present:
                return Finding(
                    name,
                    Health.FAIL,
                    f"no PSAM in the reader {reader!r}",
                    "insert the PSAM (for the simulated kiosk: `simulators psam serve`)",
                )
        with open_sam(
            s.card.sam,
            state_dir=kiosk.settings.var.sam_state,
            connect=lambda r: CardChannel.connect(backend, r, timeout=kiosk.timeout),
        ) as sam:
            terminal = sam.terminal_id().hex().upper()
    except ServiceUnavailable as exc:
        return Finding(
            name,
            Health.FAIL,
            f"the PSAM cannot be reached: {exc}",
            "start pcscd first (see card readers)",
        )
    except KeyFileError as exc:
        return Finding(
            name,
            Health.FAIL,
            f"the software SAM's key file is not usable: {exc}",
            "restore the key file (mode 0600), or correct [card] sam",
        )
    except (SamError, PcscError) as exc:
        if isinstance(exc, ReaderBusy) or isinstance(exc.__cause__, ReaderBusy):
            return _sam_held(name, kiosk.settings)
        return Finding(
            name,
            Health.FAIL,
            f"the SAM does not answer properly: {exc}",
            "reseat the PSAM, or check [card] sam",
        )
    finally:
        backend.close()
    where = f"the PSAM in {reader!r}" if reader else "the software SAM"
    return Finding(
        name,
        Health.OK,
        f"{where} answers; terminal number {terminal}",
        "",
        {"terminal": terminal, "spec": s.card.sam},
    )


def check_printer(kiosk: Kiosk) -> Finding:
    from kiosk.ctl.messages import printer_status_en  # noqa: PLC0415 - it names camera states

    name, s = "printer", kiosk.settings
    if not s.printer.url:
        return Finding(name, Health.SKIP, "not configured ([printer] url is empty)")
    try:
        printer = open_printer(
            s.printer.url,
            profile=s.printer.profile,
            timeout=min(s.printer.timeout_s, kiosk.timeout),
        )
        status = printer.status()
    except PrinterError as exc:
        return Finding(
            name,
            Health.FAIL,
            f"the printer settings are wrong: {exc}",
            "correct [printer] url and profile",
        )
    details = {"url": s.printer.url, "state": status.state.value, "detail": status.detail}
    state, said = status.state, f"{s.printer.url}: {printer_status_en(status)}"
    if state is PrinterState.OK:
        return Finding(name, Health.OK, said, "", details)
    if state is PrinterState.PAPER_NEAR_END:
        return Finding(
            name,
            Health.WARN,
            said,
            "load a new paper roll soon",
            details,
        )
    if state is PrinterState.PAPER_OUT:
        return Finding(
            name, Health.FAIL, said, "load a paper roll", details
        )
    if state is PrinterState.UNKNOWN and not printer.reads_status:
        return Finding(
            name,
            Health.WARN,
            said,
            "this link cannot tell; print a test page (`kioskctl printer test`)",
            details,
        )
    return Finding(
        name,
        Health.FAIL,
        said,
        "switch the printer on, close its cover, check the cable and [printer] url "
        "(for the simulated kiosk: `simulators printer serve`)",
        details,
    )


def check_camera(kiosk: Kiosk) -> Finding:
    name, url = "camera", kiosk.settings.scanner.url
    if not url:
        return Finding(name, Health.SKIP, "not configured ([scanner] url is empty)")
    try:  # OpenCV is the kiosk's extra: a till or validator checks without it
        from drivers.scanner import (  # noqa: PLC0415
            ScannerError,
            open_camera,
            read_calibration,
        )
    except ImportError:
        return Finding(name, Health.FAIL, "this install has no camera support (OpenCV)",
                       "install the kiosk's extra, or empty [scanner] url")
    try:
        var = kiosk.settings.var
        with open_camera(url, sim_root=var.cameras, realtime=False) as camera:
            frame = camera.read(timeout=kiosk.timeout)
            fps = camera.fps
        saved = read_calibration(kiosk.var_dir)  # a malformed file is a ScannerError here
    except ScannerError as exc:
        fix = "plug the camera in, or correct [scanner] url"
        if url.startswith("sim:"):
            fix = f"start the virtual camera (`simulators camera serve --name {url[4:]}`)"
        return Finding(name, Health.FAIL, str(exc), fix)
    h, w = frame.image.shape[:2]
    details = {"url": url, "width": w, "height": h, "fps": fps, "calibrated": saved.saved}
    summary = f"{url} gives {w} x {h} frames at {fps:g} fps"
    if not saved.saved:
        return Finding(name, Health.OK, summary + "; quality thresholds: the defaults", "", details)
    if saved.outdated:
        return Finding(name, Health.WARN,
                       summary + "; the calibration's blur bar was fitted on an older sharpness "
                       "measure: the default bar is used", "run `kioskctl scanner calibrate` "
                       "again with a clean page", details)
    return Finding(name, Health.OK, summary + "; quality thresholds: calibrated", "", details)


def check_idcard(kiosk: Kiosk) -> Finding:
    name, url = "ID-card reader", kiosk.settings.idcard.url
    if not url:
        return Finding(name, Health.SKIP, "not configured ([idcard] url is empty)")
    try:
        with open_reader(url, timeout=kiosk.timeout) as reader:
            reader.reset()
            reader.sam_status()
            present = reader.find_card()
    except IdCardError as exc:
        return Finding(
            name,
            Health.FAIL,
            str(exc),
            "check the reader's power and cable, and [idcard] url (for the simulated "
            "kiosk: `simulators idcard serve --pty PATH`)",
        )
    card = "a card is on it" if present else "no card on it"
    return Finding(
        name,
        Health.OK,
        f"{url}: reader and its SAM answer; {card}",
        "",
        {"url": url, "card_present": present},
    )


def check_backoffice(kiosk: Kiosk) -> Finding:
    name, url = "back office", kiosk.settings.clearing_client.url
    if not url:
        return Finding(name, Health.SKIP, "not configured ([clearing_client] url is empty)")
    try:
        with ClearingClient.from_settings(kiosk.settings, timeout_s=kiosk.timeout) as client:
            health = client.health()
            version = health.get("hotlist_version")
            client.hotlist(since=version if isinstance(version, int) else None)
    except ClearingUnauthorized as exc:
        return Finding(
            name,
            Health.FAIL,
            f"{url} refuses the token: {exc}",
            "put the right token in [clearing_client] token_file",
        )
    except (ClearingError, ClearingUnreachable) as exc:
        return Finding(
            name,
            Health.FAIL,
            f"the back office does not answer: {exc}",
            "check the network and [clearing_client] url (for the simulated kiosk: "
            "`backoffice serve`)",
        )
    except ServiceConfigError as exc:
        return Finding(
            name,
            Health.FAIL,
            f"no usable token for {url}: {exc}",
            "put the clearing service's token in [clearing_client] token_file (mode 0600)",
        )
    return Finding(name, Health.OK, f"{url} answers and accepts the token", "", {"health": health})


CHECKS: Mapping[str, Check] = MappingProxyType(
    {
        "card-readers": check_card_readers,
        "sam": check_sam,
        "printer": check_printer,
        "camera": check_camera,
        "idcard": check_idcard,
        "backoffice": check_backoffice,
    }
)
"""The registry: one check per device, in the order they are reported."""


def _guarded(name: str, check: Check, kiosk: Kiosk) -> Finding:
    started = time.perf_counter()
    try:
        finding = check(kiosk)
    except Exception as exc:  # noqa: BLE001 - a bug in one check must not hide the others
        finding = Finding(
            name,
            Health.FAIL,
            f"the check itself failed: {type(exc).__name__}: {exc}",
            "report this to the developers",
        )
    return Finding(
        finding.device,
        finding.health,
        finding.summary,
        finding.fix,
        finding.details,
        (time.perf_counter() - started) * 1e3,
    )


def run_checks(
    kiosk: Kiosk, names: list[str] | None = None, checks: Mapping[str, Check] = CHECKS
) -> list[Finding]:
    """Run the named checks (all by default) side by side; findings in registry order."""
    chosen = [n for n in checks if names is None or n in names]
    with ThreadPoolExecutor(max_workers=max(1, len(chosen))) as pool:
        futures = [pool.submit(_guarded, n, checks[n], kiosk) for n in chosen]
        return [f.result() for f in futures]


def _report(findings: list[Finding], source: str) -> str:
    width = max(len(f.device) for f in findings)
    mark = {Health.OK: "ok", Health.WARN: "warn", Health.FAIL: "FAIL", Health.SKIP: "skip"}
    lines = [f"kiosk check (settings: {source})"]
    for f in findings:
        lines.append(f"  {mark[f.health]:<4}  {f.device.ljust(width)}  {f.summary}")
        if f.fix:
            lines.append(f"  {'':<4}  {''.ljust(width)}  fix: {f.fix}")
    bad = [f.device for f in findings if f.health is Health.FAIL]
    used = [f for f in findings if f.health is not Health.SKIP]
    good = sum(f.health is not Health.FAIL for f in used)
    tail = f"{good} of {len(used)} configured devices work"
    lines.append(tail + (f"; to fix: {', '.join(bad)}" if bad else ""))
    return "\n".join(lines)


def main(argv: list[str], prog: str) -> int:
    parser = argparse.ArgumentParser(prog=prog, description="Check every configured device.")
    parser.add_argument("--json", action="store_true", help="print JSON for monitoring")
    parser.add_argument("--config", help="settings file (default: $CITIZEN_HALL_CONFIG ...)")
    parser.add_argument("--timeout", type=float, default=3.0, help="seconds per device")
    parser.add_argument(
        "--only",
        action="append",
        choices=list(CHECKS),
        metavar="NAME",
        help=f"check only this device (repeatable): {', '.join(CHECKS)}",
    )
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        return fail(prog, str(exc), EXIT_CONFIG)
    findings = run_checks(Kiosk(settings, args.timeout), args.only)
    ok = all(f.health is not Health.FAIL for f in findings)
    if args.json:
        print_json(
            {"settings": settings.source, "ok": ok, "checks": [f.as_dict() for f in findings]}
        )
    else:
        sys.stdout.write(_report(findings, settings.source) + "\n")
    return EXIT_OK if ok else EXIT_FAILED
