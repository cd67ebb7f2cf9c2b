"""File > Back up the store… and File > Restore from a backup….

A backup runs in the worker with progress and cancel while the app goes on
(SQLite's online backup).  A restore needs the store closed: the backup is
checked in the worker first, then the window closes, the file is replaced and
the app starts again on the restored store.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QProcess
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog

from app.core.store import safety
from app.i18n import _
from app.ui.dialogs import plain_message
from app.ui.progress import run_with_progress

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


def restart_command() -> tuple[str, list[str]]:
    """How to start this app again with the same arguments."""
    if getattr(sys, "frozen", False):  # a bundle: the executable is the app
        return sys.executable, sys.argv[1:]
    return sys.executable, ["-m", "app", *sys.argv[1:]]


class StoreActions:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.ctx = window.ctx
        menu = window.file_menu
        self.backup_action = QAction(_("&Back up the store…"), window)
        self.backup_action.triggered.connect(self.ask_backup)
        self.restore_action = QAction(_("&Restore from a backup…"), window)
        self.restore_action.triggered.connect(self.ask_restore)
        menu.insertAction(window.quit_action, self.backup_action)
        menu.insertAction(window.quit_action, self.restore_action)
        menu.insertSeparator(window.quit_action)
        self.progress: QProgressDialog | None = None
        self.restarting = False
        enabled = self.ctx.store.path is not None
        self.backup_action.setEnabled(enabled)
        self.restore_action.setEnabled(enabled)

    # ------------------------------------------------------------ backup
    def default_backup(self) -> Path:
        path = self.ctx.store.path
        assert path is not None
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        return safety.backups_dir(path) / f"{path.stem}-{stamp}.sqlite"

    def ask_backup(self) -> None:
        target = self.default_backup()
        target.parent.mkdir(parents=True, exist_ok=True)
        path, _filter = QFileDialog.getSaveFileName(
            self.window, _("Back up the store"), str(target), _("Coalition COP store (*.sqlite)")
        )
        if path:
            self.backup(Path(path))

    def backup(self, dest: Path) -> Any:
        job, self.progress = run_with_progress(
            self.window,
            self.ctx.runner,
            _("Backing up the store…"),
            safety.backup_store,
            self.ctx.store,
            dest,
            on_done=lambda out: self.ctx.sig_status.emit(
                _("Backed up the store to {out}.").format(out=out)
            ),
            on_error=lambda exc: self.window.show_error(str(exc)),
            on_cancelled=lambda: self.ctx.sig_status.emit(_("Backup cancelled.")),
        )
        return job

    # ------------------------------------------------------------ restore
    def ask_restore(self) -> None:
        path = self.ctx.store.path
        assert path is not None
        chosen, _filter = QFileDialog.getOpenFileName(
            self.window,
            _("Restore from a backup"),
            str(safety.backups_dir(path)),
            _("Coalition COP store (*.sqlite);;All files (*)"),
        )
        if chosen:
            self.ctx.runner.submit(
                safety.check_backup,
                Path(chosen),
                on_done=lambda _rev: self.confirm_restore(Path(chosen)),
                on_error=lambda exc: self.window.show_error(str(exc)),
            )

    def confirm_restore(self, backup: Path) -> None:
        answer = plain_message(
            self.window,
            QMessageBox.Icon.Question,
            _("Restore from a backup"),
            _(
                "Replace the store with the backup {backup}?\n\n"
                "Changes made since that backup are kept aside in the backups folder, not in the picture. "
                "Coalition COP restarts on the restored store."
            ).format(backup=backup.name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.restore(backup)

    def restore(self, backup: Path) -> None:
        """Close the window and the store, put the backup in place, start again."""
        path = self.ctx.store.path
        assert path is not None
        self.restarting = True
        self.window.close()  # stops the workers and closes the store
        self.ctx.store.close()
        try:
            safety.restore(backup, path)
        except Exception as exc:  # checked already; a full disk, say: the store is untouched
            plain_message(
                None,
                QMessageBox.Icon.Critical,
                _("Restore from a backup"),
                _("The store was not restored: {error}").format(error=exc),
            )
        program, args = restart_command()
        QProcess.startDetached(program, args)


def install(window: MainWindow) -> StoreActions:
    return StoreActions(window)
