"""Printer connections chosen by URL, over python-escpos' connection classes, with timeouts.

    tcp://HOST[:PORT]                      raw TCP (JetDirect, port 9100 by default)
    serial:///dev/ttyUSB0?baudrate=19200   serial; ``flow=none|rtscts|dsrdtr|xonxoff``
    usb://VID:PID                          USB (hex ids, ``0416:5011``); ``in_ep=``, ``out_ep=``
    file:///dev/usb/lp0                    a device node or file, write-only

Every URL takes ``?status=off`` for a printer that never answers ``DLE EOT`` (it is then
treated like a write-only link: status ``unknown``, jobs are sent without a check).

python-escpos opens the connections (``Network``, ``Serial``, ``Usb``, ``File``); this module
owns what it leaves out: an explicit timeout on every operation (its ``Usb`` waits forever by
default, its ``Serial`` has no write timeout, its ``File`` blocks on a jammed device), reads of
an exact size within a deadline, and one exception tree.

The kinds of link are the registry :data:`TRANSPORTS` (URL scheme -> ``module:Class``, see
:mod:`config.registry`); a :class:`Transport` subclass checks its own URLs (:meth:`Transport.parse`)
and moves the bytes. A new kind of link is one subclass and one entry.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import socket
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import SplitResult, parse_qsl, urlsplit

from config.registry import Registry, UnknownKind
from drivers.printer.errors import PrinterConfigError, PrinterTimeout, PrinterUnavailable

log = logging.getLogger(__name__)

_FLOW = ("none", "rtscts", "dsrdtr", "xonxoff")


@dataclass(frozen=True)
class PrinterUrl:
    scheme: str
    text: str
    host: str = ""
    port: int = 9100
    path: str = ""
    vendor: int = 0
    product: int = 0
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def answers_status(self) -> bool:
        return self.params.get("status", "on").lower() not in ("off", "0", "no", "false")

    def __str__(self) -> str:
        return self.text


TRANSPORTS: Registry[Transport] = Registry("printer URL", {
    "tcp": "drivers.printer.transport:TcpTransport",
    "serial": "drivers.printer.transport:SerialTransport",
    "usb": "drivers.printer.transport:UsbTransport",
    "file": "drivers.printer.transport:FileTransport",
})
"""The kinds of printer link, by URL scheme."""


def parse_url(url: str) -> PrinterUrl:
    """Check and split a printer URL; :class:`PrinterConfigError` says what is wrong."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    try:
        kind = TRANSPORTS.load(scheme)
    except UnknownKind:
        raise PrinterConfigError(str(TRANSPORTS.unknown(url))) from None
    return kind.parse(url, scheme, parts, dict(parse_qsl(parts.query)))


def open_transport(url: PrinterUrl, timeout: float) -> Transport:
    """A connected transport for ``url``."""
    transport = TRANSPORTS.load(url.scheme)(url, timeout)
    transport.open()
    return transport


def _local_path(url: str, scheme: str, parts: SplitResult) -> str:
    if not parts.path.startswith("/") or parts.netloc:
        raise PrinterConfigError(
            f"printer URL {url!r} needs an absolute path ({scheme}:///dev/...)")
    return parts.path


def _int_param(params: Mapping[str, str], name: str, url: str, default: int) -> int:
    try:
        return int(params.get(name, str(default)), 0)
    except ValueError:
        raise PrinterConfigError(f"{name} must be a number in printer URL {url!r}") from None


