"""``kioskctl heartbeat``: tell the back office's fleet view how this terminal is (run by
citizen-hall-heartbeat.timer every 5 minutes).

    kioskctl heartbeat [--config PATH] [--json]

It sends the software version, the hotlist version and the journal entries not yet uploaded
(read from the journal, which the card service keeps open: SQLite WAL readers do not disturb
it) and ``kioskctl doctor --json`` to ``POST /v1/terminals/me/heartbeat`` with the terminal's
own token ([clearing_client] token_file): the back office knows the terminal from the token.
Exit codes: 0 sent, 3 the back office does not answer, 4 configuration.
"""

from __future__ import annotations

import argparse
import importlib.metadata
from typing import Any

import httpx

from config.cli import EXIT_CONFIG, EXIT_OK, EXIT_UNAVAILABLE, fail, print_json
from config.settings import ConfigError, Settings, load_settings


def _journal_state(settings: Settings) -> dict[str, Any]:
    from cardsvc.journal import Journal  # noqa: PLC0415

    path = settings.var.journal
    if not path.exists():
        return {"hotlist_version": None, "unsent": 0}
    with Journal.open(path) as journal:
        return {"hotlist_version": journal.hotlist_version(),
                "unsent": journal.counts()["not_uploaded"]}


def _doctor(settings: Settings) -> dict[str, Any]:
    from kiosk.ctl.doctor import Health, Kiosk, run_checks  # noqa: PLC0415

    findings = run_checks(Kiosk(settings, 3.0))
    return {"ok": all(f.health is not Health.FAIL for f in findings),
            "checks": [f.as_dict() for f in findings]}


def beat(settings: Settings) -> dict[str, Any]:
    """What this terminal says about itself."""
    try:
        version = importlib.metadata.version("citizen-hall")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    return {"software_version": version, **_journal_state(settings),
            "health": _doctor(settings)}


def main(argv: list[str], prog: str) -> int:
    p = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    p.add_argument("--config", help="settings file (default: $CITIZEN_HALL_CONFIG ...)")
    p.add_argument("--json", action="store_true", help="print what was sent")
    args = p.parse_args(argv)
    try:
        settings = load_settings(args.config)
        token = settings.client_token(settings.clearing_client, "clearing_client")
    except ConfigError as exc:
        return fail(prog, f"配置错误 configuration error: {exc}", EXIT_CONFIG)
    url = settings.clearing_client.url.rstrip("/")
    if not url:
        return fail(prog, "配置错误 configuration error: [clearing_client] url is empty",
                    EXIT_CONFIG)
    body = beat(settings)
    try:
        answer = httpx.post(f"{url}/v1/terminals/me/heartbeat", json=body, timeout=10,
                            headers={"Authorization": f"Bearer {token}"})
    except httpx.HTTPError as exc:
        return fail(prog, f"后台不可用 the back office does not answer: {exc}", EXIT_UNAVAILABLE)
    if answer.status_code != 200:
        return fail(prog, f"后台拒绝 the back office refused the heartbeat: "
                          f"{answer.status_code} {answer.text[:200]}", EXIT_CONFIG)
    if args.json:
        print_json(body)
    return EXIT_OK
