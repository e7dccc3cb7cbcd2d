"""Round 10 of the page detector on desks it was not tuned on: a page near the frame's edge
with another sheet beyond a part of its side, or a bright desk's blotches there. The paper
just past such a side was read as the page going on past the frame's edge (the 80th
percentile of the whole strip beyond the side is the sheet's, even where the sheet lies
beyond a third of the side only), and the page, found right, refused as cut off. Paper must
be beyond more than half of the side's stretches, each read alone (a stretch wide enough for
the paper between the words of a line of text past a cut page's rule to show). Pinned with
scenes of the held-out generator's *tuning* seeds 9012 and 9013 (looked at frame by frame
while the detector was changed; never a held-out seed), and what must stay as it was."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from drivers.scanner import Reason, detect_page, judge
from drivers.scanner.support import continues_to_border
from drivers.scanner.views import WHITE
from simulators.camera.heldout import HeldoutGenerator
from tests.scanner.tuning import clear_scene, score


def _drawn(cut: bool, text: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Whiteness: a dark desk (60), a page (210) whose bottom side is 40 px from the frame's
    edge; beyond it a sheet (214) under its left third only, its left edge in line with the
    page's (a flank that goes on), or (``cut``) the page itself running on to the frame's edge
    past a rule (with ``text``, a line of text just past the rule). And the page's (or the
    part's) corners."""
    white = np.full((300, 400), 60, np.uint8)
    if cut:
        white[60:300, 100:300] = 210
        if text:  # dark words 12 px long, 6 px apart, from 1 to 9 px past the rule
            for x in range(104, 296, 18):
                white[261:269, x:x + 12] = 40
    else:
        white[200:290, 100:170] = 214
        white[60:260, 100:300] = 210
    return white, np.array([[100, 60], [299, 60], [299, 259], [100, 259]], np.float64)


def test_paper_beyond_a_part_of_a_side_is_not_the_page_going_on_drawn() -> None:
    white, quad = _drawn(cut=False)
    assert continues_to_border(white, quad, most=-1.0)  # the strip as a whole: paper
    assert not continues_to_border(white, quad)
    white, quad = _drawn(cut=True)  # a cut page goes on past the whole side
    assert continues_to_border(white, quad)
    white, quad = _drawn(cut=True, text=True)  # text beyond the rule: its gaps are paper
    assert continues_to_border(white, quad)


def test_a_cut_page_with_text_just_past_its_found_side_stays_refused() -> None:
    """9006 cut #49 (stone): the part of a cut page above a line of text at the frame's edge;
    probes read alone at single points along the side saw the text, not paper, and the page
    was accepted (a first version of this round's check); stretches of the side see the paper
    between the words."""
    image = HeldoutGenerator(9006).scene(49, "cut").image
    det = detect_page(image)
    verdict = judge(image, det)
    assert det.touches_border and not verdict.ok and Reason.CUT_OFF in verdict.reasons


@pytest.mark.parametrize(("seed", "index"), [
    (9013, 138),  # flowered cloth, a sheet under the page's bottom left corner
    (9012, 108),  # bright stone desk, blotches beyond a part of the side
])
def test_a_page_with_paper_beyond_a_part_of_its_side_is_not_cut_off(seed: int, index: int
                                                                     ) -> None:
    image, truth = clear_scene(seed, index, "two-documents")
    det = detect_page(image)
    assert det.corners is not None and score(det.corners, truth) > 0.99
    assert judge(image, det).ok
    # the failure, pinned: the strip's bright part as a whole read paper past a side
    h, w = image.shape[:2]
    fine_scale = min(1.0, 2.0 * 320 / max(w, h))
    fine = cv2.resize(image, (round(w * fine_scale), round(h * fine_scale)),
                      interpolation=cv2.INTER_AREA)
    white = WHITE.paper(fine)
    quad = det.corners * fine_scale
    assert continues_to_border(white, quad, unit=2.0, most=-1.0)
    assert not continues_to_border(white, quad, unit=2.0)
