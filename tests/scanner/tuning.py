"""Scenes of the held-out generator at its tuning seeds, for the scanner's tests: a tuning seed
only (never a held-out one), a scene whose whole page is in view, and its score; a cut page
accepted by older settings and refused now; a clear page found well now."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from drivers.scanner import DetectParams, Reason, detect_page, judge
from drivers.scanner.detection import Detection
from drivers.scanner.views import PALER
from simulators.camera.heldout import TUNING_SEEDS, HeldoutGenerator
from simulators.camera.heldout.scene import Truth
from simulators.camera.metrics import jaccard_smartdoc


def without_round8_candidates() -> DetectParams:
    """The default settings without round 8's two candidate sources: the brightest regions'
    quads in the second search (``upper``) and the paler fallback view (``PALER``); either
    finds some pages alone, so a test pinning a failure they mend switches off both."""
    defaults = DetectParams(upper=1.0)
    return replace(defaults, fallback=tuple(v for v in defaults.fallback if v is not PALER))


def clear_scene(seed: int, index: int, condition: str | None = None
                ) -> tuple[np.ndarray, Truth]:
    """Scene ``index`` of tuning seed ``seed`` (``condition`` made, or the scheduled mix's),
    its whole page in view: the picture and its truth."""
    assert seed in TUNING_SEEDS
    scene = HeldoutGenerator(seed).scene(index, condition)
    t = scene.truth
    assert t.visibility == "clear" and t.corners is not None
    return scene.image, t


def score(found: np.ndarray | None, truth: Truth) -> float:
    """The SmartDoc Jaccard of corners ``found`` (None: nothing) against the truth's page."""
    assert truth.corners is not None
    return jaccard_smartdoc(found, truth.corners, truth.page_mm)


def assert_cut_page_refused(seed: int, index: int, condition: str, before: DetectParams
                            ) -> None:
    """Cut scene ``index`` of tuning seed ``seed`` (``condition``: ``cut`` or ``cut-ruled``):
    accepted with the settings ``before`` (the failure, pinned), refused as cut off now."""
    assert seed in TUNING_SEEDS
    image = HeldoutGenerator(seed).scene(index, condition).image
    assert judge(image, detect_page(image, before)).ok  # the failure, pinned
    det = detect_page(image)
    verdict = judge(image, det)
    assert det.touches_border and not verdict.ok and Reason.CUT_OFF in verdict.reasons


def assert_found_well(image: np.ndarray, truth: Truth, bound: float = 0.98,
                      det: Detection | None = None) -> Detection:
    """The clear page of ``image`` found now (``det``, or detected with the default settings):
    scored above ``bound``, not at the frame's edge, and judged ok or blurred only (the blur
    gate reads the page, not its outline). The detection, for the failure's pin beside it."""
    found = detect_page(image) if det is None else det
    assert score(found.corners, truth) > bound and not found.touches_border
    verdict = judge(image, found)
    assert verdict.ok or [r.value for r in verdict.reasons] == ["blurred"], verdict.reasons
    return found
