"""The real adapters from the settings (the same devices and services as every program):
the print queue and its worker, the document camera, the ID-card reader, the hall's
catalogue. The hall API (issue 11) and the card service's client and events (issue 10) plug
in here when they land."""

from __future__ import annotations

from config.settings import Settings
from drivers.printer import PrintQueue, PrintWorker, open_printer
from kiosk.adapters.hall_offline import OfflineHall
from kiosk.adapters.idcard import SerialIdCard
from kiosk.adapters.printer import QueuePrinter
from kiosk.adapters.scanner import CameraScanner
from kiosk.app import Ports


def ports_from_settings(settings: Settings) -> Ports:
    var = settings.paths.var_dir
    worker = PrintWorker(open_printer(settings.printer.url, profile=settings.printer.profile,
                                      timeout=settings.printer.timeout_s),
                         PrintQueue.in_dir(var))
    worker.start()
    printer = QueuePrinter(worker)
    scanner = CameraScanner(settings.scanner.url, sim_root=var / "camera")
    idcard = SerialIdCard(settings.idcard.url) if settings.idcard.url else None
    hall = OfflineHall(settings.var_path(settings.kiosk.catalogue_file))
    closers = [worker.stop, scanner.stop]
    if idcard is not None:
        closers.append(idcard.stop)
    return Ports(hall=hall, printer=printer, scanner=scanner, idcard=idcard, closers=closers)
