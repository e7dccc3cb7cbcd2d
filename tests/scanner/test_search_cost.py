"""Round 5's two savings in the page search (issue 12: >= 30 fps at 1280 x 720 on one core).

* A plain-view page with a corner at the frame's edge is final: it is refused as cut off, and
  the second search and the other views are not run on it.
  On the tuning seeds that costs a few pages which the second search or the other views
  found: they are refused as cut off (move the page), never taken wrongly.
* Another view's search stops early when none of its shortlisted quads is seen well enough to
  be believed; that changes no result.

Scenes of the held-out generator's tuning seed 9001 (never a held-out seed).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import numpy as np
import pytest

import drivers.scanner.detect as detect
from drivers.scanner import DetectParams, Reason, detect_page, judge
from simulators.camera.heldout import TUNING_SEEDS, HeldoutGenerator, HeldoutScene
from tests.scanner.tuning import clear_scene, score

TUNING = 9001
FULL = DetectParams(cut_is_final=False, other_view_floor=0.0)


@pytest.fixture
def searches(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The views searched, in order, by each detect_page call of the test."""
    calls: list[str] = []
    search = detect._search

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(args[1].name)  # type: ignore[attr-defined]
        return search(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(detect, "_search", counted)
    yield calls


def _scene(index: int, condition: str) -> HeldoutScene:
    assert TUNING in TUNING_SEEDS
    return HeldoutGenerator(TUNING).scene(index, condition)


@pytest.mark.parametrize("index", [0, 11])
def test_a_page_at_the_frames_edge_is_not_searched_for_again(
    index: int, searches: list[str]
) -> None:
    scene = _scene(index, "cut")
    assert detect_page(scene.image, FULL).touches_border  # round 9's outline sides: another
    searches.clear()  # quad in the whole chain (9001 cut #0), cut off too; same with round 8's
    everything = detect_page(scene.image, replace(FULL, fit_outlines=False))
    assert len(searches) > 1  # the page was unsure: the whole chain ran
    searches.clear()
    det = detect_page(scene.image)
    # the other views are not tried; the plain view once more on the dented outlines' quads
    # only when an outline is dented (round 6: the page and a sheet under it, the sheet running
    # off the frame), and that found nothing clear of the frame's edge
    assert searches[0] == "white" and set(searches) == {"white"} and len(searches) <= 2
    assert det.touches_border
    assert Reason.CUT_OFF in judge(scene.image, det).reasons
    assert everything.corners is not None and det.corners is not None
    assert np.allclose(everything.corners, det.corners)


@pytest.mark.parametrize(("index", "condition"),
                         [(2, "white-on-light"), (18, "white-on-light"), (10, "cut"), (24, "cut")])
def test_the_other_views_early_stop_changes_no_result(
    index: int, condition: str, searches: list[str]
) -> None:
    scene = _scene(index, condition)
    # (round 12's opened candidates find cut #10's page at the frame's edge, final: no other
    # view runs; off here, where the other views are what is tested)
    slow = detect_page(scene.image, replace(DetectParams(), other_view_floor=0.0, opened=0))
    fast = detect_page(scene.image, replace(DetectParams(), opened=0))
    assert len(searches) >= 2 * 4  # the other views ran, both times
    if slow.corners is None:
        assert fast.corners is None
    else:
        assert fast.corners is not None and np.allclose(slow.corners, fast.corners)


# found by round 5 (with the whole chain), then given up for speed: refused, not misread
# (9001 #93, a certificate with a curled corner on a dotted tablecloth, was won back in round 6:
# its refinement is tried again reaching further; tests/scanner/test_frames_cut.py)
TRADED = [
    (9001, 123, "occlusion", 0.96, "a certificate on a striped tablecloth, a hand over an edge"),
]  # 9002 #82 (the page and the sheet under it as one quad): found in round 6,
#     test_frames_union.py


@pytest.mark.parametrize(("seed", "index", "condition", "found", "what"), TRADED,
                         ids=[f"{s}-{i}" for s, i, _, _, _ in TRADED])
def test_a_page_given_up_for_speed_is_refused_as_cut_off(
    seed: int, index: int, condition: str, found: float, what: str
) -> None:
    image, t = clear_scene(seed, index, condition)
    whole = detect_page(image, replace(DetectParams(), cut_is_final=False))
    assert score(whole.corners, t) > found
    det = detect_page(image)
    verdict = judge(image, det)
    if verdict.ok:  # found since (9001 #123 in round 7, 0.97): then found, not misread
        assert score(det.corners, t) > found
    else:
        assert det.touches_border and Reason.CUT_OFF in verdict.reasons
