"""Sync with a central PostgreSQL server: push this store's changes, pull everyone else's.

The server holds the same schema, built by the same migrations; its
``sync_change.seq`` is the server's order.  Push copies the changes into a
temporary staging table and inserts them with ``ON CONFLICT DO NOTHING`` on
(origin site, origin sequence), so pushing twice stores once; every push holds a
transaction-level advisory lock, so the server order is commit order and a pull
never skips a change.  The pull cursor moves in the same local transaction as
the changes it counts; the push cursor only after the server committed.  A sync
killed at any point resumes where the last commit left it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session

from app.core.common.times import change_time
from app.core.store.engine import Store, StoreError, check_version, head_revision, upgrade
from app.core.store.models import SyncCursor
from app.core.store.writing import bookkeeping
from app.core.sync.merge import (
    CHANGE_COLUMNS,
    ApplyResult,
    Change,
    apply_changes,
    local_changes_after,
)
from app.i18n import _

PUSH_LOCK = 0x434F5053  # "COPS": every push holds it for its transaction
SCHEMA_LOCK = 0x434F5055
BATCH = 25_000


class SyncError(RuntimeError):
    """A sync failed; the message is for the user and never holds a password."""


@dataclass
class SyncReport:
    server: str
    sent: int = 0  # changes the server did not have
    received: int = 0  # changes new to this store
    conflicts: int = 0
    records: int = 0

    def summary(self) -> str:
        return _(
            "Synchronised with {server}: sent {sent}, received {received}, conflicts {conflicts}."
        ).format(
            server=self.server, sent=self.sent, received=self.received, conflicts=self.conflicts
        )


def safe_server_name(url: str) -> str:
    """The server URL as it may be shown: never a password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return re.sub(r"//[^@/]*@", "//***@", url)


def _scrub(message: str, url: str) -> str:
    try:
        password = make_url(url).password
    except ArgumentError:
        password = None
    first = message.strip().splitlines()[0] if message.strip() else message
    if password:
        first = first.replace(str(password), "***")
    return first


def server_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise SyncError(
            _("'{url}' is not a server URL (e.g. postgresql+psycopg://user@host:5432/db)").format(
                url=safe_server_name(url)
            )
        ) from None
    if parsed.get_backend_name() != "postgresql":
        raise SyncError(
            _(
                "the sync server must be PostgreSQL (a URL such as postgresql+psycopg://user@host/db)"
            )
        )
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        return create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": 10})
    except (NoSuchModuleError, ArgumentError) as exc:
        raise SyncError(_("cannot use the server URL: {error}").format(error=exc)) from None


def prepare_server(engine: Engine) -> None:
    """Create or upgrade the central schema with the store's migrations (one site at a time)."""
    head = head_revision()
    with engine.connect() as conn:
        try:
            current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DBAPIError:
            conn.rollback()
            current = None
        if current == head:  # the usual case: one query
            return
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": SCHEMA_LOCK})
        try:
            if check_version(engine) != head:
                upgrade(engine)
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": SCHEMA_LOCK})
            conn.commit()


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


_NULL, _FIELD, _ROW = "\x1d", "\x1f", "\x1e"


def local_copy_text(conn: Connection, after: int, limit: int) -> tuple[int, int, str]:
    """This store's changes after ``after`` as PostgreSQL COPY text: (last seq, count, text).

    Built with a few whole-buffer replaces rather than per value: 100,000 changes a second.
    """
    cols = [f"COALESCE({c}, char(29))" if c == "base_hlc" else c for c in CHANGE_COLUMNS]
    cols[CHANGE_COLUMNS.index("origin_seq")] = "CAST(origin_seq AS TEXT)"
    cols[CHANGE_COLUMNS.index("at")] = "at || '+00'"
    rows = conn.exec_driver_sql(
        f"SELECT seq, {', '.join(cols)} FROM sync_change WHERE seq > ? ORDER BY seq LIMIT ?",
        (after, limit),
    ).all()
    if not rows:
        return after, 0, ""
    body = _ROW.join(_FIELD.join(r[1:]) for r in rows)
    if body.count(_ROW) != len(rows) - 1 or body.count(_FIELD) != len(rows) * (
        len(CHANGE_COLUMNS) - 1
    ):
        # a separator inside a value (never in practice): escape value by value
        body = _ROW.join(
            _FIELD.join(_copy_text(None if v == _NULL else v) for v in r[1:]) for r in rows
        )
    text = (
        body.replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace(_NULL, "\\N")
        .replace(_FIELD, "\t")
        .replace(_ROW, "\n")
    )
    return int(rows[-1][0]), len(rows), text + "\n"


