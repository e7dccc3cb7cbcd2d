"""The virtual printer's decoder, fed hand-written bytes (it is the oracle; test it alone)."""

from __future__ import annotations

from PIL import Image

from simulators.printer import EscPosDecoder, ReceiptRenderer
from simulators.printer.model import Receipt

ESC, GS, FS, DLE = b"\x1b", b"\x1d", b"\x1c", b"\x10"
CUT = GS + b"V\x00"


def decode(data: bytes, **kwargs) -> list[Receipt]:
    out: list[Receipt] = []
    decoder = EscPosDecoder(on_receipt=out.append, **kwargs)
    decoder.feed(data)
    decoder.finish()
    return out


def test_gb18030_text_and_cut():
    (receipt,) = decode(ESC + b"@" + FS + b"&" + "卡号：4102 ￥12.50\n".encode("gb18030") + CUT)
    assert receipt.text == "卡号：4102 ￥12.50"
    assert receipt.cut == "full"
    assert receipt.lines[0].columns == 6 + 4 + 1 + 2 + 5  # 卡号：|4102| |￥|12.50
    assert receipt.warnings == []


def test_stream_split_anywhere_decodes_the_same():
    data = (ESC + b"@" + FS + b"&" + "中文𠮷\n".encode("gb18030") + GS + b"(k\x03\x001C\x04"
            + GS + b"(k\x06\x001P0ABC" + GS + b"(k\x03\x001Q0" + CUT)
    whole = decode(data)
    out: list[Receipt] = []
    decoder = EscPosDecoder(on_receipt=out.append)
    for i in range(len(data)):
        decoder.feed(data[i:i + 1])
    assert [r.text for r in out] == [r.text for r in whole] == ["中文𠮷"]
    assert out[0].graphics[0].payload == "ABC"


def test_without_chinese_mode_high_bytes_are_a_code_page():
    data = ESC + b"@" + FS + b"." + ESC + b"t\x10" + "Café €5".encode("cp1252") + b"\n"
    (receipt,) = decode(data)
    assert receipt.text == "Café €5"
    (receipt,) = decode(FS + b"." + "£".encode("cp437") + b"\n")  # PC437 by default
    assert receipt.text == "£"


def test_four_byte_code_on_a_gbk_printer_is_flagged():
    (receipt,) = decode("𠮷\n".encode("gb18030"), encoding="gbk")
    assert receipt.text == "\ufffd"
    assert "invalid gbk code" in receipt.warnings[0]


def test_esc_excl_doubles_only_single_byte_characters_gs_excl_all():
    (receipt,) = decode(ESC + b"!\x30" + "中A\n".encode("gb18030")
                        + ESC + b"!\x00" + GS + b"!\x11" + "中A\n".encode("gb18030"))
    first, second = receipt.lines
    assert [(c.ch, c.width) for c in first.cells] == [("中", 1), ("A", 2)]
    assert [(c.ch, c.width) for c in second.cells] == [("中", 2), ("A", 2)]
    assert second.as_dict()["size"] == [2, 2]


def test_a_line_wider_than_the_paper_is_wrapped_and_flagged():
    (receipt,) = decode(("一" * 17 + "\n").encode("gb18030"))  # 34 columns on 32
    assert [line.text for line in receipt.lines] == ["一" * 16, "一"]
    assert receipt.overflow


def test_status_answers_come_from_the_callback_and_silence_is_possible():
    answers = {1: 0x12, 4: 0x7E}
    decoder = EscPosDecoder(status=answers.get)
    assert decoder.feed(DLE + b"\x04\x01" + DLE + b"\x04\x04" + DLE + b"\x04\x02") == b"\x12\x7e"
    assert decoder.status_requests == 3
    assert EscPosDecoder(status=lambda n: None).feed(DLE + b"\x04\x01") == b""


def test_raster_image_and_justification():
    # an 16x2 raster: first row black, second row white
    data = ESC + b"a\x01" + GS + b"v0\x00\x02\x00\x02\x00" + b"\xff\xff\x00\x00"
    (receipt,) = decode(data)
    (graphic,) = receipt.graphics
    assert (graphic.kind, graphic.width, graphic.height, graphic.x) == ("raster", 16, 2, 184)
    assert graphic.image.getpixel((0, 0)) == 0 and graphic.image.getpixel((0, 1)) == 255


def test_unknown_commands_and_paper_out_data_are_reported():
    decoder_out: list[Receipt] = []
    decoder = EscPosDecoder(on_receipt=decoder_out.append)
    decoder.paper_out = True
    decoder.feed(ESC + b"\xf0" + b"x\n" + CUT)
    (receipt,) = decoder_out
    assert any("unknown command ESC 0xF0" in w for w in receipt.warnings)
    assert receipt.bytes_while_paper_out == receipt.bytes == 7


def test_rendered_native_qr_reads_back_and_chinese_has_a_font(tmp_path):
    renderer = ReceiptRenderer()
    assert renderer.font_path is not None, "apt install fonts-wqy-microhei"
    data = (ESC + b"a\x01" + GS + b"(k\x03\x001C\x06" + GS + b"(k\x03\x001E1"
            + GS + b"(k\x13\x001P0KF20240506000123" + GS + b"(k\x03\x001Q0" + ESC + b"a\x00"
            + "中\n".encode("gb18030") + CUT)
    (receipt,) = decode(data)
    page = renderer.render(receipt)
    renderer.decode_qr(receipt, page)
    assert receipt.qr_codes == ["KF20240506000123"]
    # the Chinese glyph is really drawn: ink in its cell (not an empty box outline only)
    line_top = 16 + receipt.graphics[0].height
    cell = page.crop((16, line_top, 16 + 24, line_top + 30))
    dark = sum(1 for v in cell.tobytes() if v < 128)
    assert dark > 20
    assert isinstance(page, Image.Image)
