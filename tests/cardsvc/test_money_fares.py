import pytest
from hypothesis import given
from hypothesis import strategies as st

from cardsvc.errors import ServiceConfigError
from cardsvc.fares import FareTable
from cardsvc.money import AmountError, format_fen, parse_yuan
from cardsvc.profile import CardType


@pytest.mark.parametrize(("text", "fen"), [("12.50", 1250), ("12.5", 1250), ("100", 10000),
                                           ("0.01", 1), (" 7 ", 700), ("999999.99", 99999999)])
def test_yuan_parses_exactly(text: str, fen: int) -> None:
    assert parse_yuan(text) == fen


@pytest.mark.parametrize("text", ["12.505", "-1", "1e3", "0", "0.00", "abc", "", "12.", ".5",
                                  "1,000", "NaN", "inf", "１２"])
def test_bad_amounts_are_refused(text: str) -> None:
    with pytest.raises(AmountError):
        parse_yuan(text)


@given(st.integers(min_value=1, max_value=10**11 - 1))
def test_format_and_parse_round_trip(fen: int) -> None:
    assert parse_yuan(format_fen(fen)) == fen


def test_embedded_fares_and_discounts() -> None:
    table = FareTable.load()
    assert table.fare("1", CardType.ADULT).fare_fen == 100
    assert table.fare("1", CardType.STUDENT).fare_fen == 50
    assert table.fare("K1", CardType.STUDENT).fare_fen == 100
    assert table.fare("1", CardType.SENIOR).free
    assert table.fare("99", CardType.ADULT).fare_fen == table.default_fare_fen
    assert table.fare("1", CardType.STUDENT, base_fen=101).fare_fen == 50  # rounded down


def test_a_bad_fare_table_is_a_config_error(tmp_path) -> None:
    bad = tmp_path / "fares.toml"
    bad.write_text("default_fare_fen = 100\n[discount_percent]\nchild = 50\n")
    with pytest.raises(ServiceConfigError, match="unknown card type"):
        FareTable.load(bad)
    bad.write_text("default_fare_fen = -1\n")
    with pytest.raises(ServiceConfigError, match="default_fare_fen"):
        FareTable.load(bad)
    with pytest.raises(ServiceConfigError, match="does not exist"):
        FareTable.load(tmp_path / "none.toml")