def push_text(engine: Engine, copy_text: str) -> int:
    """Store changes given as COPY text on the server (once each); returns how many were new there."""
    if not copy_text:
        return 0
    cols = ", ".join(CHANGE_COLUMNS)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (PUSH_LOCK,))
        cur.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS sync_stage ON COMMIT DELETE ROWS AS "
            f"SELECT {cols} FROM sync_change WITH NO DATA"
        )
        with cur.copy(f"COPY sync_stage ({cols}) FROM STDIN") as copy:
            copy.write(copy_text)
        cur.execute(
            f"INSERT INTO sync_change ({cols}) SELECT {cols} FROM sync_stage "
            "ORDER BY origin_site, origin_seq ON CONFLICT (origin_site, origin_seq) DO NOTHING"
        )
        added = cur.rowcount
        raw.commit()
        return int(added)
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.close()


def push_changes(engine: Engine, changes: list[Change]) -> int:
    """Store ``changes`` on the server (once each); returns how many were new there."""
    lines = []
    for c in changes:
        row = list(c)
        row[8] = change_time(row[8]) + "+00"
        lines.append("\t".join(_copy_text(v) for v in row))
    return push_text(engine, "\n".join(lines) + "\n" if lines else "")


def pull_changes(
    engine: Engine, after: int, exclude_site: str, limit: int = BATCH
) -> tuple[list[tuple[int, Change]], int]:
    """Server changes after position ``after`` not made by ``exclude_site``, in server order,
    and how far that reaches: past our own changes too when the end was reached.

    Every change up to the highest committed position is committed (pushes hold one lock,
    so positions are given in commit order); bounding the read by it never skips one.
    """
    cols = [
        "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')" if c == "at" else c
        for c in CHANGE_COLUMNS
    ]
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("SELECT COALESCE(MAX(seq), 0) FROM sync_change")
        top = int(cur.fetchone()[0])
        cur.execute(
            f"SELECT seq, {', '.join(cols)} FROM sync_change "
            "WHERE seq > %s AND seq <= %s AND origin_site <> %s ORDER BY seq LIMIT %s",
            (after, top, exclude_site, limit),
        )
        rows = cur.fetchall()
        raw.commit()
    finally:
        raw.close()
    make = Change._make
    reach = top if len(rows) < limit else rows[-1][0]
    return [(r[0], make(r[1:])) for r in rows], max(reach, after)


def cursor_name(url: str) -> str:
    parsed = make_url(url)
    return f"server:{parsed.host or ''}:{parsed.port or 5432}/{parsed.database or ''}"


def _cursor(session: Session, name: str) -> SyncCursor:
    cursor = session.get(SyncCursor, name)
    if cursor is None:
        cursor = SyncCursor(peer=name, sent=0, received=0, last_result="")
        session.add(cursor)
        session.flush()
    return cursor


def read_cursor(store: Store, name: str) -> tuple[int, int]:
    with store.session() as session:
        cursor = session.get(SyncCursor, name)
        return (cursor.sent, cursor.received) if cursor else (0, 0)


def pending_changes(store: Store, name: str | None = None) -> int:
    """Changes this store holds that the peer (the server if none named) has not taken."""
    from sqlalchemy import func

    from app.core.store.models import SyncChange

    with store.session() as session:
        if name is None:
            sent = (
                session.scalar(
                    select(func.max(SyncCursor.sent)).where(SyncCursor.peer.like("server:%"))
                )
                or 0
            )
        else:
            cursor = session.get(SyncCursor, name)
            sent = cursor.sent if cursor else 0
        return int(
            session.scalar(
                select(func.count()).select_from(SyncChange).where(SyncChange.seq > sent)
            )
            or 0
        )


