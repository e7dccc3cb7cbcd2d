"""PDF templates and samples shown on screen: each page rendered with PDFium (pypdfium2,
Apache-2.0 / BSD-3-Clause, PDFium BSD-3-Clause: compatible with this project's licence), the
pages stacked into one picture for the guide's viewer. PySide6-Essentials has no PDF module
(QtPdf is in the Addons), hence PDFium. Called on a worker thread, never on the UI thread."""

from __future__ import annotations

import logging

import numpy as np
from PySide6.QtGui import QImage

log = logging.getLogger(__name__)

MAX_PAGES = 4
"""A guide's template is a form of a page or two; more pages: the first four (the rest at a
window or on paper)."""
WIDTH_PX = 1000
"""Each page's width on screen (the viewer scales it to fit)."""
GAP_PX = 16


def is_pdf(data: bytes) -> bool:
    return data[:5] == b"%PDF-"


def pdf_pages(data: bytes, *, max_pages: int = MAX_PAGES, width: int = WIDTH_PX
              ) -> list[np.ndarray]:
    """The first ``max_pages`` pages as RGB arrays ``width`` pixels wide; [] when the file
    cannot be read as a PDF (the screen then says to ask at a window)."""
    try:
        import pypdfium2 as pdfium  # noqa: PLC0415 - only when a PDF is shown
    except ImportError:  # an install without it: PDFs are not shown, as before
        log.warning("kiosk.pdf.no_renderer", extra={"event": "kiosk.pdf.no_renderer"})
        return []
    pages: list[np.ndarray] = []
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        log.info("kiosk.pdf.unreadable: %s", exc, extra={"event": "kiosk.pdf.unreadable"})
        return []
    try:
        for i in range(min(len(pdf), max_pages)):
            page = pdf[i]
            try:
                scale = width / max(1.0, page.get_width())
                bitmap = page.render(scale=scale, rev_byteorder=True)  # RGB(A)
                array = np.ascontiguousarray(bitmap.to_numpy()[:, :, :3])
                pages.append(array)
            finally:
                page.close()
    finally:
        pdf.close()
    return pages


def pdf_picture(data: bytes) -> QImage:
    """The pages of a PDF stacked top to bottom on white, as one picture (null if none)."""
    pages = pdf_pages(data)
    if not pages:
        return QImage()
    width = max(p.shape[1] for p in pages)
    height = sum(p.shape[0] for p in pages) + GAP_PX * (len(pages) - 1)
    canvas = np.full((height, width, 3), 200, np.uint8)
    y = 0
    for p in pages:
        canvas[y:y + p.shape[0], :p.shape[1]] = p
        y += p.shape[0] + GAP_PX
    image = QImage(canvas.data, width, height, 3 * width, QImage.Format.Format_RGB888)
    return image.copy()  # owns its pixels (the array goes away)
