"""The back office's words: every :class:`~backoffice.errors.ErrorCode` in Chinese and English.

Used by the CLI (``backoffice CMD: error: 中文 / English particulars``), by the HTTP API (an
error body's ``message_zh``) and by the OpenAPI document (the ``error`` field's enumeration,
each code with its words under ``x-messages``).
"""

from __future__ import annotations

from backoffice.errors import ErrorCode as E
from config.messages import Catalogue, Words

__all__ = ["MESSAGES"]

MESSAGES = Catalogue("backoffice", {
    E.INTERNAL_ERROR: Words("内部错误", "internal error"),
    E.CONFIGURATION_ERROR: Words("配置错误", "configuration error"),
    E.STORAGE_UNAVAILABLE: Words("数据库不可用", "the database is unavailable"),
    E.BAD_REQUEST: Words("请求无效", "bad request"),
    E.UNAUTHORIZED: Words("令牌无效", "a valid bearer token is required"),
    E.INVALID_INPUT: Words("输入无效", "invalid input"),
    E.NOT_FOUND: Words("未找到", "not found"),
    E.BATCH_TOO_LARGE: Words("批次过大", "the batch is too large"),
    E.CONFLICT: Words("与已有数据冲突", "conflicts with what is stored"),
    E.REFUSED: Words("请求被拒绝", "refused"),
    E.CARD_HOTLISTED: Words("此卡已挂失", "the card is on the hotlist"),
    E.MAC1_INVALID: Words("卡片认证失败 (MAC1)", "the card's load MAC1 does not verify"),
    E.LOAD_LIMIT: Words("充值超出限额", "the load would pass the balance limit"),
    E.ALREADY_REFUNDED: Words("该笔交易已退款", "that purchase was refunded already"),
    E.ORIGINAL_NOT_FOUND: Words("清算中心没有这笔原交易", "clearing holds no such purchase for "
                                                         "this card and amount"),
    E.NOT_CONFIGURED: Words("服务缺少所需密钥", "the service lacks a key it needs"),
    # the hall service
    E.INVALID_STATE: Words("当前状态下不能进行此操作", "not possible in the present state"),
    E.PAYLOAD_TOO_LARGE: Words("上传内容超过大小限制", "the upload is over its size limit"),
    E.UNSUPPORTED_MEDIA: Words("只接受 JPEG 图片或 PDF 文件",
                               "only JPEG images or PDF documents"),
    E.RATE_LIMITED: Words("查询过于频繁，请稍后再试",
                          "too many failed lookups: try again later"),
    E.FORBIDDEN: Words("无权进行此操作", "this token may not do this"),
    E.INVALID_CATALOGUE: Words("事项目录文件格式有误", "the catalogue file is malformed"),
    E.INVALID_FORM_SCHEMA: Words("申请表单定义有误", "the application form's schema is malformed"),
    E.INCOMPLETE_MATTER: Words("事项信息不完整，不能发布",
                               "the matter is incomplete: not published"),
    E.VERSION_PUBLISHED: Words("该版本已发布，修改须使用新版本号",
                               "that version is published: a change is a new version"),
    E.CALENDAR_MISSING: Words("缺少该年度的工作日历", "no working-day calendar for that year"),
    E.FORM_INVALID: Words("申请表填写有误", "the application form has a mistake"),
    E.BAD_NUMBER: Words("编号无效", "not a valid number"),
    E.MATTER_NOT_FOUND: Words("没有该事项", "no such matter"),
    E.NOT_ONLINE: Words("该事项不能在自助终端申请，请到窗口办理",
                        "this matter is applied for at a window only"),
    E.CASE_NOT_FOUND: Words("没有对应的办件", "no such case"),
    E.CLIENT_TOKEN_USED: Words("此客户端编号已用于其他申请",
                               "this client token belongs to another application"),
    E.MATERIAL_NOT_FOUND: Words("该事项没有这项材料", "the matter has no such material"),
    E.MATERIALS_MISSING: Words("缺少必需材料", "required materials are missing"),
    E.SUPPLEMENT_ONCE: Words("已发出过补正告知（一次性告知）",
                             "a supplement was already asked for"),
    E.MISSING_REQUIRED: Words("请一次性列出全部需补正内容", "list every missing item at once"),
    E.OPINION_REQUIRED: Words("联办审查须给出意见", "a joint review gives its opinion"),
    E.JOINT_REVIEWS_PENDING: Words("联办部门尚未全部审查",
                                   "joint departments have not all reviewed"),
    E.JOINT_REFUSED: Words("有联办部门不同意，不能批准", "a joint department refused"),
    E.NOT_AN_APPROVAL_MATTER: Words("只有报批件可以上报", "only an approval matter is forwarded"),
    E.REASON_REQUIRED: Words("须说明理由", "a reason is required"),
    E.TEXT_REQUIRED: Words("选择“其他”请填写说明", "the reason 'other' needs a few words"),
    E.REASONS_NOT_ALLOWED: Words("只有差评需要选择原因", "reasons go with a bad rating only"),
    E.NOT_RATEABLE: Words("提交后才能评价", "a case is rated once it is submitted"),
    E.RATING_WINDOW_OVER: Words("评价期已过", "the rating window is over"),
    E.ALREADY_RATED: Words("该办件已评价（每次服务只评价一次）", "this case has been rated"),
    E.NOTE_REQUIRED: Words("请填写处理说明", "say what was done"),
    E.ADMIN_ONLY: Words("申诉由大厅管理方裁定",
                        "an appeal is decided by the hall's administrators"),
    E.COMPLAINT_NOT_FOUND: Words("没有对应的投诉", "no such complaint"),
})
