"""The scanner layer's exception tree. Each class has a stable ``code`` (:class:`ErrorCode`);
messages are plain English particulars for a technician.

ScannerError
├── CameraUnavailable   the camera cannot be opened (no device, no file, simulator stopped)
├── CameraError         the camera was open but stopped giving frames
│   └── FrameTimeout    no frame arrived within the timeout
├── NoGoodPage          no page passed the quality gates in time (``.reason`` says why)
├── OutputError         the scan cannot be written (path, disk, format)
└── CalibrationError    the saved calibration cannot be read
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum, unique
from types import MappingProxyType
from typing import Any, ClassVar


@unique
class ErrorCode(StrEnum):
    """The scanner layer's stable error codes."""

    FAILED = "scanner_failed"
    CAMERA_UNAVAILABLE = "scanner_camera_unavailable"
    CAMERA_FAILED = "scanner_camera_failed"
    FRAME_TIMEOUT = "scanner_frame_timeout"
    NO_GOOD_PAGE = "scanner_no_good_page"
    OUTPUT_FAILED = "scanner_output_failed"
    CALIBRATION_INVALID = "scanner_calibration_invalid"


class ScannerError(Exception):
    """Base of every document-camera failure."""

    code: ClassVar[ErrorCode] = ErrorCode.FAILED
    params: ClassVar[Mapping[str, Any]] = MappingProxyType({})


class CameraUnavailable(ScannerError):
    """The camera cannot be opened."""

    code = ErrorCode.CAMERA_UNAVAILABLE


class CameraError(ScannerError):
    """The camera stopped giving frames."""

    code = ErrorCode.CAMERA_FAILED


class FrameTimeout(CameraError):
    """No frame within the timeout."""

    code = ErrorCode.FRAME_TIMEOUT


class NoGoodPage(ScannerError):
    """No page good enough to keep was seen in time."""

    code = ErrorCode.NO_GOOD_PAGE

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


class OutputError(ScannerError):
    """Writing the scan failed."""

    code = ErrorCode.OUTPUT_FAILED


class CalibrationError(ScannerError):
    """The calibration file is unreadable or malformed."""

    code = ErrorCode.CALIBRATION_INVALID
