"""The resident ID-card reader over a serial line (pyserial), SAM-V protocol.

One public method, :meth:`IdCardReader.transact`, owns the framing, the timeout and the error
translation; the commands (reset, SAM status, find, select, read) are one small method each.

    with open_reader("/dev/ttyUSB0", timeout=3.0) as reader:
        citizen = reader.read_card()          # find, select, read text + photo
        citizen.id_masked                      # '4102**********1234'

The kinds of reader are the registry :data:`READERS` (see :mod:`config.registry`): a URL whose
scheme names a kind opens that kind; anything else (a device path, a pyserial URL such as
``socket://HOST:PORT``) is a SAM-V reader on a serial line. A new kind of reader is one class
with the same ``open(url, timeout=)`` and ``read_card()`` and one entry.
"""

from __future__ import annotations

import logging
import time
from types import TracebackType
from typing import Protocol

import serial

from config.registry import Registry
from drivers.idcard.citizen import TEXT_LENGTH, Citizen, decode_text
from drivers.idcard.errors import (
    CardDataError,
    FrameError,
    IdCardError,
    NoCard,
    ReaderStatusError,
    ReaderTimeout,
    ReaderUnavailable,
)
from drivers.idcard.frame import (
    PREAMBLE,
    SW3_FOUND,
    SW3_OK,
    Answer,
    FrameParser,
    decode_answer,
    encode_command,
    sw3_meaning,
)

log = logging.getLogger(__name__)

BAUDRATE = 115200
RESET = (0x10, 0xFF)
SAM_STATUS = (0x11, 0xFF)
FIND_CARD = (0x20, 0x01)
SELECT_CARD = (0x20, 0x02)
READ_TEXT_PHOTO = (0x30, 0x01)
SW3_NO_CARD = 0x80
_POLL_S = 0.05


class SerialPort(Protocol):
    """What the reader needs of a pyserial port (tests may pass any object like it)."""

    def write(self, data: bytes, /) -> int | None: ...

    def read(self, size: int = 1, /) -> bytes: ...

    def reset_input_buffer(self) -> None: ...

    @property
    def in_waiting(self) -> int: ...

    def close(self) -> None: ...


def open_port(url: str, *, baudrate: int = BAUDRATE) -> SerialPort:
    """Open a pyserial URL (``/dev/ttyUSB0``, ``socket://host:port``, ``loop://``)."""
    if not url:
        raise ReaderUnavailable("no ID-card reader is configured ([idcard] url is empty)")
    try:
        port: SerialPort = serial.serial_for_url(
            url, baudrate=baudrate, timeout=_POLL_S, write_timeout=2.0
        )
    except (serial.SerialException, OSError, ValueError) as exc:
        raise ReaderUnavailable(f"cannot open the ID-card reader at {url}: {_plain(exc)}") from exc
    return port


def _plain(exc: BaseException) -> str:
    text = str(exc)
    if "No such file" in text or "Errno 2" in text:
        return "no such serial port (is the reader plugged in, or its simulator running?)"
    if "Connection refused" in text:
        return "connection refused (is the reader or its simulator running?)"
    return text or type(exc).__name__


