"""Opening a store: engine, pragmas, migrations, site profile.

``open_store()`` is the one way in.  It upgrades an older store, refuses a store
written by a newer version (and leaves it untouched), and creates the site
profile at first use.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Engine, create_engine, event, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from app.core.events import EventHub
from app.core.store.hlc import HybridLogicalClock
from app.core.store.models import SiteProfile
from app.i18n import _

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class StoreError(RuntimeError):
    """A store cannot be opened or used; the message is for the user."""


def default_store_path() -> Path:
    """``COP_DB`` if set, else ``cop.sqlite`` in the platform's user data folder."""
    env = os.environ.get("COP_DB")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("coalition-cop", appauthor=False)) / "cop.sqlite"


def new_id() -> str:
    """A UUIDv7 as text: time-ordered, unique across sites."""
    import uuid6  # imported when first needed: it costs ~0.1 s at start-up

    return str(uuid6.uuid7())


@dataclass(frozen=True)
class SiteInfo:
    site_id: str
    site_name: str
    partner: str
    confirmed: bool = False  # a person set or confirmed the name and partner


@dataclass
class Store:
    """An open store: its engine, site identity, operator and change hub."""

    engine: Engine
    url: str
    path: Path | None
    site: SiteInfo
    operator: str
    clock: HybridLogicalClock
    events: EventHub = field(default_factory=EventHub)
    _write_lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _in_use: int | None = field(default=None, repr=False)  # see safety.hold_in_use

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # a read session cannot write: writes go through ``writing.writing()``
        event.listen(self._sessions, "before_flush", _refuse_flush)
        event.listen(self._sessions, "do_orm_execute", _refuse_dml)
        # writes take SQLite's write lock when they begin (BEGIN IMMEDIATE), so two
        # writers never both read then try to upgrade to a write lock
        self._write_sessions = sessionmaker(
            self.engine.execution_options(cop_immediate=True), expire_on_commit=False
        )

    def session(self) -> Session:
        """A session for reading; it refuses to write (``ReadOnlySession``)."""
        return self._sessions()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """One write transaction; commits on success, rolls back on any error.

        Writers are serialised in-process (SQLite has a single writer anyway).
        """
        with self._write_lock, self._write_sessions() as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()
        if self._in_use is not None:
            from app.core.store.safety import release

            release(self._in_use)
            self._in_use = None


class ReadOnlySession(StoreError):
    """A write was attempted through a read session (``Store.session``)."""


def _refuse_flush(session: Session, _context: Any, _instances: Any) -> None:
    if session.new or session.dirty or session.deleted:
        raise ReadOnlySession("a read session cannot write: use app.core.store.writing")


def _refuse_dml(state: Any) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        raise ReadOnlySession("a read session cannot write: use app.core.store.writing")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA cache_size=-65536")
    cur.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        import sqlite3

        path = url.split(":///", 1)[1] if ":///" in url else ":memory:"

        def connect() -> sqlite3.Connection:
            # a file path is used as it is: '?' or '%' in a folder name is not a URL
            return sqlite3.connect(path, check_same_thread=False, timeout=10)

        from sqlalchemy.pool import QueuePool, StaticPool

        pool = StaticPool if path == ":memory:" else QueuePool
        engine = create_engine("sqlite://", creator=connect, poolclass=pool)
        event.listen(engine, "connect", _sqlite_pragmas)

        # let SQLAlchemy manage BEGIN so SAVEPOINT and transactions behave
        @event.listens_for(engine, "connect")
        def _no_autobegin(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            immediate = conn.get_execution_options().get("cop_immediate")
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True)


def _alembic_config() -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


