"""The site a store file belongs to: its id, its signing key, and a copy becoming a new site.

Each store holds its site's signing key (created at first use, by the caller's
key maker: the cryptography is ``sync.keys``).  A store copied or restored from
a backup is another site: it gets a new site id and new keys when it is first
opened.

A person names the site and gives its partner (``set_site``: ``site set``, the
first-run dialog).  The name may change at any time; the partner only until the
site has exchanged anything (``has_exchanged``), since partners already hold its
changes under the old one: a site of another partner is a new store.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session

from app.core.common.markings import normalise_partner
from app.core.store.base import utcnow
from app.core.store.engine import SiteInfo, Store, StoreError, new_id
from app.core.store.models import SiteProfile, SyncBundle, SyncChange, SyncCursor, SyncLocal
from app.i18n import _

EXPORTED = "exported"  # SyncLocal key: the id of the last bundle this site made


class SiteChangeRefused(StoreError):
    """A site's partner cannot change: it has already exchanged with others."""


def _exchanged(session: Session, site_id: str) -> bool:
    """Has this site given or received anything?  A bundle made (``EXPORTED``), a
    bundle imported, a server synced or a bundle acknowledged (a sync cursor), or a
    change from another site held here."""
    return (
        session.get(SyncLocal, EXPORTED) is not None
        or session.scalars(select(SyncBundle.bundle_id).limit(1)).first() is not None
        or session.scalars(select(SyncCursor.peer).limit(1)).first() is not None
        or session.scalars(
            select(SyncChange.seq).where(SyncChange.origin_site != site_id).limit(1)
        ).first()
        is not None
    )


def has_exchanged(store: Store) -> bool:
    """True once this site has made or imported a bundle, or synced with a server."""
    with store.session() as session:
        return _exchanged(session, store.site.site_id)


def note_exported(session: Session, bundle_id: str) -> None:
    """Record, in the caller's bookkeeping transaction, that this site made a bundle."""
    known = session.get(SyncLocal, EXPORTED)
    if known is None:
        session.add(SyncLocal(key=EXPORTED, value=bundle_id))
    else:
        known.value = bundle_id


def set_site(store: Store, name: str | None = None, partner: str | None = None) -> SiteInfo:
    """Set this site's name and/or partner, and mark them as set by a person.

    The partner is normalised (``MarkingError`` if unknown); changing it after the
    site has exchanged anything raises ``SiteChangeRefused``; the store is then
    unchanged.  ``store.site`` is replaced by the new identity, which is returned.
    The site profile is not a record: it is not in the change log nor synchronised.
    """
    new_name = None if name is None else name.strip()
    if new_name is not None and not new_name:
        raise StoreError(_("the site name cannot be empty"))
    if new_name is not None and len(new_name) > 200:
        raise StoreError(_("the site name is longer than 200 characters"))
    new_partner = None if partner is None else normalise_partner(partner)
    with store.transaction() as session:
        profile = session.get(SiteProfile, store.site.site_id)
        if profile is None:
            raise StoreError(_("the store has no site profile"))
        if (
            new_partner is not None
            and new_partner != profile.partner
            and _exchanged(session, profile.site_id)
        ):
            raise SiteChangeRefused(
                _(
                    "this site ({partner}) has already exchanged bundles or synced; its "
                    "partner cannot change. Make a new site (a new store, e.g. "
                    "'coalition-cop --db NEW.sqlite site set --partner {new}') instead."
                ).format(partner=profile.partner, new=new_partner)
            )
        if new_name is not None:
            profile.site_name = new_name
        if new_partner is not None:
            profile.partner = new_partner
        profile.confirmed_at = utcnow()
        site = SiteInfo(profile.site_id, profile.site_name, profile.partner, True)
    store.site = site
    return site


def key_fingerprint(public_key: bytes) -> str:
    """SHA-256 of a raw public key, hex, in groups of four: what two operators compare."""
    import hashlib

    digest = hashlib.sha256(public_key).hexdigest().upper()
    return " ".join(digest[i : i + 4] for i in range(0, len(digest), 4))


def site_signing_key(store: Store, make_key: Callable[[], tuple[bytes, bytes]]) -> bytes:
    """This site's private signing key (raw bytes); at first use ``make_key()`` gives
    a new (private, public) pair, stored in the site profile in one transaction."""
    with store.transaction() as session:
        profile = session.get(SiteProfile, store.site.site_id)
        assert profile is not None
        if profile.signing_key is None:
            profile.signing_key, profile.public_key = make_key()
        return profile.signing_key


def _home(path: Path) -> str:
    return str(os.stat(path).st_ino)


def check_copy(engine: Engine, path: Path | None) -> bool:
    """Give a store that is a copy of another file a new site id and keys; True if it did.

    The file's identity (its inode) is recorded at first open; a copy or a restore
    from a backup is a new file, so two sites never write changes under one id.
    """
    if path is None or not path.exists():
        return False
    home = _home(path)
    with Session(engine) as session, session.begin():
        known = session.get(SyncLocal, "home")
        if known is None:
            session.add(SyncLocal(key="home", value=home))
            return False
        if known.value == home:
            return False
        profile = session.scalars(select(SiteProfile)).first()
        if profile is None:
            raise StoreError(_("the store has no site profile"))
        new_site = new_id()
        last = profile.last_hlc
        if last:  # the clock goes on from where it was, under the new id
            last = last.rsplit(".", 1)[0] + "." + new_site if last.count(".") >= 2 else None
        session.execute(
            update(SiteProfile)
            .where(SiteProfile.site_id == profile.site_id)
            .values(site_id=new_site, signing_key=None, public_key=None, last_hlc=last)
        )
        session.execute(delete(SyncCursor))
        known.value = home
    return True
