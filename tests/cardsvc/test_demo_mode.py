"""Demo mode is said in the settings, never guessed from a path."""

from __future__ import annotations

from pathlib import Path

import pytest

from cardsvc.errors import ServiceConfigError
from cardsvc.keys import load_issuer_keys
from cardsvc.session import key_file, load_authority, open_journal
from config.settings import load_settings


def _settings(tmp_path: Path, text: str = ""):
    f = tmp_path / "config.toml"
    f.write_text(f'[paths]\nvar_dir = "{tmp_path / "var"}"\n' + text)
    return load_settings(f, env={})


def test_demo_mode_installs_the_demo_keys_and_the_demo_hotlist(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    assert settings.card.demo  # the embedded default is the simulated demo stack
    path = key_file(settings)
    assert path == tmp_path / "var" / "keys" / "issuer_keys.toml"
    assert load_issuer_keys(path).has("mlk")
    with open_journal(settings) as journal:
        assert journal.hotlist() == ["4102000000000004"]


def test_a_real_terminal_gets_nothing_of_the_demo(tmp_path: Path) -> None:
    """The default key path written out explicitly, demo off: no demo keys, no demo hotlist."""
    settings = _settings(tmp_path, '[card]\ndemo = false\nkey_file = "var/keys/issuer_keys.toml"\n')
    with open_journal(settings) as journal:
        assert journal.hotlist() == [] and journal.hotlist_version() == 0
    assert not key_file(settings).exists()
    with pytest.raises(ServiceConfigError, match="does not exist"):
        load_authority(settings)
