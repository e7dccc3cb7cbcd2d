"""The case state machine (pure): which action moves a case from which status to which.

::

    draft -submit-> submitted -accept-> accepted -review-> under_review -approve-> approved
    submitted -supplement-> supplement_requested -submit-> submitted   (一次性告知: once)
    submitted -refuse-> not_accepted          accepted/under_review -refuse-> refused
    accepted/under_review -forward-> forwarded -return-> under_review   (报批件 only)
    approved -collect-> collected

* 即办件 (``immediate``): ``accept`` decides at once (approved, or refused with a reason).
* 承诺件 (``promised``): due the promised number of working days after acceptance.
* 联办件 (``joint``): accepted by the lead department; every joint department reviews in parallel
  (``review`` with an opinion); the lead decides when all have, and approves only if all agree.
* 报批件 (``approval``): ``forward`` to the outside authority, tracked; ``return`` when it answers.
* 急办件 (``urgent``): first in every clerk's queue.
"""

from __future__ import annotations

from types import MappingProxyType

from backoffice.errors import InvalidState

__all__ = ["ACTIONS", "CLOSED", "DECIDED", "OPEN_FOR_UPLOAD", "STATUSES", "next_status",
           "status_zh"]

STATUSES = ("draft", "submitted", "supplement_requested", "accepted", "not_accepted",
            "under_review", "forwarded", "approved", "refused", "collected")
DECIDED = frozenset({"approved", "refused", "not_accepted", "collected"})
CLOSED = DECIDED
OPEN_FOR_UPLOAD = frozenset({"draft", "supplement_requested"})

ACTIONS = MappingProxyType({
    # action: {from status: to status}
    "submit": {"draft": "submitted", "supplement_requested": "submitted"},
    "accept": {"submitted": "accepted"},
    "supplement": {"submitted": "supplement_requested"},
    "review": {"accepted": "under_review", "under_review": "under_review"},
    "forward": {"accepted": "forwarded", "under_review": "forwarded"},
    "return": {"forwarded": "under_review"},
    "approve": {"accepted": "approved", "under_review": "approved"},
    "refuse": {"submitted": "not_accepted", "accepted": "refused", "under_review": "refused",
               "forwarded": "refused"},
    "collect": {"approved": "collected"},
})

_ZH = {"draft": "草稿", "submitted": "已提交", "supplement_requested": "待补正",
       "accepted": "已受理", "not_accepted": "不予受理", "under_review": "审查中",
       "forwarded": "已报批", "approved": "准予办理", "refused": "不予批准",
       "collected": "已领取"}
_ACTION_ZH = {"submit": "提交", "accept": "受理", "supplement": "补正告知", "review": "审查",
              "forward": "报批", "return": "报批返回", "approve": "批准", "refuse": "不予办理",
              "collect": "领取"}


def status_zh(status: str) -> str:
    return _ZH.get(status, status)


def next_status(action: str, status: str, mode: str) -> str:
    """The status ``action`` leads to from ``status``; :class:`InvalidState` if not allowed."""
    moves = ACTIONS.get(action, {})
    if action == "forward" and mode != "approval":
        raise InvalidState("only an approval matter (报批件) is forwarded",
                           "只有报批件可以上报", code="not_an_approval_matter")
    if status not in moves:
        raise InvalidState(f"cannot {action} a case that is {status}",
                           f"案件当前为“{status_zh(status)}”，不能{_ACTION_ZH.get(action, action)}")
    return moves[status]
