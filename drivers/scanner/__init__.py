"""The document camera (高拍仪): cameras by URL, page detection, quality gates, auto-capture,
A4 output (JPEG, PDF), QR reading, calibration.

Public face::

    from drivers.scanner import open_camera, AutoCapture, detect_page, judge, save_pdf
    with open_camera("sim:default", sim_root="var/camera") as cam:
        auto = AutoCapture()
        while (status := auto.feed(cam.read())).capture is None:
            print(status.state)              # a CaptureState; words from the program's catalogue
        save_pdf([status.capture.page], "scan.pdf")
"""

from drivers.scanner.autocapture import (
    AutoCapture,
    AutoCaptureParams,
    Capture,
    CaptureState,
    Status,
)
from drivers.scanner.calibrate import (
    Calibration,
    SavedCalibration,
    calibrate,
    load_thresholds,
    read_calibration,
    save_calibration,
    sharpness_outdated,
)
from drivers.scanner.camera import Camera, Frame, open_camera
from drivers.scanner.detect import detect_page
from drivers.scanner.detection import Detection
from drivers.scanner.errors import (
    CalibrationError,
    CameraError,
    CameraUnavailable,
    FrameTimeout,
    NoGoodPage,
    OutputError,
    ScannerError,
)
from drivers.scanner.output import a4_pixels, flatten_page, save_jpeg, save_pdf
from drivers.scanner.params import DetectParams
from drivers.scanner.qr import decode_qr
from drivers.scanner.quality import Measures, Reason, Thresholds, Verdict, judge, measure

__all__ = [
    "AutoCapture",
    "AutoCaptureParams",
    "Calibration",
    "CalibrationError",
    "Camera",
    "CameraError",
    "CameraUnavailable",
    "Capture",
    "CaptureState",
    "DetectParams",
    "Detection",
    "Frame",
    "FrameTimeout",
    "Measures",
    "NoGoodPage",
    "OutputError",
    "Reason",
    "SavedCalibration",
    "ScannerError",
    "Status",
    "Thresholds",
    "Verdict",
    "a4_pixels",
    "calibrate",
    "decode_qr",
    "detect_page",
    "flatten_page",
    "judge",
    "load_thresholds",
    "measure",
    "open_camera",
    "read_calibration",
    "save_calibration",
    "save_jpeg",
    "save_pdf",
    "sharpness_outdated",
]
