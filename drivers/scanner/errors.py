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

from enum import StrEnum, unique

from config.messages import CodedError


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


class ScannerError(CodedError, code=ErrorCode.FAILED):
    """Base of every document-camera failure."""


class CameraUnavailable(ScannerError, code=ErrorCode.CAMERA_UNAVAILABLE):
    """The camera cannot be opened."""


class CameraError(ScannerError, code=ErrorCode.CAMERA_FAILED):
    """The camera stopped giving frames."""


class FrameTimeout(CameraError, code=ErrorCode.FRAME_TIMEOUT):
    """No frame within the timeout."""


class NoGoodPage(ScannerError, code=ErrorCode.NO_GOOD_PAGE):
    """No page good enough to keep was seen in time."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


class OutputError(ScannerError, code=ErrorCode.OUTPUT_FAILED):
    """Writing the scan failed."""


class CalibrationError(ScannerError, code=ErrorCode.CALIBRATION_INVALID):
    """The calibration file is unreadable or malformed."""
