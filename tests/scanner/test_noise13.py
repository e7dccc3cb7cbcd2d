"""Round 13, heavy sensor noise on a white-ground cloth: the warm and cool views read their
sides across the search image's pixels (``View.pale_reading``) under heavy sensor noise too,
as they do on a pale, even frame. Pinned with a scene of the held-out generator's *tuning*
seeds (never a held-out seed)."""

from __future__ import annotations

from dataclasses import replace

from drivers.scanner import DetectParams, detect_page, judge
from drivers.scanner.views import COOL, SMOOTH, WARM
from tests.scanner.tuning import clear_scene, score


def test_the_colour_views_read_wider_under_noise() -> None:
    for view in (WARM, COOL):
        assert view.on(False, True).readings == (1.0, 2.0)
        assert view.on(True, False).readings == (1.0, 2.0)
        assert view.on(False, False).readings == (1.0,)
    assert SMOOTH.on(False, True).readings == (1.0, 2.0)  # (its own noisy reading, as before)


def test_a_white_page_on_a_dotted_cloth_under_noise_is_found() -> None:
    """Tuning 9011 mix #128: a white page on a white-ground dotted cloth under heavy noise.
    The cool view finds it right, its sides seen 0.43 at the finer check (under the 0.45 a
    doubted page needs), nothing else is found; read across the search image's pixels too it
    is seen 0.47 and taken (0.99; refused as cut off: the cloth's white ground between its
    foot and the frame's edge reads as paper running on)."""
    image, truth = clear_scene(9011, 128)
    p = DetectParams()
    narrow = tuple(replace(v, pale_reading=0.0) if v in (WARM, COOL) else v
                   for v in p.fallback)
    before = detect_page(image, replace(p, fallback=narrow))
    assert before.corners is None  # the failure, pinned
    found = detect_page(image, p)
    assert score(found.corners, truth) > 0.98
    # still refused, for a wrong reason (the cloth's white ground read as the page going on):
    # pinned so that a mend of the cut-off reading shows here
    assert [r.value for r in judge(image, found).reasons][:1] == ["cut off"]
