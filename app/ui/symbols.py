"""APP-6 / 2525 symbol icons for native widgets (tables, legends).

With a map page at hand the icons come from it: its milsymbol.js draws them
as PNGs, the same symbols the map shows.  Without one (a widget on its own),
SVG comes from the ``milsymbol`` Python port in a worker; its first call
parses 30 MB of JSON and holds the interpreter for ~0.4 s, which stalled the
GUI thread at start.  Pixmaps are made on the GUI thread and cached per SIDC.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable

from PySide6.QtCore import QByteArray, QObject, QRectF, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from app.ui.workers import Runner


def symbol_svgs(sidcs: Iterable[str], size: int) -> dict[str, str]:
    import milsymbol

    out: dict[str, str] = {}
    for sidc in sidcs:
        try:
            out[sidc] = milsymbol.Symbol(sidc, size=size).as_svg()
        except Exception:
            out[sidc] = ""
    return out


def svg_image(svg: str, height: int) -> QImage:
    """An SVG symbol drawn ``height`` pixels high at twice the resolution (sharp on
    high-DPI screens, in PDFs and on projectors), its width in proportion."""
    renderer = QSvgRenderer(QByteArray(svg.encode()))
    box = renderer.defaultSize()
    width = max(1, int(height * box.width() / max(1, box.height())))
    image = QImage(width * 2, height * 2, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, width * 2, height * 2))
    painter.end()
    return image


def svg_pixmap(svg: str, height: int) -> QPixmap:
    """``svg_image`` as a pixmap that lays out ``height`` pixels high."""
    pix = QPixmap.fromImage(svg_image(svg, height))
    pix.setDevicePixelRatio(2.0)
    return pix


class SymbolIcons(QObject):
    sig_ready = Signal()
    """New symbols were rendered; views should repaint their symbol column."""

    def __init__(
        self,
        runner: Runner,
        size: int = 22,
        parent: QObject | None = None,
        page: Callable[[list[str], int, Callable[[dict[str, str]], None]], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.size = size
        self.page = page  # e.g. MapView.symbol_images
        self._svg: dict[str, str] = {}  # SVG text, or a PNG data URL from the page
        self._pixmaps: dict[str, QPixmap] = {}
        self._pending: set[str] = set()
        self._waiting: set[str] = set()
        self.paused = True  # the first call costs most of a second: not while the map loads

    def pixmap(self, sidc: str) -> QPixmap | None:
        pix = self._pixmaps.get(sidc)
        if pix is not None:
            return pix
        svg = self._svg.get(sidc)
        if svg is None:
            self.request([sidc])
            return None
        pix = self._render(svg)
        self._pixmaps[sidc] = pix
        return pix

    def resume(self) -> None:
        """Start rendering (called once the map has painted the picture)."""
        if self.paused:
            self.paused = False
            waiting, self._waiting = self._waiting, set()
            self.request(waiting)

    def request(self, sidcs: Iterable[str]) -> None:
        wanted = {s for s in sidcs if s not in self._svg and s not in self._pending}
        if not wanted:
            return
        if self.paused:
            self._waiting |= wanted
            return
        self._pending |= wanted
        if self.page is not None:
            self.page(sorted(wanted), self.size, self._arrived)
        else:
            self.runner.submit(
                symbol_svgs, sorted(wanted), self.size * 2, on_done=self._arrived, pool="io"
            )

    def _arrived(self, svgs: dict[str, str]) -> None:
        self._svg.update(svgs)
        self._pending -= set(svgs)
        self.sig_ready.emit()

    def _render(self, svg: str) -> QPixmap:
        if svg.startswith("data:image/png;base64,"):
            image = QImage.fromData(base64.b64decode(svg.split(",", 1)[1]), "PNG")
            if image.isNull():
                return QPixmap()
            image = image.scaledToHeight(self.size * 2, Qt.TransformationMode.SmoothTransformation)
            pix = QPixmap.fromImage(image)
            pix.setDevicePixelRatio(2.0)
            return pix
        return svg_pixmap(svg, self.size)
