"""Reading QR codes (a receipt held up to the camera) with OpenCV's QR detector."""

from __future__ import annotations

import cv2
import numpy as np


def decode_qr(image: np.ndarray) -> list[str]:
    """Every QR text found in the frame (empty list if none), first found first.

    Tries the frame as it is, then enlarged (a small code far from the lens), then with the
    contrast stretched (a dim receipt)."""
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    detector = cv2.QRCodeDetector()
    attempts = (gray, None, None)
    for i, _ in enumerate(attempts):
        if i == 0:
            candidate = gray
        elif i == 1:
            candidate = cv2.resize(gray, None, fx=2.0, fy=2.0, interpolation=cv2.INTER_CUBIC)
        else:
            candidate = cv2.equalizeHist(gray)
        found = _decode(detector, candidate)
        if found:
            return found
    return []


def _decode(detector: cv2.QRCodeDetector, gray: np.ndarray) -> list[str]:
    texts: list[str] = []
    try:
        ok, decoded, _, _ = detector.detectAndDecodeMulti(gray)
    except cv2.error:
        ok, decoded = False, ()
    if ok:
        texts.extend(t for t in decoded if t)
    if not texts:
        try:
            text, _, _ = detector.detectAndDecode(gray)
        except cv2.error:
            text = ""
        if text:
            texts.append(text)
    return list(dict.fromkeys(texts))
