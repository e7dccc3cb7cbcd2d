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

from config.messages import CodedError
from drivers.codes import ErrorCode


class ScannerError(CodedError, code=ErrorCode.SCANNER_FAILED):
    """Base of every document-camera failure."""


class CameraUnavailable(ScannerError, code=ErrorCode.SCANNER_CAMERA_UNAVAILABLE):
    """The camera cannot be opened."""


class CameraError(ScannerError, code=ErrorCode.SCANNER_CAMERA_FAILED):
    """The camera stopped giving frames."""


class FrameTimeout(CameraError, code=ErrorCode.SCANNER_FRAME_TIMEOUT):
    """No frame within the timeout."""


class NoGoodPage(ScannerError, code=ErrorCode.SCANNER_NO_GOOD_PAGE):
    """No page good enough to keep was seen in time."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


class OutputError(ScannerError, code=ErrorCode.SCANNER_OUTPUT_FAILED):
    """Writing the scan failed."""


class CalibrationError(ScannerError, code=ErrorCode.SCANNER_CALIBRATION_INVALID):
    """The calibration file is unreadable or malformed."""
