"""Edge maps for the coarse page search, without ``cv2.Canny``.

``cv2.Canny`` in opencv-python-headless 5.0 corrupts the heap (``double free or corruption``,
or a segmentation fault) when it runs on one thread (``cv2.setNumThreads(1)``, or a one-core
kiosk) over an image dense with edges, such as a fine gingham tablecloth at 320 pixels wide:
the kiosk process dies. This module does the same job with pieces that hold: Sobel gradients,
non-maximum suppression across the edge (four directions) in numpy, and hysteresis as the
connected components of the weak edges that hold at least one strong edge.

The magnitude is numpy's, not ``cv2.magnitude``: in opencv-python-headless 5.0 that runs
Intel IPP's ``ippsMagnitude_32f``, which is not correctly rounded (a 1-ulp error on about a third
of the pixels) and whose errors depend on where the output array happens to sit in memory (its
address modulo 32 bytes). Sobel derivatives of whole grey levels are whole numbers, so equal
gradients give equal magnitudes; with IPP's a tie between neighbours across an edge fell either
way, the thinned edges, the Hough lines and so the page found depended on the heap, that is on
what the process had run before (fresh 9018 two-documents #28: J 0.907 "ok" or 0.936 "cut off").
"""

from __future__ import annotations

import cv2
import numpy as np

_TAN22 = 0.41421356
"""tan(22.5 degrees): below it a gradient counts as horizontal (or vertical)."""


def gradients(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sobel x and y derivatives and the gradient magnitude (float32; correctly rounded: the sum
    of squares of whole-number derivatives is exact in float32, and so equal gradients give
    equal magnitudes, whatever the arrays' addresses; see the module's notes)."""
    src = gray if gray.dtype == np.float32 else gray.astype(np.float32)
    gx = cv2.Sobel(src, cv2.CV_32F, 1, 0, ksize=3, borderType=cv2.BORDER_REPLICATE)
    gy = cv2.Sobel(src, cv2.CV_32F, 0, 1, ksize=3, borderType=cv2.BORDER_REPLICATE)
    return gx, gy, np.sqrt(gx * gx + gy * gy)


def thin(gx: np.ndarray, gy: np.ndarray, mag: np.ndarray, floor: float = 0.0) -> np.ndarray:
    """The magnitude where it is a maximum across the edge (and above ``floor``), else zero."""
    h, w = mag.shape
    stride = w + 2
    flat = cv2.copyMakeBorder(mag, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0).ravel()  # np.pad
    idx = np.flatnonzero(mag.ravel() > floor)
    pos = idx + (idx // w) * 2 + stride + 1  # the same pixels in the padded image
    x, y = gx.ravel()[idx], gy.ravel()[idx]
    ax, ay = np.abs(x), np.abs(y)
    step = np.where(
        ay <= _TAN22 * ax,
        1,  # gradient along x: left and right neighbours
        np.where(ax <= _TAN22 * ay, stride, np.where(x * y > 0, stride + 1, stride - 1)),
    )
    m = flat[pos]
    keep = (m > flat[pos - step]) & (m >= flat[pos + step])
    out = np.zeros(h * w, np.float32)
    out[idx[keep]] = m[keep]
    return out.reshape(h, w)


def hysteresis(thinned: np.ndarray, low: float, high: float) -> np.ndarray:
    """uint8 0/255: thinned edges above ``low`` connected (8-way) to one above ``high``."""
    weak = (thinned > low).view(np.uint8)  # bools are bytes 0/1: no copy
    count, labels = cv2.connectedComponents(weak, connectivity=8)
    value = np.zeros(count, np.uint8)  # each component's value: 255 if it holds a strong edge
    value[labels[thinned > high]] = 255
    value[0] = 0
    return np.asarray(value[labels])


def edge_map(gray: np.ndarray, low: float, high: float) -> np.ndarray:
    """Canny-like edges (uint8 0/255) of a grey image; thresholds on the Sobel magnitude
    (L2), as ``cv2.Canny(..., L2gradient=True)`` takes them."""
    gx, gy, mag = gradients(gray)
    return hysteresis(thin(gx, gy, mag, low), low, high)
