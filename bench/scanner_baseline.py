"""The textbook page finder, as a baseline to score beside ours.

The pipeline of countless tutorials (e.g. "build a mobile document scanner" with OpenCV):
shrink the frame to 500 pixels high, grey, 5 x 5 Gaussian blur, Canny (75, 200), a 3 x 3
dilation to close small gaps, contours sorted by area, and the first of the five largest whose
polygon approximation (2 % of its perimeter) has four corners is the page. No gates, no
refinement: the corners are scaled back to the frame. ``cv2.Canny`` runs with two threads
even when the bench asks for one, because on one thread it can corrupt the heap on dense edges
(see ``drivers/scanner/edges.py``); on ``taskset -c 0`` both threads share the one core.
"""

from __future__ import annotations

import cv2
import numpy as np

from drivers.scanner.geometry import order_clockwise

WORK_HEIGHT = 500


def textbook_detect(image: np.ndarray) -> np.ndarray | None:
    """Corners (4 x 2, clockwise from the top-left one) or None."""
    h = image.shape[0]
    ratio = h / float(WORK_HEIGHT)
    small = cv2.resize(image, (max(1, round(image.shape[1] / ratio)), WORK_HEIGHT),
                       interpolation=cv2.INTER_AREA)
    gray = small if small.ndim == 2 else cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    gray = cv2.GaussianBlur(gray, (5, 5), 0)
    threads = cv2.getNumThreads()
    cv2.setNumThreads(max(2, threads))  # cv2.Canny on one thread can corrupt the heap (edges.py)
    try:
        edged = cv2.dilate(cv2.Canny(gray, 75, 200), np.ones((3, 3), np.uint8))
    finally:
        cv2.setNumThreads(threads)
    contours, _ = cv2.findContours(edged, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    for c in sorted(contours, key=cv2.contourArea, reverse=True)[:5]:
        peri = cv2.arcLength(c, True)
        approx = cv2.approxPolyDP(c, 0.02 * peri, True)
        if len(approx) == 4:
            return np.asarray(order_clockwise(approx.reshape(4, 2).astype(np.float64) * ratio))
    return None
