from pathlib import Path

import pytest

from config.settings import ConfigError, Settings, load_settings


def test_defaults_are_the_simulated_kiosk(tmp_path: Path) -> None:
    s = load_settings(env={})
    assert isinstance(s, Settings)
    assert s.printer.url == "tcp://127.0.0.1:9100"
    assert s.card.max_amount_fen == 100_000
    assert s.card.key_file == Path("var/keys/issuer_keys.toml")
    assert s.source == "defaults"


def test_a_file_overrides_only_what_it_sets(tmp_path: Path) -> None:
    f = tmp_path / "c.toml"
    f.write_text('[printer]\nurl = "serial:///dev/ttyUSB0?baudrate=19200"\ntimeout_s = 5\n')
    s = load_settings(f, env={})
    assert s.printer.url.startswith("serial://")
    assert s.printer.timeout_s == 5.0
    assert s.printer.profile == "generic-58"
    assert s.source == str(f)


def test_env_names_the_file(tmp_path: Path) -> None:
    f = tmp_path / "c.toml"
    f.write_text("[card]\nmax_amount_fen = 5000\n")
    assert load_settings(env={"CITIZEN_HALL_CONFIG": str(f)}).card.max_amount_fen == 5000


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[printer]\nurll = 'x'\n", "unknown key(s) urll"),
        ("[printr]\nurl = 'x'\n", "unknown key(s) printr"),
        ("[card]\nmax_amount_fen = '100'\n", "card.max_amount_fen: expected int"),
        ("[card]\nmax_amount_fen = true\n", "expected an integer"),
        ("printer = 3\n", "must be a table"),
        ("[printer\n", "not valid TOML"),
    ],
)
def test_malformed_config_is_refused_with_the_key(tmp_path: Path, text: str, needle: str) -> None:
    f = tmp_path / "bad.toml"
    f.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_settings(f, env={})
    assert needle in str(info.value)
    assert str(f) in str(info.value)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml", env={})