class IdCardReader:
    """A SAM-V ID-card reader on an open serial port."""

    def __init__(self, port: SerialPort, *, timeout: float = 3.0, name: str = "") -> None:
        self._port = port
        self.timeout = timeout
        self.name = name or "ID-card reader"

    @classmethod
    def open(cls, url: str, *, timeout: float = 3.0, baudrate: int = BAUDRATE) -> IdCardReader:
        return cls(open_port(url, baudrate=baudrate), timeout=timeout, name=url)

    def close(self) -> None:
        """Close the port. Never raises."""
        try:
            self._port.close()
        except (serial.SerialException, OSError):  # pragma: no cover - best effort
            log.debug("closing the ID-card reader port failed", exc_info=True)

    def __enter__(self) -> IdCardReader:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- the one place for framing, timeouts and errors ------------------------------------

    def transact(
        self, cmd: int, param: int, data: bytes = b"", *, timeout: float | None = None
    ) -> Answer:
        """Send one command, return the reader's answer (whatever its status).

        Raises :class:`ReaderTimeout` (no or partial answer), :class:`FrameError` (garbled
        answer), :class:`ReaderUnavailable` (the port failed).
        """
        limit = self.timeout if timeout is None else timeout
        frame = encode_command(cmd, param, data)
        started = time.monotonic()
        try:
            self._port.reset_input_buffer()
            self._port.write(frame)
            answer = self._read_answer(started + limit, limit)
        except FrameError:
            self._drain()
            raise
        except (serial.SerialException, OSError) as exc:
            raise ReaderUnavailable(f"the ID-card reader's port failed: {_plain(exc)}") from exc
        log.debug(
            "idcard exchange",
            extra={
                "command": f"{cmd:02X} {param:02X}",
                "sw3": f"{answer.sw3:02X}",
                "ms": round((time.monotonic() - started) * 1e3, 1),
            },
        )
        return answer

    def _read_answer(self, deadline: float, limit: float) -> Answer:
        parser = FrameParser()
        while True:
            payload = parser.next_payload()
            if payload is not None:
                if parser.skipped:
                    log.info(
                        "idcard: noise before the answer skipped", extra={"bytes": parser.skipped}
                    )
                return decode_answer(payload)
            if time.monotonic() >= deadline:
                break
            chunk = self._port.read(1)  # returns as soon as a byte arrives, or after the poll
            if chunk:
                parser.feed(chunk + self._port.read(self._port.in_waiting))
        if parser.pending >= len(PREAMBLE):
            raise ReaderTimeout(
                f"the ID-card reader stopped in the middle of its answer "
                f"({parser.pending} bytes in {limit:g} s)"
            )
        if parser.skipped or parser.pending:
            raise FrameError(
                f"the ID-card reader sent {parser.skipped + parser.pending} bytes "
                "that are not a SAM-V frame (wrong baud rate or a faulty line?)"
            )
        raise ReaderTimeout(
            f"the ID-card reader did not answer within {limit:g} s "
            "(is it powered, on this port, or its simulator running?)"
        )

    def _drain(self) -> None:
        try:
            time.sleep(_POLL_S)
            self._port.reset_input_buffer()
        except (serial.SerialException, OSError):  # pragma: no cover - best effort
            pass

    def _expect(self, answer: Answer, what: str, *accepted: int) -> Answer:
        if answer.sw3 not in (accepted or (SW3_OK,)):
            raise ReaderStatusError(
                f"{what} failed: {sw3_meaning(answer.sw3)} (status {answer.sw3:02X})",
                answer.sw3,
                answer.meaning,
            )
        return answer

    # -- the commands ------------------------------------------------------------------------

    def reset(self) -> None:
        """Reset the reader's SAM (``10 FF``)."""
        self._expect(self.transact(*RESET), "resetting the reader")

    def sam_status(self) -> None:
        """Check the SAM (``11 FF``); raises :class:`ReaderStatusError` if it is not ready."""
        self._expect(self.transact(*SAM_STATUS), "the SAM self-check")

    def find_card(self) -> bool:
        """Whether a card is on the reader (``20 01``)."""
        answer = self.transact(*FIND_CARD)
        if answer.sw3 == SW3_NO_CARD:
            return False
        self._expect(answer, "finding the card", SW3_FOUND, SW3_OK)
        return True

    def select_card(self) -> None:
        """Select the card found (``20 02``)."""
        self._expect(self.transact(*SELECT_CARD), "selecting the card")

    def read_text_photo(self) -> tuple[bytes, bytes]:
        """Read the text block and the photo (``30 01``), both as received."""
        data = self._expect(self.transact(*READ_TEXT_PHOTO), "reading the card").data
        if len(data) < 4:
            raise CardDataError(f"the read answer is too short ({len(data)} bytes)")
        text_len = int.from_bytes(data[0:2], "big")
        photo_len = int.from_bytes(data[2:4], "big")
        if len(data) < 4 + text_len + photo_len:
            raise CardDataError(
                f"the read answer announces {text_len} + {photo_len} bytes "
                f"but carries {len(data) - 4}"
            )
        if text_len != TEXT_LENGTH:
            raise CardDataError(f"the text block is {text_len} bytes, expected {TEXT_LENGTH}")
        return data[4 : 4 + text_len], data[4 + text_len : 4 + text_len + photo_len]

    def read_card(self) -> Citizen:
        """Find, select and read the card on the reader; raises :class:`NoCard` if none."""
        if not self.find_card():
            raise NoCard(
                "no ID card on the reader: place the card flat on the reader",
                SW3_NO_CARD,
                sw3_meaning(SW3_NO_CARD),
            )
        self.select_card()
        text, photo = self.read_text_photo()
        citizen = decode_text(text, photo)
        log.info("idcard read", extra={"id": citizen.id_masked, "photo_bytes": len(photo)})
        return citizen


READERS: Registry[IdCardReader] = Registry("ID-card reader URL", {
    "serial": "drivers.idcard.reader:IdCardReader",
}, forms={"serial": "a serial device or pyserial URL (/dev/ttyUSB0, socket://HOST:PORT)"})
"""The kinds of ID-card reader; ``serial`` (SAM-V over pyserial) takes any other URL."""


def open_reader(url: str, *, timeout: float = 3.0) -> IdCardReader:
    """The ID-card reader at ``url`` (:class:`ReaderUnavailable` if it cannot be opened)."""
    scheme = url.partition(":")[0]
    kind = READERS.load(scheme if scheme in READERS else "serial")
    return kind.open(url, timeout=timeout)


__all__ = ["READERS", "IdCardError", "IdCardReader", "SerialPort", "open_port", "open_reader"]
