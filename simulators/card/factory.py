"""Open (or create on first use) the virtual user cards and the PSAM in a state directory.

``state_dir`` holds one JSON state per card: ``card-<number>.json`` and ``psam.json``. When a
card's state does not exist yet it is personalised from the demo data (card-spec section 7,
:mod:`cardsvc.demo_issuer`) and saved, so a restarted card keeps its data.

Issuer keys are :class:`cardsvc.keys.IssuerKeys`. By default the demo cards and PSAM are
personalised with the demo issuer's keys (:func:`cardsvc.demo_issuer.demo_issuer_keys`: the
published test keys); a key file given explicitly goes through
:func:`cardsvc.keys.load_issuer_keys`, which refuses a file that group or others can access.
"""

from __future__ import annotations

import os
from pathlib import Path

from cardsvc.demo_issuer import demo_issuer_keys, load_demo_data
from cardsvc.keys import IssuerKeys, load_issuer_keys
from simulators.card.card import Application, CardImage, RandomSource, VirtualCard
from simulators.card.personalise import (
    PSAM_APP,
    PURSE_APP,
    CardDescription,
    PsamDescription,
    personalise_psam,
    personalise_user_card,
)
from simulators.card.psam import PsamApp
from simulators.card.purse import PurseApp
from simulators.card.store import StateStore

DEMO_CARD = "4102000000000001"


class UnknownCard(LookupError):
    """No state for this card in the state dir and no demo card with this number."""


def issuer_keys(keys_file: str | os.PathLike[str] | None = None) -> IssuerKeys:
    """``keys_file`` through :func:`cardsvc.keys.load_issuer_keys` (mode 0600 enforced), or the
    demo keys (:func:`demo_issuer_keys`) when it is None."""
    return demo_issuer_keys() if keys_file is None else load_issuer_keys(keys_file)


def user_card_path(state_dir: Path, card_no: str) -> Path:
    return Path(state_dir) / f"card-{card_no}.json"


def psam_path(state_dir: Path) -> Path:
    return Path(state_dir) / "psam.json"


def build_apps(image: CardImage) -> dict[str, Application]:
    """The application objects for the DFs of ``image`` that name one (purse, psam)."""
    apps: dict[str, Application] = {}
    for df in image.root.walk():
        if df.app is None:
            continue
        doc = image.apps.get(df.app)
        if doc is None:
            raise ValueError(f"no state for application {df.app!r}")
        if df.app == PURSE_APP:
            apps[df.app] = PurseApp.from_dict(doc, df)
        elif df.app == PSAM_APP:
            apps[df.app] = PsamApp.from_dict(doc, df)
        else:
            raise ValueError(f"unknown application {df.app!r}")
    return apps


def build_card(
    image: CardImage,
    store: StateStore | None = None,
    *,
    t0: bool = False,
    rng: RandomSource | None = None,
) -> VirtualCard:
    """A card over ``image`` with the applications its DFs name (no state dir if no store)."""
    return VirtualCard(image, build_apps(image), store=store, t0=t0, rng=rng)


def issue_user_card(
    state_dir: Path, desc: CardDescription, keys: IssuerKeys, *, overwrite: bool = False
) -> Path:
    """Personalise a card from ``desc`` and save it in ``state_dir``; returns the state path.

    Refuses (FileExistsError) to replace an existing card unless ``overwrite``.
    """
    store = StateStore(user_card_path(state_dir, desc.number))
    if store.exists() and not overwrite:
        raise FileExistsError(f"{store.path} already holds card {desc.number}")
    store.save(personalise_user_card(desc, keys).as_dict())
    return store.path


def _open(store: StateStore, t0: bool, rng: RandomSource | None) -> VirtualCard | None:
    doc = store.load()
    if doc is None:
        return None
    return build_card(CardImage.from_dict(doc), store, t0=t0, rng=rng)


def open_user_card(
    state_dir: Path,
    card_no: str = DEMO_CARD,
    *,
    t0: bool = False,
    rng: RandomSource | None = None,
    keys_file: Path | None = None,
) -> VirtualCard:
    """The user card ``card_no`` of ``state_dir``, personalised from the demo data if new.

    ``t0=True``: answer the T=0 way (61xx/6Cxx). ``rng``: the card's random source (tests).
    ``keys_file``: the issuer key file for a new card (mode 0600 enforced); default the demo
    keys. Raises :class:`UnknownCard` for a number that is neither stored nor a demo card, and
    :class:`cardsvc.keys.KeyFileError` for an unusable key file.
    """
    store = StateStore(user_card_path(state_dir, card_no))
    card = _open(store, t0, rng)
    if card is not None:
        return card
    try:
        demo = load_demo_data().card(card_no)
    except KeyError:
        raise UnknownCard(f"no card {card_no} in {state_dir} and no such demo card") from None
    image = personalise_user_card(CardDescription.from_demo(demo), issuer_keys(keys_file))
    store.save(image.as_dict())
    return build_card(image, store, t0=t0, rng=rng)


def open_psam(
    state_dir: Path, *, rng: RandomSource | None = None, keys_file: Path | None = None,
    terminal_id: str | None = None,
) -> VirtualCard:
    """The PSAM of ``state_dir`` (a T=0 card), personalised as the demo PSAM if new (with
    ``terminal_id`` instead of the demo's, for benches with several terminals).

    ``keys_file`` as for :func:`open_user_card` (default: the demo keys).
    """
    store = StateStore(psam_path(state_dir))
    card = _open(store, True, rng)
    if card is not None:
        return card
    desc = PsamDescription.from_demo(load_demo_data().psam)
    if terminal_id is not None:
        desc = PsamDescription(terminal_id, desc.ttsn)
    image = personalise_psam(desc, issuer_keys(keys_file))
    store.save(image.as_dict())
    return build_card(image, store, t0=True, rng=rng)
