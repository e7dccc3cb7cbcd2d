"""Round 12 of the page detector's gates: a clear page found well and refused as cut off by the
strip check (``support.continues_to_border``), its quad a margin short of the page's edge (on a
frame printed inside it, or a sliver short), the page's own margin read as its paper going on.
:func:`drivers.scanner.cutoff.stepped` no longer counts a side where the desk begins just past
that margin, at the same depth all along the side (``DetectParams.margin_desk``). Pinned with
scenes of the held-out generator's *tuning* seeds (never a held-out seed), beside cut scenes
whose readings come nearest and must stay refused as cut off."""

from __future__ import annotations

from functools import partial

import numpy as np

from drivers.scanner import DetectParams, Reason, detect_page, judge
from drivers.scanner.cutoff import stepped
from drivers.scanner.support import continues_to_border
from simulators.camera.heldout import HeldoutGenerator
from tests.scanner.tuning import assert_found_well, clear_scene


def test_a_quad_a_margin_short_of_the_page_is_not_cut_off() -> None:
    """Tuning 9010 mix #195: a certificate on a flowered cloth, its quad on the frame printed
    inside the top edge (0.96): the margin, 4-5 units wide, was read as paper going on."""
    image, truth = clear_scene(9010, 195)
    assert detect_page(image, DetectParams(margin_desk=0.0)).touches_border  # the failure
    assert_found_well(image, truth, 0.95)


def test_cut_pages_nearest_the_margin_reading_stay_cut_off() -> None:
    """Tuning 9014 cut-ruled #88 (a quad on a striped cloth beside a cut form: the stripes
    begin at a different depth at each point) and 9010 cut-ruled #45 (a cut form's box 6
    units past its rule: further than the margin)."""
    for seed, index in ((9014, 88), (9010, 45)):
        image = HeldoutGenerator(seed).scene(index, "cut-ruled").image
        det = detect_page(image)
        assert det.touches_border and Reason.CUT_OFF in judge(image, det).reasons


def test_a_printed_band_past_a_rule_is_not_the_desk_beyond_a_margin() -> None:
    """A reviewer's synthetic cut page: a page running off the frame's bottom edge, the quad's
    side on a thin rule, a printed band 4 units wide past it, then paper again to the edge.
    The margin reading took the band for the desk beginning past the page's margin and called
    the side not cut off; the desk must now go on for 6 units more (or to the frame's edge)."""
    img = np.full((480, 640), 60, np.uint8)  # the desk (whiteness)
    img[120:, 150:490] = 230  # the page, off the bottom edge
    img[300:302, 150:490] = 40  # the rule under the quad's bottom side
    img[308:316, 150:490] = 50  # the band
    quad = np.array([[150, 120], [489, 120], [489, 300], [150, 300]], np.float64)
    def cut(margin: float, image: np.ndarray) -> bool:
        return continues_to_border(image, quad, unit=2.0, facing=1.0,
                                   stepped=partial(stepped, margin=margin))
    assert cut(0.0, img) and cut(4.0, img)
    img[316:, 150:490] = 60  # the page ends past the band: the desk does go on
    assert not cut(4.0, img)
