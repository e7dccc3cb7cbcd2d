"""The drivers' stable codes: every failure of a device family, for the programs above.

One enumeration for the layer (as :mod:`cardsvc.codes` is the card service's); each family's
exception tree (``drivers.pcsc.errors``, ``drivers.printer.errors``, ``drivers.scanner.errors``,
``drivers.idcard.errors``) declares its classes' codes from it, and a program that shows device
failures to people has words for them in its catalogue (:mod:`kiosk.ctl.messages`). A value
never changes once published.
"""

from __future__ import annotations

from enum import StrEnum, unique

__all__ = ["ErrorCode"]


@unique
class ErrorCode(StrEnum):
    """Device failures, by family (the value's prefix)."""

    # -- pcsc
    PCSC_FAILED = "pcsc_failed"
    PCSC_SERVICE_UNAVAILABLE = "pcsc_service_unavailable"
    PCSC_READER_UNAVAILABLE = "pcsc_reader_unavailable"
    PCSC_READER_BUSY = "pcsc_reader_busy"
    PCSC_NO_CARD = "pcsc_no_card"
    PCSC_CARD_REMOVED = "pcsc_card_removed"
    PCSC_TRANSMIT_FAILED = "pcsc_transmit_failed"
    PCSC_TRANSMIT_TIMEOUT = "pcsc_transmit_timeout"
    PCSC_CHANNEL_CLOSED = "pcsc_channel_closed"
    # -- printer
    PRINTER_FAILED = "printer_failed"
    PRINTER_CONFIG = "printer_config"
    PRINTER_LAYOUT = "printer_layout"
    PRINTER_QUEUE = "printer_queue"
    PRINTER_NOT_READY = "printer_not_ready"
    PRINTER_UNAVAILABLE = "printer_unavailable"
    PRINTER_TIMEOUT = "printer_timeout"
    PRINTER_INTERRUPTED = "printer_interrupted"
    # -- scanner
    SCANNER_FAILED = "scanner_failed"
    SCANNER_CAMERA_UNAVAILABLE = "scanner_camera_unavailable"
    SCANNER_CAMERA_FAILED = "scanner_camera_failed"
    SCANNER_FRAME_TIMEOUT = "scanner_frame_timeout"
    SCANNER_NO_GOOD_PAGE = "scanner_no_good_page"
    SCANNER_OUTPUT_FAILED = "scanner_output_failed"
    SCANNER_CALIBRATION_INVALID = "scanner_calibration_invalid"
    # -- idcard
    IDCARD_FAILED = "idcard_failed"
    IDCARD_READER_UNAVAILABLE = "idcard_reader_unavailable"
    IDCARD_READER_TIMEOUT = "idcard_reader_timeout"
    IDCARD_FRAME_INVALID = "idcard_frame_invalid"
    IDCARD_READER_STATUS = "idcard_reader_status"
    IDCARD_NO_CARD = "idcard_no_card"
    IDCARD_CARD_DATA_INVALID = "idcard_card_data_invalid"
