"""A white page on a light desk that a colour view found but saw not quite well enough
(round 12).

On a light desk under a lamp a white page can differ from the desk in colour on some sides
and in brightness on others: the warm (or cool) view finds it right, its four sides seen
0.69-0.88 each, 0.43 together, under ``DetectParams.pale_doubt`` (tuning 9011 mix #250, J 0.97,
"too small": a cool scrap seen 0.46 was taken instead). Its quad, read again by the faint
view's finer check (the darkest channel's steps, doubled, read across 3 pixels of the search
image), is seen 0.53. A colour view's page on a pale, even frame is read so once more when it
is under ``pale_doubt``, and the better of the two readings counts: the page is then weighed
as any pale view's page is (``detect._page``: doubted under ``pale_doubt``, believed outright
from ``confident``). Nothing else about the page changes."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, TypeVar

import numpy as np

from drivers.scanner.frames import Frames
from drivers.scanner.params import DetectParams
from drivers.scanner.support import seen_finely
from drivers.scanner.views import FAINT

F = TypeVar("F", bound=Any)


def faint_again(f: Frames, found: F, p: DetectParams) -> F:
    """``found`` (the detector's ``_Found`` of a colour view on a pale, even frame), its
    support the better of its own and the faint view's finer reading of its corners when its
    own is under ``p.pale_doubt`` and at least ``p.min_support``; as it is otherwise (and with
    ``p.faint_again`` off, or a page cut off or too small to be believed anyway)."""
    page = found.detection
    if (not p.faint_again or page.corners is None or page.touches_border
            or not p.min_support <= page.support < p.pale_doubt
            or page.area_share < p.fallback_min_area):
        return found
    white = np.asarray(f.paper(FAINT, fine=True), np.float32)
    seen = seen_finely(white, page.corners * f.fine_scale, p.contrast, FAINT.readings)
    if seen <= page.support:
        return found
    return replace(found, detection=replace(page, support=seen))
