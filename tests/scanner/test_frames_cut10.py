"""Round 10 of the page detector's gates, the other way: a clear page must not be refused as
cut off. The strip check (:func:`drivers.scanner.support.continues_to_border`) calls a side
cut off when the bright part just beyond it is nearer the paper than halfway to the desk.
Tuning 9011 white on light #80: a certificate whose frame is printed just inside its edge,
which pulls the paper's reading (80th percentile just inside) down to the desk beyond its top
side (161 against 157; the paper itself is 154-180 along it). Tuning 9012 mix #192: a
certificate whose quad took its printed frame for a side, the desk 4 px past it, the margin
read as paper going on. Read point by point (:func:`drivers.scanner.cutoff.stepped`: the
brightest just beyond against the brightest just inside; the strip's last third against the
desk), both are the page's own edge. Pinned with scenes of the held-out generator's *tuning*
seeds (never a held-out seed), with the cases that must stay as they were."""

from __future__ import annotations

import numpy as np

from drivers.scanner import DetectParams, detect_page, judge
from drivers.scanner.cutoff import stepped
from tests.scanner.tuning import clear_scene, score


def test_clear_pages_refused_by_the_strip_check_are_accepted() -> None:
    """Tuning 9011 white on light #80 (the desk 13-19 levels darker than the paper at every
    point) and 9012 mix #192 (a fresh seed: a certificate on stone, the quad's bottom side on
    its printed frame, the desk 4 px past it)."""
    for seed, index, condition, least in ((9011, 80, "white-on-light", 0.99),
                                           (9012, 192, None, 0.97)):
        image, truth = clear_scene(seed, index, condition)
        before = detect_page(image, DetectParams(stepped=False))
        assert before.touches_border  # the failure, pinned
        det = detect_page(image)
        assert not det.touches_border and judge(image, det).ok
        assert score(det.corners, truth) > least  # 0.999, 0.972 (the quad on the frame)


def test_paper_running_on_past_a_rule_is_no_step() -> None:
    """Paper going on past a printed rule (text beyond it at some points) reads the same
    brightest level on both sides; a page's edge on a darker desk, or a lighter one, steps."""
    rng = np.random.default_rng(10)
    inside = 190.0 + rng.normal(0.0, 1.5, (9, 6))
    near = np.ones((9, 6), bool)
    beyond = 190.0 + rng.normal(0.0, 1.5, (9, 6))
    beyond[::3, 2:4] = 60.0  # text beyond the rule
    assert not stepped(inside, beyond, near, 190.0, 150.0)
    assert stepped(inside, beyond - 12.0, near, 190.0, 150.0)  # a darker desk
    assert not stepped(inside, beyond - 4.0, near, 190.0, 150.0)  # within a tolerance
    assert stepped(inside, beyond + 5.0, near, 190.0, 205.0)  # a lighter desk
    assert not stepped(inside, beyond + 5.0, near, 190.0, 150.0)  # ... only where it is
    margin = beyond.copy()
    margin[:, 4:] = 120.0 + rng.normal(0.0, 1.5, (9, 2))  # the desk past a 4 px margin
    assert stepped(inside, margin, near, 190.0, 150.0)
    assert not stepped(inside, margin, near, 190.0, 175.0)  # a desk 15 darker: not read so
