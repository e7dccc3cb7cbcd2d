"""The message catalogue: codes to Chinese and English, complete, unambiguous, publishable."""

from __future__ import annotations

from enum import StrEnum

import pytest

from backoffice.messages import MESSAGES as BACKOFFICE
from cardsvc.codes import ErrorCode
from cardsvc.errors import InsufficientBalance, WrongPin
from cardsvc.messages import MESSAGES as CARDSVC
from config.messages import Catalogue, Words
from kiosk.ctl.messages import MESSAGES as KIOSKCTL


class Light(StrEnum):
    RED = "red"
    GREEN = "green"


class Other(StrEnum):
    RED = "red"


def test_words_with_parameters_and_the_fullest_template_that_fits() -> None:
    cat = Catalogue("t", {Light.RED: (Words("红灯 {n} 秒", "red for {n} s"), Words("红灯", "red")),
                          Light.GREEN: Words("绿灯", "green")})
    assert cat.words(Light.RED, n=3) == Words("红灯 3 秒", "red for 3 s")
    assert cat.zh(Light.RED) == "红灯" and cat.en(Light.RED, n=None) == "red"
    assert cat.text(Light.GREEN, "en") == "green" and Light.GREEN in cat
    assert cat.words(Light.GREEN).both() == "绿灯 / green"


def test_plain_string_codes_for_texts_a_table_defines() -> None:
    screen = {"home_title": Words("市民之家", "Citizens' hall"), "red": Words("红", "red")}
    with pytest.raises(ValueError, match="share the value"):
        Catalogue("t", {Light.RED: Words("红灯", "red"), Light.GREEN: Words("绿", "g")}, screen)
    cat = Catalogue("t", {"home_title": Words("市民之家", "Citizens' hall")})
    assert cat.text("home_title", "zh") == "市民之家" and cat.codes == ("home_title",)


def test_a_catalogue_refuses_gaps_and_clashes() -> None:
    with pytest.raises(ValueError, match="no words for"):
        Catalogue("t", {Light.RED: Words("红", "red")})
    with pytest.raises(ValueError, match="share the value"):
        Catalogue("t", {Light.RED: Words("红", "red"), Light.GREEN: Words("绿", "green")},
                  {Other.RED: Words("红", "red")})
    cat = Catalogue("t", {Light.RED: Words("{n}", "{n}"), Light.GREEN: Words("绿", "green")})
    with pytest.raises(KeyError, match="needs n"):
        cat.zh(Light.RED)


def test_errors_carry_codes_and_their_words_come_from_the_catalogue() -> None:
    poor = InsufficientBalance(5000, 6000)
    assert poor.code is ErrorCode.INSUFFICIENT_BALANCE
    assert CARDSVC.line(poor) == ("余额不足：余额 50.00 元，需要 60.00 元 / insufficient balance: "
                                  "balance 50.00 yuan, needed 60.00 yuan")
    unknown = InsufficientBalance(None, 100)
    assert CARDSVC.zh(unknown) == "余额不足：需要 1.00 元"
    assert str(unknown) == "insufficient balance: needed 1.00 yuan"
    assert CARDSVC.words(WrongPin(2)).en == "wrong PIN, 2 tries left"
    assert CARDSVC.words(WrongPin(1)).en == "wrong PIN, 1 try left"  # issue 12 item 9


def test_every_program_catalogue_covers_its_codes_and_publishes_them() -> None:
    assert set(CARDSVC.codes) == set(ErrorCode)
    schema = CARDSVC.openapi(description="why")
    assert schema["type"] == "string" and "insufficient_balance" in schema["enum"]
    assert schema["x-messages"]["wrong_pin"]["zh"].startswith("密码错误")
    for catalogue in (CARDSVC, BACKOFFICE, KIOSKCTL):
        for code in catalogue.codes:
            words = catalogue.template(code)
            assert words.zh and words.en and words.zh != words.en, code
