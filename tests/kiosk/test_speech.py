"""Spoken prompts ([kiosk] speech) through Qt's own QtTextToSpeech with its ``mock`` engine:
each screen's prompt and each fault in the session's language, nothing personal ever said;
without PySide6-Addons the kiosk runs silently with one log line."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import signal
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
from kiosk.speech import ANSWER_S, START_S
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
    k.ports = ports
    return k


@pytest.fixture
def talking(qapp: QGuiApplication, settings: KioskSettings,
            catalogue_file: Path) -> Iterator[Kiosk]:
    k = _build(qapp, settings, catalogue_file, speech=True, speech_engine="mock")
    try:
        yield k
    finally:
        k.close()


def test_prompts_and_faults_are_said_in_the_sessions_language_and_nothing_personal(
        talking: Kiosk, qtbot: Any) -> None:
    speech = talking.speech
    assert speech is not None
    qtbot.waitUntil(lambda: speech.available, timeout=60_000)  # its own process
    talking.vm.open("apply")  # the find screen comes up first
    zh = WORDS.text("find_search", "zh")
    assert list(speech.spoken)[-1] == ("zh", zh)
    qtbot.waitUntil(lambda: speech.said >= 1)

    talking.vm.toggleLanguage()  # the same prompt again, in English
    en = WORDS.text("find_search", "en")
    assert list(speech.spoken)[-1] == ("en", en)
    qtbot.waitUntil(lambda: "pinyin" in speech.heard, timeout=10000)  # said by Qt's engine
    assert set(speech.heard) <= set(en.replace(":", " ").split()) | {""}
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
    talking.ports.scanner.on_fault(Fault.DEVICE)
    qtbot.waitUntil(lambda: list(speech.spoken)[-1] == ("zh", WORDS.text("fault_device", "zh")))
    for _ in range(5):  # the verdict is read on every frame: said once
        assert materials.verdict
    assert [w for _, w in speech.spoken].count(WORDS.text("fault_device", "zh")) == 1

    everything = "\n".join(w for _, w in speech.spoken) + "\n" + " ".join(speech.heard)
    assert [p for p in PERSONAL if p in everything] == []
    assert not any(ch.isdigit() for ch in everything)  # no ID number, phone or amount
    qtbot.waitUntil(lambda: speech.said >= 5)

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


def _journey(k: Kiosk, qtbot: Any) -> None:
    """Find ``yyzz``, its guide, log in with the ID card, the form (a phone number typed), the
    session ended: home (each screen's prompt handed to the engine)."""
    _to_form(k, qtbot)
    k.vm.apply.edit("phone")
    for d in "13912345678":
        k.vm.apply.kb.key(d)
    assert any(r["value"] == "13912345678" for r in k.vm.apply.form.fields.rows())
    k.session.exit()
    qtbot.waitUntil(lambda: k.vm.screen == "home" and not k.session.is_personal)


def _unavailable_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if getattr(r, "event", "") == "kiosk.speech.unavailable"]


@pytest.fixture
def own_speech_dispatcher(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """speech-dispatcher, when Qt's ``speechd`` engine starts one, runs under ``tmp_path``
    (its socket and pid file: ``XDG_RUNTIME_DIR``, its logs: ``XDG_CACHE_HOME``) and is killed
    after the test (with no sound device it does not end on SIGTERM: SIGKILL)."""
    run = tmp_path / "xdg"
    run.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(run))
    monkeypatch.setenv("XDG_CACHE_HOME", str(run / "cache"))
    monkeypatch.delenv("SPEECHD_ADDRESS", raising=False)
    yield run
    mark = f"XDG_RUNTIME_DIR={run}".encode()
    for proc in Path("/proc").iterdir():  # the daemon and its voice module, by their env
        with contextlib.suppress(OSError, ValueError):
            if proc.name.isdigit() and mark in (proc / "environ").read_bytes().split(b"\0"):
                os.kill(int(proc.name), signal.SIGKILL)


def test_the_default_engine_without_a_sound_device_never_stops_the_kiosk(
        qapp: QGuiApplication, settings: KioskSettings, catalogue_file: Path, qtbot: Any,
        own_speech_dispatcher: Path, caplog: pytest.LogCaptureFixture) -> None:
    """``[kiosk] speech`` on, no engine named: Qt's default here (``speechd``: it starts
    speech-dispatcher, which finds no sound device; or, without libspeechd, an engine that does
    not load). The kiosk is usable at once and runs whole journeys while the engine starts and
    afterwards, whatever the engine does; speech ends up up, or unavailable with one log line;
    closing the kiosk does not wait for the engine."""
    caplog.set_level(logging.INFO)
    k = _build(qapp, settings, catalogue_file, speech=True, speech_engine="")
    try:
        speech = k.speech
        assert speech is not None
        _journey(k, qtbot)  # does not wait for the engine
        qtbot.waitUntil(lambda: speech.state != "starting", timeout=int(START_S * 1000) + 5000)
        _journey(k, qtbot)  # prompts handed to the engine (when it is up)
        if speech.available:  # taken, or given up on within ANSWER_S (of the last prompt, on
            # a timer: twice that, as the suite's other process loads the machine)
            qtbot.waitUntil(lambda: not speech.available or speech.said >= len(speech.spoken),
                            timeout=int(2 * ANSWER_S * 1000) + 5000)
        lines = _unavailable_lines(caplog)
        print(f"default engine: {speech.state} ({speech.engine_name or '-'}): {lines}")
        assert len(lines) == (0 if speech.available else 1)
        _journey(k, qtbot)  # and on
        assert len(_unavailable_lines(caplog)) == len(lines)
    finally:
        k.close()
    assert k.speech.state == "closed"


def test_an_engine_that_does_not_load_is_one_log_line(
        qapp: QGuiApplication, settings: KioskSettings, catalogue_file: Path, qtbot: Any,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    k = _build(qapp, settings, catalogue_file, speech=True, speech_engine="no-such-engine")
    try:
        speech = k.speech
        assert speech is not None
        qtbot.waitUntil(lambda: speech.state == "unavailable")
        lines = _unavailable_lines(caplog)
        assert len(lines) == 1 and "no-such-engine" in lines[0]
        _journey(k, qtbot)
        assert list(speech.spoken) == [] and len(_unavailable_lines(caplog)) == 1
    finally:
        k.close()
