"""The steps of ``kioskctl provision`` after the role (kiosk/ctl/provision.py has the order and
the state file; kiosk/ctl/provision_steps.py the file plumbing). Each returns what it did in
words and the data later steps need, and checks before it acts."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

from config.cli import EXIT_CONFIG, EXIT_FAILED, EXIT_UNAVAILABLE
from config.files import TokenFileError, read_token_file
from config.settings import ConfigError, Settings, load_settings
from kiosk.ctl.provision import CHECKS_OF, DEVICES_OF, ProvisionError, Run
from kiosk.ctl.provision_devices import Detected, Found, detect
from kiosk.ctl.provision_steps import (
    DEPLOY,
    EXTRAS,
    OWNER,
    UNITS,
    chown_to,
    enable_units,
    install_file,
    new_secret,
    pip_install,
    render,
    render_units,
    settings_doc,
    sysusers,
    verify_units,
    write_if_changed,
)

__all__ = ["ONCE", "STEP_FUNCTIONS"]

ONCE = frozenset({"devices", "receipt"})
"""Steps not done again once recorded (the technician confirmed the devices; the receipt is on
paper). Every other step checks and acts again on a re-run."""


def step_install(run: Run) -> tuple[str, dict[str, Any]]:
    venv = Path(run.answers.get("venv", "where the programs are installed (a venv)",
                                "/opt/citizen-hall/venv"))
    extra = EXTRAS[run.role]
    if not run.answers.yes("install", f"install citizen-hall[{extra}] into {venv}"):
        if not (venv / "bin").is_dir():
            raise ProvisionError(f"{venv} has no bin/: install the programs first", EXIT_CONFIG)
        return f"{venv} (installed beforehand; the role's extra is [{extra}])", {
            "venv": str(venv), "extra": extra}
    source = run.answers.get("source", "what pip installs (a wheel, a folder, a name)",
                             "citizen-hall")
    try:
        _changed, said = pip_install(venv, source, extra)
    except RuntimeError as exc:
        raise ProvisionError(str(exc), EXIT_UNAVAILABLE) from None
    return said, {"venv": str(venv), "extra": extra}


def _pick(run: Run, found: Detected, kind: str, key: str, question: str) -> Found | None:
    """The device of ``kind`` to use: the one named in the answers (it must answer), else the
    answering ones offered one by one to the technician; None for none."""
    named = run.answers.get(f"devices.{key}", question, "auto")
    if named in ("", "none"):
        return None
    candidates = found.of(kind)
    if named != "auto":
        match = [f for f in found.found if f.kind == kind and f.url == named]
        if not match or not match[0].ok:
            why = match[0].said if match else "not found"
            raise ProvisionError(f"{key} {named!r} does not answer: {why}", EXIT_UNAVAILABLE)
        return match[0]
    for candidate in candidates:
        if run.answers.confirm(f"{kind} {candidate.url} ({candidate.said})"):
            return candidate
    if kind in ("sam", "card-reader"):
        raise ProvisionError(f"no {kind} answers (found: "
                             f"{'; '.join(f.url + ': ' + f.said for f in found.found) or '-'})",
                             EXIT_UNAVAILABLE)
    return None


def step_devices(run: Run) -> tuple[str, dict[str, Any]]:
    wanted = DEVICES_OF[run.role]
    if not wanted:
        return "no devices (the back office)", {}
    root = run.paths.state_dir
    found = detect(backend_url=run.answers.get("devices.backend", "PC/SC backend", "pcsc://"),
                   sam_state=root, sim_root=root / "camera", wanted=wanted,
                   printers=run.answers.paths("devices.printer_candidates")
                   + [u for u in [run.answers.get("devices.printer", "printer URL", "auto")]
                      if u not in ("auto", "", "none")],
                   serial=run.answers.paths("devices.serial_candidates")
                   + [u for u in [run.answers.get("devices.idcard", "ID-card reader", "auto")]
                      if u not in ("auto", "", "none")],
                   cameras=[u for u in [run.answers.get("devices.camera", "camera", "auto")]
                            if u not in ("auto", "", "none")] if "camera" in wanted else [],
                   profile=run.answers.get("devices.printer_profile", "profile", "generic-58"))
    for f in found.found:
        run.out(f"        {'found' if f.ok else 'silent':<6} {f.kind:<11} {f.url}: {f.said}")
    sam = _pick(run, found, "sam", "sam", "PSAM reader (pcsc:NAME) or soft:KEYFILE")
    users = [f for f in found.of("card-reader") if sam is None or f.url != sam.url[5:]]
    reader = run.answers.get("devices.card_reader", "card reader", "auto")
    if reader == "auto":
        reader = users[0].url if len(users) == 1 else ""
    elif reader not in [f.url for f in users]:
        raise ProvisionError(f"card reader {reader!r} is not attached", EXIT_UNAVAILABLE)
    chosen: dict[str, Any] = {"reader": reader, "sam": sam.url if sam else "",
                              "terminal_id": sam.details.get("terminal_id", "") if sam else "",
                              "psam_id": sam.details.get("psam_id", "") if sam else "",
                              "printer_profile": run.answers.get("devices.printer_profile",
                                                                 "profile", "generic-58")}
    for kind, key in (("printer", "printer"), ("idcard", "idcard"), ("camera", "camera")):
        picked = _pick(run, found, kind, key, f"{kind} URL") if kind in wanted else None
        chosen[key] = picked.url if picked else ""
    said = ", ".join(f"{k} {v}" for k, v in chosen.items()
                     if v and k not in ("psam_id", "printer_profile"))
    return said, chosen


def _differs(values: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    defaults = Settings()
    out: dict[str, dict[str, Any]] = {}
    for section, keys in values.items():
        base = getattr(defaults, section)
        kept = {k: v for k, v in keys.items() if str(getattr(base, k)) != str(v)}
        if kept:
            out[section] = kept
    return out


def step_config(run: Run) -> tuple[str, dict[str, Any]]:
    role, dev = run.role, run.data("devices")
    url = "" if role == "backoffice" else run.answers.get(
        "backoffice.url", "the back office's URL (http://HOST:8480)")
    values: dict[str, dict[str, Any]] = {
        "paths": {"var_dir": str(run.paths.state_dir)},
        "card": {"demo": run.answers.yes("demo", "the simulated demo stack (demo keys)", False),
                 "backend": run.answers.get("devices.backend", "PC/SC backend", "pcsc://")},
    }
    if role != "backoffice":
        values["card"].update(reader=dev["reader"], sam=dev["sam"])
        values["service"] = {"port": int(run.answers.get("service_port", "API port", "8470"))}
        values["printer"] = {"url": dev["printer"], "profile": dev["printer_profile"]}
        values["scanner"] = {"url": dev["camera"]}
        values["idcard"] = {"url": dev["idcard"]}
        values["clearing_client"] = {"url": url}
        if role == "kiosk":
            values["hall_client"] = {"url": url}
            values["kiosk"] = {"terminal_name": run.data("role")["name"]}
    else:
        values["clearing"] = {"host": run.answers.get("server.host", "listen on", "127.0.0.1"),
                              "port": int(run.answers.get("server.port", "port", "8480"))}
    text = settings_doc(_differs(values))
    changed = write_if_changed(run.paths.config, text, mode=0o644)
    try:
        load_settings(run.paths.config, env={})
    except ConfigError as exc:
        raise ProvisionError(f"the written settings do not load: {exc}", EXIT_CONFIG) from None
    return f"{run.paths.config} {'written' if changed else 'unchanged'} and valid", {}


def _settings(run: Run) -> Settings:
    try:
        return load_settings(run.paths.config, env={})
    except ConfigError as exc:
        raise ProvisionError(str(exc), EXIT_CONFIG) from None


def step_keys(run: Run) -> tuple[str, dict[str, Any]]:
    from cardsvc.demo_issuer import demo_key_file  # noqa: PLC0415

    s, root, owner = _settings(run), run.paths.root, OWNER[run.role]
    demo = s.card.demo
    if run.role == "backoffice":
        return _backoffice_keys(run, s)
    source = run.answers.get("keys.issuer_keys", "the terminal's key file to install",
                             str(demo_key_file()) if demo else "")
    if not source:
        return "no key file (the PSAM signs; clearing authorises loads)", {}
    dest = s.var_path(s.card.key_file)
    changed = install_file(root, Path(source), None, dest, owner)
    return f"{dest} {'installed' if changed else 'in place'} (0600, {owner})", {}


def _backoffice_keys(run: Run, s: Settings) -> tuple[str, dict[str, Any]]:
    from backoffice.auth import TokenStore  # noqa: PLC0415 - the back office's install only
    from backoffice.errors import BackofficeError  # noqa: PLC0415
    from cardsvc.demo_issuer import demo_key_file  # noqa: PLC0415

    root, owner = run.paths.root, "ch-backoffice"
    source = run.answers.get("server.clearing_keys", "the clearing keys (MTK, MLK) to install",
                             str(demo_key_file()) if s.card.demo else None)
    install_file(root, Path(source), None, s.var_path(s.clearing.key_file), owner)
    token = run.paths.service_token
    if not token.exists():
        install_file(root, None, (new_secret() + "\n").encode(), token, owner, own_dir=False)
    chown_to(root, token, owner)
    tokens = TokenStore(s.var_path(s.hall.tokens_file))
    out = run.answers.get("server.admin_token_out", "write an admin token for provisioning to",
                          "")
    said = "clearing keys and service token in place (0600, ch-backoffice)"
    if out:
        try:
            tokens.verify(read_token_file(out))
            said += f"; admin token {out} still valid"
        except (TokenFileError, BackofficeError):
            _record, secret = tokens.issue("admin", label="provisioning")
            install_file(root, None, (secret + "\n").encode(), Path(out), "root")
            said += f"; admin token issued to {out}"
    if tokens.path.exists():
        chown_to(root, tokens.path, owner)
        chown_to(root, tokens.path.parent, owner)
    return said, {}


def step_register(run: Run) -> tuple[str, dict[str, Any]]:
    if run.role == "backoffice":
        return "the back office registers the terminals", {}
    s, dev, who = _settings(run), run.data("devices"), run.data("role")
    terminal = dev["terminal_id"] or _soft_terminal(s)
    url = s.clearing_client.url.rstrip("/")
    token_file = s.var_path(s.clearing_client.token_file)
    try:
        with httpx.Client(base_url=url, timeout=10) as http:
            if token_file.exists():
                mine = http.get("/v1/terminals/me", headers=_bearer(read_token_file(token_file)))
                if mine.status_code == 200 and mine.json().get("terminal_id") == terminal \
                        and mine.json().get("role") == run.role:
                    return f"{terminal} already registered; its token is valid", {
                        "terminal_id": terminal}
            admin = read_token_file(run.answers.get(
                "backoffice.admin_token_file", "an administrator's token file"))
            answer = http.post("/v1/terminals", headers=_bearer(admin), json={
                "terminal_id": terminal, "psam_id": dev["psam_id"][:32], "role": run.role,
                "location": who["location"], "name": who["name"]})
    except httpx.HTTPError as exc:
        raise ProvisionError(f"the back office at {url} does not answer: {exc}",
                             EXIT_UNAVAILABLE) from None
    except TokenFileError as exc:
        raise ProvisionError(f"the administrator's token: {exc}", EXIT_CONFIG) from None
    if answer.status_code != 200:
        raise ProvisionError(f"the back office refused the registration: {answer.status_code} "
                             f"{answer.text[:200]}", EXIT_FAILED)
    issued = answer.json()
    install_file(run.paths.root, None, (issued["token"] + "\n").encode(), token_file,
                 OWNER[run.role])
    if issued.get("hall_token"):
        install_file(run.paths.root, None, (issued["hall_token"] + "\n").encode(),
                     s.var_path(s.hall_client.token_file), OWNER[run.role])
    again = " again (old token revoked)" if issued.get("replaced") else ""
    return f"{terminal} registered{again}; token in {token_file} (0600)", {
        "terminal_id": terminal}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _soft_terminal(s: Settings) -> str:
    from cardsvc.keys import load_issuer_keys  # noqa: PLC0415

    try:
        return load_issuer_keys(s.var_path(s.card.key_file)).require_terminal_id().hex().upper()
    except Exception as exc:  # noqa: BLE001 - said to the technician
        raise ProvisionError(f"no terminal ID: no PSAM and no usable key file ({exc})",
                             EXIT_CONFIG) from None


def step_users(run: Run) -> tuple[str, dict[str, Any]]:
    """The programs' users and the device groups first: the keys and tokens are theirs."""
    paths = run.paths
    values = {"STATE": str(paths.state_dir)}
    text = render((DEPLOY / "citizen-hall.sysusers").read_text(), values)
    write_if_changed(paths.sysusers, text)
    said = sysusers(paths)
    _own_state(run)
    return said, {}


