"""Supply charts (pyqtgraph): stock on hand over time with the projection to
stock-out and the arrivals of shipments on the way; consumption per day."""

from __future__ import annotations

import weakref
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING

import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.i18n import _

if TYPE_CHECKING:
    from app.core.supply.indicators import StockHistory

CHART_THEMES = {"day": ("w", "#333"), "night": ("#0f1317", "#d9c7a0")}
_plots: weakref.WeakSet[pg.PlotWidget] = weakref.WeakSet()


def set_chart_theme(theme: str) -> None:
    """Day or night for every chart, open or to come (``app.ui.theme`` calls this)."""
    background, foreground = CHART_THEMES.get(theme, CHART_THEMES["day"])
    pg.setConfigOptions(antialias=True, background=background, foreground=foreground)
    for plot in list(_plots):
        if not shiboken6.isValid(plot):  # its window was closed
            _plots.discard(plot)
            continue
        plot.setBackground(background)
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            axis.setPen(foreground)
            axis.setTextPen(foreground)


def _current_theme() -> str:
    from app.ui.theme import current_theme

    return current_theme()


set_chart_theme(_current_theme())

BALANCE = "#1565c0"
PROJECTION = "#c62828"
ARRIVAL = "#2e7d32"
CONSUMED = "#ef8f00"


def _x(day: date) -> float:
    """A day as the epoch seconds of its noon (UTC), for the date axis."""
    return datetime.combine(day, time(12), tzinfo=UTC).timestamp()


class QuantityAxis(pg.AxisItem):
    """Whole quantities with thousands separators (1,500,000 rather than 1.5e+06)."""

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [
            f"{v * scale:,.0f}" if spacing * scale >= 1 else f"{v * scale:,.1f}" for v in values
        ]


def _plot(title: str, left: str) -> pg.PlotWidget:
    """A plot with a date axis; ``title`` should be short (it sets the plot's minimum width)."""
    plot = pg.PlotWidget(
        axisItems={
            "bottom": pg.DateAxisItem(orientation="bottom"),
            "left": QuantityAxis(orientation="left"),
        }
    )
    if title:
        plot.setTitle(title, size="10pt")
    plot.setLabel("left", left)
    plot.showGrid(x=True, y=True, alpha=0.25)
    plot.setMenuEnabled(False)
    plot.setMouseEnabled(x=True, y=False)
    plot.setMinimumSize(180, 150)
    _plots.add(plot)
    return plot


class StockChart(QWidget):
    """Stock on hand per day, the projection to stock-out (dashed red) and arrivals (green)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("supplyStockChart")
        self.plot = _plot("", "")
        self.title = QLabel(_("Stock on hand"), self)
        self.title.setObjectName("supplyStockChartTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setWordWrap(True)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.plot.addLegend(
            offset=(10, -10), labelTextSize="8pt", brush=pg.mkBrush(255, 255, 255, 210)
        )
        self.balance_curve = self.plot.plot(
            [], [], pen=pg.mkPen(BALANCE, width=2), stepMode=None, name=_("on hand")
        )
        self.projection_curve = self.plot.plot(
            [],
            [],
            pen=pg.mkPen(PROJECTION, width=2, style=Qt.PenStyle.DashLine),
            name=_("projection to stock-out"),
        )
        self.arrival_points = pg.ScatterPlotItem(
            symbol="t1",
            size=14,
            brush=pg.mkBrush(ARRIVAL),
            pen=pg.mkPen("w"),
            name=_("arrivals expected"),
        )
        self.plot.addItem(self.arrival_points)
        self.arrival_lines: list[pg.InfiniteLine] = []
        self.labels: list[pg.TextItem] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.plot, 1)

    def clear(self) -> None:
        self.balance_curve.setData([], [])
        self.projection_curve.setData([], [])
        self.arrival_points.setData([], [])
        for item in [*self.arrival_lines, *self.labels]:
            self.plot.removeItem(item)
        self.arrival_lines, self.labels = [], []

    def show_history(self, history: StockHistory, title: str) -> None:
        self.clear()
        # the title is a label above the plot: a long one would widen the plot beyond its widget
        self.title.setText(title)
        self.plot.setLabel("left", history.unit)
        xs = [_x(d) for d in history.days]
        self.balance_curve.setData(xs, history.balance)
        if not history.days:
            return
        today = history.days[-1]
        held = history.balance[-1]
        if history.stockout_date is not None and history.days_of_supply is not None:
            end = _x(today) + history.days_of_supply * 86400
            self.projection_curve.setData([_x(today), end], [max(held, 0), 0])
            label = pg.TextItem(
                _("stock-out {date}").format(date=history.stockout_date.isoformat()),
                color=PROJECTION,
                anchor=(1, 1.2),
            )
            label.setPos(end, 0)
            self.plot.addItem(label)
            self.labels.append(label)
        spots = []
        for eta, quantity, waybill in history.arrivals:
            x = _x(max(eta, today))
            line = pg.InfiniteLine(
                pos=x, angle=90, pen=pg.mkPen(ARRIVAL, width=1, style=Qt.PenStyle.DotLine)
            )
            self.plot.addItem(line)
            self.arrival_lines.append(line)
            spots.append({"pos": (x, max(held, 0) + quantity), "data": waybill})
            text = pg.TextItem(f"{waybill} +{quantity:,}", color=ARRIVAL, anchor=(0, 1))
            text.setPos(x, max(held, 0) + quantity)
            self.plot.addItem(text)
            self.labels.append(text)
        self.arrival_points.setData(spots)
        right = max(
            [_x(today) + 86400]
            + [s["pos"][0] + 86400 for s in spots]
            + (
                [_x(today) + min(history.days_of_supply or 0, 60) * 86400]
                if history.days_of_supply
                else []
            )
        )
        self.plot.setXRange(xs[0] - 43200, right, padding=0.02)


class ConsumptionChart(QWidget):
    """What was issued on each day, with the average over the window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("supplyConsumptionChart")
        self.plot = _plot(_("Consumption per day"), "")
        self.bars = pg.BarGraphItem(
            x=[], height=[], width=86400 * 0.8, brush=CONSUMED, pen=pg.mkPen(CONSUMED)
        )
        self.plot.addItem(self.bars)
        self.average = pg.InfiniteLine(
            angle=0, pen=pg.mkPen("#6d4c41", width=1.5, style=Qt.PenStyle.DashLine)
        )
        self.plot.addItem(self.average)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)

    def show_history(self, history: StockHistory) -> None:
        xs = [_x(d) for d in history.days]
        self.bars.setOpts(x=xs, height=history.consumption, width=86400 * 0.8)
        self.plot.setLabel("left", history.unit)
        self.average.setValue(history.daily_consumption)
        if xs:
            self.plot.setXRange(xs[0] - 86400, xs[-1] + 86400, padding=0)
            top = max([*history.consumption, history.daily_consumption, 1])
            self.plot.setYRange(0, top * 1.1, padding=0)

    def clear(self) -> None:
        self.bars.setOpts(x=[], height=[])
