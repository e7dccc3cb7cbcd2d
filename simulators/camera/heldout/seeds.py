"""Which seeds of the held-out generator are held out, and which may be tuned on.

* ``HELDOUT_SEEDS`` are for the figures only: the bench scores them and prints totals per
  condition, never a frame-by-frame listing; nothing is tuned on them (``--tune`` refuses them).
* ``TUNING_SEEDS`` may be looked at frame by frame and tuned on, like the first generator.
* Tests use seeds of their own, or a tuning seed for a scene found while tuning; never a
  held-out seed.

9002 and 9003 were added in round 5 (2026-12-01), after round 4's held-out figure, for the
kinds whose 9001 scenes had all been mended (a white page on a light desk above all); the
held-out seeds were not looked at to choose them. 9004 and 9005 were added in round 6
(2026-12-01) the same way, before anything of them was looked at, and 9006 and 9007 in round 7
(2026-12-01, a new session), for the kinds of cut-off page the first five no longer show, and
9008 and 9009 in round 8 (2026-12-01, the next session), for the same reason: the held-out cut
page that passes is of a kind none of 9001-9007 shows any more. 9010 and 9011 were added in
round 9 (2026-12-01, a new session) the same way, before anything of them was looked at: the
earlier tuning seeds' missed pages and accepted cut pages have all been looked at and most mended.
9012 and 9013 were added in round 10 (2026-12-02, a new session) the same way, before anything
of them was looked at, for a check of each fix on scenes nobody has looked at yet.
9014 and 9015 were added in round 11 (2026-12-02, a new session) the same way, before anything
of them was looked at, and 9016 and 9017 in round 12 (2026-12-02, the next session), and 9018
and 9019 in round 13 (2026-12-02, the session after), scored with round 12's code first.
"""

from __future__ import annotations

HELDOUT_SEEDS = (7101, 7102, 7103)
TUNING_SEEDS = (
    9001, 9002, 9003, 9004, 9005, 9006, 9007, 9008, 9009, 9010, 9011, 9012, 9013, 9014, 9015,
    9016, 9017, 9018, 9019,
)


class SeedPolicyError(ValueError):
    """A held-out seed was asked for in a way that would tune on it."""


def check_use(seed: int, tune: bool) -> None:
    """Refuse tuning (per-frame inspection) on a held-out seed."""
    if tune and seed in HELDOUT_SEEDS:
        raise SeedPolicyError(
            f"seed {seed} is held out: it is scored, never tuned on "
            f"(tuning seeds: {', '.join(map(str, TUNING_SEEDS))})"
        )
