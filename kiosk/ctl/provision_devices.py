"""What ``kioskctl provision`` finds plugged in: PC/SC readers (and which one holds the PSAM),
serial ports with an ID-card reader on them, v4l2 cameras, USB and network receipt printers.

Each probe asks the device the cheapest real question through its driver's public API, as
``kioskctl doctor`` does: the PSAM its terminal ID (SELECT + READ BINARY of its terminal
number), an ID-card reader its SAM-V status (``11 FF``), a printer its status (DLE EOT), a
camera one frame. A probe never raises: a device that does not answer is listed with why.
Nothing here writes anything; the technician (or the answers file) confirms what is used.
"""

from __future__ import annotations

import glob
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Detected", "Found", "detect", "probe_camera", "probe_idcard", "probe_printer",
           "probe_readers"]

SERIAL_GLOBS = ("/dev/ttyUSB[0-9]*", "/dev/ttyACM[0-9]*", "/dev/serial/by-id/*")
PRINTER_GLOBS = ("/dev/usb/lp[0-9]*",)
CAMERA_GLOB = "/dev/video[0-9]*"


@dataclass(frozen=True)
class Found:
    """One device: its URL as the settings name it, whether it answered, and what it said."""

    kind: str
    """``card-reader``, ``sam``, ``printer``, ``idcard``, ``camera``."""
    url: str
    ok: bool
    said: str
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "url": self.url, "ok": self.ok, "said": self.said,
                "details": dict(self.details)}


@dataclass(frozen=True)
class Detected:
    found: tuple[Found, ...]

    def of(self, kind: str, *, answering: bool = True) -> list[Found]:
        return [f for f in self.found if f.kind == kind and (f.ok or not answering)]

    def as_dict(self) -> list[dict[str, Any]]:
        return [f.as_dict() for f in self.found]


def probe_readers(backend_url: str, sam_state: Path, timeout: float) -> list[Found]:
    """Every PC/SC reader; a reader whose card answers as a PSAM (its terminal ID) and has no
    city-card purse (a user card has EF16 too) is the SAM's, the others are card readers."""
    from cardsvc.sam import SamError, open_sam  # noqa: PLC0415 - probes import lazily
    from drivers.pcsc import CardChannel, PcscError, open_backend  # noqa: PLC0415

    try:
        backend = open_backend(backend_url)
    except (ValueError, ImportError) as exc:
        return [Found("card-reader", backend_url, False, f"no PC/SC backend: {exc}")]
    out: list[Found] = []
    try:
        statuses = backend.reader_statuses()
    except PcscError as exc:
        backend.close()
        return [Found("card-reader", backend_url, False, f"the PC/SC service: {exc}")]
    try:
        for reader, st in statuses.items():
            if st.present and not _user_card(backend, reader, timeout):
                try:
                    with open_sam(f"pcsc:{reader}", state_dir=sam_state,
                                  connect=lambda r: CardChannel.connect(backend, r,
                                                                        timeout=timeout)
                                  ) as sam:
                        terminal = sam.terminal_id().hex().upper()
                    out.append(Found("sam", f"pcsc:{reader}", True,
                                     f"PSAM, terminal number {terminal}",
                                     {"terminal_id": terminal,
                                      "psam_id": _atr(backend, reader, timeout)}))
                    continue
                except (SamError, PcscError):
                    pass  # a card that is no PSAM: a card reader
            words = "a card is in it" if st.present else "empty"
            out.append(Found("card-reader", reader, True, f"PC/SC reader ({words})",
                             {"card": st.present}))
    finally:
        backend.close()
    return out


def _user_card(backend: Any, reader: str, timeout: float) -> bool:
    """Whether the card in ``reader`` selects the city-card purse (a citizen's card)."""
    from cardsvc.purse.commands import CITY_CARD_AID  # noqa: PLC0415
    from drivers.pcsc import CardChannel, PcscError  # noqa: PLC0415

    try:
        with CardChannel.connect(backend, reader, timeout=timeout) as ch:
            answer = ch.transmit(bytes([0, 0xA4, 4, 0, len(CITY_CARD_AID)]) + CITY_CARD_AID)
    except PcscError:
        return False
    return bool(answer.sw == 0x9000)


