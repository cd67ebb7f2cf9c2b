"""The Alerts dock widget."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.events import Changed, RecordKind
from app.core.mapdoc.protocol import Op, message
from app.core.picture.mapdoc import zone_kind_label
from app.i18n import _
from app.ui.context import AppContext
from app.ui.models.table import RowsTableModel, plain_tooltip

if TYPE_CHECKING:
    from app.core.picture.geofence import Alert, AlertTracker
    from app.core.tasks.alerts import TaskWarning, TaskWarningTracker
    from app.ui.main_window import MainWindow

Index = QModelIndex | QPersistentModelIndex
SEVERITY_COLOURS = {5: "#b71c1c", 4: "#e53935", 3: "#ef6c00", 2: "#f9a825", 1: "#9e9d24"}


def _is_task_warning(item: object) -> bool:
    return hasattr(item, "task_id")


def _is_shipment_alert(item: object) -> bool:
    return hasattr(item, "waybill")


class AlertsModel(RowsTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.alerts: list[Alert | TaskWarning] = []

    def headers(self) -> list[str]:
        return [_("Alert"), _("Unit"), _("Zone"), _("Severity")]

    def items(self) -> list[Any]:
        return self.alerts

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        alert = self.alerts[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if _is_shipment_alert(alert):
                return (
                    _("shipment route in no-go zone"),
                    f"{alert.waybill}: {alert.origin} → {alert.destination}",
                    alert.zone_name,
                    str(alert.severity),
                )[col]
            if _is_task_warning(alert):
                return (
                    _("task in no-go zone")
                    if alert.kind == "task_in_no_go"
                    else _("unit far from task"),
                    alert.unit_name,
                    f"{alert.reference} {alert.title}"
                    + (f" — {alert.zone_name}" if alert.zone_name else ""),
                    str(alert.severity),
                )[col]
            if col == 0:
                return _("entered") if alert.kind == "entered" else _("inside")
            if col == 1:
                return alert.unit_name
            if col == 2:
                return f"{alert.zone_name} ({zone_kind_label(alert.zone_kind)})"
            return str(alert.severity)
        if role == Qt.ItemDataRole.ForegroundRole and col in (0, 3):
            return QBrush(QColor(SEVERITY_COLOURS.get(alert.severity, "#555")))
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(alert.message)
        return None

    def set_alerts(self, alerts: list[Alert | TaskWarning]) -> None:
        self.beginResetModel()
        self.alerts = alerts
        self.endResetModel()


class AlertsPanel(QWidget):
    def __init__(self, ctx: AppContext, window: MainWindow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.window_ = window
        self.model = AlertsModel()
        self.table = QTableView(self)
        self.table.setObjectName("alertsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate((80, 260, 320)):
            self.table.setColumnWidth(col, width)
        self.table.clicked.connect(self._clicked)
        self.summary = QLabel(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.table)
        layout.addWidget(self.summary)
        # the alert picture lives on the worker between updates: a move
        # re-checks only the units that moved (see AlertTracker)
        self._tracker: AlertTracker | None = None
        self._task_tracker: TaskWarningTracker | None = None
        self._route_alerts: list[Any] = []
        self._busy = False
        self._pending_full = False
        self._pending_moves: dict[str, tuple[str, float, float]] = {}
        # how far (km) an assigned unit may be from its task before a warning
        try:
            self.max_km = float(ctx.settings.value("alerts/task_unit_max_km", 50.0))
        except (TypeError, ValueError):
            self.max_km = 50.0
        ctx.relay.sig_changed.connect(self._on_changed)
        ctx.when_picture_shown(self.refresh)  # the map first: it is what the watchkeeper looks at

    def refresh(self) -> None:
        self._pending_full = True
        self._kick()

    def _kick(self) -> None:
        """Run the next check; changes that arrive meanwhile are merged into one."""
        if self._busy:
            return
        if self._pending_full:
            self._pending_full, self._pending_moves = False, {}
            self.ctx.runner.submit(self._compute_full, on_done=self._arrived, on_error=self._failed)
        elif self._pending_moves:
            moves, self._pending_moves = list(self._pending_moves.values()), {}
            self.ctx.runner.submit(
                self._compute_moves, moves, on_done=self._arrived, on_error=self._failed
            )
        else:
            return
        self._busy = True

    def _compute_full(self) -> tuple[list[Alert], list[TaskWarning], list[Any]]:
        """In the worker: everything from the store, then the tasks' spatial checks.

        (shapely and numpy are imported here, on the worker, not at start-up.)
        """
        from app.core.picture.geofence import AlertTracker
        from app.core.supply.alerts import store_route_alerts
        from app.core.tasks.alerts import TaskWarningTracker

        if self._tracker is None:
            self._tracker = AlertTracker()
            self._task_tracker = TaskWarningTracker(self.max_km)
        assert self._task_tracker is not None
        return (
            self._tracker.load(self.ctx.store),
            self._task_tracker.load(self.ctx.store),
            store_route_alerts(self.ctx.store),
        )

    def _compute_moves(
        self, moves: list[tuple[str, float, float]]
    ) -> tuple[list[Alert], list[TaskWarning], None]:
        """In the worker: only the units that moved, without reading the store."""
        assert self._tracker is not None and self._task_tracker is not None
        return self._tracker.moved(moves), self._task_tracker.moved(moves), None

    def _on_changed(self, changes: list[Changed]) -> None:
        for change in changes:
            if change.kind in (
                RecordKind.ZONE,
                RecordKind.TASK,
                RecordKind.SHIPMENT,
                RecordKind.SUPPLY_SITE,
            ):
                self._pending_full = True
            elif change.kind == RecordKind.UNIT:
                if (
                    change.added
                    or change.removed
                    or change.updated - change.moved
                    or not change.positions
                ):
                    self._pending_full = True
                for uid, lat, lon in change.positions:
                    self._pending_moves[uid] = (uid, lat, lon)
        if self._tracker is None and not self._busy:  # never loaded: a full check sees everything
            self._pending_full = True
        # moves that arrive while a full check runs are kept: it may have read the
        # store before they were committed (checking a unit again changes nothing)
        self._kick()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.ctx.runner.sig_error.emit(str(exc))
        self._kick()

    def _arrived(self, result: tuple[list[Alert], list[TaskWarning], list[Any] | None]) -> None:
        self._busy = False
        zone_alerts, warnings, route_alerts = result
        if route_alerts is not None:  # a move leaves the shipments' routes as they were
            self._route_alerts = route_alerts
        alerts: list[Any] = [*zone_alerts, *warnings, *self._route_alerts]
        self.model.set_alerts(alerts)
        entered = sum(1 for a in zone_alerts if a.kind == "entered")
        routes = sum(1 for a in alerts if _is_shipment_alert(a))
        self.summary.setText(
            _("{n} units in hazard zones, {entered} just entered · {tasks} task warnings").format(
                n=len({a.unit_id for a in zone_alerts}), entered=entered, tasks=len(warnings)
            )
            + (
                " · " + _("{n} shipment routes through no-go zones").format(n=routes)
                if routes
                else ""
            )
        )
        self._kick()

    def _clicked(self, index: QModelIndex) -> None:
        alert = self.model.alerts[index.row()]
        self.ctx.map.send(message(Op.FLY, lat=alert.lat, lon=alert.lon, zoom=11))
        if alert.unit_id:
            self.ctx.select_unit(alert.unit_id, "alerts")
        if _is_task_warning(alert):
            self.ctx.sig_task_selected.emit(alert.task_id, "alerts")
        if _is_shipment_alert(alert):
            self.ctx.map.send(message(Op.SUPPLY_SELECT, id=alert.shipment_id))


def build(window: MainWindow) -> AlertsPanel:
    return AlertsPanel(window.ctx, window)
