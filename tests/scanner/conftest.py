"""Scenes for the scanner tests, rendered once per session (rendering is the slow part)."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulators.camera.scene import Scene, SceneGenerator
from simulators.camera.sequence import ClipFrame, scenario
from simulators.camera.store import FRAMES, PATTERN, write_clip, write_manifest


@pytest.fixture(scope="session")
def generator() -> SceneGenerator:
    return SceneGenerator(seed=2024)


@pytest.fixture(scope="session")
def scenes() -> dict[str, list[Scene]]:
    """A few scenes of each kind the quality gates must tell apart (own seed: the scenes do not
    depend on which fixture ran first)."""
    generator = SceneGenerator(seed=101)
    counts = {"clean": 3, "blurred": 3, "glare": 3, "small": 2, "cut": 2}
    return {kind: [generator.scene(kind) for _ in range(n)] for kind, n in counts.items()}


@pytest.fixture(scope="session")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """24 mixed scenes written by the virtual camera as an image folder, with truth.json."""
    generator = SceneGenerator(seed=102)
    folder = tmp_path_factory.mktemp("dataset")
    frames = []
    for _ in range(24):
        scene = generator.scene("mixed")
        frames.append(ClipFrame(scene.image, scene.spec, True, 0, scene.page.qr_text))
    write_clip(folder, frames, fps=15.0, video=True)
    return folder


def make_camera(
    root: Path, name: str, generator: SceneGenerator, which: str, pages: int = 1
) -> Path:
    """A virtual camera folder ``root/name`` serving ``which``, as `simulators camera serve`
    leaves it (the manifest names this test process, which is alive)."""
    folder = root / name
    write_clip(folder, scenario(generator, which, pages), fps=15.0)
    write_manifest(folder, f"{FRAMES}/{PATTERN}", 15.0)
    return folder


@pytest.fixture(scope="session")
def cameras(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """sim_root with the cameras place (2 pages), blurred, glare and qr."""
    generator = SceneGenerator(seed=103)
    root = tmp_path_factory.mktemp("camera")
    make_camera(root, "place", generator, "place", pages=2)
    for which in ("blurred", "glare", "qr"):
        make_camera(root, which, generator, which)
    return root
