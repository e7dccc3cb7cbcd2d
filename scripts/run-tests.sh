#!/usr/bin/env bash
# The test command: lint, type check, then the whole pytest suite. The suite's session fixtures
# start pcscd (with the vpcd driver), the simulators and any servers it needs, and stop them.
#
# With no arguments, the scanner's tests (pure CPU: no pcscd, no servers, no ports) run in a
# second pytest process beside the rest, at a lower priority so the timing-sensitive card and
# server tests keep the CPU they need, and in a temporary folder of their own; their output
# follows the main run's. Both list their slowest tests (CI time is watched). With arguments,
# one pytest run with exactly those arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
echo "== ruff"
.venv/bin/ruff check .
echo "== mypy"
.venv/bin/mypy kiosk cardsvc drivers simulators config backoffice bench demo tests
if [ "$#" -gt 0 ]; then
  echo "== pytest $*"
  exec .venv/bin/python -m pytest "$@"
fi
scanner_log=$(mktemp)
scanner_tmp=$(mktemp -d)
trap 'rm -rf "$scanner_log" "$scanner_tmp"; [ -n "${scanner_pid:-}" ] && kill "$scanner_pid" 2>/dev/null; true' EXIT
nice -n 5 .venv/bin/python -m pytest -p no:cacheprovider --durations=10 \
  --basetemp "$scanner_tmp/pytest" tests/scanner >"$scanner_log" 2>&1 &
scanner_pid=$!
echo "== pytest (all but tests/scanner; tests/scanner runs beside it)"
rest=0
.venv/bin/python -m pytest --durations=25 --ignore=tests/scanner || rest=$?
scanner=0
wait "$scanner_pid" || scanner=$?
scanner_pid=
echo "== pytest tests/scanner"
cat "$scanner_log"
if [ "$rest" -ne 0 ] || [ "$scanner" -ne 0 ]; then
  echo "pytest failed: the rest exit $rest, tests/scanner exit $scanner" >&2
  exit 1
fi
