"""Spoken prompts ([kiosk] speech) through Qt's own QtTextToSpeech with its ``mock`` engine:
each screen's prompt and each fault in the session's language, nothing personal ever said;
without PySide6-Addons the kiosk runs silently with one log line."""

from __future__ import annotations

import dataclasses
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication

from config.settings import KioskSettings
from kiosk.app import Kiosk, Ports, build
from kiosk.i18n import Catalogue
from kiosk.ports import Fault
from tests.kiosk.conftest import PORTRAIT
from tests.kiosk.fakes import FakeCard, FakeHall, FakeIdCard, FakePrinter, FakeScanner
from tests.kiosk.test_apply import PERSONAL, _fill_form, _to_form

pytest.importorskip("PySide6.QtTextToSpeech", exc_type=ImportError)

WORDS = Catalogue.load()


def _build(qapp: QGuiApplication, settings: KioskSettings, catalogue_file: Path,
           **speech: Any) -> Kiosk:
    ports = Ports(hall=FakeHall(catalogue_file), printer=FakePrinter(), scanner=FakeScanner(),
                  idcard=FakeIdCard(), card=FakeCard())
    k = build(ports, dataclasses.replace(settings, **speech), size=PORTRAIT, px_per_mm=4.0)
    k.ports = ports  # type: ignore[attr-defined]
    return k


@pytest.fixture
def talking(qapp: QGuiApplication, settings: KioskSettings,
            catalogue_file: Path) -> Iterator[Kiosk]:
    k = _build(qapp, settings, catalogue_file, speech=True, speech_engine="mock")
    try:
        yield k
    finally:
        k.close()


class Heard:
    """What Qt's engine reports: each utterance it starts, and the words it says."""

    def __init__(self, engine: Any) -> None:
        self.utterances = 0
        self.words: list[str] = []
        engine.aboutToSynthesize.connect(self._started)
        engine.sayingWord.connect(lambda word, *_: self.words.append(word))

    def _started(self, *_: object) -> None:
        self.utterances += 1


def test_prompts_and_faults_are_said_in_the_sessions_language_and_nothing_personal(
        talking: Kiosk, qtbot: Any) -> None:
    speech = talking.speech
    assert speech is not None and speech.available
    heard = Heard(speech.engine)
    talking.vm.open("apply")  # the find screen comes up first
    zh = WORDS.text("find_search", "zh")
    assert list(speech.spoken)[-1] == ("zh", zh)
    qtbot.waitUntil(lambda: heard.utterances >= 1)

    talking.vm.toggleLanguage()  # the same prompt again, in English
    en = WORDS.text("find_search", "en")
    assert list(speech.spoken)[-1] == ("en", en)
    qtbot.waitUntil(lambda: "pinyin" in heard.words, timeout=10000)  # said by Qt's engine
    assert set(heard.words) <= set(en.replace(":", " ").split()) | {""}
    talking.vm.toggleLanguage()

    _to_form(talking, qtbot)  # the ID card read: the identity step, then the form
    said = [w for _, w in speech.spoken]
    assert WORDS.text("apply_login", "zh") in said
    assert WORDS.text("apply_form_hint", "zh") in said
    _fill_form(talking, qtbot)
    talking.vm.apply.next()
    qtbot.waitUntil(lambda: talking.vm.apply.stepCode == "materials")
    assert list(speech.spoken)[-1] == ("zh", WORDS.text("speech_materials", "zh"))
    materials = talking.vm.apply.materials
    materials.scan("application")
    talking.ports.scanner.on_fault(Fault.DEVICE)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: list(speech.spoken)[-1] == ("zh", WORDS.text("fault_device", "zh")))
    for _ in range(5):  # the verdict is read on every frame: said once
        assert materials.verdict
    assert [w for _, w in speech.spoken].count(WORDS.text("fault_device", "zh")) == 1

    everything = "\n".join(w for _, w in speech.spoken) + "\n" + " ".join(heard.words)
    assert [p for p in PERSONAL if p in everything] == []
    assert not any(ch.isdigit() for ch in everything)  # no ID number, phone or amount
    assert heard.utterances >= 5

    talking.session.exit()  # the wipe stops speaking; the home screen's prompt is said
    qtbot.waitUntil(lambda: list(speech.spoken)[-1] == ("zh", WORDS.text("speech_home", "zh")))


def test_without_qt_text_to_speech_the_kiosk_runs_silently(
        qapp: QGuiApplication, settings: KioskSettings, catalogue_file: Path,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setitem(sys.modules, "PySide6.QtTextToSpeech", None)  # as without Addons
    caplog.set_level(logging.INFO)
    k = _build(qapp, settings, catalogue_file, speech=True)
    try:
        assert k.speech is not None and not k.speech.available
        assert "kiosk.speech.unavailable" in caplog.text
        k.vm.open("apply")
        assert k.vm.screen == "find" and list(k.speech.spoken) == []
    finally:
        k.close()
