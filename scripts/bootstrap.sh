#!/usr/bin/env bash
# Set up everything this project needs on a Debian 12 machine (run as root):
# the Debian packages and a .venv with the project installed in editable mode.
# Quick when everything is already there: a stamp records what was installed.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  # PC/SC stack: the real pcscd with the vpcd virtual-reader driver, and independent clients
  pcscd libpcsclite-dev vsmartcard-vpcd pcsc-tools opensc
  # building pyscard from source
  swig gcc
  # serial pairs for the ID-card reader simulator
  socat
  # Chinese text on screen and on rendered receipts; Qt under Xvfb
  fonts-wqy-microhei xvfb libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxkbcommon-x11-0
  libfontconfig1 libegl1 libgl1 libdbus-1-3 libglib2.0-0
  # QtTextToSpeech (the kiosk's spoken prompts, PySide6-Addons) links PulseAudio's client;
  # its default engine on Linux (speechd) needs libspeechd and speech-dispatcher with a voice
  libpulse0 speech-dispatcher speech-dispatcher-espeak-ng
  # the clearing service's PostgreSQL tests start a throwaway cluster with initdb
  postgresql
  # provisioning (issue 14): systemd-analyze verify and systemd-sysusers for the units, and the
  # kiosk's single-application Wayland shell that the kiosk unit names
  systemd cage
)

log() { printf '[bootstrap] %s\n' "$*" >&2; }

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
PY=${PYTHON:-python3}
if ! "$PY" -c 'import ensurepip, venv' 2>/dev/null; then missing+=(python3-venv); fi
if ! "$PY" -c 'import sysconfig, os, sys; sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")) else 1)'; then
  missing+=(python3-dev)
fi
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    log "missing Debian packages: ${missing[*]} (run as root, or install them yourself)"; exit 1
  fi
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian starts pcscd through systemd socket activation; we run our own in the foreground.
# The vpcd driver config must be there, else pcscd shows no virtual readers.
test -f /etc/reader.conf.d/vpcd || { log "vsmartcard-vpcd is installed but /etc/reader.conf.d/vpcd is missing"; exit 1; }

stamp=.venv/.bootstrap-stamp
want=$(cat pyproject.toml scripts/bootstrap.sh scripts/constraints.txt | sha256sum | cut -d' ' -f1)
if [[ -x .venv/bin/python && -f $stamp && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
if [[ ! -x .venv/bin/python ]]; then
  log "creating .venv"
  "$PY" -m venv .venv
fi
log "installing Python packages into .venv (first time takes a few minutes)"
piplog=.venv/bootstrap-pip.log
if ! { .venv/bin/python -m pip install -q --upgrade pip && \
       .venv/bin/python -m pip install -q -c scripts/constraints.txt -e '.[dev,backoffice]'; } >"$piplog" 2>&1; then
  tail -n 40 "$piplog" >&2
  log "pip failed; the whole log is in $piplog"
  exit 1
fi
echo "$want" > "$stamp"
log "ready"
