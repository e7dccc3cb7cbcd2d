"""The APDU trace: every C-APDU and R-APDU on the logger ``drivers.pcsc.apdu`` at DEBUG.

One record per direction. The message is for people (``>> 00A40400 09 A000...`` and
``<< 6F1E... 9000 (0.21 ms)``); the same facts are in ``extra=`` fields for structured
handlers: ``reader``, ``direction`` (``"C"`` command / ``"R"`` response), ``apdu`` (hex, already
redacted), ``sw`` (``"9000"``), ``elapsed_ms`` and ``redacted``.

Redaction keeps the header, Lc/Le and the status word and replaces the data by its length:
- PIN commands: VERIFY (INS 20), CHANGE REFERENCE DATA (24), RESET RETRY COUNTER (2C),
  CHANGE/RELOAD PIN (5E);
- key loading: WRITE KEY (INS D4, any class: ``80D4``/``84D4``);
- anything the caller sends with ``sensitive=True``.
The R-APDU of a redacted command (and of the GET RESPONSE that fetches it) is redacted too.
Nothing unredacted ever reaches a log record, its ``extra`` fields included.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import MappingProxyType

from drivers.pcsc.apdu import CommandApdu, Response, to_hex

LOGGER_NAME = "drivers.pcsc.apdu"

REDACTED_INS: Mapping[int, str] = MappingProxyType({
    0x20: "VERIFY",
    0x24: "CHANGE REFERENCE DATA",
    0x2C: "RESET RETRY COUNTER",
    0x5E: "CHANGE PIN",
    0xD4: "WRITE KEY",
})
"""INS codes whose data is a PIN or key material (matched for every CLA)."""


def is_sensitive(apdu: bytes) -> bool:
    """Whether the rules above redact this C-APDU by themselves (without ``sensitive=True``)."""
    return len(apdu) >= 2 and apdu[1] in REDACTED_INS


def _redacted(n: int) -> str:
    return f"[{n} byte{'s' if n != 1 else ''} redacted]"


def format_command(apdu: bytes, *, redact: bool) -> str:
    """``00A40400 09 A00000000386980701`` or, redacted, ``00200000 03 [3 bytes redacted]``."""
    try:
        cmd = CommandApdu.parse(apdu)
    except ValueError:
        # Not a well-formed C-APDU: show the first 4 bytes at most when redacting.
        return f"{to_hex(apdu[:4])} {_redacted(len(apdu) - 4)}" if redact else to_hex(apdu)
    parts = [to_hex(cmd.header)]
    width = 2 if cmd.extended else 1
    if cmd.data:
        lc = len(cmd.data).to_bytes(width, "big")
        parts.append(("00" if cmd.extended else "") + to_hex(lc))
        parts.append(_redacted(len(cmd.data)) if redact else to_hex(cmd.data))
    if cmd.le is not None:
        prefix = "00" if cmd.extended and not cmd.data else ""
        parts.append(prefix + to_hex(cmd.le.to_bytes(width, "big")))
    return " ".join(parts)


def format_response(response: Response, *, redact: bool) -> str:
    """``6F1E... 9000`` or, redacted, ``[8 bytes redacted] 9000``."""
    if not response.data:
        return response.sw_hex
    data = _redacted(len(response.data)) if redact else response.data_hex
    return f"{data} {response.sw_hex}"


class ApduTrace:
    """Writes the trace of one channel (cheap when DEBUG is off: one ``isEnabledFor`` call)."""

    def __init__(self, reader: str, logger: logging.Logger | None = None) -> None:
        self.reader = reader
        self.logger = logger or logging.getLogger(LOGGER_NAME)

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.DEBUG)

    def command(self, apdu: bytes, *, redact: bool) -> None:
        if not self.enabled:
            return
        text = format_command(apdu, redact=redact)
        self.logger.debug(">> %s", text, extra={
            "reader": self.reader, "direction": "C", "apdu": text, "redacted": redact})

    def response(self, response: Response, elapsed: float, *, redact: bool) -> None:
        if not self.enabled:
            return
        text = format_response(response, redact=redact)
        ms = round(elapsed * 1000.0, 3)
        self.logger.debug("<< %s (%.2f ms)", text, ms, extra={
            "reader": self.reader, "direction": "R", "apdu": text, "sw": response.sw_hex,
            "elapsed_ms": ms, "redacted": redact})

    def failure(self, error: BaseException, elapsed: float) -> None:
        """The exchange ended without an R-APDU (timeout, card removed, ...)."""
        if not self.enabled:
            return
        ms = round(elapsed * 1000.0, 3)
        self.logger.debug("<< no answer: %s (%.2f ms)", type(error).__name__, ms, extra={
            "reader": self.reader, "direction": "R", "error": type(error).__name__,
            "elapsed_ms": ms})
