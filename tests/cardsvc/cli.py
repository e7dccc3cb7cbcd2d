"""The `cardsvc` command as a user runs it: a child process with the terminal's environment.
The one helper the end-to-end tests of the card service share."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any


def run_cardsvc(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cardsvc.cli", *args], env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def cardsvc_json(*args: str, env: dict[str, str]) -> Any:
    """The command's `--json` answer; the command must succeed."""
    done = run_cardsvc(*args, "--json", env=env)
    # the whole answer when it fails: a --json error may be on stdout, and once (CI, round 13)
    # `identify` after `block` failed with nothing on stderr and did not fail again alone
    assert done.returncode == 0, (done.returncode, done.stdout, done.stderr)
    return json.loads(done.stdout)
