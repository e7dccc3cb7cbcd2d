"""``backoffice tokens issue|list|revoke``: bearer tokens with scopes (kiosk, clerk, terminal,
admin), kept hashed in ``[hall] tokens_file``. ``issue`` prints the token once; give it to its
client as a file (``--out FILE``, mode 0600), never on a command line."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from backoffice.auth import SCOPES, TokenStore
from backoffice.cli_common import parser, run, settings_of
from config.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, print_json


def main(argv: list[str], prog: str) -> int:
    if not argv or argv[0] not in ("issue", "list", "revoke"):
        print("usage: backoffice tokens {issue|list|revoke} ...")
        return EXIT_OK if argv[:1] in (["-h"], ["--help"]) else EXIT_USAGE
    verb, rest = argv[0], argv[1:]
    p = parser(f"{prog} {verb}", f"tokens {verb}")
    p.add_argument("--config", metavar="FILE", help="settings file (TOML)")
    p.add_argument("--tokens-file", type=Path, help="default: [hall] tokens_file")
    if verb == "issue":
        p.add_argument("--scope", required=True, choices=SCOPES)
        p.add_argument("--department", help="a clerk's department code")
        p.add_argument("--label", default="", help="who holds it (kiosk-A1, 张三 at A01)")
        p.add_argument("--out", type=Path, help="write the token to this file (mode 0600) "
                                                "instead of printing it")
    if verb == "list":
        p.add_argument("--json", action="store_true")
    if verb == "revoke":
        p.add_argument("id")

    def body(args: argparse.Namespace) -> int:
        settings = settings_of(args)
        store = TokenStore(args.tokens_file or settings.var_path(settings.hall.tokens_file))
        if verb == "issue":
            record, token = store.issue(args.scope, department=args.department,
                                        label=args.label)
            if args.out:
                args.out.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "w") as fh:
                    fh.write(token + "\n")
                print(f"issued {record.id} ({record.scope}"
                      f"{' ' + record.department if record.department else ''}) -> {args.out}")
            else:
                print(token)
            return EXIT_OK
        if verb == "revoke":
            if not store.revoke(args.id):
                print(f"{prog} revoke: no active token {args.id}")
                return EXIT_FAILED
            print(f"revoked {args.id}")
            return EXIT_OK
        rows = [{k: v for k, v in vars(r).items() if k != "sha256"} for r in store.records()]
        if args.json:
            print_json(rows)
        else:
            for r in rows:
                print(f"{r['id']}  {r['scope']:<8} {r['department'] or '-':<6} "
                      f"{'revoked' if r['revoked'] else 'active ':<7} {r['created_at']}  "
                      f"{r['label']}")
        return EXIT_OK

    return run(f"{prog} {verb}", p, rest, body)
