"""Cameras chosen by URL, all read through ``cv2.VideoCapture``.

    v4l2:0            a V4L2 device by index (or v4l2:/dev/video2)
    file:PATH         a video file, or a folder of numbered images (frame_000001.jpg ...)
    sim:NAME          the virtual camera NAME, started by ``simulators camera serve``: it writes
                      its frames under ``<sim_root>/NAME`` with a ``camera.json`` manifest
                      (pid, source, fps); a stopped simulator is an unplugged camera
    sim:/abs/dir      the same, at an explicit folder

One public method, :meth:`Camera.read`, owns the timeout, the pacing of file sources at their
frame rate (``realtime``) and the error translation; a backend overrides ``_grab`` only.
Files loop at their end, like a camera that keeps looking at the same desk.

The kinds of camera are the registry :data:`CAMERAS` (URL scheme -> ``module:Class``, see
:mod:`config.registry`); each kind's :meth:`Camera.open_url` reads the rest of its URL. A new
kind of camera is one subclass and one entry.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import cv2
import numpy as np

from config.layout import DEFAULT_LAYOUT
from config.registry import Registry, UnknownKind
from drivers.scanner.errors import CameraError, CameraUnavailable, FrameTimeout

log = logging.getLogger(__name__)

MANIFEST = "camera.json"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp")
_NUMBERED = re.compile(r"^(?P<prefix>.*?)(?P<digits>\d+)(?P<suffix>\.[A-Za-z]+)$")


@dataclass(frozen=True)
class Frame:
    image: np.ndarray
    """H x W x 3 uint8, BGR."""
    index: int
    """0, 1, 2 ... since the camera was opened."""
    timestamp: float
    """Seconds: the camera's own clock for files (index / fps), monotonic time for devices."""


class Camera(ABC):
    """A source of frames. Use :func:`open_camera`; close it (or use ``with``) when done."""

    @classmethod
    @abstractmethod
    def open_url(cls, url: str, rest: str, *, sim_root: Path, realtime: bool) -> Camera:
        """Open the camera of ``url`` (``rest``: what follows the scheme);
        :class:`CameraUnavailable` says why it cannot be."""

    def __init__(self, url: str, fps: float, realtime: bool) -> None:
        self.url = url
        self.fps = fps if fps > 0 else 30.0
        self.realtime = realtime
        self._index = 0
        self._started = time.monotonic()

    def read(self, timeout: float = 2.0) -> Frame:
        """The next frame; :class:`FrameTimeout` if none comes within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        if self.realtime and self._is_file:
            due = self._started + self._index / self.fps
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(min(pause, timeout))
        while True:
            try:
                image = self._grab()
            except cv2.error as exc:
                raise CameraError(f"the camera {self.url} failed: {exc}") from exc
            if image is not None:
                break
            if time.monotonic() >= deadline:
                raise FrameTimeout(f"the camera {self.url} gave no frame in {timeout:g} s")
            time.sleep(0.01)
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        stamp = self._index / self.fps if self._is_file else time.monotonic() - self._started
        frame = Frame(image, self._index, stamp)
        self._index += 1
        return frame

    @property
    def _is_file(self) -> bool:
        return True

    @abstractmethod
    def _grab(self) -> np.ndarray | None:
        """One frame, or None if none is ready yet."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release the device. Never raises."""

    def __enter__(self) -> Camera:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class CaptureCamera(Camera):
    """Any ``cv2.VideoCapture`` source; file sources restart at their end."""

    def __init__(
        self,
        url: str,
        source: str | int,
        api: int = cv2.CAP_ANY,
        *,
        is_file: bool = True,
        realtime: bool = False,
        fps: float = 0.0,
    ) -> None:
        self._source, self._api, self._file = source, api, is_file
        self._cap = cv2.VideoCapture(source, api)
        if not self._cap.isOpened():
            self._cap.release()
            raise CameraUnavailable(f"cannot open the camera {url}")
        own = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
        super().__init__(url, fps or own, realtime)
        self.size = (
            int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
            int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
        )
        log.info(
            "camera opened",
            extra={"url": url, "fps": self.fps, "width": self.size[0], "height": self.size[1]},
        )

    @property
    def _is_file(self) -> bool:
        return self._file

    def _grab(self) -> np.ndarray | None:
        ok, image = self._cap.read()
        if ok:
            return np.asarray(image)
        if not self._file:
            return None
        log.debug("camera source ended: playing it again", extra={"url": self.url})
        self._cap.release()  # end of the file: play it again
        self._cap = cv2.VideoCapture(self._source, self._api)
        ok, image = self._cap.read()
        if not ok:
            raise CameraError(f"the camera {self.url} has no readable frame")
        return np.asarray(image)

    def close(self) -> None:
        with contextlib.suppress(cv2.error):
            self._cap.release()


