"""The hall API's data (pydantic): what the OpenAPI document describes, with examples."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from drivers.idcard.codes import id_number_valid

__all__ = [
    "CaseCreated", "CaseDetail", "CaseSummary", "ClerkAction", "ComplaintCreated",
    "ComplaintFiled", "ComplaintView", "Event", "HeldMaterial", "HeldQuery", "Identity",
    "MaterialState", "MatterHit",
    "NewCase", "NewComplaint", "Progress", "RatingIn", "RatingOut", "RatingReason",
    "WorkOrderView",
]

_EXAMPLE_ID = "410102199003070019"
Level = Literal["very_satisfied", "satisfied", "basic", "dissatisfied", "very_dissatisfied"]


class Identity(BaseModel):
    """The applicant as the kiosk verified them (city card or ID card): never typed."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "source": "id_card", "id_number": _EXAMPLE_ID, "name": "王小明"}]})
    source: Literal["city_card", "id_card"]
    id_number: str = Field(pattern=r"^[0-9]{17}[0-9X]$")
    name: str = Field(min_length=1, max_length=40)
    card_no: str | None = Field(default=None, pattern=r"^[0-9]{16}$")
    sex: str | None = Field(default=None, max_length=4)
    birth_date: dt.date | None = None
    address: str | None = Field(default=None, max_length=120)
    nation: str | None = Field(default=None, max_length=12)

    @field_validator("id_number")
    @classmethod
    def _check_digit(cls, value: str) -> str:
        if not id_number_valid(value):
            raise ValueError("the ID number's check character is wrong")
        return value

    def as_form_values(self) -> dict[str, str]:
        values = {"name": self.name, "id_number": self.id_number}
        for key in ("card_no", "sex", "address", "nation"):
            if getattr(self, key):
                values[key] = str(getattr(self, key))
        if self.birth_date:
            values["birth_date"] = self.birth_date.isoformat()
        return values


class NewCase(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "matter_code": "11410200MB0000001A01000010000001",
        "identity": {"source": "id_card", "id_number": _EXAMPLE_ID, "name": "王小明"},
        "form": {"phone": "13800000000"}, "channel": "kiosk-A1"}]})
    matter_code: str = Field(pattern=r"^[0-9A-Z]{32}$")
    identity: Identity
    form: dict[str, Any] = Field(default_factory=dict, description="The form's answers; "
                                 "identity fields are filled from `identity`.")
    channel: str = Field(default="kiosk", max_length=40, pattern=r"^[A-Za-z0-9_.\-]+$")
    client_token: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9_\-]{22,64}$",
        description="The client's reference for this application, which also becomes its QR "
                    "token (at least 128 random bits, URL-safe). Filing again with the same "
                    "client token answers the same case (a retry or a kiosk's outbox never "
                    "files twice); with another applicant it is refused. A kiosk can print it "
                    "on the receipt before the back office has answered.")


class MaterialState(BaseModel):
    id: str
    name_zh: str
    name_en: str
    required: bool
    pages: int
    source: Literal["none", "upload", "reuse"]


class HeldQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    identity: Identity
    matter_code: str = Field(pattern=r"^[0-9A-Z]{32}$")


class HeldMaterial(BaseModel):
    """A material of a matter the hall already holds for the applicant (Art.22)."""

    material_id: str
    reuse_kind: str
    pages: int
    verified_at: dt.datetime


class CaseCreated(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "number": "12611300000142", "token": "q3W9...", "status": "draft",
        "materials": [{"id": "id_card_copy", "name_zh": "居民身份证复印件",
                       "name_en": "Copy of the ID card", "required": True, "pages": 1,
                       "source": "reuse"}]}]})
    number: str = Field(description="The case number (14 digits with check digits).")
    token: str = Field(description="The QR token: lookup without login. Shown once.")
    status: str
    materials: list[MaterialState]


class Event(BaseModel):
    at: dt.datetime
    kind: str
    status: str
    status_zh: str
    actor: str
    department: str | None = None
    note: str | None = None


