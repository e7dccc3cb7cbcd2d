"""``cardsvc upload``: refresh the hotlist and push completed transactions to clearing now."""

from __future__ import annotations

import argparse
import sys

from cardsvc.clearing_client import ClearingClient, ClearingError
from cardsvc.errors import CardServiceError
from cardsvc.session import journal_path
from cardsvc.uploader import Uploader
from config.cli import EXIT_CONFIG, EXIT_OK, print_json
from config.settings import ConfigError, load_settings


def main(argv: list[str], prog: str) -> int:
    p = argparse.ArgumentParser(prog=prog, description="upload completed transactions to "
                                "clearing and refresh the hotlist")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--config", help="configuration file (TOML)")
    p.add_argument("--backoffice", help="clearing service URL (default: [backoffice] url)")
    args = p.parse_args(argv)
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"{prog}: 配置错误 configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    url = args.backoffice or settings.backoffice.url
    if not url:
        print(f"{prog}: 未配置清算中心 no clearing service configured "
              "(set [backoffice] url or --backoffice)", file=sys.stderr)
        return EXIT_CONFIG
    try:
        with ClearingClient(url, settings.backoffice.token) as client:
            report = Uploader(journal_path(settings), client).upload_once()
    except (ClearingError, CardServiceError) as exc:
        print(f"{prog}: {exc.zh} / {exc}", file=sys.stderr)
        return exc.exit_code
    if args.json:
        print_json(report.as_json())
    else:
        print(f"上传完成 Uploaded: {report.sent} sent, {report.new} new, "
              f"{report.duplicate} already there, {report.rejected} rejected (kept as dead "
              f"letters); {report.remaining} left; hotlist version {report.hotlist_version}")
    return EXIT_OK
