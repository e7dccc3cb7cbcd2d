#!/usr/bin/env bash
# Rewrite scripts/constraints.txt with the newest releases pyproject.toml allows: a throwaway
# venv, the project installed unpinned, its `pip freeze` kept under the file's header. Then run
# `make check` and the camera bench (docs/benchmarks.md) before committing the new file.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"${PYTHON:-python3}" -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install -q --upgrade pip
"$tmp/venv/bin/python" -m pip install -q -e '.[dev,backoffice]'
{ sed -n '/^#/p' scripts/constraints.txt; "$tmp/venv/bin/python" -m pip freeze --exclude-editable; } \
  > "$tmp/constraints.txt"
# OpenCV is held: the camera generator's scenes change with its version (constraints.txt)
sed -i 's/^opencv-python-headless==.*/opencv-python-headless==5.0.0.93/' "$tmp/constraints.txt"
mv "$tmp/constraints.txt" scripts/constraints.txt
echo "scripts/constraints.txt rewritten; git diff scripts/constraints.txt shows what moved" >&2
