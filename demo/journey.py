"""The scripted citizen journey (``make demo`` without a display, and CI): the real kiosk,
offscreen, on the hall's real services and devices.

search ``yyzz`` -> read the guide -> apply: tap the demo city card (pcscd + vpcd + the card
service: its holder is the identity) -> fill the form -> scan the materials on the virtual
document camera -> submit -> the receipt printed on the virtual printer, which decodes it ->
一卡通: the card's balance -> lift the card (the session ends, everything personal wiped) ->
progress by the receipt's QR code shown to the camera -> rate. Every screen is saved as a PNG
under ``var/demo/journey/``, the receipt as text and PNG, and ``journey.json`` says each step
(screen, what was done, time taken, result), the application number and the receipt's text.
Without the card service (a stack started without it) the login is the resident ID card.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QSize
from PySide6.QtGui import QGuiApplication

from config.settings import KioskSettings
from demo.devices import (
    Stack,
    receipt_files,
    receipt_json,
    receipt_qr_crop,
    show_paper_to_camera,
)
from drivers.printer import PrintQueue, PrintWorker, open_printer
from kiosk.adapters.card import ServiceCard
from kiosk.adapters.hall_http import HttpHall, Sender
from kiosk.adapters.idcard import SerialIdCard
from kiosk.adapters.printer import QueuePrinter
from kiosk.adapters.scanner import CameraScanner
from kiosk.app import Kiosk, Ports, build
from kiosk.outbox import Outbox

log = logging.getLogger(__name__)

FORM: tuple[tuple[str, str, Any], ...] = (
        ("phone", "digits", "13912345678"), ("organisation", "choice", "personal"),
        ("business_name", "pinyin", (("开", "kai"), ("封", "feng"), ("小", "xiao"),
                                     ("吃", "chi"), ("店", "dian"))),
        ("business_scope", "pinyin", (("服务", "fuwu"),)),
        ("premises", "pinyin", (("街", "jie"), ("区", "qu"))),
        ("capital_fen", "digits", "50000"), ("employees", "digits", "2"))


class JourneyError(Exception):
    """A step did not reach its result; the message says which and what was seen."""


@dataclass
class Step:
    screen: str
    action: str
    seconds: float
    result: str
    screenshot: str = ""


@dataclass
class Journey:
    stack: Stack
    out: Path
    kiosk: Kiosk | None = None
    steps: list[Step] = field(default_factory=list)
    number: str = ""
    receipt_text: str = ""
    card_step: str = ""
    receipt_png: Path = Path()
    hall: HttpHall | None = None
    sender: Sender | None = None
    receipt_qr: list[str] = field(default_factory=list)
    _shots: int = 0

    # -- helpers --------------------------------------------------------------------------------
    def wait(self, cond: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        app = QGuiApplication.instance()
        assert app is not None
        while not cond():
            if time.monotonic() > deadline:
                raise JourneyError(f"timed out waiting for {what}")
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            time.sleep(0.01)

    def settle(self, ms: int = 150) -> None:
        end = time.monotonic() + ms / 1000
        app = QGuiApplication.instance()
        assert app is not None
        while time.monotonic() < end:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)

    def shoot(self, name: str) -> str:
        assert self.kiosk is not None
        self.settle()
        self._shots += 1
        path = self.out / f"{self._shots:02d}-{name}.png"
        if not self.kiosk.window.grabWindow().save(str(path)):
            raise JourneyError(f"cannot save the screenshot {path}")
        return path.name

    def step(self, action: str, run: Callable[[], str], shot: str = "") -> None:
        assert self.kiosk is not None
        self.kiosk.session.touch()  # the citizen's hand is on the screen (steps skip touches)
        started = time.monotonic()
        result = run()
        took = round(time.monotonic() - started, 3)
        picture = self.shoot(shot) if shot else ""
        self.steps.append(Step(self.kiosk.vm.current, action, took, result, picture))
        log.info("demo.journey.step %s", action, extra={"event": "demo.journey.step",
                                                       "action": action, "s": took})

    # -- the kiosk on the stack -----------------------------------------------------------------
    def build_kiosk(self, state: Path, size: QSize = QSize(1080, 1920),  # noqa: B008 - immutable
                    px_per_mm: float = 4.0) -> tuple[Kiosk, list[Callable[[], None]]]:
        worker = PrintWorker(open_printer(f"tcp://127.0.0.1:{self.stack.printer_port}"),
                             PrintQueue.in_dir(state))
        worker.start()
        outbox = Outbox(state / "outbox")
        hall = HttpHall(self.stack.hall_url, self.stack.kiosk_token, state / "catalogue.json",
                        outbox, terminal="demo-kiosk")
        hall.refresh(force=True)
        self.hall = hall
        sender = Sender(hall)
        sender.start()
        self.sender = sender
        scanner = CameraScanner(f"sim:{self.stack.camera_dir}")
        idcard = SerialIdCard(str(self.stack.idcard_pty)) if self.stack.idcard_pty.name else None
        cards = self.stack.cards
        card = ServiceCard(cards.client) if cards is not None else None
        closers = [sender.stop, worker.stop, scanner.close, hall.close, outbox.close]
        closers += [c.close for c in (idcard, card) if c is not None]
        ports = Ports(hall=hall, printer=QueuePrinter(worker), scanner=scanner, idcard=idcard,
                      card=card, outbox_counts=outbox.counts)
        settings = KioskSettings(catalogue_file=state / "catalogue.json",
                                 session_dir=state / "session", outbox_dir=state / "outbox",
                                 terminal_name="demo-kiosk")
        kiosk = build(ports, settings, size=size, px_per_mm=px_per_mm)
        return kiosk, closers

    # -- the steps ------------------------------------------------------------------------------
    def run(self) -> None:
        k = self.kiosk
        assert k is not None
        vm: Any = k.vm  # the same view-models QML binds to (untyped Qt properties)
        find, guide, apply = vm.find, vm.guide, vm.apply
        self.wait(lambda: find.total > 0, "the catalogue")
        self.step("the kiosk is ready", lambda: f"{find.total} matters", "home")

        def search() -> str:
            vm.open("apply")
            for ch in "yyzz":
                find.type(ch)
            self.wait(lambda: not find.busy and find.results.count > 0, "search results")
            return str(find.results.get(0)["name"])
        self.step("type yyzz on the on-screen keyboard", search, "find-yyzz")

        def read_guide() -> str:
            find.open(find.results.get(0)["code"])
            self.wait(lambda: guide.loaded, "the guide")
            return str(guide.name)
        self.step("open the first result: its guide", read_guide, "guide")
        self.step("tap Apply now", lambda: (guide.apply(), "login step")[1], "apply-login")
        self.step("log in with the card", lambda: present_city_card(self), "apply-form-start")
        self.step("fill in the form", self.fill_form, "apply-form")

        def to_materials() -> str:
            apply.next()
            self.wait(lambda: apply.stepCode == "materials" and apply.materials.rows.count > 0,
                      "the materials step")
            return f"{apply.materials.rows.count} materials"
        self.step("next: the documents", to_materials, "apply-materials")
        self.scan_materials()

        def review() -> str:
            apply.next()
            self.wait(lambda: apply.stepCode == "review", "the review step")
            return f"{apply.review.count} lines to check"
        self.step("next: review", review, "apply-review")

        def submit() -> str:
            apply.next()
            self.wait(lambda: apply.stepCode == "receipt", "the receipt", 60)
            self.number = str(apply.number)
            return f"application {self.number}" + (" (pending)" if apply.pending else "")
        self.step("submit", submit, "apply-receipt")
        self.step("take the printed receipt", self.take_receipt)
        if self.stack.cards is not None:
            self.step("一卡通: the card's balance", lambda: card_balance(self), "card")
            self.step("lift the card", lambda: lift_city_card(self), "home-after")
        else:
            def leave() -> str:
                k.session.exit()
                self.wait(lambda: vm.current == "home", "the home screen")
                return "session ended, everything personal wiped"
            self.step("tap End session", leave, "home-after")
        self.step("progress by the receipt's QR code", self.progress_by_qr, "progress")

        def rate() -> str:
            vm.progress.rate()
            self.wait(lambda: vm.current == "rate" and vm.rate.levels.count == 5, "rating")
            vm.rate.choose("satisfied")
            return "satisfied chosen"
        self.step("rate it", rate, "rate")

        def send() -> str:
            vm.rate.send()
            self.wait(lambda: vm.rate.sent or vm.rate.fault != "", "the rating's answer")
            if not vm.rate.sent:
                raise JourneyError(f"the rating was not accepted: {vm.rate.fault}")
            return "rated"
        self.step("send the rating", send, "rated")

    def fill_form(self) -> str:
        assert self.kiosk is not None
        ui: Any = self.kiosk.vm
        form = ui.apply.formPart
        for key, how, value in FORM:
            form.edit(key)
            if how == "choice":
                form.choose(str(value))
                continue
            if how == "digits":
                form.kb.setMode("digits")
                for ch in str(value):
                    form.kb.key(ch)
            else:
                form.kb.setMode("pinyin")
                for word, letters in value:
                    for ch in letters:
                        form.kb.key(ch)
                    self.wait(lambda w=word: w in form.kb.candidates,  # type: ignore[misc]
                              f"the candidate {word}")
                    form.kb.choose(word)
        form.stopEditing()
        return f"{sum(1 for _ in FORM)} fields typed"

    def scan_materials(self, *, shots: bool = True) -> None:
        """Scan every required material (``shots``: a screenshot of each; the bench measures
        the UI thread without them, a screenshot renders on it)."""
        assert self.kiosk is not None
        ui: Any = self.kiosk.vm
        materials = ui.apply.materials
        rows = [materials.rows.get(i) for i in range(materials.rows.count)]
        for row in rows:
            if not row["required"]:
                continue
            if row["held"]:
                materials.reuse(row["id"])
                self.steps.append(Step("apply", f"reuse {row['id']} (the hall holds it)", 0.0,
                                       "reused"))
                continue

            def scan(mid: str = str(row["id"])) -> str:
                materials.scan(mid)
                self.wait(lambda: materials.thumbnails.count >= 1, f"a page of {mid}", 40)
                return "page captured"
            self.step(f"scan {row['id']} on the document camera", scan,
                      f"scan-{row['id']}" if shots else "")
            materials.finish()
        self.wait(lambda: bool(materials.complete), "every required material")

    def take_receipt(self) -> str:
        out = self.stack.printer_out
        def printed(p: Path) -> bool:  # the printer writes the .json last
            return p.with_suffix(".json").exists() and \
                self.number in p.with_suffix(".txt").read_text("utf-8")
        self.wait(lambda: any(printed(p) for p in receipt_files(out)), "the printed receipt",
                  30)
        png = next(p for p in reversed(receipt_files(out)) if printed(p))
        self.receipt_text = png.with_suffix(".txt").read_text("utf-8")
        shutil.copyfile(png, self.out / "receipt.png")
        (self.out / "receipt.txt").write_text(self.receipt_text, encoding="utf-8")
        decoded = receipt_json(png)
        self.receipt_png = png
        self.receipt_qr = [str(g.get("decoded", "")) for g in decoded.get("graphics", [])
                           if isinstance(g, dict) and g.get("kind") == "qr"]
        return (f"printed; the virtual printer decoded {len(self.receipt_text.splitlines())} "
                f"lines and the QR code ({'read back' if self.receipt_qr else 'unreadable'})")

    def progress_by_qr(self) -> str:
        assert self.kiosk is not None
        vm: Any = self.kiosk.vm
        vm.open("progress")
        self.stack.stop_camera()
        show_paper_to_camera(self.stack.camera_dir, receipt_qr_crop(self.receipt_png))
        vm.progress.choose("qr")
        self.wait(lambda: vm.progress.showingOne or vm.progress.fault != "", "the progress",
                  30)
        if not vm.progress.showingOne:
            raise JourneyError(f"no progress: {vm.progress.fault}")
        return f"{vm.progress.caseNumber}: {vm.progress.status}"

    def report(self, ok: bool, error: str = "") -> dict[str, Any]:
        doc = {"ok": ok, "error": error, "application_number": self.number,
               "receipt_text": self.receipt_text, "receipt_qr": self.receipt_qr,
               "card_step": self.card_step,
               "steps": [vars(s) for s in self.steps]}
        (self.out / "journey.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1),
                                               encoding="utf-8")
        return doc


def present_city_card(journey: Journey) -> str:
    """The citizen taps the demo city card: the card simulator connects to vpcd, pcscd sees a
    card, the card service reads it and publishes ``card_present``; the kiosk asks the service
    for the holder and logs in. Without the card service: the resident ID card on the virtual
    ID-card reader (the same identity path in the kiosk)."""
    assert journey.kiosk is not None
    ui: Any = journey.kiosk.vm
    apply = ui.apply
    cards = journey.stack.cards
    started = time.monotonic()
    if cards is not None:
        cards.tap()
    journey.wait(lambda: apply.stepCode == "form", "the identity to be read", 30)
    took = time.monotonic() - started
    if cards is not None:
        journey.card_step = (f"tapped the demo card {cards.card_no[:4]}********"
                             f"{cards.card_no[-4:]} (pcscd + vpcd, cardsvc serve); its holder "
                             f"was on screen {took:.2f} s after the tap")
    else:
        journey.card_step = "no card service: logged in with the resident ID card"
    return f"identity read: {apply.who}"


def card_balance(journey: Journey) -> str:
    """一卡通 with the card still on the reader: the balance and history from the service."""
    assert journey.kiosk is not None
    ui: Any = journey.kiosk.vm
    ui.open("card")
    journey.wait(lambda: ui.card.stage == "account" or ui.card.fault != "",
                 "the card's balance", 30)
    if ui.card.stage != "account":
        raise JourneyError(f"no balance: {ui.card.fault}")
    return f"balance {ui.card.balance} yuan, {ui.card.history.count} records shown"


def lift_city_card(journey: Journey) -> str:
    """The citizen takes the card away: the session ends and everything personal is wiped."""
    assert journey.kiosk is not None and journey.stack.cards is not None
    ui: Any = journey.kiosk.vm
    session = journey.kiosk.session
    journey.stack.cards.lift()
    journey.wait(lambda: ui.current == "home" and not session.is_personal,
                 "the session to end", 30)
    return "card lifted: session ended, everything personal wiped"


def summary(doc: dict[str, Any]) -> Sequence[str]:
    lines = [f"  {s['action']}: {s['result']} ({s['seconds']:.2f} s)" for s in doc["steps"]]
    head = "旅程完成 journey done" if doc["ok"] else f"旅程中断 journey stopped: {doc['error']}"
    return [head, *lines, f"  办件编号 application number: {doc['application_number']}"]
