"""``geometry.grid_in_quads`` (round 12): the one home of the grids read inside a quad gives the
points of the three copies it replaced (support's interior and corner grids, beside's 15 x 15
grid as a matrix product), to the bit where the reading is float64 and once cast to float32
(as every reading samples them) for the matrix product."""

from __future__ import annotations

import numpy as np

from drivers.scanner.geometry import grid_in_quads


def _quads() -> np.ndarray:
    rng = np.random.default_rng(12)
    return np.round(rng.uniform(-40.0, 1300.0, (200, 4, 2)) * 4) / 4 + rng.uniform(0, 1e-3)


def test_the_interior_grid_is_the_old_sum_to_the_bit() -> None:
    q = _quads()
    g = np.linspace(0.15, 0.85, 6)
    gu, gv = np.meshgrid(g, g)
    u, v = gu.ravel()[None, :, None], gv.ravel()[None, :, None]
    old = ((1 - u) * (1 - v) * q[:, None, 0] + u * (1 - v) * q[:, None, 1]
           + u * v * q[:, None, 2] + (1 - u) * v * q[:, None, 3])
    shares = tuple(float(x) for x in g)
    assert grid_in_quads(q, shares, shares).tobytes() == old.tobytes()


def test_the_corner_grids_are_the_old_sums_to_the_bit() -> None:
    q = _quads()
    g = np.array([0.05, 0.1, 0.15])
    gu, gv = (a.ravel() for a in np.meshgrid(g, g))
    prev, nxt = np.roll(q, 1, axis=1), np.roll(q, -1, axis=1)
    old = (q[:, :, None, :] + gu[None, None, :, None] * (nxt - q)[:, :, None, :]
           + gv[None, None, :, None] * (prev - q)[:, :, None, :])
    new = grid_in_quads(q, (0.05, 0.1, 0.15), (0.05, 0.1, 0.15), corners=True)
    assert new.shape == (len(q), 4, 9, 2) and new.tobytes() == old.tobytes()


def test_the_fine_grid_is_the_old_product_in_float32() -> None:
    q = _quads()
    line = np.linspace(0.05, 0.95, 15)
    u, v = (a.ravel() for a in np.meshgrid(line, line))
    weights = np.stack([(1 - u) * (1 - v), u * (1 - v), u * v, (1 - u) * v], axis=1)
    shares = tuple(float(x) for x in line)
    for quad in q:
        new = grid_in_quads(quad[None], shares, shares)[0]
        np.testing.assert_allclose(new, weights @ quad, rtol=0, atol=1e-9)
        assert new.astype(np.float32).tobytes() == (weights @ quad).astype(np.float32).tobytes()
