"""Ways of looking at a frame in which paper is the bright thing: the page search runs on one
view, and on others when the first finds nothing convincing.

* **white** (the default): the darkest channel of each pixel, high only where the pixel is
  bright and colourless. Paper on almost any desk.
* **smooth**: the same after a blur of about two pixels of the search image. A tablecloth
  whose ground is as white as paper (dots, gingham, checks, a flower print) is paper-white
  between its coloured marks, so the page's edge has "paper" on both sides; blurred, the
  marks and the ground mix into a tint or a grey darker than the page, which stays white.
* **warm** and **cool**: the difference of the red and blue channels (amplified), one sign or
  the other. A white page on a pale laminate can differ from the desk only in colour (a warm
  page on a bluish desk: the darkest channel and the grey steps are a few levels, red minus
  blue steps by 10-20): in one of the two the page is the brighter.
* **faint**: the edges (and the refinement) read the darkest channel with the slow light
  changes taken out (minus a blur of 16 pixels of the search image) and
  the rest amplified four times. A white page on a pale laminate can stand only 8-17 levels
  above it; blurred by the camera and shrunk, that step is a Sobel gradient under the edge
  map's strong threshold, so no closed contour and no Hough line follows the page (its sides
  would be seen well enough by the support test). Its paper is the darkest channel with its
  steps doubled about the frame's median (the sides are read for steps of 3 levels).
* **dim**: the faint view turned over, for a grey page on a brighter, whiter desk; its paper
  must be at least 0.8 of the frame's bright level (:meth:`View.least_paper`), so a grey or
  dark object on a white desk is not taken.
* **lamp**: the darkest channel divided by the frame's light (a blur of a fifth of the frame's
  size), its steps amplified about the median: under a lamp's falloff the desk near the lamp is
  as bright as the paper far from it, so no level splits page from desk and the faint view's
  steps, read against a falloff, are weak on some sides; divided out, the page stands as a step
  of about constant height all round. Its edges are the faint view's. Searched last, and only
  where no other view found anything and the faint view saw some quad's sides at all
  (``DetectParams.lamp_after``; ``detect._page``).
* **green** and **pink**: green minus the mean of red and blue, amplified, either sign: the
  page and the laminate each have a tint of their own, in any direction (warm and cool read one
  axis of two).

A view turns a BGR (or grey) picture into one channel (uint8) given ``unit``, the size of a
pixel of the search image in that picture's pixels (blurs scale with it).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np


def whiteness(image: np.ndarray) -> np.ndarray:
    """The darkest channel of each pixel: high only where the pixel is bright and colourless."""
    if image.ndim == 2:
        return image
    b, g, r = cv2.split(image)
    return cv2.min(cv2.min(b, g), r)


@dataclass(frozen=True)
class View:
    name: str
    blur: float = 0.0
    """Gaussian sigma in pixels of the search image (0: none)."""
    warmth: int = 0
    """0: the darkest channel; +1: red minus blue (a warm page); -1: blue minus red."""
    gain: float = 3.0
    """How much the red-blue difference is amplified in the warm and cool views."""
    green: bool = False
    """The colour views read green minus the mean of red and blue instead (``warmth`` +1: a
    greenish page, -1: a pinkish one)."""
    boost: float = 0.0
    """0: the edges read grey levels; above 0: they read the darkest channel less its slow
    changes (a blur of ``spread``), amplified this many times (the faint view)."""
    spread: float = 16.0
    """Gaussian sigma (pixels of the search image) of the slow changes the faint view removes."""
    steep: float = 1.0
    """How much paper's steps are amplified (about the frame's median) in the faint and dim
    views: the sides' support reads steps of ``contrast`` / ``steep`` grey levels."""
    dim: bool = False
    """The page is the darker one: paper is the darkest channel turned over (the dim view)."""
    pale_only: bool = False
    """Searched only on a pale, even frame (:meth:`View.applies`): the pale desk's views."""
    reading: float = 1.0
    """How far apart (pixels of the finer search image, twice as fine as the search image) the
    check at the finer resolution reads a side's step: 2 reads it as the search image does.
    The pale views' steps are a few levels spread by the camera's blur over 4-8 pixels of a
    640 x 480 frame; read across 3 pixels they fall under the support's contrast."""
    pale_reading: float = 0.0
    """On a pale, even frame (:func:`pale_even`) the finer check reads the sides at this
    spacing too, the better of the two counting (0: not): the warm and cool views. On a light
    desk under heavy sensor noise their red-blue steps, amplified, read across 3 pixels of the
    finer image are lost in the noise; read across 3 pixels of the search image, as the pale
    views read them, they stand (tuning seeds 9006 and 9007: pages found right in the cool or
    warm view, their sides seen 0.16-0.26 at the finer check and 0.77-0.82 read so). Where the
    noise is low the finer reading can be the better one (0.62 against 0.58). Under heavy
    sensor noise (:func:`sensor_noisy`) on any desk too (round 13): a white page on a
    white-ground dotted cloth under noise is found right in the cool view, its sides seen 0.43
    at the finer check, 0.47 read so too (tuning 9011 mix #128: nothing found before)."""
    noisy_reading: float = 0.0
    """On a frame under heavy sensor noise (:func:`sensor_noisy`) the finer check reads the sides at
    this spacing too, the better of the two counting (0: not): the smooth view (round 9). On
    a white-ground flowered cloth under heavy noise it finds the page, but its blurred step,
    read across 3 pixels of the finer image, is half lost in the noise (tuning 9008 mix #128:
    0.34; read across 3 pixels of the search image, 1.0)."""
    also_reading: float = 0.0
    """The second spacing the finer check reads at (:meth:`on`; 0: none)."""
    paler: bool = False
    """The plain view searched on other candidates only: the regions above Otsu's thresholds
    taken on the paler part of the frame (:func:`drivers.scanner.levels.paler_candidates`: a
    page on a white-ground tablecloth, the flowers holding the first split)."""
    dim_floor: float = 0.8
    """In the dim view, paper is at least this share of the frame's bright level (90th
    percentile of the darkest channel): a pale page a little darker than a brighter desk, not a
    grey or dark object on it."""

    falloff: float = 0.0
    """Above 0: paper is the darkest channel divided by the frame's light, a blur of this share of
    the frame's larger size (:func:`lit_evenly`), its steps amplified ``steep`` times about the
    median (the lamp view)."""

    cloth: float = 0.0
    """Above 0: the darkest channel with a patterned cloth's coloured marks closed over
    (radius in pixels of the search image) and set to black (:func:`cloth_marks`)."""

    @property
    def plain(self) -> bool:
        return (self.blur == 0.0 and self.warmth == 0 and self.boost == 0.0 and not self.dim
                and self.cloth == 0.0)

    @property
    def picture_key(self) -> tuple[float, ...]:
        """What :meth:`paper` depends on: views alike in these see a picture alike
        (``drivers.scanner.frames.Frames.paper`` keeps each once a frame)."""
        return (self.blur, self.warmth, self.gain, self.green, self.steep, self.dim,
                self.falloff, self.cloth)

    @property
    def gray_key(self) -> tuple[float, ...] | None:
        """What :meth:`gray` depends on (the faint and lamp views read the same edges); None
        where it is the view's paper (:meth:`paper`)."""
        if self.boost > 0:
            return (self.boost, self.spread, self.dim)
        return None if not self.plain else ()

    def paper(self, image: np.ndarray, unit: float = 1.0) -> np.ndarray:
        """The view of ``image``: paper bright (uint8)."""
        if self.falloff > 0:
            return lit_evenly(whiteness(image), self.falloff, self.steep)
        if self.cloth > 0:
            white = whiteness(image)
            if image.ndim == 2:
                return white
            return np.asarray(np.where(cloth_marks(image, self.cloth * unit), 0, white)
                              .astype(np.uint8))
        if self.warmth == 0 or image.ndim == 2:
            if self.warmth != 0:
                return np.zeros(image.shape[:2], np.uint8)
            src = image
            if self.blur > 0:
                src = cv2.GaussianBlur(image, (0, 0), self.blur * unit)
            white = whiteness(src)
            if self.steep != 1.0:
                sign = -1.0 if self.dim else 1.0
                mid = float(np.median(white))
                return amplified(white.astype(np.float32) - mid, sign * self.steep)
            return cv2.bitwise_not(white) if self.dim else white
        b, g, r = cv2.split(image)
        if self.green:
            diff = g.astype(np.float32) - 0.5 * (r.astype(np.float32) + b.astype(np.float32))
        else:
            diff = cv2.subtract(r.astype(np.int16), b.astype(np.int16)).astype(np.float32)
        return amplified(diff, self.warmth * self.gain)

    def gray(self, image: np.ndarray, unit: float = 1.0) -> np.ndarray:
        """What the edge map and the refinement read: grey levels, or the view itself."""
        if self.boost > 0:
            white = whiteness(image).astype(np.float32)
            slow = cv2.GaussianBlur(white, (0, 0), self.spread * unit)
            return amplified(white - slow, (-1.0 if self.dim else 1.0) * self.boost)
        if not self.plain:
            return self.paper(image, unit)
        return image if image.ndim == 2 else np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))

    def applies(self, image: np.ndarray) -> bool:
        """Whether this view is worth a search of the (small) frame ``image``: the pale desk's
        views only where the darkest channel's median is 140 or more, its 10th percentile 100
        or more and its quartiles at most 60 apart (a white page on a light desk: 158, 121 and
        51 at the extremes of tuning seeds 9002 and 9003), so that the frames that fall
        through every view (an empty or cut-off page on a dark, wooden or patterned desk) do
        not pay for four more searches."""
        return not self.pale_only or pale_even(image)

    def on(self, pale: bool, noisy: bool = False) -> View:
        """This view as searched on a frame that is (or is not) pale and even, and (or not)
        under heavy sensor noise (the colour views read wider on either: ``pale_reading``).
        A view has one wider reading at most: ``pale_reading`` (warm, cool) or
        ``noisy_reading`` (smooth); with both, ``pale_reading`` would win on a noisy frame."""
        if (pale or noisy) and self.pale_reading:
            return replace(self, also_reading=self.pale_reading)
        if noisy and self.noisy_reading:
            return replace(self, also_reading=self.noisy_reading)
        return self

    @property
    def readings(self) -> tuple[float, ...]:
        """The spacings the finer check reads a side's step at; the best one counts."""
        return (self.reading, self.also_reading) if self.also_reading else (self.reading,)

    def least_paper(self, white: np.ndarray) -> float:
        """The darkest paper this view believes, given the frame's darkest channel ``white``
        (0 but in the dim view)."""
        return self.dim_floor * float(np.percentile(white, 90)) if self.dim else 0.0


