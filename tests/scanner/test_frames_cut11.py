"""Round 11 of the page detector's gates: cut pages refused today only as blurred (a blur gate
judging sharpness where the print is could pass them) must be refused as cut off. Two
readings, each pinned with a scene of the held-out generator's *tuning* seeds (never a
held-out seed), beside a clear page that must stay as it is:

* the strip check's stretches (``support._along``) also read each stretch against its own
  paper just inside (``own_paper``): tuning 9001 cut #38, a cut page under a lamp (207 to 163
  along the side), its quad's side a fold across it, the paper going on past it read as desk
  at 5 of 9 stretches against the side's one paper level; 9001 mix #381 (a page on a
  newspaper 5-10 levels darker) stays accepted;
* the last look's :func:`drivers.scanner.beside.paper_beside` (``paper_beside``): paper 4
  ``tolerance`` brighter than the quad runs off the frame beside it, the quad being squares
  of a checked tablecloth beside a cut page (tuning 9012 cut #76); 9001 mix #182 (a cream
  page on a white desk brighter than it, all round its sides) stays accepted;
* the last look's ink reading (``margins.ink_runs_on``) read again with fainter strokes
  (``faint_ink``): tuning 9015 cut-ruled #73, a cut form on a pale striped cloth as bright as
  its paper, its quad on a column rule, the form's further rules faint coloured lines (4 of 9
  rays crossed a stroke 3 ``tolerance`` dark): accepted before."""

from __future__ import annotations

from drivers.scanner import DetectParams, Reason, detect_page, judge
from simulators.camera.heldout import HeldoutGenerator
from tests.scanner.tuning import assert_cut_page_refused, assert_found_well, clear_scene


def _refused_as_cut_off_now(seed: int, index: int, before: DetectParams) -> None:
    scene = HeldoutGenerator(seed).scene(index, "cut")
    assert scene.truth.visibility == "cut"
    then = detect_page(scene.image, before)
    assert not then.touches_border  # the failure, pinned: refused only as blurred
    assert [r.value for r in judge(scene.image, then).reasons] == ["blurred"]
    det = detect_page(scene.image)
    assert det.touches_border and Reason.CUT_OFF in judge(scene.image, det).reasons


def test_a_cut_page_under_a_lamp_is_cut_off_stretch_by_stretch() -> None:
    # (the same round's split.py would cut the long quad found then: off, as it was then)
    _refused_as_cut_off_now(9001, 38, DetectParams(own_paper=0.0, split_unions=False))


def test_paper_running_off_beside_a_quad_on_a_tablecloth_is_cut_off() -> None:
    _refused_as_cut_off_now(9012, 76, DetectParams(paper_beside=False, split_unions=False))


def test_a_cut_form_whose_further_rules_are_faint_is_cut_off() -> None:
    assert_cut_page_refused(9015, 73, "cut-ruled", DetectParams(faint_ink=0.0))


def test_clear_pages_near_the_new_readings_stay_accepted() -> None:
    """9001 mix #381: a page on a newspaper (own paper); 9001 mix #182: a cream page on a
    white desk (paper beside)."""
    for index, bound in ((381, 0.99), (182, 0.98)):
        image, truth = clear_scene(9001, index)
        assert_found_well(image, truth, bound)