class Transport(ABC):
    """A byte link to one printer. ``parse`` (its URLs) / ``open`` / ``write`` / ``read`` /
    ``close``."""

    can_read = True

    @classmethod
    @abstractmethod
    def parse(cls, url: str, scheme: str, parts: SplitResult,
              params: dict[str, str]) -> PrinterUrl:
        """Check this kind's URL; :class:`PrinterConfigError` says what is wrong."""

    def __init__(self, url: PrinterUrl, timeout: float) -> None:
        self.url = url
        self.timeout = timeout
        self._escpos: Any = None
        if not url.answers_status:
            self.can_read = False

    @abstractmethod
    def open(self) -> None:
        """Connect; :class:`PrinterUnavailable` (or :class:`PrinterTimeout`) if it cannot."""

    @abstractmethod
    def write(self, data: bytes) -> None:
        """Send every byte or raise; never waits longer than the timeout (plus line time)."""

    def read(self, size: int, timeout: float) -> bytes:
        """Up to ``size`` bytes received within ``timeout`` seconds (``b""`` if none came)."""
        return b""

    def discard_input(self) -> None:  # noqa: B027 - a hook: nothing to discard by default
        """Drop anything the printer sent that nobody asked for."""

    def close(self) -> None:
        escpos, self._escpos = self._escpos, None
        if escpos is not None:
            with contextlib.suppress(Exception):
                escpos.close()

    def __enter__(self) -> Transport:
        self.open()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class TcpTransport(Transport):
    @classmethod
    def parse(cls, url: str, scheme: str, parts: SplitResult,
              params: dict[str, str]) -> PrinterUrl:
        try:
            port = parts.port or 9100
        except ValueError:
            raise PrinterConfigError(f"bad port in printer URL {url!r}") from None
        if not parts.hostname:
            raise PrinterConfigError(f"printer URL {url!r} has no host (tcp://HOST:9100)")
        return PrinterUrl(scheme, url, host=parts.hostname, port=port, params=params)

    def open(self) -> None:
        from escpos.exceptions import DeviceNotFoundError  # noqa: PLC0415 - lazy (import cost, side effects)
        from escpos.printer import Network  # noqa: PLC0415 - lazy (import cost, side effects)

        self._escpos = Network(self.url.host, self.url.port, timeout=self.timeout)
        try:
            self._escpos.open()
        except DeviceNotFoundError as exc:
            self._escpos = None
            cause = exc.__context__
            if isinstance(cause, TimeoutError):
                raise PrinterTimeout(f"no connection to {self.url.host}:{self.url.port} "
                                     f"within {self.timeout:g} s") from exc
            reason = getattr(cause, "strerror", None) or str(cause or exc)
            raise PrinterUnavailable(
                f"cannot connect to {self.url.host}:{self.url.port}: {reason}") from exc
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    @property
    def _sock(self) -> socket.socket:
        if self._escpos is None:
            raise PrinterUnavailable("the printer connection is not open")
        sock: socket.socket = self._escpos.device
        return sock

    def write(self, data: bytes) -> None:
        sock = self._sock
        sock.settimeout(self.timeout + len(data) / 50_000)
        try:
            self._escpos._raw(data)
        except TimeoutError as exc:
            raise PrinterTimeout(f"the printer did not take the data within "
                                 f"{sock.gettimeout():g} s") from exc
        except OSError as exc:
            raise PrinterUnavailable(f"connection to the printer lost: {exc}") from exc

    def read(self, size: int, timeout: float) -> bytes:
        sock = self._sock
        sock.settimeout(max(timeout, 0.001))
        try:
            data = sock.recv(size)
        except TimeoutError:
            return b""
        except OSError as exc:
            raise PrinterUnavailable(f"connection to the printer lost: {exc}") from exc
        if not data:
            raise PrinterUnavailable("the printer closed the connection")
        return data

    def discard_input(self) -> None:
        sock = self._sock
        sock.setblocking(False)
        try:
            while sock.recv(256):
                pass
        except OSError:  # BlockingIOError: nothing pending
            pass
        finally:
            sock.settimeout(self.timeout)


class SerialTransport(Transport):
    @classmethod
    def parse(cls, url: str, scheme: str, parts: SplitResult,
              params: dict[str, str]) -> PrinterUrl:
        path = _local_path(url, scheme, parts)
        _int_param(params, "baudrate", url, 9600)
        if params.get("flow", "none") not in _FLOW:
            raise PrinterConfigError(f"flow must be one of {', '.join(_FLOW)} in {url!r}")
        return PrinterUrl(scheme, url, path=path, params=params)

    def open(self) -> None:
        from escpos.exceptions import DeviceNotFoundError  # noqa: PLC0415 - lazy (import cost, side effects)
        from escpos.printer import Serial  # noqa: PLC0415 - lazy (import cost, side effects)

        params = self.url.params
        flow = params.get("flow", "none")
        self._baudrate = _int_param(params, "baudrate", self.url.text, 9600)
        self._escpos = Serial(self.url.path, baudrate=self._baudrate, timeout=self.timeout,
                              xonxoff=flow == "xonxoff", dsrdtr=flow == "dsrdtr")
        try:
            self._escpos.open()
        except DeviceNotFoundError as exc:
            self._escpos = None
            raise PrinterUnavailable(f"cannot open serial port {self.url.path}: "
                                     f"{exc.__context__ or exc}") from exc
        port = self._escpos.device
        port.rtscts = flow == "rtscts"
        port.write_timeout = self.timeout

    def write(self, data: bytes) -> None:
        from serial import SerialException, SerialTimeoutException  # noqa: PLC0415 - lazy (import cost, side effects)

        port = self._escpos.device
        port.write_timeout = self.timeout + len(data) * 10 / self._baudrate
        try:
            port.write(data)
            port.flush()
        except SerialTimeoutException as exc:
            raise PrinterTimeout(f"the printer did not take the data within "
                                 f"{port.write_timeout:.1f} s (flow control?)") from exc
        except SerialException as exc:
            raise PrinterUnavailable(f"serial port {self.url.path} failed: {exc}") from exc

    def read(self, size: int, timeout: float) -> bytes:
        from serial import SerialException  # noqa: PLC0415 - lazy (import cost, side effects)

        port = self._escpos.device
        port.timeout = max(timeout, 0.001)
        try:
            data: bytes = port.read(size)
        except SerialException as exc:
            raise PrinterUnavailable(f"serial port {self.url.path} failed: {exc}") from exc
        return data

    def discard_input(self) -> None:
        self._escpos.device.reset_input_buffer()


