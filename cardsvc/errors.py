"""The card service's exception tree.

Every failure a caller of :mod:`cardsvc` sees is one of these, with a message in English
(``str(exc)``) and in Chinese (``exc.zh``) for people, and an exit code for the CLI. Reader-layer
and SAM-layer errors are translated at the boundary (``raise ... from exc``). No message ever
carries key material or a PIN.

    CardServiceError
    ├── DeviceError            pcscd, reader, card presence (exit 3)
    │   ├── ServiceDown
    │   ├── ReaderNotFound
    │   ├── NoCardPresent
    │   ├── CardRemovedError   the card left during an exchange (the transaction may be torn)
    │   └── SamUnavailableError
    ├── CardProtocolError      the card answered something the profile does not allow (exit 1)
    │   ├── StatusWordError    an unexpected status word, with the command's name
    │   └── MacError           a MAC1/MAC2 did not verify
    ├── Refusal                a business refusal: nothing was taken (exit 1)
    │   ├── UnknownCard, CardBlocked, CardExpired, CardNotYetValid, CardHotlisted
    │   ├── WrongPin (tries_left), PinBlocked
    │   ├── InsufficientBalance, BalanceLimitExceeded
    │   └── AmountRefused      zero/negative, over the per-transaction limit, not whole fen
    └── ServiceConfigError     missing or malformed configuration (exit 4)
"""

from __future__ import annotations

import datetime as dt

from cardsvc.money import format_fen
from config.cli import EXIT_CONFIG, EXIT_FAILED, EXIT_UNAVAILABLE


class CardServiceError(Exception):
    exit_code = EXIT_FAILED
    zh = "操作失败"

    def __init__(self, message: str, zh: str | None = None) -> None:
        super().__init__(message)
        if zh is not None:
            self.zh = zh

    @property
    def bilingual(self) -> str:
        return f"{self.zh} / {self}"


class DeviceError(CardServiceError):
    exit_code = EXIT_UNAVAILABLE
    zh = "设备不可用"


class ServiceDown(DeviceError):
    zh = "读卡服务 (pcscd) 未运行"


class ReaderNotFound(DeviceError):
    zh = "找不到读卡器"


class NoCardPresent(DeviceError):
    zh = "请放卡"


class CardRemovedError(DeviceError):
    zh = "卡片已移开，请重新放卡"


class SamUnavailableError(DeviceError):
    zh = "安全模块 (PSAM) 不可用"


class CardProtocolError(CardServiceError):
    zh = "卡片应答异常"


class StatusWordError(CardProtocolError):
    def __init__(self, command: str, sw: int) -> None:
        super().__init__(f"{command}: the card answered {sw:04X}",
                         f"卡片应答 {sw:04X}（{command}）")
        self.command = command
        self.sw = sw


class MacError(CardProtocolError):
    zh = "交易认证失败 (MAC)"


class Refusal(CardServiceError):
    zh = "交易被拒绝"


class UnknownCard(Refusal):
    zh = "无法识别的卡片"


class CardBlocked(Refusal):
    zh = "卡片已锁定"


class CardExpired(Refusal):
    def __init__(self, expiry: dt.date) -> None:
        super().__init__(f"the card expired on {expiry.isoformat()}",
                         f"卡片已过有效期（{expiry.isoformat()}）")
        self.expiry = expiry


class CardNotYetValid(Refusal):
    def __init__(self, start: dt.date) -> None:
        super().__init__(f"the card is valid only from {start.isoformat()}",
                         f"卡片尚未启用（{start.isoformat()} 起有效）")
        self.start = start


class CardHotlisted(Refusal):
    zh = "此卡已挂失，已被锁定，请到服务窗口办理"


class WrongPin(Refusal):
    def __init__(self, tries_left: int) -> None:
        super().__init__(f"wrong PIN, {tries_left} tries left",
                         f"密码错误，还可尝试 {tries_left} 次")
        self.tries_left = tries_left


class PinBlocked(Refusal):
    zh = "密码已锁定，请到服务窗口解锁"


class InsufficientBalance(Refusal):
    def __init__(self, balance_fen: int | None, amount_fen: int) -> None:
        have = f"balance {format_fen(balance_fen)} yuan, " if balance_fen is not None else ""
        zh_have = f"余额 {format_fen(balance_fen)} 元，" if balance_fen is not None else ""
        super().__init__(f"insufficient balance: {have}needed {format_fen(amount_fen)} yuan",
                         f"余额不足：{zh_have}需要 {format_fen(amount_fen)} 元")
        self.balance_fen = balance_fen
        self.amount_fen = amount_fen


class BalanceLimitExceeded(Refusal):
    zh = "充值后余额将超过上限"


class AmountRefused(Refusal):
    zh = "金额无效"


class ServiceConfigError(CardServiceError):
    exit_code = EXIT_CONFIG
    zh = "配置错误"
