"""`simulators card issue`: personalise a new card that the terminal then reads and uses."""

import os
import subprocess
import sys
from pathlib import Path

from cardsvc.demo_issuer import install_demo_keys
from cardsvc.purse.client import PurseClient
from drivers.pcsc.channel import CardChannel
from drivers.pcsc.memory_backend import MemoryBackend
from simulators.card.factory import open_user_card

ID = "410202200001010013"


def _issue(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "simulators.cli", "card", "issue", *args],
                          capture_output=True, text=True, timeout=60, check=False)


def test_issue_then_read_the_card(tmp_path: Path) -> None:
    done = _issue("--state", str(tmp_path), "--card", "4102000000000042", "--holder", "孙小美",
                  "--id-number", ID, "--type", "student", "--balance", "20.50", "--alg", "sm4",
                  "--valid-from", "2026-01-01")
    assert done.returncode == 0, done.stderr
    assert "4102000000000042" in done.stdout
    backend = MemoryBackend(["R"])
    backend.insert("R", open_user_card(tmp_path, "4102000000000042"))
    purse = PurseClient(CardChannel.connect(backend, "R"))
    public = purse.select().public
    assert (public.card_type.label_en, str(public.expiry)) == ("student", "2036-01-01")
    assert purse.holder().name == "孙小美"
    assert purse.balance() == 2050


def test_issue_refuses_bad_input_and_existing_cards(tmp_path: Path) -> None:
    base = ["--state", str(tmp_path), "--holder", "孙小美"]
    assert _issue(*base, "--card", "41020", "--id-number", ID).returncode == 2
    bad_id = _issue(*base, "--card", "4102000000000043", "--id-number", ID[:-1] + "4")
    assert bad_id.returncode == 2 and "check digit" in bad_id.stderr
    assert _issue(*base, "--card", "4102000000000043", "--id-number", ID,
                  "--balance", "1.234").returncode == 2
    assert _issue(*base, "--card", "4102000000000043", "--id-number", ID).returncode == 0
    again = _issue(*base, "--card", "4102000000000043", "--id-number", ID)
    assert again.returncode == 1 and "--overwrite" in again.stderr
    keys = install_demo_keys(tmp_path / "keys.toml")
    os.chmod(keys, 0o644)
    unsafe = _issue(*base, "--card", "4102000000000044", "--id-number", ID, "--keys", str(keys))
    assert unsafe.returncode == 4 and "chmod 600" in unsafe.stderr
    assert "Traceback" not in unsafe.stderr + again.stderr + bad_id.stderr
