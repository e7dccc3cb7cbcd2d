"""``cardsvc upload``: refresh the hotlist and push completed transactions to clearing now."""

from __future__ import annotations

import argparse

from cardsvc.clearing_client import ClearingClient
from cardsvc.cli_common import EDGE
from cardsvc.codes import ErrorCode
from cardsvc.errors import ServiceConfigError
from cardsvc.uploader import Uploader
from config.cli import EXIT_OK, http_url, print_json
from config.settings import load_settings


def main(argv: list[str], prog: str) -> int:
    p = argparse.ArgumentParser(prog=prog, description="upload completed transactions to "
                                "clearing and refresh the hotlist")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--config", help="configuration file (TOML)")
    p.add_argument("--backoffice", type=http_url,
                   help="clearing service URL (default: [clearing_client] url)")
    args = p.parse_args(argv)
    return EDGE.run(prog, lambda: _upload(args))


def _upload(args: argparse.Namespace) -> int:
    settings = load_settings(args.config,
                             overrides={"clearing_client": {"url": args.backoffice}})
    if not settings.clearing_client.url:
        raise ServiceConfigError("no clearing service configured "
                                 "(set [clearing_client] url or --backoffice)",
                                 code=ErrorCode.CLEARING_NOT_CONFIGURED)
    with ClearingClient.from_settings(settings) as client:
        report = Uploader(settings.var.journal, client).upload_once()
    if args.json:
        print_json(report.as_dict())
    else:
        print(f"上传完成 Uploaded: {report.sent} sent, {report.new} new, "
              f"{report.duplicate} already there, {report.rejected} rejected (kept as dead "
              f"letters); {report.remaining} left; hotlist version {report.hotlist_version}")
    return EXIT_OK
