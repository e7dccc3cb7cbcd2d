"""The card service's stable codes: what every failure is, for programs (CLI, local API, kiosk).

A value never changes once published (the local API and the kiosk switch on them); a new
failure gets a new member. The words for people are in :mod:`cardsvc.messages`; the exception
classes of :mod:`cardsvc.errors` say which family a failure belongs to (device, card, refusal,
configuration), the code says exactly what happened.
"""

from __future__ import annotations

# S105: these are the names of failures about token files, not tokens.
# ruff: noqa: S105
from enum import StrEnum, unique

__all__ = ["ErrorCode"]


@unique
class ErrorCode(StrEnum):
    # -- families (the default code of each exception class) ------------------------------
    FAILED = "failed"
    DEVICE_UNAVAILABLE = "device_unavailable"
    CARD_PROTOCOL = "card_protocol"
    REFUSED = "refused"
    CONFIG = "config"
    # -- devices: pcscd, readers, the card's presence, the SAM ----------------------------
    PCSC_UNAVAILABLE = "pcsc_unavailable"
    READER_NOT_FOUND = "reader_not_found"
    NO_READER = "no_reader"
    NO_CARD = "no_card"
    CARD_REMOVED = "card_removed"
    SAM_UNAVAILABLE = "sam_unavailable"
    SAM_HELD = "sam_held"
    READER_BUSY = "reader_busy"
    SEVERAL_CARDS = "several_cards"
    SERVICE_NOT_RUNNING = "service_not_running"
    # -- the card answered something the profile does not allow ---------------------------
    STATUS_WORD = "status_word"
    CARD_ANSWER_LENGTH = "card_answer_length"
    PUBLIC_DATA_INVALID = "public_data_invalid"
    HOLDER_DATA_INVALID = "holder_data_invalid"
    MAC_INVALID = "mac_invalid"
    MAC2_INVALID = "mac2_invalid"
    MAC2_AFTER_DEBIT = "mac2_after_debit"
    NO_SUCH_TRANSACTION = "no_such_transaction"
    SAM_FAULT = "sam_fault"
    UNKNOWN_ALGORITHM = "unknown_algorithm"
    # -- refusals: nothing was taken ------------------------------------------------------
    UNKNOWN_CARD = "unknown_card"
    NOT_A_CITY_CARD = "not_a_city_card"
    CARD_BLOCKED = "card_blocked"
    CARD_EXPIRED = "card_expired"
    CARD_NOT_YET_VALID = "card_not_yet_valid"
    CARD_HOTLISTED = "card_hotlisted"
    WRONG_PIN = "wrong_pin"
    PIN_BLOCKED = "pin_blocked"
    PIN_MALFORMED = "pin_malformed"
    INSUFFICIENT_BALANCE = "insufficient_balance"
    BALANCE_LIMIT = "balance_limit"
    CARD_BALANCE_LIMIT = "card_balance_limit"
    AMOUNT_INVALID = "amount_invalid"
    AMOUNT_NOT_WHOLE_FEN = "amount_not_whole_fen"
    AMOUNT_NOT_POSITIVE = "amount_not_positive"
    AMOUNT_OVER_LIMIT = "amount_over_limit"
    AMOUNT_REFUSED_BY_CARD = "amount_refused_by_card"
    LOAD_NOT_OFFERED = "load_not_offered"
    # -- retries, taps and sales ----------------------------------------------------------
    EARLIER_ATTEMPT_COMPLETED = "earlier_attempt_completed"
    EARLIER_ATTEMPT_UNRESOLVED = "earlier_attempt_unresolved"
    CLIENT_REF_REUSED = "client_ref_reused"
    ALREADY_TAPPED = "already_tapped"
    TAP_AGAIN = "tap_again"
    SALE_TIMEOUT = "sale_timeout"
    SALE_CANCELLED = "sale_cancelled"
    SALE_PENDING = "sale_pending"
    NO_SUCH_SALE = "no_such_sale"
    REFUND_REFUSED = "refund_refused"
    LINE_INVALID = "line_invalid"
    # -- the load authority (in-process or the clearing service) --------------------------
    LOAD_AUTHORITY_FAILED = "load_authority_failed"
    LOAD_MAC1_INVALID = "load_mac1_invalid"
    LOAD_DECLINED = "load_declined"
    LOAD_AMOUNT_NOT_POSITIVE = "load_amount_not_positive"
    LOAD_HOTLISTED = "load_hotlisted"
    LOAD_AUTHORITY_UNAVAILABLE = "load_authority_unavailable"
    LOAD_BAD_ANSWER = "load_bad_answer"
    # -- the clearing service -------------------------------------------------------------
    CLEARING_FAILED = "clearing_failed"
    CLEARING_UNAVAILABLE = "clearing_unavailable"
    CLEARING_REJECTED = "clearing_rejected"
    CLEARING_UNAUTHORIZED = "clearing_unauthorized"
    CLEARING_BAD_ANSWER = "clearing_bad_answer"
    CLEARING_NOT_CONFIGURED = "clearing_not_configured"
    # -- configuration --------------------------------------------------------------------
    SAM_CONFIG = "sam_config"
    KEY_FILE_INVALID = "key_file_invalid"
    KEY_FILE_MISSING = "key_file_missing"
    KEY_FILE_OPEN = "key_file_open"
    KEY_MISSING = "key_missing"
    JOURNAL_UNAVAILABLE = "journal_unavailable"
    BACKEND_CONFIG = "backend_config"
    FARE_TABLE_MISSING = "fare_table_missing"
    FARE_TABLE_MALFORMED = "fare_table_malformed"
    FARE_TABLE_INVALID = "fare_table_invalid"
    TOKEN_FILE_OPEN = "token_file_open"
    TOKEN_FILE_INVALID = "token_file_invalid"
    API_NOT_LOOPBACK = "api_not_loopback"
    LISTEN_FAILED = "listen_failed"
    # -- the local API's own answers ------------------------------------------------------
    BAD_REQUEST = "bad_request"
    UNAUTHORIZED = "unauthorized"
    NOT_FOUND = "not_found"
    BODY_TOO_LARGE = "body_too_large"
    INTERNAL_ERROR = "internal_error"
    # -- the journal ----------------------------------------------------------------------
    JOURNAL_FAILED = "journal_failed"
    JOURNAL_CONFLICT = "journal_conflict"
    TTSN_REUSED = "ttsn_reused"
    TERMINAL_ID_CLASH = "terminal_id_clash"
