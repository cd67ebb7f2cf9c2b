"""Units table model: rows of ``UnitRow`` loaded off the GUI thread."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import (
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from app.core.common.dtg import format_dtg
from app.core.common.geo import to_mgrs
from app.core.common.sidc import ECHELON_RANKS, ECHELONS, echelon_label
from app.core.mapdoc.styles import READINESS_COLOURS, READINESS_COLOURS_DARK
from app.core.picture.queries import UnitRow
from app.i18n import _
from app.ui.models.table import RowsTableModel, plain_tooltip
from app.ui.symbols import SymbolIcons

Index = QModelIndex | QPersistentModelIndex


def _readiness_colour(value: str) -> str:
    from PySide6.QtGui import QGuiApplication, QPalette

    dark = QGuiApplication.palette().color(QPalette.ColorRole.Base).lightnessF() < 0.4
    return (READINESS_COLOURS_DARK if dark else READINESS_COLOURS).get(value, "#888")


ECHELON_RANKS_BY_NAME = {name: ECHELON_RANKS[code] for code, name in ECHELONS.items()}
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
UNIT_MIME = "application/x-cop-unit-ids"
ID_ROLE = Qt.ItemDataRole.UserRole + 2


class UnitsModel(RowsTableModel):
    SYMBOL, NAME, CALLSIGN, NATION, ECHELON, READINESS, MGRS, REPORTED = range(8)

    def __init__(self, icons: SymbolIcons) -> None:
        super().__init__()
        self.icons = icons
        self.rows: list[UnitRow] = []
        self.row_of: dict[str, int] = {}
        self._mgrs: dict[tuple[float, float], str] = {}
        self.now = datetime.now(UTC)
        self.sort_column, self.sort_order = self.NAME, Qt.SortOrder.AscendingOrder
        icons.sig_ready.connect(self._icons_ready)

    def headers(self) -> list[str]:
        return [
            _("Symbol"),
            _("Name"),
            _("Callsign"),
            _("Nation"),
            _("Echelon"),
            _("Readiness"),
            _("MGRS"),
            _("Last report"),
        ]

    # -------------------------------------------------------------- Qt API
    def items(self) -> list[UnitRow]:
        return self.rows

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role == ID_ROLE:
            return row.id
        if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            return self._text(row, col, sort=role == SORT_ROLE)
        if role == Qt.ItemDataRole.DecorationRole and col == self.SYMBOL:
            return self.icons.pixmap(row.sidc)
        if role == Qt.ItemDataRole.ToolTipRole:
            # plain text: Qt would render a tooltip starting with markup as rich text
            return plain_tooltip(f"{row.name}\n{row.callsign}\n{row.sidc}")
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == self.READINESS:
                return QBrush(QColor(_readiness_colour(row.readiness)))
            if row.is_stale(self.now):
                return QBrush(QColor("#888888"))
        if role == Qt.ItemDataRole.TextAlignmentRole and col == self.MGRS:
            return int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
        return None

    def _text(self, row: UnitRow, col: int, sort: bool) -> Any:
        if col == self.SYMBOL:
            return row.sidc if sort else None
        if col == self.NAME:
            return row.name
        if col == self.CALLSIGN:
            return row.callsign
        if col == self.NATION:
            return row.nation
        if col == self.ECHELON:
            if sort:
                return ECHELON_RANKS_BY_NAME.get(row.echelon or "", 0)
            return echelon_label(row.echelon)
        if col == self.READINESS:
            if sort:
                return (
                    ("green", "amber", "red").index(row.readiness)
                    if row.readiness in READINESS_COLOURS
                    else 9
                )
            return {"green": _("green"), "amber": _("amber"), "red": _("red")}.get(
                row.readiness, row.readiness
            )
        if col == self.MGRS:
            return self.mgrs(row)
        if col == self.REPORTED:
            if sort:
                return row.last_report.timestamp() if row.last_report else 0.0
            return format_dtg(row.last_report) if row.last_report else ""
        return None

    def mgrs(self, row: UnitRow) -> str:
        key = (row.lat, row.lon)
        text = self._mgrs.get(key)
        if text is None:
            try:
                text = to_mgrs(row.lat, row.lon, precision=4)
            except ValueError:
                text = ""
            if len(self._mgrs) > 200_000:
                self._mgrs.clear()
            self._mgrs[key] = text
        return text

    # -------------------------------------------------------------- sorting
    def _sort_key(self, column: int) -> Any:
        def key(row: UnitRow) -> Any:
            value = self._text(row, column, sort=True)
            if isinstance(value, str):
                return (0, value.casefold(), 0.0)
            return (1, "", float(value or 0))

        return key

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorted here in one ``list.sort``: a proxy comparing 20,000 rows through
        ``data()`` takes seconds on the GUI thread, this takes milliseconds."""
        self.sort_column, self.sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        held = [
            (self.rows[i.row()].id, i.column())
            for i in persistent
            if i.isValid() and i.row() < len(self.rows)
        ]
        self._sort_rows()
        self.changePersistentIndexList(
            [i for i in persistent if i.isValid() and i.row() < len(self.rows)],
            [self.index(self.row_of[uid], col) for uid, col in held],
        )
        self.layoutChanged.emit()

    def _sort_rows(self) -> None:
        if 0 <= self.sort_column < len(self.headers()):
            self.rows.sort(
                key=self._sort_key(self.sort_column),
                reverse=self.sort_order == Qt.SortOrder.DescendingOrder,
            )
        self.row_of = {r.id: i for i, r in enumerate(self.rows)}

    # -------------------------------------------------------------- updates
    def reset_rows(self, rows: list[UnitRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self._sort_rows()
        self.now = datetime.now(UTC)
        self.endResetModel()
        self.icons.request({r.sidc for r in rows})

    def apply(self, changed: list[UnitRow], removed: set[str]) -> None:
        """Update rows in place, append new ones, drop removed ones."""
        self.now = datetime.now(UTC)
        first, last = len(self.rows), -1
        new: list[UnitRow] = []
        for row in changed:
            i = self.row_of.get(row.id)
            if i is None:
                new.append(row)
            else:
                self.rows[i] = row
                first, last = min(first, i), max(last, i)
        if last >= 0:
            self.dataChanged.emit(self.index(first, 0), self.index(last, 7))
        if new:
            start = len(self.rows)
            self.beginInsertRows(QModelIndex(), start, start + len(new) - 1)
            self.rows.extend(new)
            for i, r in enumerate(new, start):
                self.row_of[r.id] = i
            self.endInsertRows()
            self.icons.request({r.sidc for r in new})
        for uid in removed:
            i = self.row_of.pop(uid, None)
            if i is None:
                continue
            self.beginRemoveRows(QModelIndex(), i, i)
            del self.rows[i]
            self.endRemoveRows()
            self.row_of = {r.id: n for n, r in enumerate(self.rows)}

    def move(self, positions: tuple[tuple[str, float, float], ...], at: datetime | None) -> None:
        """New positions: only the MGRS and last report columns change (no re-sort)."""
        first, last = len(self.rows), -1
        for uid, lat, lon in positions:
            i = self.row_of.get(uid)
            if i is None:
                continue
            self.rows[i] = replace(
                self.rows[i], lat=lat, lon=lon, last_report=at or self.rows[i].last_report
            )
            first, last = min(first, i), max(last, i)
        if last >= 0:
            self.dataChanged.emit(self.index(first, self.MGRS), self.index(last, self.REPORTED))

    def flags(self, index: Index) -> Qt.ItemFlag:
        return super().flags(index) | Qt.ItemFlag.ItemIsDragEnabled

    def mimeTypes(self) -> list[str]:
        return [UNIT_MIME]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:
        """Units dragged out carry their ids (dropped on a task, they are assigned)."""
        ids = list(dict.fromkeys(self.rows[i.row()].id for i in indexes if i.isValid()))
        data = QMimeData()
        data.setData(UNIT_MIME, QByteArray(" ".join(ids).encode()))
        return data

    def _icons_ready(self) -> None:
        if self.rows:
            self.dataChanged.emit(
                self.index(0, self.SYMBOL),
                self.index(len(self.rows) - 1, self.SYMBOL),
                [Qt.ItemDataRole.DecorationRole],
            )


class UnitsFilter(QSortFilterProxyModel):
    """Filters on name, callsign, nation, echelon and SIDC at once; sorting is
    the source model's (the proxy keeps its order)."""

    def __init__(self) -> None:
        super().__init__()
        self.setSortRole(SORT_ROLE)
        # not re-sorted on every change: 20,000 moving units would re-sort the
        # table each second; it sorts when the user asks (header click, filter)
        self.setDynamicSortFilter(False)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._needle = ""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        model = self.sourceModel()
        if isinstance(model, UnitsModel):
            model.sort(column, order)

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self._needle = text.strip().casefold()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self._needle:
            return True
        model = self.sourceModel()
        assert isinstance(model, UnitsModel)
        r = model.rows[source_row]
        hay = f"{r.name}\t{r.callsign}\t{r.nation}\t{r.echelon or ''}\t{echelon_label(r.echelon)}\t{r.sidc}".casefold()
        return self._needle in hay
