"""The card service's words: every :class:`~cardsvc.codes.ErrorCode` in Chinese and English.

The one place where the card service's failures become words for people. The CLI prints
``MESSAGES.line(exc)`` (``中文 / English particulars``), the local API answers the code with
both texts, and ``MESSAGES.openapi()`` publishes the codes as an enumeration. A template's
``{name}`` fields are the error's ``params``; where two templates are given, the first whose
fields are all known is used.
"""

from __future__ import annotations

from cardsvc.codes import ErrorCode as E
from config.messages import Catalogue, Words

__all__ = ["MESSAGES"]

MESSAGES = Catalogue("cardsvc", {
    E.FAILED: Words("操作失败", "the operation failed"),
    E.DEVICE_UNAVAILABLE: Words("设备不可用", "a device is unavailable"),
    E.CARD_PROTOCOL: Words("卡片应答异常", "the card answered what the profile does not allow"),
    E.REFUSED: Words("交易被拒绝", "refused"),
    E.CONFIG: Words("配置错误", "configuration error"),
    E.PCSC_UNAVAILABLE: Words("读卡服务 (pcscd) 未运行",
                              "the PC/SC service (pcscd) is not available"),
    E.READER_NOT_FOUND: (Words("找不到读卡器 {reader}", "no reader named {reader}"),
                         Words("找不到读卡器", "the card reader is not available")),
    E.NO_READER: Words("未连接读卡器", "no card reader is attached"),
    E.NO_CARD: Words("请放卡", "no card on any reader: please tap or insert the card"),
    E.CARD_REMOVED: Words("卡片已移开，请重新放卡",
                          "the card left the reader: please present it again"),
    E.SAM_UNAVAILABLE: Words("安全模块 (PSAM) 不可用", "the secure module (PSAM) is unavailable"),
    E.SAM_HELD: Words("卡服务正在使用 PSAM", "the card service holds the PSAM"),
    E.READER_BUSY: Words("读卡器正被其他程序使用", "another program is using the card reader"),
    E.SEVERAL_CARDS: Words("请只出示一张卡", "more than one card on the reader: "
                                             "please present one card"),
    E.SERVICE_NOT_RUNNING: Words("卡服务未运行", "the card service is not running"),
    E.UNKNOWN_ALGORITHM: Words("卡片算法标识未知（{alg}）",
                               "{command}: unknown algorithm ID {alg}"),
    E.EARLIER_ATTEMPT_COMPLETED: (
        Words("上一笔 {amount} 元{what_zh}已成功（{when}），如需再次{what_zh}请确认",
              "the earlier {what} of {amount} yuan went through ({when}); confirm to do it "
              "again"),
        Words("上一笔交易已成功", "the earlier attempt went through; confirm to charge again")),
    E.EARLIER_ATTEMPT_UNRESOLVED: Words(
        "请出示上一笔交易的卡片（{card}）",
        "the earlier attempt with this reference is unresolved: present its card ({card})"),
    E.CLIENT_REF_REUSED: Words("交易参考号已用于另一笔交易",
                               "this client_ref was used for another operation"),
    E.ALREADY_TAPPED: Words("已刷卡（{seconds} 秒内请勿重复刷卡）",
                            "already paid: tapped again within {seconds} s"),
    E.TAP_AGAIN: Words("请移开卡片后重新刷卡", "the card was on the reader before: lift it and "
                                               "tap again"),
    E.SALE_TIMEOUT: Words("等待刷卡超时", "no card was tapped in time"),
    E.SALE_CANCELLED: Words("交易已取消", "the sale was cancelled"),
    E.SALE_PENDING: Words("另一笔交易正在等待刷卡", "another sale is waiting for a tap"),
    E.NO_SUCH_SALE: Words("没有这笔交易", "no such sale"),
    E.REFUND_REFUSED: Words("退款被拒绝", "the refund was refused"),
    E.STATUS_WORD: Words("卡片应答 {sw}（{command}）", "{command}: the card answered {sw}"),
    E.CARD_ANSWER_LENGTH: Words("卡片应答长度错误（{command}）",
                                "{command}: the card's answer has the wrong length"),
    E.PUBLIC_DATA_INVALID: Words("卡片公共信息格式错误", "EF15 does not follow the profile"),
    E.HOLDER_DATA_INVALID: Words("持卡人信息格式错误", "EF16 does not follow the profile"),
    E.MAC_INVALID: Words("交易认证失败 (MAC)", "a transaction MAC did not verify"),
    E.MAC2_INVALID: Words("交易认证失败 (MAC2)", "MAC2 did not verify"),
    E.MAC2_AFTER_DEBIT: Words("卡片已扣款但 MAC2 校验失败，请联系工作人员",
                              "the card debited but its MAC2 did not verify"),
    E.NO_SUCH_TRANSACTION: Words("卡片无此交易", "no such transaction on the card"),
    E.SAM_FAULT: Words("安全模块应答异常", "the secure module answered wrongly"),
    E.UNKNOWN_CARD: Words("无法识别的卡片", "unknown card"),
    E.NOT_A_CITY_CARD: Words("不是本系统的市民卡",
                             "not a city card: the application is not on this card"),
    E.CARD_BLOCKED: Words("卡片已锁定，请到服务窗口办理", "the card is blocked"),
    E.CARD_EXPIRED: Words("卡片已过有效期（{expiry}）", "the card expired on {expiry}"),
    E.CARD_NOT_YET_VALID: Words("卡片尚未启用（{start} 起有效）",
                                "the card is valid only from {start}"),
    E.CARD_HOTLISTED: (Words("此卡已挂失，已被锁定，请到服务窗口办理",
                             "card {card_no} is reported lost; it has been blocked"),
                       Words("此卡已挂失，已被锁定，请到服务窗口办理",
                             "the card is reported lost")),
    E.WRONG_PIN: Words("密码错误，还可尝试 {tries_left} 次", "wrong PIN, {tries} left"),
    E.PIN_BLOCKED: Words("密码已锁定，请到服务窗口解锁", "the PIN is blocked"),
    E.PIN_MALFORMED: Words("密码应为 4 至 12 位数字（偶数位）",
                           "the PIN must be 4 to 12 digits, an even number of them"),
    E.INSUFFICIENT_BALANCE: (
        Words("余额不足：余额 {balance} 元，需要 {amount} 元",
              "insufficient balance: balance {balance} yuan, needed {amount} yuan"),
        Words("余额不足：需要 {amount} 元", "insufficient balance: needed {amount} yuan")),
    E.BALANCE_LIMIT: Words("充值后余额将超过上限", "the balance would pass its limit"),
    E.CARD_BALANCE_LIMIT: Words("充值后余额将超过卡片上限",
                                "the load would take the balance past the card's limit"),
    E.AMOUNT_INVALID: Words("金额无效", "invalid amount"),
    E.AMOUNT_NOT_WHOLE_FEN: Words("金额必须是整数分", "the amount must be a whole number of fen"),
    E.AMOUNT_NOT_POSITIVE: Words("金额必须大于零", "the amount must be more than zero"),
    E.AMOUNT_OVER_LIMIT: Words("超过单笔限额 {limit} 元",
                               "over the per-transaction limit of {limit} yuan"),
    E.AMOUNT_REFUSED_BY_CARD: Words("卡片拒绝此金额", "the card refused the amount"),
    E.LINE_INVALID: Words("线路号无效（1 至 7 位字母或数字）",
                          "not a bus line (1 to 7 letters or digits, e.g. 1, K1)"),
    E.LOAD_NOT_OFFERED: Words("本终端不支持充值",
                              "this terminal does not take top-ups (no load authority)"),
    E.LOAD_AUTHORITY_FAILED: Words("充值授权失败", "the load authorisation failed"),
    E.LOAD_MAC1_INVALID: Words("卡片认证失败 (MAC1)，不能充值",
                               "the card's load MAC1 does not verify; nothing was loaded"),
    E.LOAD_DECLINED: Words("充值被拒绝", "the load was declined"),
    E.LOAD_AMOUNT_NOT_POSITIVE: Words("充值金额必须大于零", "the load amount must be positive"),
    E.LOAD_HOTLISTED: Words("此卡已挂失，不能充值", "the card is reported lost: no top-up"),
    E.LOAD_AUTHORITY_UNAVAILABLE: Words("充值授权服务不可用",
                                        "the load authority cannot be reached"),
    E.LOAD_BAD_ANSWER: Words("充值授权应答异常", "the load authority's answer is malformed"),
    E.CLEARING_FAILED: Words("清算服务错误", "the clearing service failed"),
    E.CLEARING_UNAVAILABLE: Words("清算服务不可用", "the clearing service cannot be reached"),
    E.CLEARING_REJECTED: Words("清算服务拒绝了请求", "the clearing service refused the request"),
    E.CLEARING_UNAUTHORIZED: Words("清算服务令牌无效", "the clearing service refused the token"),
    E.CLEARING_BAD_ANSWER: Words("清算服务应答异常", "the clearing service's answer is malformed"),
    E.CLEARING_NOT_CONFIGURED: Words("未配置清算中心", "no clearing service configured"),
    E.SAM_CONFIG: Words("安全模块配置错误", "the secure module is misconfigured"),
    E.KEY_FILE_INVALID: Words("密钥文件错误", "the key file is not usable"),
    E.KEY_FILE_MISSING: Words("找不到密钥文件 {path}", "key file {path} does not exist"),
    E.KEY_FILE_OPEN: Words("密钥文件 {path} 权限过宽（{mode}），请执行 chmod 600 {path}",
                           "key file {path} is accessible by group or others (mode {mode}); "
                           "restrict it with: chmod 600 {path}"),
    E.KEY_MISSING: Words("密钥文件缺少 {key}", "the key file has no {key}"),
    E.JOURNAL_UNAVAILABLE: Words("无法打开交易日志", "the journal cannot be opened"),
    E.BACKEND_CONFIG: Words("读卡器配置错误", "the card reader backend is misconfigured"),
    E.FARE_TABLE_MISSING: Words("票价表不存在", "the fare table does not exist"),
    E.FARE_TABLE_MALFORMED: Words("票价表格式错误", "the fare table is not valid TOML"),
    E.FARE_TABLE_INVALID: Words("票价表内容错误", "the fare table is malformed"),
    E.TOKEN_FILE_OPEN: Words("令牌文件权限过宽", "the token file is readable by others"),
    E.TOKEN_FILE_INVALID: Words("令牌文件无效", "the token file holds no usable token"),
    E.API_NOT_LOOPBACK: Words("读卡服务只能监听本机地址",
                              "the card service binds to loopback only"),
    E.LISTEN_FAILED: Words("无法监听端口", "cannot listen on {address}"),
    E.BAD_REQUEST: Words("请求格式错误", "malformed request"),
    E.UNAUTHORIZED: Words("需要有效的访问令牌", "a valid bearer token is required"),
    E.NOT_FOUND: Words("没有这个接口", "no such route"),
    E.BODY_TOO_LARGE: Words("请求内容过大", "the request body is too large"),
    E.INTERNAL_ERROR: Words("内部错误", "internal error, see the log"),
    E.JOURNAL_FAILED: Words("交易日志写入失败", "the journal cannot be written"),
    E.JOURNAL_CONFLICT: (
        Words("交易日志 {path} 中已有卡 {card_no} 计数器 {atc} 的记录（另一张同号的卡或另一个"
              "终端写入），未扣款；请使用与这张卡配套的日志（[paths] var_dir）",
              "journal {path} already holds counter {atc} of card {card_no} (another copy of "
              "the card, or another terminal, wrote it); nothing was charged: use the journal "
              "that goes with this card ([paths] var_dir)"),
        Words("交易日志 {path} 中已有此交易的记录，未扣款；请使用与这张卡配套的日志"
              "（[paths] var_dir）",
              "journal {path} already holds this transaction; nothing was charged: use the "
              "journal that goes with this card ([paths] var_dir)")),
    E.TTSN_REUSED: Words("终端 {terminal_id} 的流水号 {ttsn} 已用过（两个安全模块共用一个终端号），"
                         "未扣款；请给软件安全模块配置自己的终端号",
                         "terminal {terminal_id} has already used TTSN {ttsn} (two SAMs share "
                         "the terminal ID); nothing was charged: give the software SAM a "
                         "terminal ID of its own ([sam] terminal_id of its key file)"),
    E.TERMINAL_ID_CLASH: Words(
        "终端号 {terminal_id} 已属于本日志中的另一安全模块（{owner}），不能由 {kind} 使用；"
        "请给软件安全模块配置自己的终端号",
        "terminal ID {terminal_id} belongs to another SAM ({owner}) in journal {path}; a "
        "{kind} SAM may not use it: give the software SAM a terminal ID of its own ([sam] "
        "terminal_id of its key file)"),
})
