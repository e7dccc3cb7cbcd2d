"""``cardsvc``: the citizen-card service's command line."""

from __future__ import annotations

from collections.abc import Sequence

from config.cli import Subcommand, dispatch

COMMANDS = {
    "readers": Subcommand("cardsvc.cli_readers", "list readers, card presence and ATR"),
    "apdu": Subcommand("cardsvc.cli_apdu", "send raw APDUs to the card"),
    "identify": Subcommand("cardsvc.cli_card", "who the card belongs to (身份识别)"),
    "balance": Subcommand("cardsvc.cli_card", "the card's balance (余额)"),
    "history": Subcommand("cardsvc.cli_card", "the card's purse and transit logs (交易记录)"),
    "pay": Subcommand("cardsvc.cli_card", "debit an amount: canteen or supermarket (消费)"),
    "ride": Subcommand("cardsvc.cli_card", "charge a bus fare (乘车)"),
    "load": Subcommand("cardsvc.cli_card", "top up the card with its PIN (充值)"),
    "block": Subcommand("cardsvc.cli_card", "block the card's application (挂失锁卡)"),
    "journal": Subcommand("cardsvc.cli_journal", "list the transaction journal (交易日志)"),
    "recover": Subcommand("cardsvc.cli_journal", "resolve torn or crashed transactions"),
    "upload": Subcommand("cardsvc.cli_upload", "push completed transactions to clearing now"),
    "cashier": Subcommand("cardsvc.cli_cashier", "the cashier's till: type the amount, the "
                          "customer taps (收银)"),
    "validator": Subcommand("cardsvc.cli_validator", "run a bus validator: taps, fares, "
                            "anti-passback (车载验票机)"),
    "serve": Subcommand("cardsvc.cli_serve", "run the card service (local API, recovery, "
                        "uploader)"),
}


def main(argv: Sequence[str] | None = None) -> int:
    return dispatch("cardsvc", "Citizen card (一卡通) service.", COMMANDS, argv)


if __name__ == "__main__":
    raise SystemExit(main())