_REVISION = re.compile(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN = re.compile(r"^down_revision\s*=\s*(?:['\"]([^'\"]+)['\"]|None)", re.M)


@cache
def known_revisions() -> dict[str, str | None]:
    """Revision -> the one it revises, read from the migration files.

    Read without importing alembic, so a normal start (store already at head)
    does not pay for it.
    """
    found: dict[str, str | None] = {}
    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        rev, down = _REVISION.search(source), _DOWN.search(source)
        if rev:
            found[rev.group(1)] = down.group(1) if down else None
    return found


def head_revision() -> str:
    revisions = known_revisions()
    parents = {down for down in revisions.values() if down}
    heads = [rev for rev in revisions if rev not in parents]
    assert len(heads) == 1, f"migrations must have one head, found {heads}"
    return heads[0]


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def check_version(engine: Engine) -> str | None:
    """The store's schema revision; StoreError if this version cannot read it."""
    rev = current_revision(engine)
    if rev is None:
        return None
    require_known(rev)
    return rev


def require_known(rev: str) -> None:
    """Refuse a schema revision this version does not know (a store from a newer version)."""
    if rev not in known_revisions():
        raise StoreError(
            _(
                "this store was written by a newer version of Coalition COP (schema {rev}); "
                "this version reads schemas up to {head}. Update the application. "
                "The store was not changed."
            ).format(rev=rev, head=head_revision())
        )


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Bring the schema to ``revision``; returns (before, after)."""
    from alembic import command

    before = check_version(engine)
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    return before, current_revision(engine) or ""


def needs_upgrade(engine: Engine) -> bool:
    return check_version(engine) != head_revision()


def _ensure_site(engine: Engine, site_name: str | None, partner: str | None) -> SiteProfile:
    with Session(engine) as session, session.begin():
        profile = session.scalars(select(SiteProfile)).first()
        if profile is None:
            profile = SiteProfile(
                site_id=new_id(),
                site_name=site_name or socket.gethostname() or "site",
                partner=(partner or "NATO").upper(),
            )
            session.add(profile)
            session.flush()
        session.expunge(profile)
        return profile


def read_only(path: Path) -> Any:  # sqlite3.Connection
    """A connection that reads ``path`` and changes nothing on disk.

    immutable=1 reads without creating -wal/-shm files; when a -wal file is
    already there its content matters, and reading it creates nothing new.
    """
    import sqlite3
    from urllib.parse import quote

    wal = path.with_name(path.name + "-wal")
    mode = "mode=ro" if wal.exists() else "immutable=1"
    return sqlite3.connect(f"file:{quote(str(path))}?{mode}", uri=True)


def peek_version(path: Path) -> None:
    """Refuse an unreadable or too-new store before anything writes to the file."""
    import sqlite3

    try:
        conn = read_only(path)
    except sqlite3.Error as exc:
        raise StoreError(
            _("cannot open the store {path}: {error}").format(path=path, error=exc)
        ) from exc
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        if "no such table" in str(exc):
            return
        raise StoreError(
            _("{path} is not a Coalition COP store ({error})").format(path=path, error=exc)
        ) from exc
    finally:
        conn.close()
    if row is not None:
        require_known(row[0])


def _check_integrity(path: Path) -> None:
    from app.core.store.safety import backups_dir, integrity_problems

    problems = integrity_problems(path)
    if problems:
        backups = sorted(backups_dir(path).glob("*.sqlite"))
        hint = (
            _(
                "The newest backup is {backup}; restore it with 'coalition-cop db restore FILE'."
            ).format(backup=backups[-1])
            if backups
            else _("No backup was found beside it.")
        )
        raise StoreError(
            _("the store {path} is damaged ({problem}). {hint}").format(
                path=path, problem=problems[0], hint=hint
            )
        )


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def open_store(
    path: Path | str | None = None,
    *,
    url: str | None = None,
    operator: str | None = None,
    site_name: str | None = None,
    partner: str | None = None,
    migrate: bool = True,
    check: bool = False,
) -> Store:
    """Open (creating if needed) the store at ``path`` (or ``url``), upgraded to head.

    ``check`` runs SQLite's quick integrity check first (the app does at start)
    and refuses a damaged file.  Before a migration changes an existing file,
    a backup of it is written to ``backups/`` beside it.
    """
    db_path: Path | None = None
    if url is None:
        db_path = Path(path) if path is not None else default_store_path()
        db_path = db_path.expanduser()
        if db_path.exists() and db_path.is_dir():
            raise StoreError(_("{path} is a folder, not a store file").format(path=db_path))
        db_path.parent.mkdir(parents=True, exist_ok=True)
        new_file = not db_path.exists()
        url = sqlite_url(db_path)
        if not new_file:
            peek_version(db_path)
            if check:
                _check_integrity(db_path)
    else:
        new_file = False
    engine = make_engine(url)
    try:
        check_version(engine)
        if migrate and needs_upgrade(engine):
            if db_path is not None and not new_file and current_revision(engine) is not None:
                from app.core.store.safety import automatic_backup

                automatic_backup(db_path, f"before-{head_revision()}")
            upgrade(engine)
        elif current_revision(engine) is None:
            raise StoreError(_("the store has no schema; run 'coalition-cop db upgrade'"))
        if db_path is not None:
            from app.core.store.identity import check_copy  # a copied file is a new site

            check_copy(engine, db_path)
        if db_path is not None and new_file:
            with contextlib.suppress(OSError):
                os.chmod(db_path, stat.S_IRUSR | stat.S_IWUSR)
        profile = _ensure_site(engine, site_name, partner)
    except Exception:
        engine.dispose()
        raise
    who = operator or os.environ.get("COP_OPERATOR") or _default_operator()
    site = SiteInfo(
        profile.site_id, profile.site_name, profile.partner, profile.confirmed_at is not None
    )
    in_use = None
    if db_path is not None:
        from app.core.store.safety import hold_in_use

        try:
            in_use = hold_in_use(db_path)
        except Exception:
            engine.dispose()
            raise
    return Store(
        engine=engine,
        url=url,
        path=db_path,
        site=site,
        operator=who,
        clock=HybridLogicalClock(site.site_id, profile.last_hlc),
        _in_use=in_use,
    )


def _default_operator() -> str:
    try:
        import getpass

        return getpass.getuser()
    except Exception:
        return "operator"
