"""Printer status from ``DLE EOT`` answers: a stable state (:class:`PrinterState`) and why.

The words for people (Chinese and English) are in the program's message catalogue, keyed by the
state; ``detail`` says why in English particulars for a technician.

``DLE EOT n`` is a real-time request: the printer answers one byte at once, even while it is
offline. Every answer has the fixed bits ``0xx1xx10`` (mask ``0x93`` == ``0x12``); a byte
without them is not a status answer. The bits we read:

    n=1 printer:  0x08 offline
    n=2 offline cause:  0x04 cover open, 0x08 paper fed by the button, 0x20 stopped at paper
                  end, 0x40 an error occurred
    n=3 error:    0x08 auto-cutter error, 0x20 unrecoverable error, 0x40 auto-recoverable error
    n=4 paper:    0x0C paper near end, 0x60 paper end

:func:`query` asks n=1 and n=4 (and n=2, n=3 when the printer says it is offline) within one
deadline. No answer in time gives ``unknown``: never ``ok`` for a printer that did not answer
(python-escpos' ``paper_status()`` says "adequate" in that case).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

DLE_EOT = b"\x10\x04"


class PrinterState(StrEnum):
    """What a printer can do now (a stable code)."""

    OK = "ok"
    PAPER_NEAR_END = "paper-near-end"
    PAPER_OUT = "paper-out"
    OFFLINE = "offline"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class PrinterStatus:
    state: PrinterState
    detail: str = ""
    """Why, in plain English (``cover open``, ``connection refused``, ``no answer in 3.0 s``)."""
    answers: Mapping[int, int] = field(default_factory=dict)
    """The raw ``DLE EOT n`` answers that were received, by ``n``."""

    @property
    def ready(self) -> bool:
        """Whether a receipt sent now would print (paper near end still prints)."""
        return self.state in (PrinterState.OK, PrinterState.PAPER_NEAR_END)

    @property
    def code(self) -> PrinterState:
        """The state, as the code a message catalogue has words for."""
        return self.state

    @property
    def params(self) -> Mapping[str, str]:
        return {}

    def __str__(self) -> str:
        return f"{self.state.value} ({self.detail})" if self.detail else self.state.value


class StatusLink(Protocol):
    """What :func:`query` needs from a connection."""

    def write(self, data: bytes) -> None: ...
    def read(self, size: int, timeout: float) -> bytes: ...
    def discard_input(self) -> None: ...


def valid_answer(byte: int) -> bool:
    return byte & 0x93 == 0x12


def interpret(answers: Mapping[int, int]) -> PrinterStatus:
    """The status that the answers to ``DLE EOT 1`` and ``4`` (and ``2``, ``3``) mean."""
    printer, paper = answers.get(1), answers.get(4)
    if printer is None or paper is None:
        return PrinterStatus(PrinterState.UNKNOWN, "incomplete status answer", answers)
    cause, error = answers.get(2, 0x12), answers.get(3, 0x12)
    if paper & 0x60 or cause & 0x20:
        return PrinterStatus(PrinterState.PAPER_OUT, "paper end sensor", answers)
    if printer & 0x08:
        reasons = [why for bit, why in ((0x04, "cover open"), (0x08, "paper feed button"),
                                        (0x40, "error")) if cause & bit]
        reasons += [why for bit, why in ((0x08, "auto-cutter error"),
                                         (0x20, "unrecoverable error"),
                                         (0x40, "auto-recoverable error")) if error & bit]
        return PrinterStatus(PrinterState.OFFLINE, ", ".join(reasons) or "offline", answers)
    if paper & 0x0C:
        return PrinterStatus(PrinterState.PAPER_NEAR_END, "paper near-end sensor", answers)
    return PrinterStatus(PrinterState.OK, "", answers)


def query(link: StatusLink, timeout: float) -> PrinterStatus:
    """Ask the printer for its status; all answers within ``timeout`` seconds in total."""
    now = time.monotonic
    deadline = now() + timeout
    link.discard_input()
    answers: dict[int, int] = {}
    for n in (1, 4, 2, 3):
        if n in (2, 3) and not answers[1] & 0x08:
            break
        link.write(DLE_EOT + bytes([n]))
        answer = link.read(1, max(0.0, deadline - now()))
        if not answer:
            return PrinterStatus(PrinterState.UNKNOWN,
                                 f"no answer to the status request within {timeout:g} s", answers)
        if not valid_answer(answer[0]):
            return PrinterStatus(PrinterState.UNKNOWN,
                                 f"unexpected status answer 0x{answer[0]:02X}", answers)
        answers[n] = answer[0]
    return interpret(answers)
