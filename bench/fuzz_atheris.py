"""One byte target under atheris (libFuzzer); run by bench/fuzz.py in a child process:

    python -m bench.fuzz_atheris TARGET [libFuzzer options, e.g. -max_total_time=60]

The seed corpus is a few valid inputs of the target's format, so coverage-guided mutation
starts inside the format rather than at its first check.
"""

from __future__ import annotations

import logging
import sys
import tempfile
from pathlib import Path

SEEDS: dict[str, list[bytes]] = {
    "escpos": [b"\x1b@\x1c&" + "市民之家".encode("gb18030") + b"\n\x1dV\x00",
               b"\x1d(k\x03\x001C\x06\x1d(k\x07\x001P0hello\x1d(k\x03\x001Q0\x1dV\x00"],
    "samv": [bytes.fromhex("000AAAAAAA966900049F0009") * 2],
    "settings": [b"[card]\ntimeout_s = 5.0\n[service]\nport = 8470\n"],
    "vpcd": [bytes.fromhex("0001040001010013") + bytes.fromhex("00A4040009A00000000386980701")],
    "purse": [bytes(range(40)), b"\x03\x00\x00\x05\x02\x10"],
    "sam": [bytes(range(40))],
}


def main() -> None:
    import atheris  # noqa: PLC0415 - only for this program (pip install .[fuzz])

    with atheris.instrument_imports():
        from bench.fuzz import BYTE_TARGETS  # noqa: PLC0415

    name, options = sys.argv[1], sys.argv[2:]
    check = BYTE_TARGETS[name][0]
    logging.disable(logging.CRITICAL)
    corpus = Path(tempfile.mkdtemp(prefix=f"fuzz-{name}-"))
    for i, seed in enumerate(SEEDS.get(name, [])):
        (corpus / f"seed-{i}").write_bytes(seed)
    atheris.Setup([sys.argv[0], *options, str(corpus)], check)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