def step_units(run: Run) -> tuple[str, dict[str, Any]]:
    paths, role = run.paths, run.role
    venv = run.data("install")["venv"]
    values = {"VENV": venv, "CONFIG": str(paths.config), "ETC": str(paths.etc),
              "VAR": str(paths.state_dir), "STATE": str(paths.state_dir),
              "KIND": role if role in ("canteen", "retail") else "canteen",
              "LINE": run.answers.get("line", "bus line", "1") if role == "validator" else "1",
              "FEEDBACK": run.answers.get("feedback", "reader buzzer/LED", "none"),
              "DEVICES": "",
              # a kiosk prints its own receipts from the same print queue: one worker per queue
              "RECEIPTS": " --no-receipts" if role == "kiosk" else ""}
    written = [p for p, text in render_units(paths, role, values).items()
               if write_if_changed(p, text)]
    units = [paths.units / u for u in UNITS[role]]
    ok, said = verify_units(units)
    if not ok:
        raise ProvisionError(f"systemd-analyze verify: {said[:400]}", EXIT_FAILED)
    enabled = enable_units(paths, UNITS[role])
    return (f"{len(UNITS[role])} unit(s) ({len(written)} written), verified; "
            f"{enabled}"), {"units": list(UNITS[role])}


def _own_state(run: Run) -> None:
    """var_dir: the card service's (the back office's), group citizen-hall, 2770; the kiosk's
    folder the kiosk's."""
    state, root = run.paths.state_dir, run.paths.root
    state.mkdir(parents=True, exist_ok=True)
    state.chmod(0o2770)
    chown_to(root, state, "ch-backoffice" if run.role == "backoffice" else "ch-cardsvc")
    if run.role == "kiosk":
        (state / "kiosk").mkdir(exist_ok=True)
        chown_to(root, state / "kiosk", "ch-kiosk")


