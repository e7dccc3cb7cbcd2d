"""Rendering to ESC/POS bytes: the commands each profile needs, read at the byte level."""

from __future__ import annotations

import dataclasses

import pytest

from drivers.printer import Document, LayoutError, Style, get_profile
from drivers.printer.document import Text
from drivers.printer.render import Line, expected_receipts, layout, render
from tests.printer.samples import all_documents

ESC, GS, FS = b"\x1b", b"\x1d", b"\x1c"


def test_chinese_profiles_enter_chinese_mode_after_init():
    data = render(Document().text("你好").cut(), get_profile("generic-58"))
    assert data.startswith(ESC + b"@" + FS + b"&")
    assert "你好".encode("gb18030") + b"\n" in data
    assert data.endswith(ESC + b"d\x06" + GS + b"V\x00")  # feed past the cutter, full cut


def test_single_byte_profile_leaves_chinese_mode_and_selects_a_code_page():
    data = render(Document().text("Café"), get_profile("latin-80"))
    assert data.startswith(ESC + b"@" + FS + b"." + ESC + b"t\x00")
    assert "Café".encode("cp437") in data


def test_sizes_use_gs_excl_which_also_enlarges_chinese():
    """``ESC !`` double width does not apply to Chinese characters; ``GS !`` does."""
    data = render(Document().text("标题", Style(width=2, height=2)), get_profile("generic-58"))
    assert GS + b"!\x11" in data
    assert ESC + b"!\x30" not in data and ESC + b"!\x20" not in data


def test_underline_is_set_for_single_and_double_byte_characters():
    data = render(Document().text("下划线 ul", Style(underline=True)), get_profile("gbk-58"))
    assert ESC + b"-\x01" in data and FS + b"-\x01" in data


def test_qr_native_or_image_per_profile():
    doc = Document().qr("KF20240506000123")
    native = render(doc, get_profile("generic-58"))
    image = render(doc, get_profile("gbk-58"))
    assert GS + b"(k" in native and b"1P0KF20240506000123" in native
    assert GS + b"v0" in image and GS + b"(k" not in image
    assert len(native) < 120 < 1000 < len(image)


def test_drawer_and_missing_cutter():
    assert ESC + b"p\x00" in render(Document().drawer(2), get_profile("generic-80"))
    no_cutter = dataclasses.replace(get_profile("generic-58"), name="no-cutter", cutter=False,
                                    drawer=False)
    data = render(Document().text("x").cut(), no_cutter)
    assert GS + b"V" not in data
    with pytest.raises(LayoutError, match="cash-drawer"):
        render(Document().drawer(), no_cutter)


def test_qr_too_large_for_the_paper_is_refused():
    with pytest.raises(LayoutError):
        render(Document().qr("x" * 3000, ec="H"), get_profile("generic-58"))


@pytest.mark.parametrize("profile", ["generic-58", "generic-80", "gbk-58", "latin-80"])
def test_every_template_line_fits_the_paper(profile):
    prof = get_profile(profile)
    for name, doc in all_documents().items():
        for item in layout(doc, prof):
            if isinstance(item, Line):
                cols = prof.columns // item.style.width
                assert sum(
                    2 if prof.chinese and ord(c) > 0x7F else 1 for c in item.text) <= cols, \
                    (name, item.text)


def test_document_json_round_trip_renders_the_same_bytes():
    prof = get_profile("generic-58")
    for doc in all_documents().values():
        again = type(doc).from_json(doc.to_json())
        assert again == doc
        assert render(again, prof) == render(doc, prof)


def test_expected_text_splits_at_cuts():
    doc = Document().text("第一张").cut().add(Text("第二张")).cut()
    assert expected_receipts(doc, get_profile("generic-58")) == ["第一张", "第二张"]
