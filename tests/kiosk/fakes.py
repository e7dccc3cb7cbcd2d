"""Plain in-memory fakes of the kiosk's ports, for view-model unit tests only."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter

from drivers.printer import Document
from kiosk.ports import PrintJob, PrintState


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