def step_check(run: Run) -> tuple[str, dict[str, Any]]:
    from kiosk.ctl.doctor import Health, Kiosk, run_checks  # noqa: PLC0415

    names = list(CHECKS_OF[run.role])
    if not names:
        return "nothing to check here (the back office is checked by its terminals)", {}
    findings = run_checks(Kiosk(_settings(run), 3.0), names)
    for f in findings:
        run.out(f"        {f.health.value:<4}  {f.device}: {f.summary}")
    bad = [f for f in findings if f.health is Health.FAIL]
    if bad:
        raise ProvisionError("; ".join(f"{f.device}: {f.summary} (fix: {f.fix})" for f in bad),
                             EXIT_FAILED)
    used = [f for f in findings if f.health is not Health.SKIP]
    return f"{len(used)} device check(s) pass", {
        "findings": [dataclasses.replace(f, details={}).as_dict() for f in findings]}


def step_receipt(run: Run) -> tuple[str, dict[str, Any]]:
    s = _settings(run)
    if run.role in ("validator", "backoffice") or not s.printer.url:
        return "no printer", {}
    from drivers.printer import PrinterError, open_printer  # noqa: PLC0415
    from drivers.printer.testpage import test_page  # noqa: PLC0415

    who = run.data("role")
    try:
        printer = open_printer(s.printer.url, profile=s.printer.profile,
                               timeout=s.printer.timeout_s)
        doc = test_page(printer.profile, printer.url.text)
        doc.heading("终端开通 Provisioned")
        doc.row("终端 Terminal：", run.data("register").get("terminal_id", ""))
        doc.row("角色 Role：", run.role)
        doc.row("名称 Name：", who["name"])
        doc.row("位置 Location：", who["location"] or "-")
        doc.cut()
        printer.print(doc)
    except PrinterError as exc:
        raise ProvisionError(f"the test receipt did not print: {exc}", EXIT_UNAVAILABLE) from None
    return f"test receipt printed on {s.printer.url}", {}


STEP_FUNCTIONS: Mapping[str, Callable[[Run], tuple[str, dict[str, Any]]]] = {
    "install": step_install, "devices": step_devices, "config": step_config,
    "users": step_users, "keys": step_keys, "register": step_register, "units": step_units,
    "check": step_check,
    "receipt": step_receipt}
