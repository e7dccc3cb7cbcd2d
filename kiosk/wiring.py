"""The real adapters from the settings (the same devices and services as every program):
the print queue and its worker, the document camera, the ID-card reader, and the hall: its
back office over HTTP (``[hall_client]`` url and token file) with the durable outbox and its
sender thread, else (no URL) the offline catalogue alone; the city card through the card
service (``[service]`` host, port and token file, as the ``cardsvc`` CLI finds it)."""

from __future__ import annotations

from config.settings import Settings
from drivers.printer import PrintQueue, PrintWorker, open_printer
from kiosk.adapters.card import ServiceCard
from kiosk.adapters.hall_http import HttpHall, Sender
from kiosk.adapters.hall_offline import OfflineHall
from kiosk.adapters.idcard import SerialIdCard
from kiosk.adapters.printer import QueuePrinter
from kiosk.adapters.scanner import CameraScanner
from kiosk.app import Ports
from kiosk.outbox import Outbox
from kiosk.ports import HallPort


def ports_from_settings(settings: Settings) -> Ports:
    """:class:`config.settings.ConfigError` when ``[hall_client]`` has a URL but no usable
    token file."""
    hall_url = settings.hall_client.url
    hall_token = settings.client_token(settings.hall_client, "hall_client") if hall_url else ""
    var = settings.paths.var_dir
    worker = PrintWorker(open_printer(settings.printer.url, profile=settings.printer.profile,
                                      timeout=settings.printer.timeout_s),
                         PrintQueue.in_dir(var))
    worker.start()
    printer = QueuePrinter(worker)
    scanner = CameraScanner(settings.scanner.url, sim_root=var / "camera")
    idcard = SerialIdCard(settings.idcard.url) if settings.idcard.url else None
    catalogue = settings.var_path(settings.kiosk.catalogue_file)
    card = ServiceCard.from_settings(settings)
    closers = [worker.stop, scanner.close, card.close]
    hall: HallPort
    counts = None
    if hall_url:
        outbox = Outbox(settings.var_path(settings.kiosk.outbox_dir))
        http = HttpHall(hall_url, hall_token, catalogue, outbox,
                        terminal=settings.kiosk.terminal_name)
        sender = Sender(http)
        sender.start()
        closers += [sender.stop, http.close, outbox.close]
        hall, counts = http, outbox.counts
    else:
        hall = OfflineHall(catalogue)
    if idcard is not None:
        closers.append(idcard.close)
    return Ports(hall=hall, printer=printer, scanner=scanner, idcard=idcard, card=card,
                 closers=closers, outbox_counts=counts)
