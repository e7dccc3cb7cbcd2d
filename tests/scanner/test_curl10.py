"""Round 10 of the page detector on curled pages: a band of colour printed to the page's edge,
its corner curled up, so that the band's flank is seen only part of the way (the band was not
taken in); and a certificate on a mottled stone desk whose quad stayed on its printed frame on
two sides, the desk beyond the other two not flat enough to count as the page's edge (the quad
was not grown, and its margin made it "cut off"); and a page on a tablecloth under heavy
sensor noise, seen by the faint view just under ``confident``, where the plain view's worse
quad was kept. Pinned with scenes of the held-out generator's *tuning* seeds 9013 and 9010
(looked at while the detector was changed; never a held-out seed), and the cases that must
stay as they were."""

from __future__ import annotations

import numpy as np

from drivers.scanner import DetectParams, Reason, detect_page, judge
from drivers.scanner.band import _curled_off
from drivers.scanner.grow import _at_edge
from tests.scanner.tuning import assert_found_well, clear_scene, score


def test_a_band_whose_corner_curled_is_taken_in() -> None:
    image, truth = clear_scene(9013, 26, "curled")  # a blue band, its far corner curled
    det = detect_page(image)
    assert score(det.corners, truth) > 0.98 and not det.touches_border
    assert judge(image, det).ok
    before = detect_page(image, DetectParams(curled_bands=False))  # the failure, pinned
    assert score(before.corners, truth) < 0.9


def test_a_certificate_on_a_mottled_desk_is_grown() -> None:
    image, truth = clear_scene(9013, 20, "curled")  # two sides on the printed frame
    assert_found_well(image, truth, 0.99)
    before = detect_page(image, DetectParams(far_desk=0.0))  # the failure, pinned
    assert score(before.corners, truth) < 0.95
    assert Reason.CUT_OFF in judge(image, before).reasons


def test_a_flank_cut_short_by_a_curl_but_not_a_desk_of_the_bands_colour() -> None:
    n = 30
    curled = np.zeros(n, bool)
    curled[:12] = True  # seen from the page, then the tip is gone
    assert _curled_off(curled, np.ones(n, bool))
    assert not _curled_off(curled, np.r_[np.ones(20, bool), np.zeros(10, bool)])  # desk alike
    late = np.zeros(n, bool)
    late[15:] = True  # not seen near the page: no band's flank
    assert not _curled_off(late, np.ones(n, bool))


def test_a_mottled_desk_far_darker_is_the_pages_edge_a_margin_is_not() -> None:
    mottled = 170.0 + 8.0 * np.sin(np.arange(40) / 3.0)  # ptp 16: not flat
    assert not _at_edge(mottled, 221.0, 6.0, 30)
    assert _at_edge(mottled, 221.0, 6.0, 30, far=6.0)
    near = mottled + 20.0  # only 23-39 levels darker than the paper: not far enough
    assert not _at_edge(near, 221.0, 6.0, 30, far=6.0)
    margin = np.r_[np.full(4, 150.0), np.full(8, 220.0), np.full(28, 165.0)]  # paper again
    assert not _at_edge(margin, 221.0, 6.0, 30, far=6.0)


def test_a_page_on_a_noisy_cloth_is_doubted_as_on_a_pale_desk() -> None:
    image, truth = clear_scene(9010, 90, "noise")  # the faint view sees it 0.58, the plain 0.21
    det = detect_page(image)
    assert score(det.corners, truth) > 0.98 and not det.touches_border
    # the failure, pinned (round 12's second search on edges with the grain blurred away finds
    # it too: switched off as well)
    before = detect_page(image, DetectParams(noisy_doubt=False, noisy_edges=False))
    assert score(before.corners, truth) < 0.2
