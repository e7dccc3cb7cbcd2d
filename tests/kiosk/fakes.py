"""Plain in-memory fakes of the kiosk's ports, for view-model unit tests only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter

from drivers.printer import Document
from kiosk.adapters.hall_offline import OfflineHall
from kiosk.ports import (
    Application,
    Fault,
    Held,
    Identity,
    PortError,
    PrintJob,
    PrintState,
    Receipt,
    ScanFrame,
)


class FakePrinter:
    def __init__(self) -> None:
        self.documents: list[Document] = []
        self.state = PrintState.DONE

    def submit(self, document: Document, key: str | None = None) -> PrintJob:
        self.documents.append(document)
        return PrintJob(len(self.documents), self.state)

    def job(self, job_id: int) -> PrintJob:
        return PrintJob(job_id, self.state)


def sample_png() -> bytes:
    """A small filled-in form picture (what a catalogue's sample file looks like)."""
    image = QImage(420, 594, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    p = QPainter(image)
    p.setPen(QColor("black"))
    font = QFont("WenQuanYi Micro Hei")
    font.setPixelSize(22)
    p.setFont(font)
    p.drawText(image.rect().adjusted(20, 20, -20, -20), Qt.AlignmentFlag.AlignTop,
               "个体工商户登记申请书（样本）\n\n经营者：张三\n字号：开封小吃店\n经营场所：鼓楼区")
    p.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    return bytes(data.data())


class FakeScanner:
    """Frames are pushed by the test with :meth:`show`."""

    def __init__(self) -> None:
        self.on_frame: Callable[[ScanFrame], None] | None = None
        self.on_fault: Callable[[Fault], None] | None = None
        self.saved: list[Path] = []

    def start(self, on_frame: Callable[[ScanFrame], None], on_fault: Callable[[Fault], None],
              *, qr: bool = False) -> None:
        self.on_frame, self.on_fault = on_frame, on_fault

    def stop(self) -> None:
        self.on_frame = None

    def show(self, frame: ScanFrame) -> None:
        if self.on_frame is not None:
            self.on_frame(frame)

    def save_page(self, page: np.ndarray, path: Path) -> Path:
        path.write_bytes(b"\xff\xd8fake jpeg\xff\xd9")
        self.saved.append(path)
        return path


class FakeIdCard:
    def __init__(self) -> None:
        self.on_identity: Callable[[Identity], None] | None = None
        self.running = False

    def start(self, on_identity: Callable[[Identity], None],
              on_fault: Callable[[Fault], None]) -> None:
        self.on_identity, self.running = on_identity, True

    def stop(self) -> None:
        self.running = False

    def lay(self, identity: Identity) -> None:
        assert self.on_identity is not None and self.running
        self.on_identity(identity)


class FakeHall(OfflineHall):
    """The offline catalogue plus an in-memory back office."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.applications: list[Application] = []
        self.held: list[Held] = []
        self.down = False

    def held_materials(self, identity: Identity, matter_code: str) -> Sequence[Held]:
        return list(self.held)

    def submit(self, application: Application) -> Receipt:
        if self.down:
            raise PortError(Fault.OFFLINE, "down")
        self.applications.append(application)
        return Receipt(f"KF2026{len(self.applications):06d}", "tok-" + application.client_ref,
                       dt.date(2026, 12, 7), dt.datetime(2026, 11, 30, 10, 0))


def page_frame(state: str = "captured", page: bool = True) -> ScanFrame:
    image = np.full((360, 480, 3), 90, np.uint8)
    image[60:300, 120:360] = 240
    return ScanFrame(image, ((0.25, 0.17), (0.75, 0.17), (0.75, 0.83), (0.25, 0.83)), state,
                     steady=1.0, page=np.full((297, 210, 3), 250, np.uint8) if page else None)


CITIZEN = Identity(source="id_card", name="王小明", id_number="410203199001011234", sex="男",
                   birth_date="1990-01-01", address="开封市鼓楼区书店街 88 号", nation="汉")
