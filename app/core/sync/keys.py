"""A site's keys and the senders it trusts.

Each store holds its site's Ed25519 signing key (created at first use).  The key
used to encrypt bundles to a site (X25519) is derived from the same secret, so a
site's public key file carries both.  The key is kept in the store's site profile
(``store.identity``), where a copied store also becomes a new site.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.core.store.engine import Store
from app.core.store.identity import site_signing_key
from app.core.store.models import SyncPeer
from app.core.store.writing import bookkeeping
from app.i18n import _

KEY_FORMAT = "coalition-cop-site-key"
_RAW = serialization.Encoding.Raw, serialization.PublicFormat.Raw


class KeyError_(ValueError):
    """A key file or a trust request is refused; the message is for the user."""


def _box_private(seed: bytes) -> X25519PrivateKey:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"coalition-cop bundle encryption"
    ).derive(seed)
    return X25519PrivateKey.from_private_bytes(derived)


@dataclass(frozen=True)
class SiteKeys:
    site_id: str
    signing: Ed25519PrivateKey

    @property
    def public_key(self) -> bytes:
        return self.signing.public_key().public_bytes(*_RAW)

    @property
    def box(self) -> X25519PrivateKey:
        seed = self.signing.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        return _box_private(seed)

    @property
    def box_public(self) -> bytes:
        return self.box.public_key().public_bytes(*_RAW)


def _new_signing_key() -> tuple[bytes, bytes]:
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return private, key.public_key().public_bytes(*_RAW)


def site_keys(store: Store) -> SiteKeys:
    """This site's keys, created (in the store) at first use."""
    signing = Ed25519PrivateKey.from_private_bytes(site_signing_key(store, _new_signing_key))
    return SiteKeys(store.site.site_id, signing)


def write_site_key(store: Store, out: Path) -> Path:
    """Write this site's public key file (what a partner trusts); no secret is in it."""
    keys = site_keys(store)
    doc = {
        "format": KEY_FORMAT,
        "version": 1,
        "site_id": store.site.site_id,
        "site_name": store.site.site_name,
        "partner": store.site.partner,
        "public_key": base64.b64encode(keys.public_key).decode(),
        "box_key": base64.b64encode(keys.box_public).decode(),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return out


def read_site_key(path: Path) -> dict[str, object]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise KeyError_(
            _("{path} is not a site key file ({error})").format(path=path, error=exc)
        ) from None
    if not isinstance(doc, dict) or doc.get("format") != KEY_FORMAT:
        raise KeyError_(_("{path} is not a site key file").format(path=path))
    try:
        public = base64.b64decode(str(doc["public_key"]), validate=True)
        box = base64.b64decode(str(doc["box_key"]), validate=True)
        Ed25519PublicKey.from_public_bytes(public)
        if len(box) != 32 or not str(doc["site_id"]):
            raise ValueError
    except (KeyError, ValueError, TypeError):
        raise KeyError_(_("{path}: the key in this file is damaged").format(path=path)) from None
    return {**doc, "public_key": public, "box_key": box}


def trust_sender(store: Store, path: Path, name: str) -> SyncPeer:
    """Trust the site whose key file is ``path`` under ``name`` (replacing that name's key)."""
    name = name.strip()
    if not name:
        raise KeyError_(_("a trusted sender needs a name"))
    doc = read_site_key(path)
    if doc["site_id"] == store.site.site_id:
        raise KeyError_(_("{path} is this site's own key").format(path=path))
    with bookkeeping(store) as session:
        session.execute(delete(SyncPeer).where(SyncPeer.name == name))
        peer = SyncPeer(
            name=name,
            site_id=str(doc["site_id"]),
            site_name=str(doc.get("site_name", "")),
            partner=str(doc.get("partner", "")),
            public_key=doc["public_key"],
            box_key=doc["box_key"],
        )
        session.add(peer)
        session.flush()
        session.expunge(peer)
    return peer


def trusted_peers(store: Store) -> list[SyncPeer]:
    with store.session() as session:
        return list(session.scalars(select(SyncPeer).order_by(SyncPeer.name)))


def peer_by_site(session: Session, site_id: str) -> SyncPeer | None:
    return session.scalars(select(SyncPeer).where(SyncPeer.site_id == site_id)).first()


def peer_by_name(store: Store, name: str) -> SyncPeer:
    with store.session() as session:
        peer = session.get(SyncPeer, name)
    if peer is None:
        raise KeyError_(
            _("no trusted site is named '{name}' (use 'bundle trust' first)").format(name=name)
        )
    return peer
