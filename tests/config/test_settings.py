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
        ("[printr]\nurl = 'x'\n", "unknown section(s) [printr]"),
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


def test_layers_environment_then_command_line(tmp_path: Path) -> None:
    f = tmp_path / "c.toml"
    f.write_text('[clearing]\ndb = "sqlite:///from-file"\nport = 9000\n')
    env = {"BACKOFFICE_DB": "postgresql:///from-env", "BACKOFFICE_TOKEN": "t" * 20}
    s = load_settings(f, env=env, overrides={"clearing": {"port": 9001, "host": None}})
    assert (s.clearing.db, s.clearing.port, s.clearing.host) == (
        "postgresql:///from-env", 9001, "127.0.0.1")
    assert s.clearing.token == "t" * 20 and "t" * 20 not in repr(s)
    with pytest.raises(ConfigError, match=r"command line: clearing.port: expected int"):
        s.override({"clearing": {"port": "x"}})
    with pytest.raises(ConfigError, match=r"unknown section\(s\) \[clearng\]"):
        s.override({"clearng": {"port": 1}})


def test_every_default_path_follows_var_dir(tmp_path: Path) -> None:
    f = tmp_path / "c.toml"
    f.write_text(f'[paths]\nvar_dir = "{tmp_path / "v"}"\n')
    s = load_settings(f, env={})
    assert s.var_path(s.card.key_file) == tmp_path / "v" / "keys" / "issuer_keys.toml"
    assert s.var_path(s.clearing_client.token_file) == s.var.clearing_client_token
    assert s.var.journal == tmp_path / "v" / "journal.sqlite"


def test_the_old_backoffice_section_is_read_as_clearing_client(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    f = tmp_path / "c.toml"
    f.write_text('[backoffice]\nurl = "http://clearing"\ntoken = "inline-token-0123456789"\n')
    s = load_settings(f, env={})
    assert s.clearing_client.url == "http://clearing"
    assert s.client_token(s.clearing_client, "clearing_client") == "inline-token-0123456789"
    assert "[backoffice] is deprecated" in caplog.text and "token is deprecated" in caplog.text
    f.write_text('[backoffice]\nurl = "a"\n[clearing_client]\nurl = "b"\n')
    with pytest.raises(ConfigError, match="keep one"):
        load_settings(f, env={})


def test_a_client_token_comes_from_a_private_file(tmp_path: Path) -> None:
    token = tmp_path / "hall.token"
    s = Settings().override({"hall_client": {"url": "http://hall", "token_file": str(token)}})
    with pytest.raises(ConfigError, match=r"\[hall_client\] token_file: .* does not exist"):
        s.client_token(s.hall_client, "hall_client")
    token.write_text("short\n")
    token.chmod(0o600)
    with pytest.raises(ConfigError, match="no usable token"):
        s.client_token(s.hall_client, "hall_client")
    token.write_text("a-long-enough-token-0123\n")
    assert s.client_token(s.hall_client, "hall_client") == "a-long-enough-token-0123"
