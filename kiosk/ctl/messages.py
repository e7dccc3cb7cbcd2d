"""The kiosk's words for its devices' codes, Chinese and English (``kioskctl``'s catalogue).

The drivers report stable codes (a printer's :class:`~drivers.printer.PrinterState`, why a print
job waits, the document camera's :class:`~drivers.scanner.CaptureState`, the drivers' failures,
:class:`drivers.codes.ErrorCode`); these tables are the words for them. ``kioskctl`` prints
them; the kiosk's screens build their own :class:`config.messages.Catalogue` from the same
tables plus their own::

    KIOSK = Catalogue("kiosk", PRINTER_STATES, JOB_NOTES, CAPTURE_STATES, DEVICE_ERRORS,
                      SCREEN_WORDS)
"""

from __future__ import annotations

from collections.abc import Mapping

from config.messages import Catalogue, Words
from drivers.codes import ErrorCode as E
from drivers.printer.queue import JobNote
from drivers.printer.status import PrinterState, PrinterStatus
from drivers.scanner.autocapture import CaptureState

__all__ = [
    "CAPTURE_STATES",
    "DEVICE_ERRORS",
    "JOB_NOTES",
    "MESSAGES",
    "PRINTER_STATES",
    "printer_status_en",
]

_WAIT = "，回执将在打印机恢复后自动打印"
_WAIT_EN = ": the receipt prints by itself when the printer is back"

PRINTER_STATES: Mapping[str, Words] = {
    PrinterState.OK: Words("打印机正常", "the printer is ready"),
    PrinterState.PAPER_NEAR_END: Words("打印纸将用完，请及时更换", "paper is nearly out"),
    PrinterState.PAPER_OUT: Words("打印机缺纸，请联系工作人员", "the printer is out of paper"),
    PrinterState.OFFLINE: Words("打印机离线，请联系工作人员", "the printer is offline"),
    PrinterState.UNKNOWN: Words("打印机状态未知，请联系工作人员",
                                "the printer's state is unknown"),
}
JOB_NOTES: Mapping[str, Words] = {
    JobNote.PAPER_OUT: Words("打印机缺纸" + _WAIT, "the printer is out of paper" + _WAIT_EN),
    JobNote.OFFLINE: Words("打印机离线" + _WAIT, "the printer is offline" + _WAIT_EN),
    JobNote.UNKNOWN: Words("打印机状态未知" + _WAIT,
                           "the printer's state is unknown" + _WAIT_EN),
}
CAPTURE_STATES: Mapping[str, Words] = {
    CaptureState.NO_PAGE: Words("请把文件放在高拍仪下", "no page under the camera"),
    CaptureState.MOVING: Words("请保持文件不动", "hold the page still"),
    CaptureState.STEADYING: Words("请保持不动……", "hold still..."),
    CaptureState.REFUSED: Words("文件未拍清楚，请按提示调整", "the page is not good enough"),
    CaptureState.CAPTURED: Words("已拍摄", "page captured"),
    CaptureState.WAITING_FOR_NEW_PAGE: Words("已拍摄，请放下一页",
                                             "page captured: lay the next page"),
}
DEVICE_ERRORS: Mapping[str, Words] = {
    E.PCSC_FAILED: Words("读卡器故障", "the card reader failed"),
    E.PCSC_SERVICE_UNAVAILABLE: Words("读卡服务 (pcscd) 未运行",
                                        "the PC/SC service (pcscd) is not available"),
    E.PCSC_READER_UNAVAILABLE: Words("找不到读卡器", "the card reader is not attached"),
    E.PCSC_READER_BUSY: Words("读卡器正被其他程序独占", "another program holds the reader"),
    E.PCSC_NO_CARD: Words("请放卡", "no card in the reader"),
    E.PCSC_CARD_REMOVED: Words("卡片已移开，请重新放卡", "the card was removed"),
    E.PCSC_TRANSMIT_FAILED: Words("读卡失败", "the exchange with the card failed"),
    E.PCSC_TRANSMIT_TIMEOUT: Words("卡片应答超时", "the card did not answer in time"),
    E.PCSC_CHANNEL_CLOSED: Words("读卡连接已断开", "the connection to the card is closed"),
    E.PRINTER_FAILED: Words("打印机故障", "the printer failed"),
    E.PRINTER_CONFIG: Words("打印机设置错误", "the printer settings are wrong"),
    E.PRINTER_LAYOUT: Words("回执无法排版", "the receipt cannot be laid out"),
    E.PRINTER_QUEUE: Words("打印队列错误", "the print queue failed"),
    E.PRINTER_NOT_READY: Words("打印机暂时不能打印", "the printer cannot print now"),
    E.PRINTER_UNAVAILABLE: Words("打印机离线", "the printer cannot be reached"),
    E.PRINTER_TIMEOUT: Words("打印机无响应", "the printer did not answer in time"),
    E.PRINTER_INTERRUPTED: Words("回执可能未打印完整", "the receipt may be partly printed"),
    E.SCANNER_FAILED: Words("高拍仪故障", "the document camera failed"),
    E.SCANNER_CAMERA_UNAVAILABLE: Words("无法打开高拍仪", "the camera cannot be opened"),
    E.SCANNER_CAMERA_FAILED: Words("高拍仪停止工作", "the camera stopped giving pictures"),
    E.SCANNER_FRAME_TIMEOUT: Words("高拍仪没有画面", "no picture from the camera in time"),
    E.SCANNER_NO_GOOD_PAGE: Words("未拍到合格的文件", "no page good enough was seen"),
    E.SCANNER_OUTPUT_FAILED: Words("无法保存扫描件", "the scan cannot be saved"),
    E.SCANNER_CALIBRATION_INVALID: Words("高拍仪校准文件无效",
                                           "the camera's calibration file is unreadable"),
    E.IDCARD_FAILED: Words("身份证阅读器故障", "the ID-card reader failed"),
    E.IDCARD_READER_UNAVAILABLE: Words("无法连接身份证阅读器",
                                         "the ID-card reader cannot be reached"),
    E.IDCARD_READER_TIMEOUT: Words("身份证阅读器无响应", "the ID-card reader did not answer"),
    E.IDCARD_FRAME_INVALID: Words("身份证阅读器应答异常",
                                    "the ID-card reader's answer is garbled"),
    E.IDCARD_READER_STATUS: Words("身份证阅读器报告错误", "the ID-card reader reported a fault"),
    E.IDCARD_NO_CARD: Words("请放身份证", "no ID card on the reader"),
    E.IDCARD_CARD_DATA_INVALID: Words("身份证信息无法识别", "the ID card's data do not decode"),
}

MESSAGES = Catalogue("kioskctl", PRINTER_STATES, JOB_NOTES, CAPTURE_STATES, DEVICE_ERRORS)


def printer_status_en(status: PrinterStatus) -> str:
    """The printer's state in English, with why: ``the printer is offline (cover open)``."""
    text = MESSAGES.en(status.state)
    return f"{text} ({status.detail})" if status.detail else text
