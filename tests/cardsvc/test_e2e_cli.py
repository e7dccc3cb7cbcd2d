"""`cardsvc` card commands as a user runs them: a child process, through the real pcscd, with
the virtual card in `Virtual PCD 00 00` and the virtual PSAM in `Virtual PCD 00 01`."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from simulators.pcscd import PcscdProcess
from tests.cardsvc.cli import cardsvc_json, run_cardsvc

pytestmark = pytest.mark.pcscd


class Cli:
    def __init__(self, tmp: Path, pcscd: PcscdProcess) -> None:
        self.config = tmp / "config.toml"
        self.config.write_text(f'[paths]\nvar_dir = "{tmp / "var"}"\n')
        self.env = {**os.environ, **pcscd.env, "CITIZEN_HALL_CONFIG": str(self.config)}

    def run(self, *args: str,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return run_cardsvc(*args, env=env or self.env)

    def json(self, *args: str) -> dict[str, Any]:
        return cardsvc_json(*args, env=self.env)  # type: ignore[no-any-return]


@pytest.fixture
def cli(tmp_path: Path, pcscd: PcscdProcess, psam: Any) -> Cli:
    return Cli(tmp_path, pcscd)


def test_the_demo_session_of_the_issue(cli: Cli, attach_card: Any) -> None:
    attach_card("4102000000000001")
    who = cli.run("identify")
    assert who.returncode == 0, who.stderr
    assert "张明华" in who.stdout and "4102**********0315" in who.stdout
    pay = cli.json("pay", "12.50")
    assert (pay["amount_fen"], pay["balance_fen"]) == (1250, 8750)
    ride = cli.json("ride", "--line", "1")
    assert (ride["amount_fen"], ride["balance_fen"], ride["type"]) == (100, 8650, "compound")
    load = cli.json("load", "100", "--pin", "123456")
    assert (load["amount_fen"], load["balance_fen"]) == (10000, 18650)
    assert cli.json("balance")["balance_fen"] == 18650
    history = cli.run("history")
    assert history.returncode == 0
    for text in ("12.50", "100.00", "充值", "消费", "复合消费", "线路 line 1"):
        assert text in history.stdout
    data = cli.json("history")
    assert [r["amount_fen"] for r in data["purse"][:3]] == [10000, 100, 1250]
    assert data["transit"][0]["line"] == "1"


def test_wrong_pin_shows_tries_left(cli: Cli, attach_card: Any) -> None:
    attach_card("4102000000000001")
    done = cli.run("load", "10", "--pin", "000000")
    assert done.returncode == 1
    assert "还可尝试 2 次" in done.stderr and "2 tries left" in done.stderr
    assert "Traceback" not in done.stderr


def test_refusals_are_clear(cli: Cli, attach_card: Any) -> None:
    attach_card("4102000000000002")  # student, 50.00 yuan
    poor = cli.run("pay", "60")
    assert poor.returncode == 1 and "余额不足" in poor.stderr and "50.00" in poor.stderr
    attach_card("4102000000000003")
    expired = cli.run("pay", "1")
    assert expired.returncode == 1
    assert "expired" in expired.stderr and "已过有效期" in expired.stderr
    attach_card("4102000000000004")
    lost = cli.run("pay", "1")
    assert lost.returncode == 1 and "挂失" in lost.stderr
    assert cli.json("identify")["status"] == "blocked"
    for args, code in ((("pay", "12.505"), 2), (("pay", "0"), 2), (("pay", "1000.01"), 1)):
        done = cli.run(*args)
        assert done.returncode == code, (args, done.stderr)
        assert "Traceback" not in done.stderr


def test_sm4_card_does_everything(cli: Cli, attach_card: Any) -> None:
    attach_card("4102000000000005")
    assert cli.json("pay", "12.50", "--kind", "retail")["balance_fen"] == 8750
    assert cli.json("ride", "--line", "K1")["amount_fen"] == 200
    assert cli.json("load", "1.00", "--pin", "123456")["balance_fen"] == 8650
    assert len(cli.json("history")["purse"]) == 3
    assert cli.json("block")["blocked"] is True
    assert cli.json("identify")["status"] == "blocked"


def test_no_card_and_no_pcscd_are_clear(cli: Cli, attach_card: Any, card_rig: Any) -> None:
    with card_rig.vacate(0):
        done = cli.run("identify")
        assert done.returncode == 3 and "请放卡" in done.stderr
    env = {**cli.env, "PCSCLITE_CSOCK_NAME": str(cli.config.parent / "no-such.comm")}
    dead = cli.run("balance", env=env)
    assert dead.returncode == 3 and "pcscd" in dead.stderr and "Traceback" not in dead.stderr
    assert cli.run("pay", "1", "--reader", "No Such Reader").returncode == 3


def test_a_torn_purchase_is_journalled_and_recovered(cli: Cli, attach_card: Any) -> None:
    card = attach_card("4102000000000001")
    card.card.tear(1, "after", prefix="8054")  # the card debits, the answer is lost
    torn = cli.run("pay", "5")
    assert torn.returncode == 3 and "卡片已移开" in torn.stderr
    unresolved = cli.json("journal", "--unresolved")["entries"]
    assert [(e["status"], e["amount_fen"]) for e in unresolved] == [("unknown", 500)]
    card.wait_absent()
    card.insert()
    recovered = cli.json("recover")
    assert [r["outcome"] for r in recovered["resolved"]] == ["completed"]
    assert recovered["unresolved_by_card"] == {}
    [entry] = cli.json("journal")["entries"]
    assert entry["status"] == "completed" and len(entry["tac"]) == 8
    assert cli.json("balance")["balance_fen"] == 9500
    text = cli.run("journal")
    assert "completed" in text.stdout and "完成" in text.stdout


def test_a_retry_after_a_tear_says_the_earlier_payment_went_through(cli: Cli,
                                                                    attach_card: Any) -> None:
    card = attach_card("4102000000000001")
    card.card.tear(1, "after", prefix="8054")  # the card debits; its answer never comes
    torn = cli.run("pay", "2")
    assert torn.returncode == 3, torn.stderr
    card.wait_absent()
    card.insert()
    retry = cli.run("pay", "2")  # the same command again: no second charge in silence
    assert retry.returncode == 1, (torn.stderr, retry.stderr)
    assert "上一笔 2.00 元扣款已成功" in retry.stderr and "payment of 2.00 yuan went through" \
        in retry.stderr
    assert cli.json("balance")["balance_fen"] == 9800
    again = cli.json("pay", "2", "--again")  # the cashier confirms a second charge
    assert again["balance_fen"] == 9600
    card.card.tear(1, "after", prefix="8052")  # the same for a top-up
    assert cli.run("load", "5", "--pin", "123456").returncode == 3
    card.wait_absent()  # pcscd must see the card go before it comes back
    card.insert()
    reload_ = cli.run("load", "5", "--pin", "123456")
    assert reload_.returncode == 1 and "上一笔 5.00 元充值已成功" in reload_.stderr
    assert cli.json("balance")["balance_fen"] == 10100
