"""Keeping a store safe: integrity checks, backups and restores.

Backups use SQLite's online backup API, so a store can be backed up while the
app has it open and writes to it: the copy is one consistent snapshot.  A
backup is written to a temporary file and renamed into place, so a power cut
never leaves half a backup under the final name.

A restore checks the backup (a Coalition COP store this version can read, whose
integrity check passes) before it replaces anything, then puts it in place as
a *new file* (a copy written beside the store, renamed over it): a restored
store is a new file, and the sync layer gives a new file a new site id, so a
site never reuses change numbers it has already sent.

The store is closed while it is restored (``restore`` takes the path).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from app.i18n import _

# pages copied per step of the online backup: small steps let writers in between
_PAGES_PER_STEP = 4096
KEEP_AUTOMATIC = 5


class BackupError(RuntimeError):
    """A backup or restore could not be made; the message is for the user."""


def _private(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)


def _fsync(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def integrity_problems(path: Path, full: bool = False) -> list[str]:
    """What SQLite's integrity check finds wrong with the file (empty: nothing).

    ``quick_check`` (the default, used at start) checks the structure of every
    page in a time proportional to the file; ``full`` also checks every index
    against its table.
    """
    from app.core.store.engine import read_only

    try:
        conn = read_only(path)
    except sqlite3.Error as exc:
        return [str(exc)]
    try:
        rows = conn.execute("PRAGMA integrity_check" if full else "PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    finally:
        conn.close()
    found = [str(r[0]) for r in rows]
    return [] if found == ["ok"] else found


def _copy(
    source: sqlite3.Connection, dest: Path, progress: Callable[[int, int], None] | None = None
) -> Path:
    """Online-backup ``source`` into ``dest`` (through a temporary file)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    target = sqlite3.connect(partial)
    try:

        def step(_status: int, remaining: int, total: int) -> None:
            if progress is not None:
                progress(total - remaining, total)

        source.backup(target, pages=_PAGES_PER_STEP, progress=step)
        # a backup is one file: no -wal beside it
        target.execute("PRAGMA journal_mode=DELETE")
    except BaseException as exc:  # a failure or a cancel: no partial file left behind
        target.close()
        partial.unlink(missing_ok=True)
        if isinstance(exc, sqlite3.Error):
            raise BackupError(_("the backup failed: {error}").format(error=exc)) from exc
        raise
    target.close()
    _private(partial)
    _fsync(partial)
    os.replace(partial, dest)
    return dest


def backup_store(
    store: object, dest: Path, progress: Callable[[int, int], None] | None = None
) -> Path:
    """Back up an open store to ``dest`` while it stays in use."""
    if getattr(store, "path", None) is None:
        raise BackupError(
            _("only a store file can be backed up here; back up a server with its own tools")
        )
    engine = store.engine  # type: ignore[attr-defined]
    raw = engine.raw_connection()
    try:
        return _copy(raw.driver_connection, Path(dest), progress)
    finally:
        raw.close()


def backup_file(path: Path, dest: Path) -> Path:
    """Back up a store file that is not open (before a migration, for instance)."""
    source = sqlite3.connect(path)
    try:
        return _copy(source, dest)
    finally:
        source.close()


def backups_dir(store_path: Path) -> Path:
    return store_path.parent / "backups"


def automatic_backup(store_path: Path, reason: str) -> Path:
    """A backup in ``backups/`` beside the store, named for when and why; the
    oldest automatic ones beyond KEEP_AUTOMATIC are removed."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = backups_dir(store_path)
    dest = folder / f"{store_path.stem}-{stamp}-{reason}.sqlite"
    backup_file(store_path, dest)
    automatic = sorted(folder.glob(f"{store_path.stem}-*-before-*.sqlite"))
    for old in automatic[:-KEEP_AUTOMATIC]:
        old.unlink(missing_ok=True)
    return dest


def check_backup(backup: Path) -> str:
    """Refuse a file that is not a readable, sound Coalition COP store; returns its schema revision."""
    from app.core.store.engine import StoreError, read_only, require_known

    if not backup.is_file():
        raise BackupError(_("no such backup: {path}").format(path=backup))
    problems = integrity_problems(backup)
    if problems:
        raise BackupError(
            _("{path} is damaged or not a store: {problem}").format(
                path=backup, problem=problems[0]
            )
        )
    conn = read_only(backup)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"alembic_version", "site_profile", "unit"} <= tables:
            raise BackupError(_("{path} is not a Coalition COP store").format(path=backup))
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        conn.close()
    try:
        require_known(revision)
    except StoreError as exc:
        raise BackupError(str(exc)) from exc
    return str(revision)


def _lock_path(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + ".lock")


def hold_in_use(store_path: Path) -> int | None:
    """Mark the store as open (a shared lock on ``<store>.lock``) until ``release`` is
    called: a restore refuses to replace a store another process is using."""
    try:
        import fcntl
    except ImportError:  # Windows: the open store file itself cannot be replaced there
        return None
    try:
        fd = os.open(_lock_path(store_path), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:  # a restore holds it right now
        os.close(fd)
        raise BackupError(
            _("the store {path} is being restored; try again in a moment").format(path=store_path)
        ) from None
    return fd


def release(fd: int | None) -> None:
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)  # closing the descriptor drops its lock


@contextlib.contextmanager
def _sole_user(store_path: Path):  # type: ignore[no-untyped-def]
    try:
        import fcntl
    except ImportError:
        yield
        return
    fd = os.open(_lock_path(store_path), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise BackupError(
                _(
                    "the store {path} is open in Coalition COP (or another command): close it, then restore"
                ).format(path=store_path)
            ) from None
        yield
    finally:
        os.close(fd)


def restore(backup: Path, store_path: Path, keep_current: bool = True) -> Path | None:
    """Put ``backup`` in place of the (closed) store at ``store_path``.

    The current store is first backed up itself (unless ``keep_current`` is
    False), so a restore can be undone; returns that backup's path.
    """
    backup, store_path = Path(backup), Path(store_path)
    check_backup(backup)
    with _sole_user(store_path):
        return _restore(backup, store_path, keep_current)


def _restore(backup: Path, store_path: Path, keep_current: bool) -> Path | None:
    from app.core.store.engine import read_only

    previous = None
    if keep_current and store_path.exists():
        previous = automatic_backup(store_path, "before-restore")
    source = read_only(backup)
    try:
        staged = _copy(source, store_path.with_name(store_path.name + ".restoring"))
    finally:
        source.close()
    # the closed store's -wal and -shm belong to the old file: never apply them to this one
    for suffix in ("-wal", "-shm"):
        store_path.with_name(store_path.name + suffix).unlink(missing_ok=True)
    os.replace(staged, store_path)
    _private(store_path)
    return previous
