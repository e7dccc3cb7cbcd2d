"""Scenes of the held-out generator at its tuning seeds, for the scanner's tests: a tuning seed
only (never a held-out one), a scene whose whole page is in view, and its score."""

from __future__ import annotations

import numpy as np

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
