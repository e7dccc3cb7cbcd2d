"""The issuer key file: loader, permission and format checks, demo installer, hidden keys."""

from __future__ import annotations

import os
import pickle
import stat
from pathlib import Path

import pytest

from cardsvc.demo_issuer import demo_key_file, install_demo_keys
from cardsvc.errors import ServiceConfigError
from cardsvc.keys import IssuerKeys, KeyFileError, load_issuer_keys, parse_issuer_keys
from cardsvc.messages import MESSAGES

H = bytes.fromhex
MPK = "3F1A5C7E9B2D4F6081A3C5E7092B4D6F"
MLK = "5A6B7C8D9EAFB0C1D2E3F40516273849"
MTK = "0F1E2D3C4B5A69788796A5B4C3D2E1F0"
MAMK = "C1C2C3C4C5C6C7C8D1D2D3D4D5D6D7D8"
ALL_KEYS = (MPK, MLK, MTK, MAMK)


def _assert_no_key_material(text: str) -> None:
    low = text.lower()
    for key in ALL_KEYS:
        assert key.lower() not in low
        assert key[:8].lower() not in low


def _write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


def test_demo_keys_install_and_load(tmp_path: Path) -> None:
    path = install_demo_keys(tmp_path)
    assert path == tmp_path / "issuer_keys.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    keys = load_issuer_keys(path)
    assert (keys.mpk, keys.mlk, keys.mtk, keys.mamk) == tuple(H(k) for k in ALL_KEYS)
    assert keys.terminal_id == H("410200009001")  # the software SAM's own, not the PSAM's
    assert keys.key_version == 1
    assert "test keys only" in demo_key_file().read_text(encoding="utf-8").lower()


def test_install_to_file_path_creates_parents_and_overwrites(tmp_path: Path) -> None:
    dest = tmp_path / "var" / "keys" / "k.toml"
    assert install_demo_keys(dest) == dest
    os.chmod(dest, 0o644)
    install_demo_keys(dest)
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    assert [p.name for p in dest.parent.iterdir()] == ["k.toml"]


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o620, 0o602, 0o644, 0o660])
def test_refuses_group_or_other_access(tmp_path: Path, mode: int) -> None:
    path = install_demo_keys(tmp_path)
    os.chmod(path, mode)
    with pytest.raises(KeyFileError) as info:
        load_issuer_keys(path)
    msg = str(info.value)
    assert str(path) in msg
    assert f"chmod 600 {path}" in msg
    assert f"{mode:04o}" in msg
    _assert_no_key_material(msg)
    assert isinstance(info.value, ServiceConfigError)


def test_owner_read_only_is_accepted(tmp_path: Path) -> None:
    path = install_demo_keys(tmp_path)
    os.chmod(path, 0o400)
    assert load_issuer_keys(path).has("mpk")


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="does not exist"):
        load_issuer_keys(tmp_path / "nope.toml")
    with pytest.raises(KeyFileError):
        load_issuer_keys(tmp_path)


def test_symlink_is_refused(tmp_path: Path) -> None:
    real = install_demo_keys(tmp_path / "real.toml")
    link = tmp_path / "link.toml"
    link.symlink_to(real)
    with pytest.raises(KeyFileError):
        load_issuer_keys(link)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (f'[issuer]\nmpk = "{MPK[:-2]}"\n', "mpk must be 32 hex digits .16 bytes., got 30"),
        (f'[issuer]\nmpk = "{MPK}00"\n', "got 34"),
        (f'[issuer]\nmlk = "{MLK[:-1]}Z"\n', "mlk is not valid hex"),
        ("[issuer]\nmtk = 5\n", "mtk must be a hex string"),
        (f'[issuer]\nmpkk = "{MPK}"\n', r"unknown name\(s\) in \[issuer\]: mpkk"),
        (f'[keys]\nmpk = "{MPK}"\n', r"unknown name\(s\): keys"),
        ("[issuer]\n", "no keys"),
        (f'[issuer]\nmpk = "{MPK}"\nkey_version = 300\n', "key_version"),
        (f'format = 2\n[issuer]\nmpk = "{MPK}"\n', "format"),
        (f'[issuer]\nmpk = "{MPK}"\n[sam]\nterminal_id = "41020000000A"\n', "terminal_id"),
        (f'[issuer]\nmpk = "{MPK}"\n[sam]\nterminal_id = "4102"\n', "terminal_id"),
        (f'[issuer]\nmpk = "{MPK}\n', "not valid TOML"),
        ('[issuer]\nmpk = "3F1A\x01CAFE"\n', r"not valid TOML \(at line 2, column 12\)$"),
        (f'issuer = "{MPK}"\n', "must be a table"),
    ],
)
def test_malformed_files_are_refused_without_echoing_keys(
    tmp_path: Path, text: str, match: str
) -> None:
    path = _write(tmp_path / "k.toml", text)
    with pytest.raises(KeyFileError, match=match) as info:
        load_issuer_keys(path)
    assert str(path) in str(info.value)
    _assert_no_key_material(str(info.value))
    _assert_no_key_material(MESSAGES.zh(info.value))


def test_subset_file_and_missing_key(tmp_path: Path) -> None:
    path = _write(tmp_path / "sam.toml", f'[issuer]\nmpk = "{MPK.lower()}"\nmamk = "{MAMK}"\n')
    keys = load_issuer_keys(path)
    assert keys.mpk == H(MPK)
    assert keys.has("mamk") and not keys.has("mlk")
    with pytest.raises(KeyFileError, match="has no mtk") as info:
        _ = keys.mtk
    assert str(path) in str(info.value)
    with pytest.raises(KeyFileError, match="terminal_id"):
        keys.require_terminal_id()


def test_spaces_in_hex_are_ignored() -> None:
    spaced = " ".join(MPK[i : i + 4] for i in range(0, 32, 4))
    assert parse_issuer_keys(f'[issuer]\nmpk = "{spaced}"\n').mpk == H(MPK)


def test_repr_and_str_hide_keys(tmp_path: Path) -> None:
    keys = load_issuer_keys(install_demo_keys(tmp_path))
    for text in (repr(keys), str(keys), f"{keys}", repr([keys])):
        _assert_no_key_material(text)
        assert "hidden" in text
    assert "mpk" in repr(keys) and "410200009001" in repr(keys)


def test_issuer_keys_are_immutable_and_not_picklable() -> None:
    keys = IssuerKeys(mpk=H(MPK))
    with pytest.raises(AttributeError):
        keys.terminal_id = b"x"
    with pytest.raises(TypeError):
        pickle.dumps(keys)
    assert not hasattr(keys, "__dict__")


def test_constructor_validates_lengths() -> None:
    with pytest.raises(KeyFileError, match="mpk must be 16 bytes"):
        IssuerKeys(mpk=H(MPK)[:8])
    with pytest.raises(KeyFileError, match="terminal_id"):
        IssuerKeys(mpk=H(MPK), terminal_id=b"\x41")
