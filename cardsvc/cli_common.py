"""The ``cardsvc`` commands' edge: errors to one line (Chinese / English) and an exit code.

Every card command ends the same way: a :class:`~cardsvc.errors.CardServiceError` is printed as
``cardsvc CMD: 中文 / English particulars`` (the words of its code,
:data:`cardsvc.messages.MESSAGES`) and exits with the code of its family, a configuration file
that cannot be read as ``配置错误 configuration error: ...``:

    0 done · 1 refused or failed · 2 usage · 3 device or service unavailable · 4 configuration
"""

from __future__ import annotations

from cardsvc.clearing_client import ClearingUnauthorized
from cardsvc.codes import ErrorCode
from cardsvc.errors import CardServiceError, DeviceError, PinMalformed, ServiceConfigError
from cardsvc.messages import MESSAGES
from config.cli import EXIT_CONFIG, EXIT_FAILED, EXIT_UNAVAILABLE, EXIT_USAGE, Edge
from config.settings import ConfigError

__all__ = ["EDGE", "exit_code"]


def _words(exc: BaseException) -> str:
    remote_zh = getattr(exc, "message_zh", "")
    if isinstance(exc, CardServiceError) and remote_zh:  # the card service's own words
        return f"{remote_zh} / {exc}"
    if isinstance(exc, CardServiceError):
        return MESSAGES.line(exc)
    words = MESSAGES.words(ErrorCode.CONFIG)
    return f"{words.zh} {words.en}: {exc}"


EDGE = Edge(
    exits=(
        (ConfigError, EXIT_CONFIG),
        (ClearingUnauthorized, EXIT_CONFIG),
        (ServiceConfigError, EXIT_CONFIG),
        (PinMalformed, EXIT_USAGE),
        (DeviceError, EXIT_UNAVAILABLE),
        (CardServiceError, EXIT_FAILED),
    ),
    words=_words,
)


def exit_code(exc: CardServiceError) -> int:
    """The exit code of a card-service error (by its family)."""
    return EDGE.exit_code(exc)

