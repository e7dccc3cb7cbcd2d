"""Pictures for QML without files or caches: line icons in any colour, and the session's
pictures (live camera frames, captured pages, template and sample files) held in memory.

``image://icon/NAME/RRGGBB`` draws ``kiosk/icons/NAME.svg`` in that colour. ``image://pic/ID``
is a picture the view-models put in :class:`Pictures`; QML shows them with ``cache: false``
and a changing ``?n=`` suffix, and :meth:`Pictures.clear` (every wipe) forgets them all, so
no scan outlives its session in memory or on disk. (QML ``VideoOutput`` renders black
offscreen: camera frames come this way everywhere, ~5 ms per 1280x720 frame.)
"""

from __future__ import annotations

import threading
from importlib import resources

import numpy as np
import qrcode
import qrcode.constants
from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtQuick import QQuickImageProvider
from PySide6.QtSvg import QSvgRenderer


def bgr_to_qimage(image: np.ndarray) -> QImage:
    """An OpenCV BGR (or grey) array as a QImage that owns its pixels."""
    if image.ndim == 2:
        h, w = image.shape
        return QImage(np.ascontiguousarray(image).data, w, h, w,
                      QImage.Format.Format_Grayscale8).copy()
    h, w, _ = image.shape
    rgb = np.ascontiguousarray(image[:, :, ::-1])
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


def qr_image(text: str, module_px: int = 10) -> QImage:
    """``text`` as a QR code (quiet zone included), black on white, ``module_px`` per module."""
    code = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    side = len(matrix) * module_px
    image = QImage(side, side, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                painter.fillRect(x * module_px, y * module_px, module_px, module_px,
                                 Qt.GlobalColor.black)
    painter.end()
    return image


class IconProvider(QQuickImageProvider):
    def __init__(self) -> None:
        super().__init__(QQuickImageProvider.ImageType.Image)
        self._svg: dict[str, str] = {}
        folder = resources.files("kiosk") / "icons"
        for f in folder.iterdir():
            if f.name.endswith(".svg"):
                self._svg[f.name[:-4]] = f.read_text("utf-8")

    def names(self) -> list[str]:
        return sorted(self._svg)

    def requestImage(self, id: str, size: QSize, requestedSize: QSize) -> QImage:  # noqa: N802, N803
        name, _, colour = id.partition("/")
        svg = self._svg.get(name, self._svg.get("warning", ""))
        data = svg.replace("{colour}", "#" + (colour.lstrip("#") or "000000"))
        side = max(requestedSize.width(), requestedSize.height(), 16)
        image = QImage(side, side, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        QSvgRenderer(QByteArray(data.encode())).render(painter)
        painter.end()
        size.setWidth(side)
        size.setHeight(side)
        return image


class Pictures(QQuickImageProvider):
    """The session's pictures by id; thread-safe (the camera thread puts frames)."""

    def __init__(self) -> None:
        super().__init__(QQuickImageProvider.ImageType.Image)
        self._lock = threading.Lock()
        self._images: dict[str, QImage] = {}

    def put(self, key: str, image: QImage) -> None:
        with self._lock:
            self._images[key] = image

    def drop(self, key: str) -> None:
        with self._lock:
            self._images.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._images.clear()

    def keys(self) -> list[str]:
        with self._lock:
            return list(self._images)

    def requestImage(self, id: str, size: QSize, requestedSize: QSize) -> QImage:  # noqa: N802, N803
        key = id.split("?", 1)[0]
        with self._lock:
            image = self._images.get(key)
        if image is None:
            image = QImage(1, 1, QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(Qt.GlobalColor.transparent)
        elif requestedSize.width() > 0 and requestedSize.height() > 0:
            image = image.scaled(requestedSize, Qt.AspectRatioMode.KeepAspectRatio,
                                 Qt.TransformationMode.SmoothTransformation)
        size.setWidth(image.width())
        size.setHeight(image.height())
        return image
