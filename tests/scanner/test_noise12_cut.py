"""A cut page under heavy sensor noise stays refused when the noisy frame is searched again.

The held-out generator draws the low-light sensor only for its "noise" condition; a reviewer
rendered cut scenes under it (the scene's own sensor swapped, nothing else changed): tuning
9012 cut-ruled #19, a table form cut by the frame's top edge. The first search finds it cut off;
the search made again on the blurred edge map (round 12) found the form's lower part below a
table rule, seen well and clear of the edge, and took it in place of the cut quad: judged ok.
It now gives way only as the first search's cut quad does to the dented search's
(``edge_again``: the lower part scores 0.40 of the cut quad).
"""

from __future__ import annotations

from typing import Any

import pytest

import simulators.camera.heldout.scene as scene_module
from drivers.scanner import DetectParams, detect_page, judge
from simulators.camera.heldout import TUNING_SEEDS, HeldoutGenerator


def _under_low_light(monkeypatch: pytest.MonkeyPatch) -> None:
    camera = scene_module._Builder._camera

    def low_light(self: Any, canvas: Any) -> Any:
        kept, self.condition = self.condition, "noise"
        try:
            return camera(self, canvas)
        finally:
            self.condition = kept

    monkeypatch.setattr(scene_module._Builder, "_camera", low_light)


def test_a_cut_form_under_noise_is_not_taken_for_its_lower_part(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert 9012 in TUNING_SEEDS
    _under_low_light(monkeypatch)
    scene = HeldoutGenerator(9012).scene(19, "cut-ruled")
    assert scene.truth.expected == "cut off"
    image = scene.image
    loose = detect_page(image, DetectParams(edge_again=0.0))  # any second quad wins
    assert judge(image, loose).ok and not loose.touches_border  # the failure, pinned
    det = detect_page(image)
    assert det.touches_border and not judge(image, det).ok
