"""Round 12 of the page detector's cut-off readings: a band of colour printed to the page's
edge that runs on past the quad's side out of the frame makes the page cut off
(:func:`drivers.scanner.band.runs_off_frame`, ``DetectParams.band_off``). Pinned with a scene
of the held-out generator's *tuning* seeds (never a held-out seed): 9016 cut #96, a page whose
grey band (57 levels below the paper in the whiteness view, with text on it) runs off the
frame's left edge; its quad ends at the band's inner edge, and no reading of paper beyond it
fired: accepted before."""

from __future__ import annotations

from drivers.scanner import DetectParams
from tests.scanner.tuning import assert_cut_page_refused


def test_a_cut_page_whose_band_runs_off_the_frame_is_cut_off() -> None:
    assert_cut_page_refused(9016, 96, "cut", DetectParams(band_off=False))
