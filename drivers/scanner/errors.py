"""The scanner layer's exception tree. Messages are plain words for a technician.

ScannerError
├── CameraUnavailable   the camera cannot be opened (no device, no file, simulator stopped)
├── CameraError         the camera was open but stopped giving frames
│   └── FrameTimeout    no frame arrived within the timeout
├── NoGoodPage          no page passed the quality gates in time (``.reason`` says why)
├── OutputError         the scan cannot be written (path, disk, format)
└── CalibrationError    the saved calibration cannot be read
"""

from __future__ import annotations


class ScannerError(Exception):
    """Base of every document-camera failure."""


class CameraUnavailable(ScannerError):
    """The camera cannot be opened."""


class CameraError(ScannerError):
    """The camera stopped giving frames."""


class FrameTimeout(CameraError):
    """No frame within the timeout."""


class NoGoodPage(ScannerError):
    """No page good enough to keep was seen in time."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


class OutputError(ScannerError):
    """Writing the scan failed."""


class CalibrationError(ScannerError):
    """The calibration file is unreadable or malformed."""
