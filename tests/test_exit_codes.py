"""Every command of every CLI keeps README's exit codes (issue 12, item 6).

0 done, 1 refused or failed, 2 usage error (bad arguments, malformed hex or amount), 3 a device
or service unavailable (no pcscd, no reader, no card, printer offline), 4 configuration error.
Each row runs the program as a person would (a child process), in a world of one kind:

* ``ok``: a valid configuration whose state is in the test's temp dir; no pcscd reachable,
* ``bad-config``: a configuration file that is refused (``[card] timeout_s = -5``),
* ``no-pcscd``: ``PCSCLITE_CSOCK_NAME`` names a socket nobody listens on,

and every failure must be one line on stderr (several for argparse's usage; a status command
may answer on stdout instead), no traceback, no 5,000-character argument echoed back.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from cardsvc.journal import Journal, NewEntry

ROOT = Path(__file__).resolve().parents[1]
PROGRAMS = {"cardsvc": "cardsvc.cli", "backoffice": "backoffice.cli",
            "simulators": "simulators.cli", "kioskctl": "kiosk.ctl"}
"""The module of each program's ``main(argv)`` (what its console script calls)."""
LONG_AMOUNT = "1" * 5000

ROWS: list[tuple[str, tuple[str, ...], str, int]] = [
    # --- cardsvc ---------------------------------------------------------------------------
    ("cardsvc", ("nosuch",), "ok", 2),
    ("cardsvc", ("readers", "--bogus"), "ok", 2),
    ("cardsvc", ("readers",), "no-pcscd", 3),
    ("cardsvc", ("apdu", "zz"), "ok", 2),
    ("cardsvc", ("apdu", "00A4040000"), "no-pcscd", 3),
    ("cardsvc", ("identify",), "no-pcscd", 3),
    ("cardsvc", ("identify",), "bad-config", 4),
    ("cardsvc", ("balance",), "no-pcscd", 3),
    ("cardsvc", ("history", "--json"), "bad-config", 4),
    ("cardsvc", ("pay", "abc"), "ok", 2),
    ("cardsvc", ("pay", "1.001"), "ok", 2),
    ("cardsvc", ("pay", LONG_AMOUNT), "ok", 2),
    ("cardsvc", ("pay", "1", "--sam", "bogus"), "ok", 4),
    ("cardsvc", ("pay", "1"), "no-pcscd", 3),
    ("cardsvc", ("pay", "1"), "bad-config", 4),
    ("cardsvc", ("ride",), "ok", 2),
    ("cardsvc", ("ride", "--line", "../../etc"), "ok", 2),
    ("cardsvc", ("ride", "--line", "一号线"), "ok", 2),
    ("cardsvc", ("ride", "--line", ""), "ok", 2),
    ("cardsvc", ("ride", "--line", "1", "--fare", "x"), "ok", 2),
    ("cardsvc", ("load", "1", "--pin", "abc"), "ok", 2),
    ("cardsvc", ("load", "1", "--pin", "١٢٣٤"), "ok", 2),
    ("cardsvc", ("load", "-1", "--pin", "123456"), "ok", 2),
    ("cardsvc", ("block",), "no-pcscd", 3),
    ("cardsvc", ("journal", "--limit", "x"), "ok", 2),
    ("cardsvc", ("journal",), "ok", 0),
    ("cardsvc", ("journal",), "bad-config", 4),
    ("cardsvc", ("recover",), "no-pcscd", 3),
    ("cardsvc", ("upload", "--backoffice", "not a url"), "ok", 2),
    ("cardsvc", ("upload",), "ok", 4),
    ("cardsvc", ("upload",), "bad-config", 4),
    ("cardsvc", ("serve", "--port", "99999"), "ok", 2),
    ("cardsvc", ("serve",), "bad-config", 4),
    # --- backoffice ------------------------------------------------------------------------
    ("backoffice", ("nosuch",), "ok", 2),
    ("backoffice", ("serve", "--port", "99999"), "ok", 2),
    ("backoffice", ("serve", "--token", "short"), "ok", 4),
    ("backoffice", ("serve", "--token-file", "/nonexistent/token"), "ok", 4),
    ("backoffice", ("serve", "--token-file", "@OPEN_TOKEN@"), "ok", 4),  # mode 0644
    ("backoffice", ("reconcile", "--date", "x"), "ok", 2),
    ("backoffice", ("reconcile", "--date", "2026-11-26"), "bad-config", 4),
    ("backoffice", ("transactions", "--bogus"), "ok", 2),
    ("backoffice", ("hotlist", "--bogus"), "ok", 2),
    ("backoffice", ("cards", "--bogus"), "ok", 2),
    ("backoffice", ("seed-demo", "--bogus"), "ok", 2),
    # --- simulators ------------------------------------------------------------------------
    ("simulators", ("nosuch",), "ok", 2),
    ("simulators", ("card", "--bogus"), "ok", 2),
    ("simulators", ("card", "serve", "--vpcd-port", "99999"), "ok", 2),
    ("simulators", ("psam", "--bogus"), "ok", 2),
    ("simulators", ("pcscd", "run", "--base-port", "99999"), "ok", 2),
    ("simulators", ("printer", "--bogus"), "ok", 2),
    ("simulators", ("camera", "--bogus"), "ok", 2),
    ("simulators", ("idcard", "serve", "--port", "99999"), "ok", 2),
    # --- kioskctl --------------------------------------------------------------------------
    ("kioskctl", ("nosuch",), "ok", 2),
    ("kioskctl", ("idcard", "read"), "ok", 4),
    ("kioskctl", ("idcard", "read"), "bad-config", 4),
    ("kioskctl", ("printer", "status", "--printer", "tcp://127.0.0.1:9"), "ok", 3),
    ("kioskctl", ("scanner", "--bogus"), "ok", 2),
    ("kioskctl", ("doctor", "--bogus"), "ok", 2),
]


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    root = tmp_path_factory.mktemp("exit-codes")
    var = root / "var"
    with Journal.open(var / "journal.sqlite") as journal:  # `recover` has something to do
        import datetime as dt  # noqa: PLC0415

        journal.begin(NewEntry(
            card_no="4102000000000001", card_atc=9, terminal_id="410200000001", ttsn=99,
            type="purchase", kind="canteen", amount_fen=100, balance_before_fen=1000,
            date_time=dt.datetime(2026, 11, 26, 12), alg="3des", hotlist_version=0))
    good = root / "good.toml"
    good.write_text(f'[paths]\nvar_dir = "{var}"\n')
    bad = root / "bad.toml"
    bad.write_text(f'[paths]\nvar_dir = "{var}"\n[card]\ntimeout_s = -5\n')
    base = {k: v for k, v in os.environ.items() if not k.startswith("BACKOFFICE_")}
    base["PCSCLITE_CSOCK_NAME"] = str(root / "no-pcscd.comm")
    return {"ok": {**base, "CITIZEN_HALL_CONFIG": str(good)},
            "no-pcscd": {**base, "CITIZEN_HALL_CONFIG": str(good)},
            "bad-config": {**base, "CITIZEN_HALL_CONFIG": str(bad)}}