class Progress(BaseModel):
    """What a citizen sees of a case: never another person's data, never the form's answers."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "number": "12611300000142", "matter_code": "11410200MB0000001A01000010000001",
        "matter_name": {"zh": "营业执照登记", "en": "Business licence registration"},
        "department": "AMR", "handling_mode": "promised", "status": "accepted",
        "status_zh": "已受理", "applicant": "王**", "id_masked": "4101**********0019",
        "submitted_at": "2026-11-30T09:00:00", "accepted_at": "2026-11-30T10:00:00",
        "promised_date": "2026-12-03", "overdue": False, "missing": [], "decision": None,
        "timeline": [], "can_rate": True}]})
    number: str
    matter_code: str
    matter_name: dict[str, str]
    department: str
    handling_mode: str
    status: str
    status_zh: str
    applicant: str
    id_masked: str
    submitted_at: dt.datetime | None
    accepted_at: dt.datetime | None
    promised_date: dt.date | None
    overdue: bool
    missing: list[str]
    decision: str | None
    timeline: list[Event]
    materials: list[MaterialState] = []
    can_rate: bool = False


class CaseSummary(BaseModel):
    number: str
    matter_code: str
    matter_name_zh: str
    department: str
    handling_mode: str
    status: str
    urgent: bool
    submitted_at: dt.datetime | None
    due_date: dt.date | None
    overdue: bool
    applicant: str


class CaseDetail(Progress):
    """The clerk's view: the full ID number and the form's answers too."""

    id_number: str
    applicant_name: str
    identity_source: str
    form: dict[str, Any]
    reviews: dict[str, str | None]
    forwarded_to: str | None


Reasons = Annotated[list[Literal[
    "guide_unclear", "too_many_materials", "procedure_complex", "slow", "staff_attitude",
    "interface_unfriendly", "fees_wrong", "result_wrong", "other"]], Field(max_length=9)]


class ClerkAction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(default=None, max_length=500)
    missing: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list, max_length=50,
        description="supplement: every missing item, listed at once (一次性告知).")
    opinion: Literal["approve", "refuse"] | None = Field(
        default=None, description="review by a joint department: its opinion.")
    decision: Literal["approve", "refuse"] | None = Field(
        default=None, description="accept of an immediate matter: decided at once.")
    to: str | None = Field(default=None, max_length=200,
                           description="forward: the outside authority (default: the guide's).")


class RatingIn(BaseModel):
    """One rating per case; nothing preselected: ``level`` has no default."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"level": "satisfied"},
        {"level": "dissatisfied", "reasons": ["slow"], "text": "等了很久"}]})
    level: Level
    reasons: Reasons = Field(default_factory=list)
    text: str | None = Field(default=None, max_length=500)
    window: str | None = Field(default=None, max_length=16, pattern=r"^[A-Za-z0-9]+$")


class RatingReason(BaseModel):
    """A reason a 差评 may give, with its words."""

    code: str
    zh: str
    en: str


class RatingOut(BaseModel):
    case_number: str
    level: Level
    level_zh: str
    rated_at: dt.datetime
    defaulted: bool
    work_order: int | None = None
    work_order_due: dt.date | None = None


class WorkOrderView(BaseModel):
    id: int
    case_number: str
    department: str
    level: Level
    reasons: list[str]
    text: str | None
    status: str
    opened_at: dt.datetime
    due_date: dt.date
    overdue: bool
    callback_at: dt.datetime | None
    callback_note: str | None
    outcome: str | None
    appeal_reason: str | None
    appeal_decision: str | None


class NewComplaint(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "name": "李四", "phone": "13900000000", "subject": "窗口排队时间过长",
        "text": "上午在 A01 窗口等了两个小时。", "department": "AMR"}]})
    name: str = Field(min_length=1, max_length=40)
    phone: str = Field(pattern=r"^1[3-9][0-9]{9}$")
    subject: str = Field(min_length=1, max_length=100)
    text: str = Field(min_length=1, max_length=2000)
    department: str | None = Field(default=None, pattern=r"^[A-Z][A-Z0-9_]{1,15}$")
    case_number: str | None = Field(default=None, pattern=r"^[0-9]{14}$")


class ComplaintFiled(BaseModel):
    number: str
    status: str


ComplaintCreated = ComplaintFiled


class ComplaintView(BaseModel):
    number: str
    status: str
    status_zh: str
    subject: str
    department: str | None
    filed_at: dt.datetime
    steps: list[Event]
    answer: str | None


class MatterHit(BaseModel):
    code: str
    name: dict[str, str | None]
    department: str
    category: list[str]
    handling_mode: str
    promised_limit_days: int
    score: float
    matched: str
