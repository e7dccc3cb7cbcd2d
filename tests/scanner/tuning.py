"""Scenes of the held-out generator at its tuning seeds, for the scanner's tests: a tuning seed
only (never a held-out one), a scene whose whole page is in view, and its score; a cut page
accepted by older settings and refused now."""

from __future__ import annotations

import numpy as np

from drivers.scanner import DetectParams, Reason, detect_page, judge
from simulators.camera.heldout import TUNING_SEEDS, HeldoutGenerator
from simulators.camera.heldout.scene import Truth
from simulators.camera.metrics import jaccard_smartdoc


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
