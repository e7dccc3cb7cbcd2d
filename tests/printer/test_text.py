"""The Chinese text layer: printable repertoire, display width, wrapping, alignment."""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterator

import pytest
from escpos.printer import Dummy
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.printer import LayoutError, get_profile
from drivers.printer.text import TextCodec

GB18030 = TextCodec(get_profile("generic-58"))
GBK = TextCodec(get_profile("gbk-58"))
LATIN = TextCodec(get_profile("latin-80"))


def bmp_chars() -> Iterator[str]:
    for cp in range(0x20, 0x10000):
        ch = chr(cp)
        if unicodedata.category(ch) not in ("Cc", "Cs", "Co", "Cn"):
            yield ch


@pytest.mark.parametrize("codec", [GB18030, GBK], ids=["gb18030", "gbk"])
def test_width_is_what_the_printer_uses_for_every_printable_character(codec):
    """On a Chinese-mode printer a double-byte code is printed 2 columns wide, a single byte 1.
    The east_asian_width rule (ambiguous = wide) must agree for every printable character."""
    checked, unicode_narrow = 0, []
    for ch in bmp_chars():
        if codec.printable(ch):
            code = ch.encode(codec.profile.encoding)
            assert codec.char_width(ch) == (1 if len(code) == 1 else 2), (ch, hex(ord(ch)))
            if len(code) > 1 and unicodedata.east_asian_width(ch) not in "WFA":
                unicode_narrow.append(ch)
            checked += 1
    assert checked > 21_000  # all of GBK at least
    assert unicode_narrow == ([] if codec is GBK else ["ǹ"])


def test_punctuation_only_strings_are_encoded_not_question_marks():
    assert GB18030.encode("：￥") == "：￥".encode("gb18030") == b"\xa3\xba\xa3\xa4"
    assert GBK.encode("，。（）") == "，。（）".encode("gbk")
    assert b"?" not in GB18030.encode("：￥，。、；！？“”《》【】…—·")


def test_python_escpos_alone_loses_punctuation_only_strings():
    """Why the text layer exists (test-environment.md): python-escpos' own text path."""
    raw = Dummy()
    raw.text("：￥")
    assert b"??" in raw.output
    assert b"\xa3\xba" not in raw.output


def test_unprintable_characters_are_replaced_visibly_and_logged(caplog):
    caplog.set_level(logging.WARNING, logger="drivers.printer.text")
    # U+20BB7 (Extension B) and an emoji are not in a printer font; U+3400 (Ext A) is in GB18030
    cleaned = GB18030.clean("吉𠮷😀㐀")
    assert cleaned == "吉〓〓㐀"
    assert "U+20BB7" in caplog.text and "U+1F600" in caplog.text
    assert GBK.clean("㐀€") == "〓〓"  # neither is in GBK
    assert LATIN.clean("Café 中") == "Café ■"


def test_control_characters_cannot_smuggle_commands():
    """User data (a name) holding ESC/GS bytes must not reach the printer as a command."""
    data = GB18030.encode("张三\x1dV\x00\x1b@")
    assert b"\x1d" not in data and b"\x1b" not in data and b"\x00" not in data
    assert GB18030.clean("a\tb\nc") == "a b c"
    assert GB18030.clean("a\u200bb") == "ab"  # zero-width space: nothing to print


def test_widths_and_alignment():
    assert GB18030.width("卡号：4102") == 10
    assert GB18030.width("￥12.50") == 7
    assert LATIN.width("Café") == 4
    assert GB18030.align("中文", 10, "center") == "   中文"
    assert GB18030.align("中文", 10, "right") == "      中文"
    assert GB18030.align("中文", 3, "right") == "中文"


def test_row_puts_the_value_at_the_right_edge():
    (line,) = GB18030.row("金额：", "￥12.50", 32)
    assert GB18030.width(line) == 32
    assert line.startswith("金额：") and line.endswith("￥12.50")
    lines = GB18030.row("一个非常非常长的标签名称说明文字：", "4102********0001", 32)
    assert all(GB18030.width(x) <= 32 for x in lines)
    assert lines[-1].endswith("4102********0001")


def test_wrapping_keeps_words_and_keeps_closing_punctuation_off_line_starts():
    lines = GB18030.wrap("请携带身份证原件和复印件到二楼窗口办理。Bring your ID card.", 16)
    assert lines == ["请携带身份证原件", "和复印件到二楼窗", "口办理。Bring", "your ID card."]
    # 15 columns of text then "，": the comma would start line 2; one character moves with it
    lines = GB18030.wrap("一二三四五六七，八九", 14)
    assert lines == ["一二三四五六", "七，八九"]
    assert GB18030.wrap("A" * 40, 16) == ["A" * 16, "A" * 16, "A" * 8]
    assert GB18030.wrap("  缩进", 16) == ["  缩进"]
    with pytest.raises(LayoutError):
        GB18030.wrap("x", 1)


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("中文打印测试，。：￥ abcXYZ0123-.()")),
                    max_size=120),
       width=st.sampled_from([16, 24, 32, 48]))
def test_wrapped_lines_fit_and_lose_nothing(text, width):
    lines = GB18030.wrap(text, width)
    assert all(GB18030.width(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