def _atr(backend: Any, reader: str, timeout: float) -> str:
    """The PSAM's ATR historical bytes (its serial, on the PSAMs we know), hex."""
    from drivers.pcsc import CardChannel, PcscError  # noqa: PLC0415

    try:
        with CardChannel.connect(backend, reader, timeout=timeout) as ch:
            atr: bytes = ch.atr
    except PcscError:
        return ""
    return atr[-16:].hex().upper()


def probe_idcard(url: str, timeout: float) -> Found:
    from drivers.idcard import IdCardError, open_reader  # noqa: PLC0415

    try:
        with open_reader(url, timeout=timeout) as reader:
            reader.reset()
            reader.sam_status()
    except IdCardError as exc:
        return Found("idcard", url, False, f"no ID-card reader answers: {exc}")
    except OSError as exc:
        return Found("idcard", url, False, f"cannot open: {exc.strerror}")
    return Found("idcard", url, True, "ID-card reader (SAM-V status ok)")


def probe_printer(url: str, profile: str, timeout: float) -> Found:
    from drivers.printer import PrinterError, PrinterState, open_printer  # noqa: PLC0415

    try:
        status = open_printer(url, profile=profile, timeout=timeout).status()
    except PrinterError as exc:
        return Found("printer", url, False, f"not a usable printer URL: {exc}")
    ok = status.state in (PrinterState.OK, PrinterState.PAPER_NEAR_END)
    return Found("printer", url, ok, f"receipt printer, DLE EOT: {status.state.value}",
                 {"state": status.state.value})


def probe_camera(url: str, sim_root: Path, timeout: float) -> Found:
    try:
        from drivers.scanner import ScannerError, open_camera  # noqa: PLC0415 - needs opencv
    except ImportError:
        return Found("camera", url, False, "this install has no camera support (opencv)")
    try:
        with open_camera(url, sim_root=sim_root, realtime=False) as camera:
            frame = camera.read(timeout=timeout)
    except ScannerError as exc:
        return Found("camera", url, False, f"no frame: {exc}")
    h, w = frame.image.shape[:2]
    return Found("camera", url, True, f"camera, {w} x {h} frames")


def _globbed(patterns: Iterable[str]) -> list[str]:
    return sorted({p for pattern in patterns for p in glob.glob(pattern)})


def detect(*, backend_url: str, sam_state: Path, sim_root: Path, wanted: Sequence[str],
           printers: Sequence[str] = (), serial: Sequence[str] = (), cameras: Sequence[str] = (),
           profile: str = "generic-58", timeout: float = 2.0) -> Detected:
    """Probe the device kinds of ``wanted`` (``card-reader``/``sam``, ``printer``, ``idcard``,
    ``camera``): what the system has (device nodes) plus the URLs given (network printers, a
    serial URL, a virtual camera)."""
    found: list[Found] = []
    if {"card-reader", "sam"} & set(wanted):
        found += probe_readers(backend_url, sam_state, timeout)
    if "printer" in wanted:
        urls = [*printers, *(f"file://{p}" for p in _globbed(PRINTER_GLOBS))]
        found += [probe_printer(u, profile, timeout) for u in dict.fromkeys(urls)]
    if "idcard" in wanted:
        urls = [*serial, *_globbed(SERIAL_GLOBS)]
        found += [probe_idcard(u, timeout) for u in dict.fromkeys(urls)]
    if "camera" in wanted:
        nodes = [f"v4l2:{Path(p).name[5:]}" for p in _globbed([CAMERA_GLOB])]
        found += [probe_camera(u, sim_root, timeout) for u in dict.fromkeys([*cameras, *nodes])]
    return Detected(tuple(found))
