"""The Sync dock: central server sync in a worker (progress, cancel), bundles, conflicts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.common.dtg import format_dtg
from app.core.common.markings import BLOCS
from app.core.events import Changed
from app.core.sync.central import safe_server_name
from app.core.sync.conflicts import Conflict
from app.core.sync.status import PeerState, SyncStatus, sync_overview
from app.i18n import _
from app.ui.context import AppContext
from app.ui.models.table import RowsTableModel
from app.ui.workers import Job

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

Index = QModelIndex | QPersistentModelIndex
SERVER_KEY = "sync/server"


def _dtg(value: Any) -> str:
    return format_dtg(value) if value else "—"


def _value_text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("deleted") if value else _("kept")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, str):
        return value
    return json.dumps(value)


class PeersModel(RowsTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.peers: list[PeerState] = []

    def headers(self) -> list[str]:
        return [_("Peer"), _("Last sync"), _("Result")]

    def items(self) -> list[PeerState]:
        return self.peers

    def set_peers(self, peers: list[PeerState]) -> None:
        self.beginResetModel()
        self.peers = peers
        self.endResetModel()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        peer = self.peers[index.row()]
        return (peer.label, _dtg(peer.last_sync), peer.last_result)[index.column()]


class ConflictsModel(RowsTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.conflicts: list[Conflict] = []

    def headers(self) -> list[str]:
        return [
            _("Record"),
            _("Field"),
            _("Kept"),
            _("Lost"),
            _("Lost by"),
            _("Detected"),
            _("Reversed"),
        ]

    def items(self) -> list[Conflict]:
        return self.conflicts

    def set_conflicts(self, conflicts: list[Conflict]) -> None:
        self.beginResetModel()
        self.conflicts = conflicts
        self.endResetModel()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        c = self.conflicts[index.row()]
        kinds = {"unit": _("Unit"), "zone": _("Zone"), "task": _("Task")}
        return (
            f"{kinds.get(c.kind, c.kind)}: {c.label or c.row_id}",
            c.field,
            _value_text(c.kept),
            _value_text(c.lost),
            c.lost_who,
            _dtg(c.detected_at),
            _dtg(c.reversed_at) if c.reversed_at else "",
        )[index.column()]


class SyncPanel(QWidget):
    """Sync now with a server, exchange bundle files, review conflicts."""

    def __init__(self, ctx: AppContext, window: MainWindow) -> None:
        super().__init__(window)
        self.ctx = ctx
        self.window_ = window
        self.job: Job | None = None
        self.status: SyncStatus | None = None

        tabs = QTabWidget(self)
        tabs.addTab(self._build_sync_tab(), _("Sync"))
        tabs.addTab(self._build_conflicts_tab(), _("Conflicts"))
        self.tabs = tabs
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(tabs)

        self.indicator = QLabel(self)
        self.indicator.setObjectName("syncIndicator")
        self.indicator.setContentsMargins(16, 0, 4, 0)
        # a burst of changes (tracks, an import) refreshes the counts once, not per change
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(700)
        self._refresh_timer.timeout.connect(self.refresh)
        ctx.relay.sig_changed.connect(self._on_changed)
        ctx.when_picture_shown(self.refresh)

    # ------------------------------------------------------------- building
    def _build_sync_tab(self) -> QWidget:
        page = QWidget(self)
        server_box = QGroupBox(_("Central server"), page)
        form = QFormLayout(server_box)
        self.server_edit = QLineEdit(server_box)
        self.server_edit.setPlaceholderText("postgresql+psycopg://user@host:5432/cop")
        self.server_edit.setToolTip(
            _("The password may be left out: it is then taken from $PGPASSWORD or a pgpass file.")
        )
        self.server_edit.setText(str(self.ctx.settings.value(SERVER_KEY, "") or ""))
        self.server_edit.editingFinished.connect(self._save_server)
        form.addRow(_("Server URL"), self.server_edit)
        buttons = QHBoxLayout()
        self.sync_button = QPushButton(_("Sync now"), server_box)
        self.sync_button.clicked.connect(self.sync_now)
        self.cancel_button = QPushButton(_("Cancel"), server_box)
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        buttons.addWidget(self.sync_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        form.addRow(buttons)
        self.progress = QProgressBar(server_box)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setTextVisible(False)
        form.addRow(self.progress)
        self.pending_label = QLabel(server_box)
        form.addRow(_("Pending changes"), self.pending_label)
        self.result_label = QLabel(server_box)
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.PlainText)
        form.addRow(_("Last result"), self.result_label)

        bundle_box = QGroupBox(_("Bundle files (no network)"), page)
        bform = QFormLayout(bundle_box)
        self.partner_combo = QComboBox(bundle_box)
        self.partner_combo.setEditable(True)
        self.partner_combo.addItems([*BLOCS, "PUBLIC"])
        self.partner_combo.setToolTip(
            _("Only records releasable to this partner go into the bundle.")
        )
        bform.addRow(_("To partner"), self.partner_combo)
        self.encrypt_combo = QComboBox(bundle_box)
        bform.addRow(_("Encrypt for"), self.encrypt_combo)
        brow = QHBoxLayout()
        self.export_button = QPushButton(_("Export bundle…"), bundle_box)
        self.export_button.clicked.connect(self.export_bundle)
        self.import_button = QPushButton(_("Import bundle…"), bundle_box)
        self.import_button.clicked.connect(self.import_bundle)
        brow.addWidget(self.export_button)
        brow.addWidget(self.import_button)
        brow.addStretch(1)
        bform.addRow(brow)

        self.peers_model = PeersModel()
        self.peers_table = QTableView(page)
        self.peers_table.setModel(self.peers_model)
        self.peers_table.verticalHeader().hide()
        self.peers_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.peers_table.horizontalHeader().setStretchLastSection(True)
        self.peers_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(server_box)
        layout.addWidget(bundle_box)
        layout.addWidget(QLabel(_("Last sync per peer"), page))
        layout.addWidget(self.peers_table, 1)
        return page

    def _build_conflicts_tab(self) -> QWidget:
        page = QWidget(self)
        self.conflicts_model = ConflictsModel()
        self.conflicts_table = QTableView(page)
        self.conflicts_table.setModel(self.conflicts_model)
        self.conflicts_table.verticalHeader().hide()
        self.conflicts_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.conflicts_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.conflicts_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.conflicts_table.horizontalHeader().setStretchLastSection(True)
        self.reverse_button = QPushButton(_("Put back the value that lost"), page)
        self.reverse_button.setToolTip(
            _("Writes the lost value again, as a new change that syncs everywhere.")
        )
        self.reverse_button.clicked.connect(self.reverse_selected)
        self.conflicts_summary = QLabel(page)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.conflicts_table, 1)
        row = QHBoxLayout()
        row.addWidget(self.conflicts_summary, 1)
        row.addWidget(self.reverse_button)
        layout.addLayout(row)
        return page

    # ------------------------------------------------------------- refresh
    def refresh(self) -> None:
        self.ctx.runner.submit(sync_overview, self.ctx.store, on_done=self._loaded)

    def _loaded(self, result: tuple[SyncStatus, list[Conflict], list[str]]) -> None:
        status, conflicts, peers = result
        self.status = status
        self.pending_label.setText(
            _("{pending} of {changes} changes not yet on the server").format(
                pending=status.pending, changes=status.changes
            )
        )
        self.peers_model.set_peers(status.peers)
        self.conflicts_model.set_conflicts(conflicts)
        self.conflicts_summary.setText(
            _("{open} to review, {total} in the log").format(
                open=status.open_conflicts, total=len(conflicts)
            )
        )
        current = self.encrypt_combo.currentText()
        self.encrypt_combo.clear()
        self.encrypt_combo.addItem(_("(not encrypted)"), "")
        for name in peers:
            self.encrypt_combo.addItem(name, name)
        index = self.encrypt_combo.findText(current)
        self.encrypt_combo.setCurrentIndex(max(index, 0))
        self._update_indicator()

    def _update_indicator(self) -> None:
        status = self.status
        if status is None:
            return
        if self.job is not None:
            text = _("Sync: running…")
        elif status.last_sync is None:
            text = _("Sync: {pending} pending · never synchronised").format(pending=status.pending)
        else:
            text = _("Sync: {pending} pending · last {dtg}").format(
                pending=status.pending, dtg=_dtg(status.last_sync)
            )
            if status.open_conflicts:
                text += " · " + _("{n} conflicts").format(n=status.open_conflicts)
        self.indicator.setText(text)

    def _on_changed(self, changes: list[Changed]) -> None:
        if self.job is None and changes and not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def _save_server(self) -> None:
        self.ctx.settings.setValue(SERVER_KEY, self.server_edit.text().strip())

    # ------------------------------------------------------------- sync
    def sync_now(self) -> None:
        url = self.server_edit.text().strip()
        if not url:
            self.result_label.setText(_("Give the server URL first."))
            return
        if self.job is not None:
            return
        self._save_server()
        from app.core.sync.central import sync_with_server

        self.progress.setRange(0, 0)  # busy: the total is not known in advance
        self.sync_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.result_label.setText(
            _("Synchronising with {server}…").format(server=safe_server_name(url))
        )
        self.job = self.ctx.runner.submit(
            sync_with_server,
            self.ctx.store,
            url,
            on_done=self._synced,
            on_error=self._failed,
            on_progress=self._progressed,
        )
        self.job.sig_cancelled.connect(self._cancelled)
        self._update_indicator()

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.cancel_button.setEnabled(False)

    def _progressed(self, done: int, total: int) -> None:
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    def _finish(self, text: str) -> None:
        self.job = None
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.sync_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.result_label.setText(text)
        self.ctx.sig_status.emit(text)
        self.refresh()

    def _synced(self, report: Any) -> None:
        self._finish(
            _("Sent {sent}, received {received}, conflicts {conflicts}.").format(
                sent=report.sent, received=report.received, conflicts=report.conflicts
            )
        )

    def _failed(self, exc: BaseException) -> None:
        self._finish(str(exc))

    def _cancelled(self) -> None:
        self._finish(
            _("Sync cancelled; what was committed is kept and the next sync resumes from there.")
        )

    # ------------------------------------------------------------- bundles
    def export_bundle(self) -> None:
        partner = self.partner_combo.currentText().strip()
        if not partner:
            return
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Export bundle"), f"bundle-{partner}.zip", _("Bundle (*.zip)")
        )
        if path:
            self.run_export(partner, Path(path), self.encrypt_combo.currentData() or None)

    def run_export(self, partner: str, path: Path, encrypt_for: str | None = None) -> None:
        from app.core.sync.bundle import export_bundle

        self.ctx.runner.submit(
            export_bundle,
            self.ctx.store,
            partner,
            path,
            encrypt_for,
            on_done=lambda report: self._finish(report.summary()),
            on_error=self._failed,
        )

    def import_bundle(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Import bundle"), "", _("Bundle (*.zip)")
        )
        if path:
            self.run_import(Path(path))

    def run_import(self, path: Path) -> None:
        from app.core.sync.bundle import import_bundle

        self.ctx.runner.submit(
            import_bundle,
            self.ctx.store,
            path,
            on_done=lambda report: self._finish(report.summary()),
            on_error=self._failed,
        )

    # ------------------------------------------------------------- conflicts
    def reverse_selected(self) -> None:
        rows = self.conflicts_table.selectionModel().selectedRows()
        if not rows:
            return
        conflict = self.conflicts_model.conflicts[rows[0].row()]
        if conflict.reversed_at is not None:
            return
        from app.core.sync.conflicts import reverse_conflict

        self.ctx.runner.submit(
            reverse_conflict,
            self.ctx.store,
            conflict.id,
            "sync",
            on_done=lambda _r: self._finish(
                _("The value that lost is back: {field} of {record}.").format(
                    field=conflict.field, record=conflict.label or conflict.row_id
                )
            ),
            on_error=self._failed,
        )


def build(window: MainWindow) -> SyncPanel:
    panel = SyncPanel(window.ctx, window)
    window.statusBar().addPermanentWidget(panel.indicator)
    return panel