def _run(program: str, args: tuple[str, ...], env: dict[str, str],
         cwd: Path) -> subprocess.CompletedProcess[str]:
    entry = f"import sys; from {PROGRAMS[program]} import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", entry, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


# About 100 programs started cold: a minute on a quiet machine, far more on a loaded one.
@pytest.mark.timeout(1200)
def test_every_command_keeps_the_exit_codes(worlds: dict[str, dict[str, str]],
                                            tmp_path: Path) -> None:
    open_token = tmp_path / "open.token"
    open_token.write_text("a-token-that-others-can-read\n")
    open_token.chmod(0o644)
    rows = [(p, tuple(str(open_token) if a == "@OPEN_TOKEN@" else a for a in args), w, e)
            for p, args, w, e in ROWS]
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = list(pool.map(lambda row: _run(row[0], row[1], worlds[row[2]], tmp_path), rows))
    wrong = []
    for (program, args, world, expected), result in zip(rows, done, strict=True):
        shown = " ".join(a if len(a) < 30 else a[:10] + "..." for a in args)
        stderr = [line for line in result.stderr.splitlines() if not line.startswith("{")]
        if result.returncode != expected:
            wrong.append(f"{program} {shown} [{world}]: exit {result.returncode}, "
                         f"expected {expected}: {' | '.join(stderr[-2:])[:300]}")
        elif "Traceback" in result.stderr:
            wrong.append(f"{program} {shown} [{world}]: a traceback")
        elif expected in (1, 3, 4) and (len(stderr) > 1 or not (stderr or result.stdout)):
            wrong.append(f"{program} {shown} [{world}]: {len(stderr)} lines on stderr")
        elif LONG_AMOUNT in result.stderr:
            wrong.append(f"{program} {shown} [{world}]: the 5,000-character argument echoed")
    assert not wrong, "\n".join(wrong)