CHROMA = 40
"""Grey levels: a pixel whose brightest and darkest channels differ by more is a cloth's
coloured mark (:func:`cloth_marks`)."""


def coloured(image: np.ndarray) -> np.ndarray:
    """Where a BGR ``image``'s brightest and darkest channels are more than :data:`CHROMA`
    apart: a cloth's coloured marks, not a page's grey print (bool)."""
    b, g, r = cv2.split(image)
    return np.asarray(cv2.subtract(cv2.max(cv2.max(b, g), r), cv2.min(cv2.min(b, g), r)) > CHROMA)


def cloth_marks(image: np.ndarray, radius: float) -> np.ndarray:
    """Where a patterned cloth's coloured marks are (:func:`coloured`), closed with a disc of
    ``radius`` pixels: its dots or flowers and the white ground between them, not a page's grey
    print (bool)."""
    marks = coloured(image)
    k = max(3, round(2.0 * radius) | 1)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    return np.asarray(cv2.morphologyEx(marks.astype(np.uint8), cv2.MORPH_CLOSE, disc) > 0)


def lit_evenly(white: np.ndarray, share: float, steep: float) -> np.ndarray:
    """``white`` (uint8) divided by its light (a Gaussian blur of ``share`` of its larger size,
    made on a picture 8 times smaller and scaled back up), times the light's median, its steps
    amplified ``steep`` times about that median (uint8)."""
    h, w = white.shape
    white32 = white.astype(np.float32)
    low = cv2.resize(white32, (max(1, w // 8), max(1, h // 8)), interpolation=cv2.INTER_AREA)
    low = cv2.GaussianBlur(low, (0, 0), share * max(h, w) / 8.0)
    mid = float(np.median(low))
    light = np.maximum(cv2.resize(low, (w, h), interpolation=cv2.INTER_LINEAR), 1.0)
    return amplified(white32 * (mid / light) - mid, steep)


def amplified(steps: np.ndarray, gain: float) -> np.ndarray:
    """``steps`` (float32: a picture less the level it steps about) amplified ``gain`` times
    about mid-grey, 128 (uint8, clipped): the faint, dim, lamp and colour views' pictures."""
    return np.asarray(np.clip(128.0 + gain * steps, 0, 255).astype(np.uint8))


NOISY = 7.0
"""Grey levels: a frame whose darkest channel steps by at least this much from one pixel to
the next along a row, at the median (every eighth row of the finer search image), is under
heavy sensor noise (:func:`sensor_noisy`): tuning 9010, the noise condition 5-47 (the
tablecloths the smooth view could not read 15-28), white on a light desk 0-3."""


def sensor_noisy(image: np.ndarray) -> bool:
    """Whether the (finer search) image ``image`` is under heavy sensor noise (:data:`NOISY`);
    read once a frame (``Frames.noisy``), when the plain search is unsure (the search made again
    on the blurred edge map) or the smooth view is searched. Every eighth row only: a tenth of
    the time of the whole image, for the same answer."""
    rows = whiteness(np.ascontiguousarray(image[::8])).astype(np.int16)
    return bool(float(np.median(np.abs(np.diff(rows, axis=1)))) >= NOISY)


def pale_even(image: np.ndarray) -> bool:
    """Whether the (small) frame ``image`` is pale and even (:meth:`View.applies`); the
    detector reads it once a frame."""
    p10, p25, p50, p75 = percentiles(whiteness(image), (10, 25, 50, 75))
    return bool(p50 >= 140 and p10 >= 100 and p75 - p25 <= 60)


def percentiles(image: np.ndarray, q: tuple[float, ...]) -> np.ndarray:
    """``np.percentile(image, q)`` (linear) of a uint8 image, read off its histogram: a
    twentieth of the time of sorting it."""
    cum = np.cumsum(np.bincount(image.ravel(), minlength=256))
    pos = np.asarray(q, np.float64) / 100.0 * (int(cum[-1]) - 1)
    low = np.floor(pos)
    below = np.searchsorted(cum, low, side="right")  # the low-th smallest value
    above = np.searchsorted(cum, low + 1, side="right")
    return np.asarray(below + (pos - low) * np.minimum(above - below, 255 - below))


WHITE = View("white")
PALER = View("paler", paler=True)
SMOOTH = View("smooth", blur=2.0, noisy_reading=2.0)
WARM = View("warm", warmth=1, pale_reading=2.0)
COOL = View("cool", warmth=-1, pale_reading=2.0)
FAINT = View("faint", boost=4.0, steep=2.0, pale_only=True, reading=2.0)
DIM = View("dim", boost=4.0, steep=2.0, dim=True, pale_only=True, reading=2.0)
GREEN = View("green", warmth=1, green=True, pale_only=True, reading=2.0)
PINK = View("pink", warmth=-1, green=True, pale_only=True, reading=2.0)
LAMP = View("lamp", boost=4.0, steep=6.0, pale_only=True, reading=2.0, falloff=0.2)
CLOTH = View("cloth", cloth=14.0, reading=2.0)
