"""The role's units as provisioning renders them: systemd-analyze verify accepts them, each runs
as its own unprivileged user with the hardening options, restarts on failure, waits for pcscd
when it uses cards, and the device groups they name are the ones the udev rules and sysusers
make."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk.ctl.provision_steps import UNITS, Paths, render_units, unit_command, verify_units

VALUES = {"VENV": "/usr", "CONFIG": "/etc/citizen-hall/config.toml", "ETC": "/etc/citizen-hall",
          "VAR": "/var/lib/citizen-hall", "STATE": "/var/lib/citizen-hall", "KIND": "canteen",
          "LINE": "1", "FEEDBACK": "none", "DEVICES": "", "RECEIPTS": ""}


@pytest.mark.parametrize("role", sorted(UNITS))
def test_units_verify_and_are_hardened(tmp_path: Path, role: str) -> None:
    paths = Paths(tmp_path)
    files = render_units(paths, role, VALUES)
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        assert not re.search(r"@[A-Z]+@", text)  # every template value filled in
    units = [paths.units / u for u in UNITS[role]]
    services = [u for u in units if u.suffix == ".service"]
    for unit in services:
        (tmp_path / "usr" / "bin").mkdir(parents=True, exist_ok=True)
        text = unit.read_text()
        assert re.search(r"^User=ch-", text, re.M), unit.name
        for option in ("NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes",
                       "CapabilityBoundingSet=", "StandardError=journal"):
            assert option in text, (unit.name, option)
        if "oneshot" not in text:
            assert "Restart=on-failure" in text
        if any(w in unit_command(unit) for w in ("serve", "validator")) and "backoffice" \
                not in unit.name:
            assert "After=pcscd.socket" in text and "Wants=pcscd.socket" in text
    rendered = {str(p): p.read_text() for p in units}
    ok, said = verify_units([Path(p) for p in rendered if "/usr/bin/" not in p])
    assert ok or "is not executable" in said, said  # /usr/bin/cardsvc is not on this machine
    groups = set(re.findall(r"^g (\S+)", files[paths.sysusers], re.M))
    used = {g for text in rendered.values()
            for line in re.findall(r"^SupplementaryGroups=(.*)$", text, re.M)
            for g in line.split()}
    assert used - {"video", "input", "render"} <= groups
    assert set(re.findall(r'GROUP="([^"]+)"', files[paths.udev])) <= groups


def test_the_kiosk_runs_alone_in_cage_and_a_validator_has_no_web_server(tmp_path: Path) -> None:
    paths = Paths(tmp_path)
    kiosk = render_units(paths, "kiosk", VALUES)[paths.units / "citizen-hall-kiosk.service"]
    assert "ExecStart=/usr/bin/cage -d -- /usr/bin/kiosk run" in kiosk  # no -s: no VT switch
    validator = render_units(paths, "validator", VALUES)
    assert not any("serve" in text for p, text in validator.items() if p.suffix == ".service")
