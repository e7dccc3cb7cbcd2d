"""``kiosk run``'s adapters from the settings: the hall over HTTP from ``[hall_client]`` (its
token file read before anything starts), else the offline catalogue alone; the city card
through the card service of ``[service]``."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.settings import ConfigError, load_settings
from kiosk.adapters.card import ServiceCard
from kiosk.adapters.hall_http import HttpHall
from kiosk.adapters.hall_offline import OfflineHall
from kiosk.ports import Fault, PortError
from kiosk.wiring import ports_from_settings


def _settings(tmp_path: Path, hall: str):
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(f'[paths]\nvar_dir = "{tmp_path}"\n[printer]\nurl = "tcp://127.0.0.1:9"\n'
                   + (f'[hall_client]\nurl = "{hall}"\n' if hall else ""), encoding="utf-8")
    return load_settings(cfg)


def test_hall_client_needs_its_token_file_and_starts_nothing_without_it(tmp_path: Path
                                                                         ) -> None:
    settings = _settings(tmp_path, "http://127.0.0.1:9")
    with pytest.raises(ConfigError, match="hall_client"):
        ports_from_settings(settings)
    token = settings.var_path(settings.hall_client.token_file)
    token.parent.mkdir(parents=True, exist_ok=True)
    token.write_text("t" * 32)
    token.chmod(0o600)
    ports = ports_from_settings(settings)  # (a worker left running would hold the queue)
    try:
        assert isinstance(ports.hall, HttpHall)
        assert settings.var_path(settings.kiosk.outbox_dir).is_dir()
    finally:
        for close in ports.closers:
            close()


def test_without_a_hall_url_the_offline_catalogue(tmp_path: Path) -> None:
    ports = ports_from_settings(_settings(tmp_path, ""))
    try:
        assert isinstance(ports.hall, OfflineHall)
        # the card service from [service]: not running here, which the card screen says
        assert isinstance(ports.card, ServiceCard)
        with pytest.raises(PortError) as down:
            ports.card.account()
        assert down.value.code is Fault.CARD_SERVICE
    finally:
        for close in ports.closers:
            close()


def test_the_qt_keyboard_is_refused_with_the_reason_not_silently_ignored(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from kiosk.cli import main  # noqa: PLC0415

    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(f'[paths]\nvar_dir = "{tmp_path}"\n[kiosk]\nvirtual_keyboard = "qt"\n',
                   encoding="utf-8")
    assert main(["run", "--config", str(cfg)]) == 4
    err = capsys.readouterr().err
    assert "virtual_keyboard" in err and "builtin" in err and "GPLv3" in err
    assert "虚拟键盘" in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
