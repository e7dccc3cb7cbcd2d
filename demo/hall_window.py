"""``make demo`` with a display: the kiosk window and a small hall-simulator window for the
person trying it, which drives the simulators' own test controls (never the kiosk itself):
lay the demo ID card on the reader or take it away (the reader simulator restarted with or
without a card), lay a page under the document camera or hold up the last receipt's QR code,
clear the desk, take the paper out of the printer, run the printer out of paper and refill it.
Tap or lift the demo city card (the card simulator's control socket: pcscd sees it come and go,
the card service tells the kiosk).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSize, Qt, QTimer
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from demo.cards import CardStackError
from demo.devices import Stack, StackError, receipt_files, receipt_qr_crop, show_paper_to_camera
from demo.journey import Journey
from simulators.idcard.citizens import demo_people
from simulators.printer.server import write_paper_file


class HallWindow(QWidget):
    def __init__(self, stack: Stack) -> None:
        super().__init__()
        self.stack = stack
        self.setWindowTitle("市民之家模拟器 · Hall simulator")
        layout = QVBoxLayout(self)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        people = list(enumerate(demo_people()[:3]))
        idcard = self._group("身份证读卡器 · ID-card reader", [
            *((f"放上 {p.name} 的身份证 · lay {p.name}'s ID card",
               lambda i=i: self._idcard(str(i))) for i, p in people),
            ("取走身份证 · take the ID card away", lambda: self._idcard("none"))])
        camera = self._group("高拍仪 · document camera", [
            ("放一页材料 · lay a page", lambda: self._camera("place")),
            ("出示回执二维码 · hold up the last receipt's QR", self._show_receipt),
            ("清空桌面 · clear the desk", lambda: self._camera("empty"))])
        printer = self._group("回执打印机 · receipt printer", [
            ("取走回执 · take the paper", self._take_paper),
            ("缺纸 · out of paper", lambda: self._paper("out")),
            ("装纸 · paper refilled", lambda: self._paper("ok"))])
        card = self._group("一卡通 · city card", [
            ("刷卡 · tap the demo card", lambda: self._card(True)),
            ("移开 · lift the card", lambda: self._card(False))])
        card.setEnabled(stack.cards is not None)
        self.paper = QLabel()
        self.paper.setAlignment(Qt.AlignmentFlag.AlignCenter)
        for widget in (idcard, camera, printer, card, self.paper, self.status):
            layout.addWidget(widget)

    def _group(self, title: str, buttons: list[tuple[str, Callable[[], None]]]) -> QGroupBox:
        box = QGroupBox(title)
        grid = QGridLayout(box)
        for i, (text, action) in enumerate(buttons):
            button = QPushButton(text)
            button.clicked.connect(action)
            grid.addWidget(button, i, 0)
        return box

    def _say(self, text: str) -> None:
        self.status.setText(text)

    def _idcard(self, citizen: str) -> None:
        self._restart("idcard", lambda: self.stack.start_idcard(citizen))
        self._say(f"身份证 ID card: {citizen}")

    def _card(self, tap: bool) -> None:
        cards = self.stack.cards
        if cards is None:
            return
        try:  # without waiting: this window shares the kiosk's UI thread
            if tap:
                cards.tap(wait=False)
            else:
                cards.lift(wait=False)
        except CardStackError as exc:
            self._say(str(exc))
            return
        self._say("一卡通 city card: " + ("刷卡 tapped" if tap else "移开 lifted"))

    def _camera(self, scenario: str) -> None:
        self._restart("camera", lambda: self.stack.start_camera(scenario, pages=1))
        self._say(f"高拍仪 camera: {scenario}")

    def _restart(self, name: str, start: Callable[[], None]) -> None:
        self.stack.stop_child(name)
        try:
            start()
        except StackError as exc:
            self._say(str(exc))

    def _show_receipt(self) -> None:
        printed = receipt_files(self.stack.printer_out)
        if not printed:
            self._say("还没有打印回执 · nothing printed yet")
            return
        self.stack.stop_child("camera")
        show_paper_to_camera(self.stack.camera_dir, receipt_qr_crop(printed[-1]))
        self._say(f"高拍仪 camera: {printed[-1].name}")

    def _take_paper(self) -> None:
        printed = receipt_files(self.stack.printer_out)
        if printed:
            self.paper.setPixmap(QPixmap(str(printed[-1])).scaledToHeight(
                360, Qt.TransformationMode.SmoothTransformation))
            self._say(f"取走 took {printed[-1].name}")

    def _paper(self, state: str) -> None:
        write_paper_file(self.stack.printer_out, state)
        self._say(f"打印机纸张 paper: {state}")


def run_interactive(app: QCoreApplication, stack: Stack, state: Path) -> int:
    if not isinstance(app, QApplication):
        raise StackError("the hall simulator needs a QApplication")
    screen = app.primaryScreen()
    height = min(1920, screen.availableGeometry().height() - 60) if screen else 1280
    journey = Journey(stack, state)
    kiosk, closers = journey.build_kiosk(state, QSize(height * 9 // 16, height),
                                         4.0 * height / 1920)
    kiosk.vm.quitRequested.connect(app.quit)
    kiosk.window.show()
    window = HallWindow(stack)
    window.show()
    QTimer.singleShot(0, lambda: window.move(kiosk.window.x() + kiosk.window.width() + 20,
                                             kiosk.window.y()))
    try:
        return 0 if app.exec() == 0 else 1
    finally:
        kiosk.close()
        for close in closers:
            close()
