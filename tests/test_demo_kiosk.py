"""``make demo`` without a display: the scripted citizen journey on the real services and
devices (back office, virtual printer, camera and ID-card reader, pcscd with the demo card and
PSAM and the card service), offscreen: the login is a tap of the city card; its screenshots,
the receipt the virtual printer decoded, journey.json; nothing left running."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2

from tests.test_demo import processes_mentioning

ROOT = Path(__file__).resolve().parents[1]


def test_the_journey_runs_end_to_end_and_writes_its_record(tmp_path: Path) -> None:
    out, state = tmp_path / "journey", tmp_path / "state"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    proc = subprocess.run([sys.executable, "-m", "demo", "--state", str(state), "--out",
                           str(out)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=420, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads((out / "journey.json").read_text("utf-8"))
    assert doc["ok"] and len(doc["application_number"]) == 14
    actions = [s["action"] for s in doc["steps"]]
    assert actions[1] == "type yyzz on the on-screen keyboard"
    assert "progress by the receipt's QR code" in actions and actions[-1] == "send the rating"
    assert doc["steps"][1]["result"].startswith("营业执照登记")
    assert all(set(s) >= {"screen", "action", "seconds", "result"} for s in doc["steps"])
    for step in doc["steps"]:
        if step["screenshot"]:
            image = cv2.imread(str(out / step["screenshot"]))
            assert image is not None and image.shape[:2] == (1920, 1080)
    assert doc["application_number"] in doc["receipt_text"] and len(doc["receipt_qr"]) == 1
    assert (out / "receipt.txt").read_text("utf-8") == doc["receipt_text"]
    assert cv2.imread(str(out / "receipt.png")) is not None
    progress = next(s for s in doc["steps"] if s["action"].startswith("progress"))
    assert progress["result"].startswith(doc["application_number"])
    assert "旅程完成 journey done" in proc.stdout
    steps = {s["action"]: s["result"] for s in doc["steps"]}
    assert steps["log in with the card"].startswith("identity read: 张明华")
    assert doc["card_step"].startswith("tapped the demo card 4102********0001")
    assert steps["一卡通: the card's balance"].startswith("balance 100.00")
    assert steps["lift the card"].startswith("card lifted: session ended")
    assert processes_mentioning(str(state)) == []
