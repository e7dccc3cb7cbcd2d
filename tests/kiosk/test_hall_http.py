"""The kiosk's hall adapter against the real back office (its own process, HTTP, SQLite, the
demo catalogue): the offline catalogue searched with the hall's engine, an application filed
with its scanned pages, and with the back office down: kept in the outbox (pending receipt
whose QR token works later), sent exactly once when it is back, a lost answer replayed without
a second case; progress by QR token and by number + ID tail; a rating queued behind a pending
application; a complaint."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.adapters import hall_offline
from kiosk.adapters.hall_http import HttpHall, new_client_token
from kiosk.catalogue import Catalogue
from kiosk.outbox import Outbox
from kiosk.pdfpages import WIDTH_PX, pdf_picture
from kiosk.ports import Application, CaseRef, Complaint, Fault, MaterialPages, PortError, Rating
from tests.kiosk.fakes import CITIZEN
from tests.kiosk.screens import artifacts
from tests.kiosk.stack import YYZZ, YYZZ_FORM, HallProcess, jpeg_page


@pytest.fixture(scope="module")
def hall_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HallProcess]:
    hall = HallProcess(tmp_path_factory.mktemp("hall")).start()
    try:
        yield hall
    finally:
        hall.stop()


@pytest.fixture
def adapter(hall_process: HallProcess, tmp_path: Path) -> Iterator[HttpHall]:
    if hall_process.proc is None:
        hall_process.start()
    outbox = Outbox(tmp_path / "outbox")
    http = HttpHall(hall_process.url, hall_process.kiosk_token, tmp_path / "catalogue.json",
                    outbox, terminal="kiosk-test", timeout=3.0)
    try:
        yield http
    finally:
        http.close()
        outbox.close()


def _application(tmp_path: Path, token: str) -> Application:
    pages = {m: jpeg_page(tmp_path / f"{m}.jpg", seed=i)
             for i, m in enumerate(("application", "id_card", "premises_proof"), 1)}
    return Application(YYZZ, 1, CITIZEN, YYZZ_FORM,
                       tuple(MaterialPages(m, (p,)) for m, p in pages.items()), token,
                       "kiosk-test")


def test_catalogue_copy_is_searched_with_the_halls_engine(adapter: HttpHall) -> None:
    hits = adapter.search("yyzz")
    assert hits[0].name["zh"].startswith("营业执照登记")
    assert adapter.offline.path.exists()  # kept for when the back office is down
    assert len(adapter.catalogue().matters) == 104
    sample = next(m.sample for m in adapter.matter(YYZZ).materials if m.sample)
    assert adapter.file(sample.sha256)[:5] == b"%PDF-"


def test_the_copy_carries_the_halls_search_tokens_so_no_pinyin_at_start(
        adapter: HttpHall, monkeypatch: pytest.MonkeyPatch) -> None:
    adapter.refresh(force=True)
    copy = Catalogue.from_file(adapter.offline.path)
    assert set(copy.search_keys) == {m.code for m in copy.matters}

    def no_pinyin(*_: object) -> None:
        raise AssertionError("the kiosk computed tokens the hall had sent")

    monkeypatch.setattr(hall_offline, "entry_keys", no_pinyin)
    index = hall_offline.search_index(copy)
    assert index.search("yyzz", limit=1)[0].code == YYZZ
    assert index.search("营业执照", limit=1)[0].code == YYZZ
    bare = Catalogue(copy.departments, copy.categories, copy.matters)  # an old copy: computed
    with pytest.raises(AssertionError, match="computed tokens"):
        hall_offline.search_index(bare)


def test_filed_at_once_when_the_back_office_answers(adapter: HttpHall, tmp_path: Path) -> None:
    token = new_client_token()
    receipt = adapter.submit(_application(tmp_path, token))
    assert not receipt.pending and len(receipt.number) == 14 and receipt.qr_token == token
    p = adapter.progress(CaseRef(token=token))
    assert p.number == receipt.number and p.status == "submitted"
    same = adapter.progress(CaseRef(number=receipt.number, id_tail=CITIZEN.id_number[-6:]))
    assert same.number == receipt.number
    assert adapter.outbox.counts() == {"sent": 1}
    assert not any((tmp_path / "outbox").glob("item-*"))  # the pages went with it
    with pytest.raises(PortError) as wrong:
        adapter.progress(CaseRef(number=receipt.number, id_tail="000000"))
    assert wrong.value.code is Fault.NOT_FOUND
    adapter.rate(Rating(CaseRef(number=receipt.number, id_tail=CITIZEN.id_number[-6:]),
                        "satisfied"))
    with pytest.raises(PortError) as twice:
        adapter.rate(Rating(CaseRef(token=token), "basic"))
    assert twice.value.code is Fault.ALREADY_RATED


def test_back_office_down_outbox_then_sent_exactly_once(adapter: HttpHall, tmp_path: Path,
                                                         hall_process: HallProcess) -> None:
    before = len(adapter.progress_by_identity(CITIZEN))
    hall_process.stop()
    token = new_client_token()
    receipt = adapter.submit(_application(tmp_path, token))
    assert receipt.pending and receipt.number.startswith("K") and receipt.qr_token == token
    waiting = adapter.progress(CaseRef(token=token))  # this kiosk knows it is waiting
    assert waiting.status == "pending"
    adapter.rate(Rating(CaseRef(token=token), "very_satisfied"))  # queued behind it
    assert adapter.deliver_waiting() == 0  # still down
    items = adapter.outbox.waiting()
    assert [i.kind for i in items] == ["application", "rating"] and items[0].attempts >= 1
    db = json.dumps(items[0].payload, ensure_ascii=False)
    assert "开封小吃店" in db  # kept until sent ...
    hall_process.start()
    assert adapter.deliver_waiting() == 2
    assert adapter.deliver_waiting() == 0
    assert adapter.outbox.counts() == {"sent": 2}
    assert adapter.outbox.waiting() == []
    sent = adapter.outbox.find("application", token)
    assert sent is not None and sent.payload == {}  # ... and not a moment longer
    filed = adapter.progress(CaseRef(token=token))
    assert filed.status == "submitted" and len(filed.number) == 14
    mine = adapter.progress_by_identity(CITIZEN)
    assert len(mine) == before + 1  # exactly once


def test_a_lost_answer_is_replayed_without_a_second_case(adapter: HttpHall,
                                                         tmp_path: Path) -> None:
    token = new_client_token()
    app = _application(tmp_path, token)
    before = len(adapter.progress_by_identity(CITIZEN))
    # the hall files and submits, then the kiosk dies before marking the item sent
    item = adapter.outbox.put("application", token, {
        "matter_code": YYZZ, "identity": {"source": "id_card", "name": CITIZEN.name,
                                          "id_number": CITIZEN.id_number},
        "form": YYZZ_FORM, "channel": "kiosk-test",
        "materials": [{"id": m.material_id, "pages": [p.name for p in m.pages],
                       "reuse": False} for m in app.materials]},
        {p.name: p for m in app.materials for p in m.pages})
    first = adapter._deliver_application(item)  # the crash window itself
    assert adapter.deliver_waiting() == 1  # after the restart
    again = adapter.outbox.find("application", token)
    assert again is not None and again.result == first
    assert len(adapter.progress_by_identity(CITIZEN)) == before + 1


def test_a_complaint_gets_its_number(adapter: HttpHall) -> None:
    number = adapter.complain(Complaint("排队等候时间长", "上午在窗口等了两个小时", "王小明",
                                        "13912345678", "AMR"))
    assert len(number) == 14 and number.startswith("2")


def test_a_pdf_sample_from_the_hall_is_shown_as_its_pages(adapter: HttpHall) -> None:
    adapter.refresh(force=True)
    sample = next(m.sample for m in adapter.matter(YYZZ).materials if m.sample)
    image = pdf_picture(adapter.file(sample.sha256))
    assert not image.isNull() and image.width() == WIDTH_PX
    assert image.height() > image.width()  # a portrait page (A4)
    ink = sum(image.pixelColor(x, y).lightness() < 128
              for x in range(0, image.width(), 10) for y in range(0, image.height(), 10))
    assert ink > 50  # text drawn, not a blank page
    image.save(str(artifacts() / "guide-pdf-sample.png"))
    assert pdf_picture(b"%PDF-1.4 broken").isNull()  # the screen says: ask at a window
