"""Sample receipts of every template, as a kiosk and the card terminals would make them."""

from __future__ import annotations

import datetime as dt

from cardsvc.receipts import CardReceipt, card_receipt
from drivers.printer import Document
from kiosk.receipts import (
    Application,
    Fee,
    Material,
    MatterGuide,
    application_receipt,
    matter_guide,
)

WHEN = dt.datetime(2024, 5, 6, 12, 30, 45)
CARD = "4102000000000001"

APPLICATION = Application(
    number="KF20240506000123", matter="企业设立登记（有限责任公司）",
    department="开封市市场监督管理局", accepted=WHEN, promised=dt.date(2024, 5, 9),
    promised_days=3, applicant="张小三", matter_code="11410200MB0000000X", collect="窗口领取",
    phone="0371-12345")

GUIDE = MatterGuide(
    code="11410200MB0000000X-001", name="营业执照（企业设立登记）",
    department="开封市市场监督管理局", mode="承诺件", statutory_days=15, promised_days=3,
    conditions=["申请人具有完全民事行为能力", "企业名称已通过自主申报，且与已登记名称不相同"],
    materials=[Material("公司登记（备案）申请书"), Material("公司章程"),
               Material("法定代表人身份证明", "复印件", 2, required=False)],
    fees=[Fee("营业执照工本费", 0), Fee("副本加印", 1000), Fee("档案查询", None, "按页计收")],
    place="市民之家二楼 B 区 12-15 号窗口", hours="周一至周五 9:00-17:00",
    phone="0371-12345", legal_basis=["《中华人民共和国公司法》", "《市场主体登记管理条例》"])

CARD_RECEIPTS = {
    "canteen": CardReceipt("canteen", CARD, 1250, 8750, "000000000001", 123, WHEN,
                           merchant="市民之家职工食堂", tac="1A2B3C4D"),
    "retail": CardReceipt("retail", CARD, 3599, 5151, "000000000002", 124, WHEN,
                               merchant="便民超市"),
    "bus": CardReceipt("bus", CARD, 100, 5051, "000000000003", 125, WHEN, line="1路"),
    "topup": CardReceipt("topup", CARD, 10000, 15051, "000000000004", 7, WHEN),
}


def all_documents() -> dict[str, Document]:
    docs = {f"card-{kind}": card_receipt(r) for kind, r in CARD_RECEIPTS.items()}
    docs["application"] = application_receipt(APPLICATION)
    docs["guide"] = matter_guide(GUIDE)
    return docs
