#!/usr/bin/env bash
# The test command: lint, type check, then the whole pytest suite. The suite's session fixtures
# start pcscd (with the vpcd driver), the simulators and any servers it needs, and stop them.
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
echo "== ruff"
.venv/bin/ruff check .
echo "== mypy"
.venv/bin/mypy kiosk cardsvc drivers simulators config backoffice bench demo tests
echo "== pytest"
exec .venv/bin/python -m pytest "$@"
