"""Wiring: from settings to a ready :class:`CardTerminal`.

Chooses the reader backend, the user-card reader, the SAM (``pcsc:READER`` or ``soft:PATH``),
the journal under ``var_dir`` and the load authority, all from the settings (a command line's
``--reader``, ``--sam``, ``--backend`` are settings overrides: :meth:`Settings.override`). Every
failure becomes a :mod:`cardsvc.errors` exception with a plain-words message.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from cardsvc.clearing_client import ClearingClient
from cardsvc.codes import ErrorCode
from cardsvc.demo_issuer import install_demo_keys, load_demo_data
from cardsvc.errors import NoCardPresent, ReaderNotFound, ServiceConfigError
from cardsvc.fares import FareTable
from cardsvc.journal import Journal, JournalError
from cardsvc.load_authority import InProcessLoadAuthority, LoadAuthority
from cardsvc.purse.client import translate_reader_error
from cardsvc.sam import (
    Sam,
    SamError,
    SamSpec,
    open_sam,
    to_service_error,
)
from cardsvc.sam.none import NoSam
from cardsvc.terminal import CardTerminal
from config.settings import Settings
from drivers.pcsc import errors as pcsc
from drivers.pcsc import open_backend
from drivers.pcsc.channel import CardChannel
from drivers.pcsc.spi import BackendSpi

log = logging.getLogger(__name__)


def open_journal(settings: Settings) -> Journal:
    try:
        journal = Journal.open(settings.var.journal)
    except JournalError as exc:
        raise ServiceConfigError(str(exc), code=ErrorCode.JOURNAL_UNAVAILABLE) from exc
    if settings.card.demo and journal.hotlist_version() == 0:
        # Demo mode starts with the demo issuer's lost cards until a hotlist is downloaded
        # from clearing. Version 0: the first download is always a full one.
        journal.replace_hotlist(0, load_demo_data().hotlist)
    return journal


def key_file(settings: Settings) -> Path:
    """The issuer key file; in demo mode the demo keys are installed there on first use."""
    path = settings.var_path(settings.card.key_file)
    if not path.exists() and settings.card.demo:
        log.warning("installing the DEMO issuer keys (test keys only)", extra={"path": str(path)})
        install_demo_keys(path)
    return path


def open_backend_for(settings: Settings) -> BackendSpi:
    url = settings.card.backend
    try:
        return open_backend(url)
    except ValueError as exc:
        raise ServiceConfigError(f"card backend {url!r}: {exc}",
                                 code=ErrorCode.BACKEND_CONFIG) from exc


def sam_spec(settings: Settings) -> SamSpec:
    """The SAM to use (``[card] sam``), parsed."""
    try:
        return SamSpec.parse(settings.card.sam)
    except SamError as exc:  # a malformed setting or --sam: a configuration error (exit 4)
        raise ServiceConfigError(f"SAM: {exc}", code=ErrorCode.SAM_CONFIG) from exc


def pick_reader(backend: BackendSpi, settings: Settings) -> str:
    """The user-card reader: explicit, configured, or the first with a card not the SAM's."""
    try:
        readers = backend.list_readers()
        wanted = settings.card.reader
        if wanted:
            if wanted not in readers:
                known = ", ".join(readers) or "none"
                raise ReaderNotFound(f"no reader named {wanted!r} (readers: {known})",
                                     reader=wanted)
            return wanted
        skip = sam_spec(settings).reader
        for name in readers:
            if name != skip and backend.card_present(name):
                return name
    except pcsc.PcscError as exc:
        raise translate_reader_error(exc) from exc
    if not readers:
        raise ReaderNotFound(code=ErrorCode.NO_READER)
    raise NoCardPresent()


def open_sam_for(spec: SamSpec, backend: BackendSpi, settings: Settings,
                 stack: ExitStack) -> Sam:
    """The SAM of ``spec`` (``pcsc:READER`` or ``soft:KEY_FILE``), closed with the stack."""
    try:
        sam = open_sam(spec, state_dir=settings.var.sam_state,
                       connect=lambda reader: CardChannel.connect(backend, reader, timeout=2.0))
    except SamError as exc:
        raise to_service_error(exc) from exc
    return stack.enter_context(sam)


def load_authority(settings: Settings) -> LoadAuthority:
    """The clearing service when one is configured, else the in-process authority (key file)."""
    if settings.clearing_client.url:
        return ClearingClient.from_settings(settings)
    return InProcessLoadAuthority.from_key_file(key_file(settings))


@contextmanager
def card_session(settings: Settings, *, with_load_authority: bool = False,
                 with_sam: bool = True) -> Iterator[CardTerminal]:
    """A terminal bound to the card now in the reader; everything is closed on exit.

    ``with_sam=False`` (reading only: identify, balance, history) opens no SAM."""
    spec = sam_spec(settings) if with_sam else None  # a bad --sam before any device
    with ExitStack() as stack:
        backend = open_backend_for(settings)
        stack.callback(backend.close)
        reader = pick_reader(backend, settings)
        try:
            card = stack.enter_context(CardChannel.connect(backend, reader,
                                                           timeout=settings.card.timeout_s))
        except pcsc.PcscError as exc:
            raise translate_reader_error(exc) from exc
        sam = open_sam_for(spec, backend, settings, stack) if spec is not None else NoSam()
        journal = stack.enter_context(open_journal(settings))
        authority = None
        if with_load_authority:
            authority = load_authority(settings)
            stack.callback(authority.close)
        yield CardTerminal(
            card, sam, journal, fares=FareTable.load(settings.card.fare_table),
            max_amount_fen=settings.card.max_amount_fen, load_authority=authority)
