"""Whether a matter's guide is complete enough to publish (Art.21, the six basic elements).

:func:`problems` lists every missing or inconsistent field, first the six basic elements, then
the guide; :func:`require_complete` raises for the first one, naming it. Drafts may be
incomplete; a matter marked ``published`` in an imported file must be complete.
"""

from __future__ import annotations

from backoffice.hallcat.errors import HallDataError
from backoffice.hallcat.exchange import Matter
from backoffice.hallcat.forms import check_form_schema

__all__ = ["Problem", "problems", "require_complete"]

Problem = tuple[str, str, str]
"""(field, English, Chinese)."""


def _missing(field: str, en: str, zh: str) -> Problem:
    return (field, f"missing {en}", f"缺少{zh}")


def problems(m: Matter) -> list[Problem]:
    """Every reason this matter cannot be published, in the order a clerk would fix them."""
    out: list[Problem] = []
    if m.implementing_body is None:
        out.append(_missing("implementing_body", "the implementing body", "实施主体"))
    if not m.legal_basis:
        out.append(_missing("legal_basis", "the legal basis (law and article)",
                            "设定依据（法律及条款）"))
    if not m.category:
        out.append(_missing("category", "a category", "事项分类"))
    if not m.conditions:
        out.append(_missing("conditions", "the conditions", "办理条件"))
    if not m.procedure:
        out.append(_missing("procedure", "the procedure steps", "办理流程"))
    if m.fees is None:
        out.append(("fees", "fees are blank: list the items or say free (不收费)",
                    "收费标准为空：请列明收费项目或注明不收费"))
    for field, en, zh in (("place", "the place", "办理地点"), ("hours", "the hours", "办理时间"),
                          ("route", "how to get there", "交通指引")):
        if getattr(m, field) is None:
            out.append(_missing(field, en, zh))
    if m.phones is None or not m.phones.enquiry or not m.phones.complaint:
        out.append(_missing("phones", "the enquiry and complaint phones", "咨询及投诉电话"))
    if m.effective_date is None:
        out.append(_missing("effective_date", "the effective date", "生效日期"))
    if m.form is None:
        out.append(_missing("form", "the application form", "申请表单"))
    else:
        try:
            check_form_schema(m.form)
        except HallDataError as exc:
            out.append((f"form{'.' + exc.field if exc.field else ''}", exc.message,
                        exc.message_zh))
    out.extend(_limits(m))
    return out


def _limits(m: Matter) -> list[Problem]:
    out: list[Problem] = []
    if m.handling_mode == "immediate":
        if m.promised_limit_days != 0:
            out.append(("promised_limit_days", "an immediate matter (即办件) is decided on the "
                        "spot: promised limit 0", "即办件当场办结，承诺时限应为 0"))
    elif m.promised_limit_days < 1:
        out.append(("promised_limit_days", "a promised limit of at least 1 working day",
                    "承诺时限至少 1 个工作日"))
    if m.statutory_limit_days > 0 and m.promised_limit_days > m.statutory_limit_days:
        out.append(("promised_limit_days",
                    f"promised limit {m.promised_limit_days} is over the statutory limit "
                    f"{m.statutory_limit_days}",
                    f"承诺时限 {m.promised_limit_days} 天超过法定期限 "
                    f"{m.statutory_limit_days} 天"))
    if m.handling_mode == "joint":
        if not m.joint_departments:
            out.append(_missing("joint_departments", "the departments of a joint matter",
                                "联办部门"))
        elif m.department in m.joint_departments:
            out.append(("joint_departments", "the lead department is not its own co-reviewer",
                        "牵头部门不应同时列为联办部门"))
    elif m.joint_departments:
        out.append(("joint_departments", "only a joint matter (联办件) has joint departments",
                    "只有联办件才有联办部门"))
    if m.handling_mode == "approval" and m.outside_step is None:
        out.append(_missing("outside_step", "the outside authority of an approval matter",
                            "报批件的上报机关"))
    return out


def require_complete(m: Matter) -> None:
    """Raise :class:`HallDataError` (code ``incomplete_matter``) naming the first problem."""
    found = problems(m)
    if found:
        field, en, zh = found[0]
        raise HallDataError(en, f"事项信息不完整：{zh}", record=f"matter {m.code}", field=field,
                            code="incomplete_matter")
