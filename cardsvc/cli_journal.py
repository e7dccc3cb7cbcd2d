"""``cardsvc journal`` and ``cardsvc recover``: the terminal's transaction journal.

``journal`` lists entries (``--json``: the clearing upload fields plus status and uploaded);
``recover`` resolves the unresolved entries of the card in the reader (torn or crashed
transactions) and says which other cards still have to be presented.
"""

from __future__ import annotations

import argparse
from collections import Counter

from cardsvc.cli_common import EDGE
from cardsvc.errors import NoCardPresent
from cardsvc.journal import Entry
from cardsvc.money import format_fen
from cardsvc.session import card_session, open_journal
from config.cli import EXIT_FAILED, EXIT_OK, EXIT_UNAVAILABLE, print_json
from config.settings import Settings, load_settings

STATUS_ZH = {"pending": "处理中", "completed": "完成", "failed": "失败", "unknown": "待确认"}


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--config", help="configuration file (TOML)")


def _row(e: Entry) -> str:
    up = "已上传 up" if e.uploaded else ("死信 dead" if e.dead_letter else "未上传 --")
    return (f"{e.id:>6}  {e.date_time.replace('T', ' ')}  {e.card_no}  {e.type:<8} "
            f"{format_fen(e.amount_fen):>9}  {e.status:<9} {STATUS_ZH[e.status]:<3}  {up}")


def journal_main(argv: list[str], prog: str, settings: Settings) -> int:
    p = argparse.ArgumentParser(prog=prog, description="list the transaction journal")
    p.add_argument("--unresolved", action="store_true", help="only pending/unknown entries")
    p.add_argument("--card", help="only this card number")
    p.add_argument("--limit", type=int, help="at most this many entries (oldest first)")
    _common(p)
    args = p.parse_args(argv)
    with open_journal(settings) as journal:
        entries = journal.entries(unresolved=args.unresolved, card_no=args.card,
                                  limit=args.limit)
        counts = journal.counts(card_no=args.card)
    if args.json:
        print_json({"entries": [e.as_dict() for e in entries], "counts": counts})
        return EXIT_OK
    print(f"交易日志 Journal: {len(entries)} entries "
          f"(completed {counts['completed']}, failed {counts['failed']}, "
          f"unresolved {counts['pending'] + counts['unknown']}, "
          f"not uploaded {counts['not_uploaded']}, dead letters {counts['dead_letters']})")
    for e in entries:
        print(_row(e))
    return EXIT_OK


def recover_main(argv: list[str], prog: str, settings: Settings) -> int:
    p = argparse.ArgumentParser(prog=prog, description="resolve torn or crashed transactions "
                                "of the card in the reader")
    p.add_argument("--reader", help="user-card reader name")
    p.add_argument("--sam", help="pcsc:READER or soft:KEYFILE")
    _common(p)
    args = p.parse_args(argv)
    with open_journal(settings) as journal:
        waiting = Counter(e.card_no for e in journal.unresolved())
    resolved = []
    no_card = False
    if waiting:
        try:
            with card_session(settings.override(
                    {"card": {"reader": args.reader, "sam": args.sam}})) as term:
                resolved = term.recover()
        except NoCardPresent:
            no_card = True
    with open_journal(settings) as journal:
        left = Counter(e.card_no for e in journal.unresolved())
    if args.json:
        print_json({"resolved": [r.as_dict() for r in resolved],
                    "unresolved_by_card": dict(left)})
    else:
        if not waiting:
            print("没有待处理的交易 Nothing to recover: every journal entry is resolved")
        for r in resolved:
            print(f"  #{r.entry_id} {r.card_no}: {r.outcome} - {r.detail}")
        for card, n in sorted(left.items()):
            entries = "entry" if n == 1 else "entries"
            print(f"  请出示卡片 Present card {card}: {n} unresolved {entries}")
    if left and no_card:  # nothing could be resolved: a card is needed (a device state)
        return EXIT_UNAVAILABLE
    return EXIT_OK if not left else EXIT_FAILED


def main(argv: list[str], prog: str) -> int:
    op = prog.rsplit(maxsplit=1)[-1]
    config = None
    if "--config" in argv:
        i = argv.index("--config")
        config = argv[i + 1] if i + 1 < len(argv) else None
    command = journal_main if op == "journal" else recover_main
    return EDGE.run(prog, lambda: command(argv, prog, load_settings(config)))