class DeviceCamera(CaptureCamera):
    """``v4l2:N`` or ``v4l2:/dev/videoN``: a live V4L2 device."""

    @classmethod
    def open_url(cls, url: str, rest: str, *, sim_root: Path, realtime: bool) -> Camera:
        source: str | int = int(rest) if rest.isdigit() else rest
        return cls(url, source, cv2.CAP_V4L2, is_file=False)


class FileCamera(CaptureCamera):
    """``file:PATH``: a video file or a folder of numbered images, played in a loop."""

    @classmethod
    def open_url(cls, url: str, rest: str, *, sim_root: Path, realtime: bool) -> Camera:
        return cls.open_path(url, Path(rest), realtime)

    @classmethod
    def open_path(cls, url: str, path: Path, realtime: bool, fps: float = 0.0) -> Camera:
        if path.is_dir():
            return cls(url, image_sequence_pattern(path), cv2.CAP_IMAGES, realtime=realtime,
                       fps=fps or 15.0)
        if "%" in path.name:
            return cls(url, str(path), cv2.CAP_IMAGES, realtime=realtime, fps=fps or 15.0)
        if not path.exists():
            raise CameraUnavailable(f"the camera {url}: {path} does not exist")
        return cls(url, str(path), cv2.CAP_ANY, realtime=realtime, fps=fps)


class SimCamera(FileCamera):
    """``sim:NAME`` (under ``sim_root``) or ``sim:/abs/dir``: the virtual camera's frames, while
    ``simulators camera serve`` runs (a stopped simulator is an unplugged camera)."""

    @classmethod
    def open_url(cls, url: str, rest: str, *, sim_root: Path, realtime: bool) -> Camera:
        folder = Path(rest) if rest.startswith("/") else sim_root / (rest or "default")
        manifest = folder / MANIFEST
        name = rest or "default"
        start = f"start it with `simulators camera serve --name {name}`"
        try:
            info = json.loads(manifest.read_text())
        except FileNotFoundError:
            raise CameraUnavailable(
                f"the virtual camera {name!r} is not running ({start})") from None
        except (OSError, ValueError) as exc:
            raise CameraUnavailable(
                f"the virtual camera {name!r} has a bad {MANIFEST}: {exc}") from exc
        pid = int(info.get("pid", 0))
        if pid and not _pid_alive(pid):
            raise CameraUnavailable(
                f"the virtual camera {name!r} has stopped (pid {pid} is gone; {start})"
            )
        return cls.open_path(url, folder / str(info["source"]), realtime,
                             float(info.get("fps", 15)))


CAMERAS: Registry[Camera] = Registry("camera URL", {
    "v4l2": "drivers.scanner.camera:DeviceCamera",
    "file": "drivers.scanner.camera:FileCamera",
    "sim": "drivers.scanner.camera:SimCamera",
}, forms={"v4l2": "v4l2:N", "file": "file:PATH", "sim": "sim:NAME"})
"""The kinds of camera, by URL scheme."""


def image_sequence_pattern(folder: Path) -> str:
    """The ``printf`` pattern of the numbered images in ``folder`` (for ``CAP_IMAGES``)."""
    names = sorted(p.name for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    for name in names:
        m = _NUMBERED.match(name)
        if m:
            width = len(m["digits"])
            return str(folder / f"{m['prefix']}%0{width}d{m['suffix']}")
    raise CameraUnavailable(f"no numbered images (frame_000001.jpg ...) in {folder}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def open_camera(
    url: str, *, sim_root: Path | str = DEFAULT_LAYOUT.cameras, realtime: bool = True
) -> Camera:
    """Open the camera named by ``url``; :class:`CameraUnavailable` says why it cannot be."""
    try:
        scheme, rest = CAMERAS.split(url)
    except UnknownKind as exc:
        raise CameraUnavailable(str(exc)) from None
    return CAMERAS.load(scheme).open_url(url, rest, sim_root=Path(sim_root), realtime=realtime)
