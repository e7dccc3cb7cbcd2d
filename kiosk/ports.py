"""The kiosk's small interfaces to the world, shaped after the citizen's journeys.

View-models depend on these Protocols only; ``kiosk/adapters/`` holds the real ones (the
printer's print queue, the document camera, the ID-card reader, the hall's catalogue and API,
the card service). Every method here may block: view-models call them through
:class:`kiosk.tasks.Tasks`, never on the UI thread. Streams (card events, camera frames, ID
cards laid on the reader) are delivered to a callback on the adapter's own thread.

Failures are :class:`PortError` with a stable ``code`` (see :class:`Fault`); the kiosk turns
the code into words (``kiosk/text/faults.toml``) and never shows the exception's text.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from drivers.printer import Document
from kiosk.catalogue import Catalogue, Matter, Text


class Fault(enum.StrEnum):
    """Stable failure codes the screens explain (``faults_<code>`` in the catalogue)."""

    OFFLINE = "offline"
    """The hall's back office cannot be reached."""
    REFUSED = "refused"
    """The back office said no (a validation or business refusal)."""
    NOT_FOUND = "not_found"
    """No such application, or the number and ID do not match."""
    TOO_MANY = "too_many"
    """Too many lookups: wait a little."""
    ALREADY_RATED = "already_rated"
    """This application has been rated already (one rating per application)."""
    DEVICE = "device"
    """A device failed (camera, reader)."""
    NO_CARD = "no_card"
    CARD_SERVICE = "card_service"
    """The card service is not running or does not answer."""
    CARD_REFUSED = "card_refused"
    WRONG_PIN = "wrong_pin"
    PIN_BLOCKED = "pin_blocked"
    INSUFFICIENT = "insufficient"
    CARD_BLOCKED = "card_blocked"
    LIMIT = "limit"
    UNKNOWN = "unknown"


class PortError(Exception):
    """A port call failed; ``code`` is what the screen explains, the message is for the log."""

    def __init__(self, code: Fault, message: str = "", *, details: Mapping[str, Any] | None = None
                 ) -> None:
        super().__init__(message or code.value)
        self.code = code
        self.details = dict(details or {})


# -- identity -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Identity:
    """A verified person: from the city card (its holder record) or the resident ID card.
    ``repr`` shows nothing personal (it may reach a log)."""

    source: str
    """``city_card`` or ``id_card``."""
    name: str = field(repr=False)
    id_number: str = field(repr=False)
    sex: str = field(default="", repr=False)
    birth_date: str = field(default="", repr=False)
    address: str = field(default="", repr=False)
    nation: str = field(default="", repr=False)
    card_no: str = field(default="", repr=False)

    def field_value(self, kind: str) -> str:
        """The value for a form field marked ``x-ui.identity: kind``."""
        return {"name": self.name, "id_number": self.id_number, "sex": self.sex,
                "birth_date": self.birth_date, "address": self.address, "nation": self.nation,
                "card_no": self.card_no}.get(kind, "")


# -- the hall -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Held:
    """A material the hall already holds for this applicant (Art.22)."""

    ref: str
    reuse_kind: str
    name: Text
    date: str
    pages: int = 1


@dataclass(frozen=True)
class MaterialPages:
    material_id: str
    pages: tuple[Path, ...] = ()
    """JPEG pages in the session's folder (deleted with the session)."""
    reuse_ref: str | None = None
    """Instead of pages: a :class:`Held` material's ``ref``."""


@dataclass(frozen=True)
class Application:
    matter_code: str
    matter_version: int
    identity: Identity = field(repr=False)
    fields: Mapping[str, Any] = field(repr=False)
    materials: tuple[MaterialPages, ...]
    client_ref: str
    """Unique per submission: a retry or the outbox never files it twice."""
    terminal: str = ""


@dataclass(frozen=True)
class Receipt:
    number: str
    qr_token: str
    promised_date: dt.date | None
    submitted_at: dt.datetime
    pending: bool = False
    """Waiting in the kiosk's outbox (the back office was down): ``number`` is the kiosk's
    provisional reference until the case is filed (the receipt says so); the QR token is the
    kiosk's own and works as soon as the application reaches the back office."""


@dataclass(frozen=True)
class TimelineEvent:
    at: dt.datetime
    status: str
    """Stable status code (``submitted``, ``accepted``, ``supplement``, ``under_review``,
    ``approved``, ``refused``, ``collected``, ...)."""
    note: Text = field(default_factory=dict)


@dataclass(frozen=True)
class Progress:
    number: str
    matter: Text
    department: Text
    status: str
    """Stable status code (``pending`` = still in this kiosk's outbox)."""
    timeline: tuple[TimelineEvent, ...]
    promised_date: dt.date | None
    overdue: bool
    can_rate: bool = False
    missing: tuple[str, ...] = ()
    """With ``supplement_requested``: everything still missing, told at once (一次性告知)."""


@dataclass(frozen=True)
class Reason:
    code: str
    text: Text


@dataclass(frozen=True)
class CaseRef:
    """How the kiosk may reach one application: its QR token, or its number with the last 6
    characters of the applicant's ID number (typed, or from the verified card holder)."""

    token: str = field(default="", repr=False)
    number: str = ""
    id_tail: str = field(default="", repr=False)


LEVELS = ("very_satisfied", "satisfied", "basic", "dissatisfied", "very_dissatisfied")
"""好差评's five levels in GB/T 39734-2020 order; the last two are 差评 and need reasons."""


@dataclass(frozen=True)
class Rating:
    case: CaseRef
    level: str
    """One of :data:`LEVELS`."""
    reasons: tuple[str, ...] = ()
    comment: str = field(default="", repr=False)

    @property
    def is_bad(self) -> bool:
        return self.level in LEVELS[3:]


