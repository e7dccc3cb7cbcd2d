"""The kiosk's composition root: view-models, ports and the QML window wired together.

``build(ports, settings)`` makes everything for one kiosk window inside an existing
``QGuiApplication`` (tests and the screenshot harness call it with fakes or simulators;
``kiosk run`` with the real adapters from the configuration, see :mod:`kiosk.wiring`). Nothing
here is global: two builds in one process are independent.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSize, QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtQml import QQmlApplicationEngine
from PySide6.QtQuick import QQuickWindow

from config.settings import KioskSettings
from kiosk.i18n import Catalogue, Lang, Messages
from kiosk.images import IconProvider, Pictures
from kiosk.pinyin import PinyinIme
from kiosk.ports import (
    CardEvent,
    CardEventKind,
    CardPort,
    CaseRef,
    HallPort,
    IdCardPort,
    Identity,
    PrinterPort,
    PrintJob,
    ScannerPort,
)
from kiosk.session import ActivityFilter, Session, SessionFolder
from kiosk.speech import Prompter, Speech
from kiosk.tasks import Relay, Tasks
from kiosk.theme import Theme, screen_px_per_mm
from kiosk.vm.app import KioskVm
from kiosk.vm.apply import ApplyVm
from kiosk.vm.base import Context, ScreenVm
from kiosk.vm.card import CardVm
from kiosk.vm.complain import ComplainVm
from kiosk.vm.find import FindVm
from kiosk.vm.guide import GuideVm
from kiosk.vm.keyboard import KeyboardVm
from kiosk.vm.materials import MaterialsVm
from kiosk.vm.progress import ProgressVm
from kiosk.vm.rate import RateVm
from kiosk.vm.technician import TechnicianVm

log = logging.getLogger(__name__)

QML_DIR = Path(__file__).with_name("qml")


class BuildError(Exception):
    """The QML could not be loaded (a packaging mistake); the message lists Qt's errors."""


@dataclass
class Ports:
    hall: HallPort
    printer: PrinterPort
    scanner: ScannerPort
    idcard: IdCardPort | None = None
    card: CardPort | None = None
    closers: list[Callable[[], None]] = field(default_factory=list)
    outbox_counts: Callable[[], Mapping[str, int]] | None = None
    """The outbox's items by state (for the technician screen; read off the UI thread)."""


