""":class:`NoSam`: the SAM of an operation that only reads the card (identify, balance,
history). None is opened, so reading works without the PSAM; anything that would need one is
refused with :class:`~cardsvc.sam.errors.SamUnavailable`."""

from __future__ import annotations

import os
from typing import NoReturn

from cardsvc.crypto import Alg
from cardsvc.sam.base import Connect, PurchaseRequest, Sam
from cardsvc.sam.errors import SamUnavailable


class NoSam(Sam):
    kind = "none"

    @classmethod
    def open(cls, target: str, *, state_dir: str | os.PathLike[str],
             connect: Connect | None) -> NoSam:
        return cls()

    def _refuse(self) -> NoReturn:
        raise SamUnavailable("this operation runs without the SAM")

    def _terminal_id(self) -> bytes:
        self._refuse()

    def _purchase_mac1(self, request: PurchaseRequest) -> tuple[int, bytes]:
        self._refuse()

    def _verify_mac2(self, mac2: bytes) -> None:
        self._refuse()

    def _maintenance_mac(self, card_factor: bytes, challenge: bytes, data: bytes,
                         alg: Alg) -> bytes:
        self._refuse()
