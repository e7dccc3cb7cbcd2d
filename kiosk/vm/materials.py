"""The materials step: each material scanned on the document camera with a live preview
(outline green when the gates pass, amber with the reason in words), auto-capture, retake,
several pages, thumbnails; or a material the hall already holds reused (Art.22)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import Property, QObject, QPointF, Signal, Slot
from PySide6.QtGui import QImage

from kiosk.catalogue import Matter
from kiosk.images import Pictures, bgr_to_qimage
from kiosk.ports import Fault, Held, MaterialPages, ScanFrame, ScannerPort
from kiosk.tasks import Relay
from kiosk.vm.base import Context, ScreenVm
from kiosk.vm.rows import Rows

THUMB_PX = 480
"""Width of a captured page's picture on screen (the page itself goes to disk in full)."""


def shrink(image: np.ndarray, width: int) -> np.ndarray:
    h, w = image.shape[:2]
    if w <= width:
        return image
    return cv2.resize(image, (width, round(h * width / w)), interpolation=cv2.INTER_AREA)


class MaterialsVm(ScreenVm):
    changed = Signal()
    frameChanged = Signal()  # noqa: N815 - QML name

    def __init__(self, ctx: Context, scanner: ScannerPort, pictures: Pictures,
                 folder: Callable[[], Path], parent: QObject | None = None) -> None:
        super().__init__(ctx, parent)
        self._scanner, self._pictures, self._folder = scanner, pictures, folder
        self._matter: Matter | None = None
        self._held: dict[str, Held] = {}
        self._pages: dict[str, list[Path]] = {}
        self._shots: dict[Path, int] = {}
        """Which capture each page's picture is (a retaken page's thumbnail reloads)."""
        self._reused: dict[str, str] = {}
        self._current = ""
        self._frame: ScanFrame | None = None
        self._frames = 0
        self._stream = 0
        """Which camera run the frames belong to: a frame still on its way from the previous
        material's run is never taken for the next material's page."""
        self._fault: Fault | None = None
        self._just_captured = False
        self._rows = Rows(["id", "name", "required", "pages", "held", "reused", "status"], self)
        self._thumbs = Rows(["image", "page"], self)
        self._relay = Relay(self)
        self._relay.arrived.connect(self._on_stream)

    # -- properties -----------------------------------------------------------------------------
    @Property(QObject, constant=True)
    def rows(self) -> Rows:
        return self._rows

    @Property(QObject, constant=True)
    def thumbnails(self) -> Rows:
        return self._thumbs

    @Property(str, notify=changed)
    def current(self) -> str:
        """The material being scanned ('' = the list is shown)."""
        return self._current

    @Property(str, notify=changed)
    def currentName(self) -> str:  # noqa: N802
        if not self._current or self._matter is None:
            return ""
        return self.pick(self._matter.material(self._current).name)

    @Property(str, notify=frameChanged)
    def live(self) -> str:
        return f"image://pic/live?n={self._frames}" if self._frame is not None else ""

    @Property(list, notify=frameChanged)
    def outline(self) -> list[QPointF]:
        return [QPointF(x, y) for x, y in self._frame.outline] if self._frame else []

    @Property(bool, notify=frameChanged)
    def good(self) -> bool:
        return self._frame is not None and self._frame.state in ("steadying", "captured")

    @Property(float, notify=frameChanged)
    def steady(self) -> float:
        return self._frame.steady if self._frame else 0.0

    @Property(str, notify=frameChanged)
    def verdict(self) -> str:
        """What the citizen should do, in words."""
        if self._fault is not None:
            return self.fault_words(self._fault)
        if self._frame is None:
            return self.t("scan_starting")
        if self._frame.state == "refused" and self._frame.reasons:
            return self.t(f"scan_{self._frame.reasons[0]}")
        return self.t(f"scan_{self._frame.state}")

    @Property(bool, notify=changed)
    def complete(self) -> bool:
        return self.is_complete()

    @property
    def scanning(self) -> bool:
        return bool(self._current)

    def row_list(self) -> list[dict[str, object]]:
        return [dict(r) for r in self._rows.rows()]

    def is_complete(self) -> bool:
        """Every required material has pages or a reused copy."""
        m = self._matter
        return m is not None and all(self._pages.get(x.id) or x.id in self._reused
                                     for x in m.materials if x.required)

    # -- actions --------------------------------------------------------------------------------
    def load(self, matter: Matter, held: Sequence[Held]) -> None:
        self._matter = matter
        kinds = {h.reuse_kind: h for h in held}
        self._held = {x.id: kinds[x.reuse_kind] for x in matter.materials
                      if x.reuse_kind and x.reuse_kind in kinds}
        self._fill()

    def submission(self) -> tuple[MaterialPages, ...]:
        m = self._matter
        if m is None:
            return ()
        out = []
        for x in m.materials:
            if x.id in self._reused:
                out.append(MaterialPages(x.id, reuse_ref=self._reused[x.id]))
            elif self._pages.get(x.id):
                out.append(MaterialPages(x.id, tuple(self._pages[x.id])))
        return tuple(out)

    @Slot(str)
    def scan(self, material_id: str) -> None:
        self._current, self._frame, self._fault = material_id, None, None
        self._reused.pop(material_id, None)
        self._thumbs_fill()
        self.changed.emit()
        self.frameChanged.emit()
        self._stream += 1
        run = self._stream

        def post(item: object) -> None:  # on the camera's thread: pictures made here
            if isinstance(item, ScanFrame):
                page = None if item.page is None else bgr_to_qimage(shrink(item.page, THUMB_PX))
                self._relay.post((run, item, bgr_to_qimage(item.image), page))
            else:
                self._relay.post((run, item, None, None))

        self._scanner.start(post, post)

    @Slot(str)
    def reuse(self, material_id: str) -> None:
        held = self._held.get(material_id)
        if held is not None:
            self._reused[material_id] = held.ref
            self._fill()

    @Slot()
    def retake(self) -> None:
        """Drop the last page of the material being scanned."""
        pages = self._pages.get(self._current)
        if pages:
            pages.pop().unlink(missing_ok=True)
            self._pictures.drop(f"page/{self._current}/{len(pages)}")
            self._thumbs_fill()
            self._fill()

    @Slot()
    def finish(self) -> None:
        """Done with this material: back to the list."""
        self._scanner.stop()
        self._current, self._frame = "", None
        self._pictures.drop("live")
        self._fill()
        self.frameChanged.emit()

    # -- the camera's stream (UI thread, through the relay) ------------------------------------
    def _on_stream(self, tagged: object) -> None:
        run, item, live, page = tagged if isinstance(tagged, tuple) else (-1, tagged, None, None)
        if not self._current or run != self._stream:
            return
        if isinstance(item, Fault):
            self._fault = item
            self.frameChanged.emit()
            return
        if not isinstance(item, ScanFrame):
            return
        self._frame = item
        self._frames += 1
        self._pictures.put("live", live)
        if item.page is not None:
            self._captured(item, page)
        self.frameChanged.emit()

    def _captured(self, frame: ScanFrame, thumb: QImage) -> None:
        material = self._current
        pages = self._pages.setdefault(material, [])
        index = len(pages)
        path = self._folder() / f"{material}-{index + 1}.jpg"
        pages.append(path)
        self._shots[path] = self._frames
        self._pictures.put(f"page/{material}/{index}", thumb)
        page = frame.page
        self.ctx.tasks.run(lambda: self._scanner.save_page(page, path),  # type: ignore[arg-type]
                           lambda _: None, lambda exc: self._save_failed(material, path))
        self._thumbs_fill()
        self._fill()

    def _save_failed(self, material: str, path: Path) -> None:
        pages = self._pages.get(material, [])
        if path in pages:
            pages.remove(path)
        self._fault = Fault.DEVICE
        self._fill()

    # -- rows -------------------------------------------------------------------------------------
    def _thumbs_fill(self) -> None:
        pages = self._pages.get(self._current, [])
        self._thumbs.update([{"image": f"image://pic/page/{self._current}/{i}"
                                       f"?n={self._shots.get(p, 0)}", "page": i + 1}
                             for i, p in enumerate(pages)])

    def _fill(self) -> None:
        m = self._matter
        if m is None:
            self._rows.clear()
        else:
            rows = []
            for x in m.materials:
                pages = len(self._pages.get(x.id, ()))
                held = self._held.get(x.id)
                reused = x.id in self._reused
                status = (self.t("scan_reused") if reused else
                          self.t("scan_pages", n=pages) if pages else
                          self.t("scan_needed") if x.required else self.t("scan_optional"))
                rows.append({"id": x.id, "name": self.pick(x.name), "required": x.required,
                             "pages": pages, "reused": reused, "status": status,
                             "held": self.t("scan_held", date=held.date) if held else ""})
            self._rows.update(rows)
        self.changed.emit()

    def relabel(self) -> None:
        self._fill()
        self.frameChanged.emit()

    def wipe(self) -> None:
        self._scanner.stop()
        self._matter, self._held, self._pages, self._reused = None, {}, {}, {}
        self._shots = {}
        self._current, self._frame, self._fault = "", None, None
        self._rows.clear()
        self._thumbs.clear()
        self.frameChanged.emit()
        super().wipe()
