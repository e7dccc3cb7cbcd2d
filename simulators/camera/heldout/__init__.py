"""A second, independent scene generator for held-out evaluation of the page detector.

Written without looking at how :mod:`simulators.camera.scene` draws anything: its own desks
(:mod:`.textures`), documents (:mod:`.document`), hands and pens (:mod:`.objects`), placement,
curled corners and bent sheets (:mod:`.warp`), and light, lens and sensor (:mod:`.sensor`:
shot and read noise, gain, Bayer demosaicing, JPEG). :mod:`.scene` puts them together and keeps
the ground truth; :mod:`.seeds` says which seeds are held out and which may be tuned on.

    from simulators.camera.heldout import HeldoutGenerator
    scene = HeldoutGenerator(seed).scene(index)        # or .scene(index, "cut-ruled")
    scene.image, scene.truth.corners, scene.truth.expected
"""

from simulators.camera.heldout.scene import (
    CLEAR,
    CONDITIONS,
    REFUSE,
    HeldoutGenerator,
    HeldoutScene,
    Truth,
)
from simulators.camera.heldout.seeds import HELDOUT_SEEDS, TUNING_SEEDS, SeedPolicyError, check_use

__all__ = [
    "CLEAR",
    "CONDITIONS",
    "HELDOUT_SEEDS",
    "REFUSE",
    "TUNING_SEEDS",
    "HeldoutGenerator",
    "HeldoutScene",
    "SeedPolicyError",
    "Truth",
    "check_use",
]