@dataclass(frozen=True)
class Complaint:
    subject: str
    text: str = field(repr=False)
    name: str = field(default="", repr=False)
    phone: str = field(default="", repr=False)
    department: str = ""
    case_number: str = ""


class HallPort(Protocol):
    def catalogue(self) -> Catalogue:
        """The published catalogue (from the back office, else the offline copy)."""

    def matter(self, code: str) -> Matter: ...

    def search(self, query: str, *, department: str = "", category: str = "",
               limit: int = 200) -> Sequence[Matter]:
        """Matters best first: characters, full pinyin, pinyin initials, aliases."""

    def file(self, ref: str) -> bytes:
        """A template or sample file by its sha256 (PNG/JPEG/PDF)."""

    def held_materials(self, identity: Identity, matter_code: str) -> Sequence[Held]:
        """What the hall already holds for this applicant that this matter asks for."""

    def submit(self, application: Application) -> Receipt:
        """File the application (or keep it in the outbox and say ``pending``)."""

    def progress(self, case: CaseRef) -> Progress:
        """One application by its QR token, or by number + the ID number's last 6."""

    def progress_by_identity(self, identity: Identity) -> Sequence[Progress]:
        """Every application of the verified card holder, newest first."""

    def rating_reasons(self) -> Sequence[Reason]:
        """The hall's reasons for a 差评 (the last two levels)."""

    def rate(self, rating: Rating) -> None:
        """Rate one application (once); ``Fault.ALREADY_RATED`` the second time."""

    def complain(self, complaint: Complaint) -> str:
        """File a complaint; returns its number."""


# -- the city card (through the card service) ----------------------------------------------------
class CardEventKind(enum.StrEnum):
    READER_AVAILABLE = "reader_available"
    READER_UNAVAILABLE = "reader_unavailable"
    CARD_PRESENT = "card_present"
    CARD_REMOVED = "card_removed"
    OPERATION_STARTED = "operation_started"
    OPERATION_FINISHED = "operation_finished"


@dataclass(frozen=True)
class CardEvent:
    kind: CardEventKind
    identity: Identity | None = field(default=None, repr=False)
    """With ``card_present``: the holder, once the card has been read."""
    card_no: str = field(default="", repr=False)


@dataclass(frozen=True)
class CardTransaction:
    at: dt.datetime
    kind: str
    """``purchase``, ``load``, ``bus`` ..."""
    amount_fen: int
    place: str = ""


@dataclass(frozen=True)
class CardAccount:
    card_no: str = field(repr=False)
    balance_fen: int
    status: str = "active"


class CardPort(Protocol):
    def watch(self, on_event: Callable[[CardEvent], None]) -> None:
        """Deliver card events to ``on_event`` (on the adapter's thread) until :meth:`close`."""

    def account(self) -> CardAccount: ...

    def history(self) -> Sequence[CardTransaction]: ...

    def top_up(self, amount_fen: int, pin: str, client_ref: str) -> CardAccount: ...

    def report_lost(self, pin: str, client_ref: str) -> None: ...

    def close(self) -> None: ...


# -- the ID-card reader ------------------------------------------------------------------------
class IdCardPort(Protocol):
    def start(self, on_identity: Callable[[Identity], None],
              on_fault: Callable[[Fault], None]) -> None:
        """Poll the reader until :meth:`stop`; each newly laid card calls ``on_identity``."""

    def stop(self) -> None: ...


# -- the receipt printer -----------------------------------------------------------------------
class PrintState(enum.StrEnum):
    QUEUED = "queued"
    WAITING = "waiting"
    PRINTING = "printing"
    DONE = "done"
    UNCERTAIN = "uncertain"
    FAILED = "failed"


@dataclass(frozen=True)
class PrintJob:
    id: int
    state: PrintState
    reason: str = ""
    """Why it waits: ``paper_out``, ``paper_near_end``, ``offline``, ``unknown`` (or '')."""


class PrinterPort(Protocol):
    def submit(self, document: Document, key: str | None = None) -> PrintJob: ...

    def job(self, job_id: int) -> PrintJob: ...

    def watch(self, on_change: Callable[[PrintJob], None]) -> None:
        """Deliver every job's changes (printing, done, waiting for paper) to ``on_change``
        (on the printer's thread)."""


# -- the document camera ----------------------------------------------------------------------
@dataclass(frozen=True)
class ScanFrame:
    image: np.ndarray = field(repr=False)
    """The live picture, BGR, scaled for the screen."""
    outline: tuple[tuple[float, float], ...] = ()
    """The page's corners as shares of the picture's width and height (clockwise)."""
    state: str = "no_page"
    """``no_page``, ``moving``, ``steadying``, ``refused``, ``captured``, ``waiting_new``."""
    reasons: tuple[str, ...] = ()
    """With ``refused``: ``blurred``, ``glare``, ``too_small``, ``cut_off``."""
    steady: float = 0.0
    """0..1: how far the page is through its still run (the progress ring)."""
    page: np.ndarray | None = field(default=None, repr=False)
    """With ``captured``: the flattened page (A4), BGR."""
    qr: str = field(default="", repr=False)
    """In QR mode: the text of a QR code seen in the picture."""


class ScannerPort(Protocol):
    def start(self, on_frame: Callable[[ScanFrame], None], on_fault: Callable[[Fault], None],
              *, qr: bool = False) -> None:
        """Stream frames until :meth:`stop` (``qr``: look for a QR code, not pages)."""

    def stop(self) -> None: ...

    def save_page(self, page: np.ndarray, path: Path) -> Path:
        """Write a captured page as JPEG (called on a worker thread)."""