def sync_with_server(
    store: Store,
    url: str,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    batch: int = BATCH,
) -> SyncReport:
    """Push this store's changes to the server, then pull everyone else's."""
    name = cursor_name(url)
    report = SyncReport(server=safe_server_name(url))
    engine = server_engine(url)
    try:
        try:
            prepare_server(engine)
            _push_all(store, engine, name, report, progress, cancelled, batch)
            _pull_all(store, engine, name, report, progress, cancelled, batch)
        except DBAPIError as exc:
            raise SyncError(
                _("the sync with {server} failed: {error}").format(
                    server=report.server, error=_scrub(str(exc.orig or exc), url)
                )
            ) from None
        except StoreError as exc:
            raise SyncError(
                _("the sync server {server}: {error}").format(server=report.server, error=exc)
            ) from None
    finally:
        engine.dispose()
    with bookkeeping(store) as session:
        cursor = _cursor(session, name)
        cursor.last_sync = datetime.now(UTC)
        cursor.last_result = _("Sent {sent}, received {received}, conflicts {conflicts}.").format(
            sent=report.sent, received=report.received, conflicts=report.conflicts
        )
    return report


def _read_local(
    store: Store, after: int, batch: int
) -> tuple[int, int, str | list[tuple[int, Change]]]:
    """The next batch of this store's changes to push: (last seq, count, COPY text or rows)."""
    with store.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            return local_copy_text(conn, after, batch)
        rows = local_changes_after(conn, after, limit=batch)
        return (rows[-1][0] if rows else after), len(rows), rows


def _push_all(
    store: Store,
    engine: Engine,
    name: str,
    report: SyncReport,
    progress: Callable[[int, int], None] | None,
    cancelled: Callable[[], bool] | None,
    batch: int,
) -> None:
    sent, _received = read_cursor(store, name)
    # the next batch is read while the server stores this one
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cop-sync-read") as pool:
        ahead = pool.submit(_read_local, store, sent, batch)
        while True:
            last, found, payload = ahead.result()
            if not found or (cancelled and cancelled()):
                return
            ahead = pool.submit(_read_local, store, last, batch)
            if isinstance(payload, str):
                report.sent += push_text(engine, payload)
            else:
                report.sent += push_changes(engine, [c for _seq, c in payload])
            with bookkeeping(store) as session:  # only after the server committed
                cursor = _cursor(session, name)
                cursor.sent = max(cursor.sent, last)
            if progress:
                progress(report.sent, 0)


def _pull_all(
    store: Store,
    engine: Engine,
    name: str,
    report: SyncReport,
    progress: Callable[[int, int], None] | None,
    cancelled: Callable[[], bool] | None,
    batch: int,
) -> None:
    _sent, received = read_cursor(store, name)
    me = store.site.site_id
    # the next batch is fetched while this one is applied
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cop-sync-fetch") as pool:
        ahead = pool.submit(pull_changes, engine, received, me, batch)
        while True:
            rows, last = ahead.result()
            if not rows:
                if last > received:  # only our own changes since: nothing to apply, move past them
                    with bookkeeping(store) as session:
                        cursor = _cursor(session, name)
                        cursor.received = max(cursor.received, last)
                return
            if cancelled and cancelled():
                return
            ahead = pool.submit(pull_changes, engine, last, me, batch)

            def advance(session: Session, result: ApplyResult, last: int = last) -> None:
                cursor = _cursor(session, name)
                cursor.received = max(cursor.received, last)
                # what was just pulled came from the server: no need to push it back
                if result.first_seq and cursor.sent == result.first_seq - 1:
                    cursor.sent = result.first_seq + result.new - 1

            result = apply_changes(
                store, [c for _seq, c in rows], source=report.server, before_commit=advance
            )
            received = last
            report.received += result.new
            report.conflicts += result.conflicts
            report.records += result.records
            if progress:
                progress(report.sent + report.received, 0)