@dataclass
class Kiosk:
    """One built kiosk: its engine, window and view-models."""

    engine: QQmlApplicationEngine
    window: QQuickWindow
    vm: KioskVm
    theme: Theme
    session: Session
    tasks: Tasks
    pictures: Pictures
    folder: SessionFolder
    activity: ActivityFilter
    closers: list[Callable[[], None]] = field(default_factory=list)
    speech: Speech | None = None
    """Spoken prompts, when ``[kiosk] speech`` is on."""

    def close(self) -> None:
        self.session.stop()
        QGuiApplication.instance().removeEventFilter(self.activity)  # type: ignore[union-attr]
        if self.speech is not None:
            self.speech.close()
        for close in self.closers:
            close()
        self.tasks.forget()
        self.tasks.wait_idle(3000)
        # QML items go first: their bindings must not outlive the view-models they read
        self.window.close()
        self.window.deleteLater()
        self.engine.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def build(ports: Ports, settings: KioskSettings, *, size: QSize | None = None,
          px_per_mm: float | None = None, clock: Callable[[], float] | None = None) -> Kiosk:
    app = QGuiApplication.instance()
    if app is None:
        raise BuildError("a QGuiApplication must exist before the kiosk is built")
    lang: Lang = "en" if settings.language == "en" else "zh"
    engine = QQmlApplicationEngine()

    def engine_trim() -> None:
        engine.trimComponentCache()
        engine.collectGarbage()

    messages = Messages(Catalogue.load(), lang)
    density = px_per_mm or screen_px_per_mm(QGuiApplication.primaryScreen(), settings.px_per_mm)
    theme = Theme(density)
    session = Session(settings.idle_s, settings.warning_s, settings.idle_care_s,
                      settings.warning_care_s, clock=clock or time.monotonic)
    tasks = Tasks()
    folder = SessionFolder(settings.session_dir)
    pictures = Pictures()
    speech = (Speech(messages.catalogue, lambda: messages.lang, settings.speech_engine)
              if settings.speech else None)
    ctx = Context(words=messages.catalogue, tasks=tasks, lang=lambda: messages.lang,
                  begin_personal=session.begin_personal, pictures=pictures)
    if speech is not None:
        ctx.speak = speech.speak

    find = FindVm(ctx, ports.hall, page_size=theme.page_size)
    guide = GuideVm(ctx, ports.hall, ports.printer, pictures)
    ime: list[PinyinIme] = []
    tasks.run(PinyinIme, ime.append)

    def keyboard() -> KeyboardVm:
        return KeyboardVm(lambda: ime[0] if ime else None)

    materials = MaterialsVm(ctx, ports.scanner, pictures, lambda: folder.path)
    apply = ApplyVm(ctx, ports.hall, ports.idcard, ports.printer, materials, keyboard(),
                    settings.terminal_name)
    progress = ProgressVm(ctx, ports.hall, ports.scanner)
    rate = RateVm(ctx, ports.hall, keyboard())
    complain = ComplainVm(ctx, ports.hall, ports.printer, keyboard())
    card = CardVm(ctx, ports.card)
    technician = TechnicianVm(ctx, settings.technician_pin_hash,
                              clock=clock or time.monotonic, outbox=ports.outbox_counts)
    identity: list[Identity] = []
    """The city card's holder while the card lies on the reader (the session's login)."""
    card_on: list[bool] = [False]
    screens: dict[str, ScreenVm] = {"find": find, "guide": guide, "apply": apply,
                                    "progress": progress, "card": card, "rate": rate,
                                    "complain": complain, "technician": technician}

    def holder() -> Identity | None:
        return identity[0] if identity else None

    def opener(start: Callable[[], None], screen: str) -> Callable[[], None]:
        def go() -> None:
            start()
            vm.go(screen)
        return go

    openers: dict[str, Callable[[], None]] = {}
    prompter = None if speech is None else Prompter(
        speech, lambda: f"apply/{apply.stepCode}" if vm.current == "apply" else vm.current,
        lambda: messages.lang)
    wipes = [pictures.clear, identity.clear, engine_trim]
    if prompter is not None:
        wipes.append(prompter.reset)  # before the home screen comes up (and is said)
    vm = KioskVm(messages=messages, theme=theme, session=session, tasks=tasks, folder=folder,
                 screens=screens, default_lang=lang, default_care=settings.care_mode,
                 hall_name=(settings.hall_name_zh, settings.hall_name_en),
                 extra_wipes=wipes, openers=openers)
    if prompter is not None:
        vm.changed.connect(prompter.update)
        apply.changed.connect(prompter.update)
    openers |= {
        "apply": lambda: vm.go("find"),
        "progress": opener(lambda: progress.start("progress", holder()), "progress"),
        "rate": opener(lambda: progress.start("rate", holder()), "progress"),
        "card": opener(lambda: card.start(card_on[0]), "card"),
        "complain": opener(lambda: complain.start(holder()), "complain"),
    }

    def open_guide(code: str) -> None:
        guide.load(code)
        vm.go("guide")

    find.opened.connect(open_guide)

    def open_apply(code: str) -> None:
        apply.start(code, holder())
        vm.go("apply")

    guide.applyRequested.connect(open_apply)

    def open_rate(case: object) -> None:
        if isinstance(case, CaseRef):
            rate.start(case, case.number)
            vm.go("rate")

    def rate_after_receipt(case: object) -> None:
        if vm.current == "apply":  # still on the receipt: the rating screen comes up itself
            open_rate(case)

    apply.rateRequested.connect(rate_after_receipt)
    progress.rateRequested.connect(open_rate)
    rate.done.connect(session.touch)
    technician.openRequested.connect(lambda: vm.go("technician"))
    technician.quitRequested.connect(vm.quitRequested)
    relay = Relay()

    def card_event(event: object) -> None:
        if not isinstance(event, CardEvent):
            return
        if event.kind is CardEventKind.CARD_PRESENT:
            card_on[0] = True
            if event.identity is not None:
                identity[:] = [event.identity]
                apply.identity_read(event.identity)
                if vm.current == "progress":
                    progress.identity_read(event.identity)
                elif vm.current == "complain":
                    complain.identity_read(event.identity)
            if vm.current == "card":
                card.card_present()
        elif event.kind is CardEventKind.CARD_REMOVED:
            card_on[0] = False
            identity.clear()
            apply.card_lifted()
            if session.is_personal:
                session.end("card_removed")

    relay.arrived.connect(card_event)
    if ports.card is not None:
        ports.card.watch(relay.post)
    jobs = Relay()

    def job_changed(job: object) -> None:
        if isinstance(job, PrintJob):
            for screen in (apply, guide, complain):
                screen.print_update(job)

    jobs.arrived.connect(job_changed)
    ports.printer.watch(jobs.post)

    engine.addImageProvider("icon", IconProvider())
    engine.addImageProvider("pic", pictures)
    context = engine.rootContext()
    for name, obj in (("T", messages), ("Theme", theme), ("App", vm), ("Session", session)):
        context.setContextProperty(name, obj)
    errors: list[str] = []
    engine.warnings.connect(lambda ws: errors.extend(w.toString() for w in ws))
    engine.load(QUrl.fromLocalFile(str(QML_DIR / "Main.qml")))
    roots = engine.rootObjects()
    if not roots or not isinstance(roots[0], QQuickWindow):
        raise BuildError("the kiosk's QML did not load: " + "; ".join(errors))
    window = roots[0]
    if size is not None:
        window.resize(size)
    vm.setPortrait(window.height() >= window.width())
    activity = ActivityFilter(session)
    app.installEventFilter(activity)
    for message in errors:
        log.warning("kiosk.qml.warning %s", message, extra={"event": "kiosk.qml.warning"})
    find.start()
    kiosk = Kiosk(engine, window, vm, theme, session, tasks, pictures, folder, activity,
                  speech=speech)
    kiosk.closers += [relay.deleteLater, jobs.deleteLater]
    kiosk.closers.extend(ports.closers)
    kiosk.closers.append(materials.wipe)
    return kiosk


def find_item(root: QObject, name: str) -> QObject | None:
    """The first object called ``name`` in the window's tree (for tests and the harness)."""
    return root.findChild(QObject, name)
