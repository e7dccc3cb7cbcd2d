"""A page the plain view was sure of, but too small to be a page: a cell of a table printed on
a white page on a light desk (round 9).

On a light desk a white page can stand only 8-17 levels above it: no closed contour and no
Hough line follows its outline, while the cells of a table printed on it are outlined in black
and one of them is seen all round (support 0.7-0.75). That cell was taken, and refused as "too
small" (tuning seed 9010: white on light #13, mix #62), though the faint, cool or green view
finds the page itself (support 0.9-1.0). Such a page is kept only while no other view finds a
page that holds it; the other views are tried only then, so a frame whose page is of some size
pays nothing."""

from __future__ import annotations

import cv2
import numpy as np

from drivers.scanner.geometry import corners_within


def holds(outer: np.ndarray | None, inner: np.ndarray | None, slack: float) -> bool:
    """Whether quad ``outer`` holds every corner of quad ``inner`` (pixels; a corner may be
    ``slack`` pixels outside) and is larger than it (False when either is None)."""
    if outer is None or inner is None:
        return False
    if abs(cv2.contourArea(np.asarray(outer, np.float32).reshape(-1, 1, 2))) <= abs(
            cv2.contourArea(np.asarray(inner, np.float32).reshape(-1, 1, 2))):
        return False
    return corners_within(outer, inner, slack)
