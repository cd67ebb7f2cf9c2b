"""The site a store file belongs to: its id, its signing key, and a copy becoming a new site.

Each store holds its site's signing key (created at first use, by the caller's
key maker: the cryptography is ``sync.keys``).  A store copied or restored from
a backup is another site: it gets a new site id and new keys when it is first
opened.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session

from app.core.store.engine import Store, StoreError, new_id
from app.core.store.models import SiteProfile, SyncCursor, SyncLocal
from app.i18n import _


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
