"""The driver against the virtual reader through real serial lines: a pty made by the
simulator (os.openpty), a socat pty pair, and pyserial's socket:// URL."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.idcard import (
    CardDataError,
    FrameError,
    IdCardReader,
    NoCard,
    ReaderStatusError,
    ReaderTimeout,
    ReaderUnavailable,
)
from simulators.idcard.citizens import Person, demo_people
from simulators.idcard.device import Fault, VirtualIdReader
from simulators.idcard.server import PtyServer, TcpServer, TtyServer

FAST = 0.4  # seconds: the timeout used where a silent reader is expected


@pytest.fixture
def device() -> VirtualIdReader:
    return VirtualIdReader(demo_people()[0])


@pytest.fixture
def pty_path(tmp_path: Path, device: VirtualIdReader) -> Iterator[Path]:
    path = tmp_path / "idcard.pty"
    with PtyServer(device, path):
        yield path


def test_reads_the_citizen_through_a_pty(pty_path: Path, device: VirtualIdReader) -> None:
    assert pty_path.is_symlink() and os.readlink(pty_path).startswith("/dev/pts/")
    with IdCardReader.open(str(pty_path), timeout=2.0) as reader:
        reader.reset()
        reader.sam_status()
        citizen = reader.read_card()
        assert citizen.name == "张伟" and citizen.sex == "男" and citizen.nation == "汉"
        assert citizen.id_number == demo_people()[0].number
        assert len(citizen.photo) == 1024 and citizen.photo == demo_people()[0].photo()
        # another card is placed: the next read sees it
        device.place(demo_people()[3])
        assert reader.read_card().name == "阿依古丽·买买提"


def test_no_card_is_told_apart(pty_path: Path, device: VirtualIdReader) -> None:
    device.remove()
    with IdCardReader.open(str(pty_path), timeout=2.0) as reader:
        assert reader.find_card() is False
        with pytest.raises(NoCard, match="no ID card"):
            reader.read_card()
        with pytest.raises(ReaderStatusError, match="selecting the card failed"):
            reader.select_card()


@pytest.mark.parametrize(
    ("fault", "error", "words"),
    [
        (Fault.CHECKSUM, FrameError, "wrong checksum"),
        (Fault.GARBAGE, FrameError, "not a SAM-V frame"),
        (Fault.TRUNCATED, ReaderTimeout, "middle of its answer"),
        (Fault.SILENT, ReaderTimeout, "did not answer"),
        (Fault.SAM, ReaderStatusError, "SAM self-check failed"),
    ],
)
def test_faults_give_clear_errors_and_the_reader_recovers(
    pty_path: Path, device: VirtualIdReader, fault: Fault, error: type[Exception], words: str
) -> None:
    with IdCardReader.open(str(pty_path), timeout=FAST) as reader:
        device.inject(fault)
        started = time.monotonic()
        with pytest.raises(error, match=words):
            reader.sam_status()
        assert time.monotonic() - started < FAST + 0.5
        assert reader.read_card().name == "张伟"  # the next exchange works again


def test_a_fault_in_the_middle_of_the_read(pty_path: Path, device: VirtualIdReader) -> None:
    with IdCardReader.open(str(pty_path), timeout=FAST) as reader:
        reader.find_card()
        reader.select_card()
        device.inject(Fault.CHECKSUM)
        with pytest.raises(FrameError):
            reader.read_text_photo()


def test_a_card_with_a_wrong_check_digit_is_refused(
    pty_path: Path, device: VirtualIdReader
) -> None:
    good = demo_people()[2]
    forged = Person(
        **{**good.__dict__, "number": good.number[:17] + ("0" if good.number[17] != "0" else "1")}
    )
    device.place(forged)
    with (
        IdCardReader.open(str(pty_path), timeout=2.0) as reader,
        pytest.raises(CardDataError, match="GB 11643") as info,
    ):
        reader.read_card()
    assert forged.number not in str(info.value)


def test_the_reader_refuses_a_bad_command_checksum(pty_path: Path) -> None:
    with IdCardReader.open(str(pty_path), timeout=2.0) as reader:
        port = reader._port
        port.write(bytes.fromhex("AAAAAA9669 0003 10FF 00"))
        time.sleep(0.1)
        data = port.read(64)
        assert data == bytes.fromhex("AAAAAA9669 0004 000010 14")


def test_logs_never_hold_the_number(pty_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with IdCardReader.open(str(pty_path), timeout=2.0) as reader:
        reader.read_card()
    text = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "idcard read" in text and demo_people()[0].number not in text


def test_a_missing_port_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(ReaderUnavailable, match="no such serial port"):
        IdCardReader.open(str(tmp_path / "nothing"))
    with pytest.raises(ReaderUnavailable, match=r"not configured|no ID-card reader"):
        IdCardReader.open("")


def test_stopped_simulator_removes_its_port(tmp_path: Path, device: VirtualIdReader) -> None:
    path = tmp_path / "r.pty"
    server = PtyServer(device, path)
    server.start()
    server.stop()
    assert not path.exists() and not path.is_symlink()


def test_reads_through_a_socket_url(device: VirtualIdReader) -> None:
    with TcpServer(device, 0) as server:
        assert isinstance(server, TcpServer)
        with IdCardReader.open(server.url, timeout=2.0) as reader:
            assert reader.read_card().nation == "汉"


@pytest.mark.skipif(shutil.which("socat") is None, reason="socat not installed")
def test_reads_through_a_socat_pty_pair(tmp_path: Path, device: VirtualIdReader) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    socat = subprocess.Popen(
        ["socat", f"pty,raw,echo=0,link={a}", f"pty,raw,echo=0,link={b}"], stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 5
        while not (a.exists() and b.exists()):
            assert time.monotonic() < deadline, "socat made no pty pair"
            time.sleep(0.02)
        with TtyServer(device, a), IdCardReader.open(str(b), timeout=2.0) as reader:
            assert reader.read_card().birth_date.year == 1985
    finally:
        socat.terminate()
        socat.wait(5)
