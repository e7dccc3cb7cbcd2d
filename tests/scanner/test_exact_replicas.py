"""The detector's hand-written replicas of numpy calls (round 9's speed work) give numpy's own
bits: ``geometry.unique_quads`` is ``np.unique(axis=0)`` and ``support._percentile`` is
``np.percentile`` (linear). They were made to change no output; if a numpy upgrade changes
numpy's arithmetic, these fail first and say which replica to look at again."""

from __future__ import annotations

import numpy as np

from drivers.scanner.geometry import unique_quads
from drivers.scanner.support import _percentile


def test_unique_quads_is_numpys_unique_over_rows() -> None:
    rng = np.random.default_rng(9)
    for trial in range(300):
        n = int(rng.integers(1, 60))
        quads = np.round(rng.uniform(-50, 700, (n, 4, 2)), int(rng.integers(0, 2)))
        if trial % 3 == 0:  # repeats, as the searches make them
            quads = np.concatenate([quads, quads[rng.integers(0, n, n)]])
        if trial % 7 == 0:  # a signed zero somewhere
            quads[0, 0, 0], quads[-1, 0, 0] = 0.0, -0.0
        if trial % 11 == 0:
            quads[rng.integers(0, len(quads)), 1, 1] = np.nan
        expected = np.unique(quads, axis=0)
        got = unique_quads(quads)
        assert got.shape == expected.shape
        assert got.tobytes() == expected.tobytes()
    empty = np.zeros((0, 4, 2))
    assert unique_quads(empty).shape == np.unique(empty, axis=0).shape


def test_percentile_is_numpys_linear_percentile_bit_for_bit() -> None:
    rng = np.random.default_rng(90)
    for trial in range(2000):
        n = int(rng.integers(1, 400))
        if trial % 2:
            values = rng.integers(0, 256, n).astype(np.float32)  # levels, many ties
        else:
            values = rng.normal(150.0, 40.0, n).astype(np.float32)
        q = float(rng.choice([80.0, 50.0, 20.0, 95.0, float(rng.uniform(0, 100))]))
        assert _percentile(values, q) == float(np.percentile(values, q)), (n, q)
    with_nan = np.array([1.0, np.nan, 3.0], np.float32)
    assert np.isnan(_percentile(with_nan, 80)) and np.isnan(np.percentile(with_nan, 80))
