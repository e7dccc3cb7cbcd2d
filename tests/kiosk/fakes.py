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
    CardAccount,
    CardEvent,
    CardEventKind,
    CardTransaction,
    CaseRef,
    Complaint,
    Fault,
    Held,
    Identity,
    PortError,
    PrintJob,
    PrintState,
    Progress,
    Rating,
    Reason,
    Receipt,
    ScanFrame,
    TimelineEvent,
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

    def watch(self, on_change: Callable[[PrintJob], None]) -> None:
        self.on_change = on_change


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
    image.save(buf, "PNG")  # type: ignore[call-overload]  # takes str; the stubs say bytes
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
        self.cases: dict[str, tuple[Progress, str, str]] = {}
        """number -> (progress, token, ID tail)."""
        self.ratings: list[Rating] = []
        self.complaints: list[Complaint] = []
        self.lookups: list[CaseRef] = []

    def add_case(self, progress: Progress, token: str, id_tail: str) -> None:
        self.cases[progress.number] = (progress, token, id_tail)

    def progress(self, case: CaseRef) -> Progress:
        self.lookups.append(case)
        if self.down:
            raise PortError(Fault.OFFLINE, "down")
        for p, token, tail in self.cases.values():
            if (case.token and case.token == token) or (
                    case.number == p.number and case.id_tail == tail):
                return p
        raise PortError(Fault.NOT_FOUND, "no such case")

    def progress_by_identity(self, identity: Identity) -> Sequence[Progress]:
        tail = identity.id_number[-6:]
        return [p for p, _, t in self.cases.values() if t == tail]

    def rating_reasons(self) -> Sequence[Reason]:
        return [Reason("slow", {"zh": "办理慢", "en": "Slow"}),
                Reason("staff_attitude", {"zh": "服务态度差", "en": "Staff attitude"}),
                Reason("other", {"zh": "其他", "en": "Other"})]

    def rate(self, rating: Rating) -> None:
        if any(r.case == rating.case for r in self.ratings):
            raise PortError(Fault.ALREADY_RATED, "rated")
        self.ratings.append(rating)

    def complain(self, complaint: Complaint) -> str:
        if self.down:
            raise PortError(Fault.OFFLINE, "down")
        self.complaints.append(complaint)
        return f"2261130000{len(self.complaints):02d}42"

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


CITIZEN = Identity(source="id_card", name="王小明", id_number="410203199001081234", sex="男",
                   birth_date="1990-01-08", address="开封市鼓楼区书店街 88 号", nation="汉")
CITIZEN_CARD = Identity(source="city_card", name="王小明", id_number="410203199001081234",
                        card_no="4102000000000001")


def a_case(number: str = "12611300000142", status: str = "accepted", overdue: bool = False,
           can_rate: bool = True) -> Progress:
    return Progress(
        number=number, matter={"zh": "营业执照登记（个体工商户）", "en": "Business licence"},
        department={"zh": "市场监督管理局", "en": "Market Regulation"}, status=status,
        timeline=(TimelineEvent(dt.datetime(2026, 11, 30, 9, 0), "submitted"),
                  TimelineEvent(dt.datetime(2026, 11, 30, 10, 5), "accepted",
                                {"zh": "材料齐全", "en": "Complete"})),
        promised_date=dt.date(2026, 12, 3), overdue=overdue, can_rate=can_rate)


class FakeCard:
    """A city card on a pretend reader; the test taps and lifts it."""

    PIN = "123456"

    def __init__(self) -> None:
        self.on_event: Callable[[CardEvent], None] | None = None
        self.balance = 3550
        self.status = "active"
        self.tries = 3
        self.refs: list[str] = []

    def watch(self, on_event: Callable[[CardEvent], None]) -> None:
        self.on_event = on_event

    def tap(self, identity: Identity = CITIZEN_CARD) -> None:
        assert self.on_event is not None
        self.on_event(CardEvent(CardEventKind.CARD_PRESENT, identity, "4102000000000001"))

    def lift(self) -> None:
        assert self.on_event is not None
        self.on_event(CardEvent(CardEventKind.CARD_REMOVED))

    def account(self) -> CardAccount:
        return CardAccount("4102000000000001", self.balance, self.status)

    def history(self) -> Sequence[CardTransaction]:
        return [CardTransaction(dt.datetime(2026, 11, d, 12, 5), kind, amount, place)
                for d, kind, amount, place in ((20, "load", 5000, "自助终端"),
                                               (21, "canteen", 1250, "市民之家食堂"),
                                               (22, "bus", 100, "1 路"))]

    def _pin(self, pin: str) -> None:
        if self.tries == 0:
            raise PortError(Fault.PIN_BLOCKED)
        if pin != self.PIN:
            self.tries -= 1
            if self.tries == 0:
                raise PortError(Fault.PIN_BLOCKED)
            raise PortError(Fault.WRONG_PIN, details={"tries_left": self.tries})
        self.tries = 3

    def top_up(self, amount_fen: int, pin: str, client_ref: str) -> CardAccount:
        self._pin(pin)
        if client_ref not in self.refs:
            self.refs.append(client_ref)
            self.balance += amount_fen
        return self.account()

    def report_lost(self, pin: str, client_ref: str) -> None:
        self._pin(pin)
        self.status = "lost"

    def close(self) -> None:
        self.on_event = None