class UsbTransport(Transport):
    @classmethod
    def parse(cls, url: str, scheme: str, parts: SplitResult,
              params: dict[str, str]) -> PrinterUrl:
        ids = (parts.netloc + parts.path).strip("/").split(":")
        try:
            vendor, product = (int(x, 16) for x in ids)
        except ValueError:
            raise PrinterConfigError(
                f"printer URL {url!r} needs hex USB ids (usb://0416:5011)") from None
        return PrinterUrl(scheme, url, vendor=vendor, product=product, params=params)

    def open(self) -> None:
        from escpos.exceptions import DeviceNotFoundError  # noqa: PLC0415 - lazy (import cost, side effects)
        from escpos.printer import Usb  # noqa: PLC0415 - lazy (import cost, side effects)

        if not Usb.is_usable():  # checked first: python-escpos' Usb raises even in __del__
            raise PrinterUnavailable("USB printing needs pyusb and libusb installed")
        params = self.url.params
        ms = max(1, int(self.timeout * 1000))
        self._escpos = Usb(self.url.vendor, self.url.product, timeout=ms,
                           in_ep=_int_param(params, "in_ep", self.url.text, 0x82),
                           out_ep=_int_param(params, "out_ep", self.url.text, 0x01))
        try:
            self._escpos.open()
        except DeviceNotFoundError as exc:
            self._escpos = None
            raise PrinterUnavailable(
                f"no USB printer {self.url.vendor:04x}:{self.url.product:04x}: "
                f"{exc.__context__ or exc}") from exc
        self._escpos.device.default_timeout = ms

    def write(self, data: bytes) -> None:
        try:
            self._escpos._raw(data)
        except Exception as exc:  # pyusb's USBError / USBTimeoutError (pyusb is optional)
            if type(exc).__name__ == "USBTimeoutError":
                raise PrinterTimeout("the USB printer did not take the data in time") from exc
            raise PrinterUnavailable(f"USB printer failed: {exc}") from exc

    def read(self, size: int, timeout: float) -> bytes:
        try:
            data = self._escpos.device.read(self._escpos.in_ep, max(size, 64),
                                            max(1, int(timeout * 1000)))
        except Exception as exc:  # pyusb's errors
            if type(exc).__name__ == "USBTimeoutError":
                return b""
            raise PrinterUnavailable(f"USB printer failed: {exc}") from exc
        return bytes(data)[:size]


class FileTransport(Transport):
    """A device node such as ``/dev/usb/lp0`` (or a file): write-only, status ``unknown``."""

    can_read = False

    @classmethod
    def parse(cls, url: str, scheme: str, parts: SplitResult,
              params: dict[str, str]) -> PrinterUrl:
        return PrinterUrl(scheme, url, path=_local_path(url, scheme, parts), params=params)

    def open(self) -> None:
        from escpos.exceptions import DeviceNotFoundError  # noqa: PLC0415 - lazy (import cost, side effects)
        from escpos.printer import File  # noqa: PLC0415 - lazy (import cost, side effects)

        self._escpos = File(self.url.path, auto_flush=True)
        try:
            self._escpos.open()
        except DeviceNotFoundError as exc:
            self._escpos = None
            raise PrinterUnavailable(f"cannot open {self.url.path}: "
                                     f"{exc.__context__ or exc}") from exc
        os.set_blocking(self._escpos.device.fileno(), False)

    def write(self, data: bytes) -> None:
        fd = self._escpos.device.fileno()
        deadline = time.monotonic() + self.timeout
        view = memoryview(data)
        while view:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([], [fd], [], left)[1]:
                raise PrinterTimeout(f"{self.url.path} did not take the data within "
                                     f"{self.timeout:g} s")
            try:
                view = view[os.write(fd, view):]
            except BlockingIOError:
                continue
            except OSError as exc:
                raise PrinterUnavailable(f"writing to {self.url.path} failed: {exc}") from exc

