"""Slides rendered offscreen: the map by QtWebEngine (one page reused for every
slide), the rest (banners, title, DTG, legend, tables) painted by QPainter.

``write_pdf`` is ``brief --out deck.pdf``; ``snapshot_view`` is
``snapshot --view NAME``.  Both must run on the GUI thread of a QApplication
(the CLI makes one, offscreen).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QMarginsF, QPointF, QRectF, QSizeF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen

from app.core.briefing.handout import PRESENTATION_SCALE, HandoutResult, no_slides_error
from app.core.briefing.slides import LegendEntry, Slide, build_deck, build_slide, deck_marking
from app.core.briefing.views import find_view
from app.core.common.markings import banner_colour, banner_text_colour
from app.core.mapdoc.protocol import Op, message
from app.core.mapdoc.styles import ZONE_COLOURS
from app.core.store.engine import Store
from app.i18n import _


@dataclass(frozen=True)
class Layout:
    """Where each part of a slide page goes, for a page of ``width`` x ``height`` pixels."""

    width: int
    height: int

    @property
    def banner_h(self) -> int:
        return max(22, self.height // 30)

    @property
    def title_h(self) -> int:
        return max(34, self.height // 18)

    @property
    def side_w(self) -> int:
        return max(220, self.width // 4)

    @property
    def map_rect(self) -> QRectF:
        top = self.banner_h + self.title_h
        return QRectF(0, top, self.width - self.side_w, self.height - top - self.banner_h)

    @property
    def side_rect(self) -> QRectF:
        m = self.map_rect
        return QRectF(m.right(), m.top(), self.side_w, m.height())


class SlideRenderer:
    """One offscreen map page; ``map_image(slide)`` shows a slide and grabs it."""

    def __init__(
        self, size: tuple[int, int], scale: float = PRESENTATION_SCALE, timeout_s: float = 60.0
    ) -> None:
        from PySide6.QtWidgets import QApplication

        from app.ui.app import application, page_folder, prepare_environment

        if QApplication.instance() is None:  # the CLI; inside the app the page is just never shown
            prepare_environment(offscreen=True)
        self.app = application()
        from app.core.mapdoc.page import write_live_page
        from app.ui.map.controller import MapPage
        from app.ui.map.view import MapView

        self.view = MapView(write_live_page(page_folder()))
        self.page = MapPage.of(self.view)  # this page's one sender
        self.view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        self.view.resize(*size)
        self.view.show()
        self.timeout_s = timeout_s
        self._paints = 0
        self.view.bridge.sig_painted.connect(self._painted)
        self._wait(lambda: self.view.ready, _("the map page did not load"))
        self.page.send(message(Op.SCALE, factor=scale))

    def _painted(self, _stats: dict[str, Any]) -> None:
        self._paints += 1

    def _wait(self, done: Any, what: str, timeout_s: float | None = None) -> None:
        deadline = time.monotonic() + (timeout_s or self.timeout_s)
        loop = QEventLoop()
        while not done():
            if time.monotonic() > deadline:
                raise RuntimeError(what)
            QTimer.singleShot(10, loop.quit)
            loop.exec()

    def settle(self, ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def resize(self, width: int, height: int) -> None:
        if (self.view.width(), self.view.height()) != (width, height):
            self.view.resize(width, height)
            self.settle(50)

    def map_image(
        self, slide: Slide, width: int | None = None, height: int | None = None
    ) -> QImage:
        from app.core.picture.mapdoc import places_message

        if width and height:
            self.resize(width, height)
        before = self._paints
        self.page.send([*slide.messages(), places_message(slide.view.bounds, margin=0.5)])
        self._wait(
            lambda: self._paints > before,
            _("the map did not paint slide {n}").format(n=slide.number),
        )
        self.settle(120)  # the basemap's remaining countries and the zones' canvas
        return self.view.grab().toImage()

    def close(self) -> None:
        from PySide6.QtCore import QCoreApplication, QEvent

        self.view.close()
        self.view.shutdown()
        self.view.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        self.app.processEvents()


# ------------------------------------------------------------------ painting


LEGEND_PX = 40


def _symbol_images(
    sidcs: list[str], px: int, svgs: dict[str, str] | None = None
) -> dict[str, QImage]:
    from app.ui.symbols import svg_image, symbol_svgs

    out: dict[str, QImage] = {}
    missing = [s for s in sidcs if svgs is None or s not in svgs]
    found = {**(svgs or {}), **(symbol_svgs(missing, px) if missing else {})}
    for sidc, svg in found.items():
        if not svg:
            continue
        out[sidc] = svg_image(svg, px)
    return out


def _font(px: float, bold: bool = False) -> QFont:
    font = QFont("DejaVu Sans")
    font.setPixelSize(max(6, int(px)))
    font.setBold(bold)
    return font


def paint_slide(
    painter: QPainter, layout: Layout, slide: Slide, map_image: QImage, symbols: dict[str, QImage]
) -> None:
    """One page: banner, title bar (title, DTG, slide number), map, legend and tables, banner."""
    w, h = layout.width, layout.height
    bh, th = layout.banner_h, layout.title_h
    level = slide.marking.level
    painter.fillRect(QRectF(0, 0, w, h), QColor("#ffffff"))
    for top in (0, h - bh):
        painter.fillRect(QRectF(0, top, w, bh), QColor(banner_colour(level)))
        painter.setPen(QColor(banner_text_colour(level)))
        painter.setFont(_font(bh * 0.62, bold=True))
        painter.drawText(QRectF(0, top, w, bh), Qt.AlignmentFlag.AlignCenter, slide.marking.banner)
    bar = QRectF(0, bh, w, th)
    painter.fillRect(bar, QColor("#1d2733"))
    painter.setPen(QColor("#ffffff"))
    painter.setFont(_font(th * 0.5, bold=True))
    pad = th * 0.3
    right = _("{when}   ·   {n} / {total}").format(
        when=slide.when, n=slide.number, total=slide.total
    )
    painter.setFont(_font(th * 0.4))
    right_w = painter.fontMetrics().horizontalAdvance(right) + pad
    painter.drawText(
        bar.adjusted(pad, 0, -pad, 0),
        Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
        right,
    )
    painter.setFont(_font(th * 0.5, bold=True))
    title_rect = bar.adjusted(pad, 0, -right_w - pad, 0)
    title = painter.fontMetrics().elidedText(
        slide.title, Qt.TextElideMode.ElideRight, int(title_rect.width())
    )
    painter.drawText(title_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, title)
    painter.drawImage(layout.map_rect, map_image)
    _paint_side(painter, layout.side_rect, slide, symbols)


def _paint_side(painter: QPainter, rect: QRectF, slide: Slide, symbols: dict[str, QImage]) -> None:
    painter.fillRect(rect, QColor("#f7f7f4"))
    painter.setPen(QPen(QColor("#bbbbbb")))
    painter.drawLine(rect.topLeft(), rect.bottomLeft())
    line = max(14.0, rect.height() / 38)
    x = rect.left() + line * 0.6
    y = rect.top() + line * 0.5
    width = rect.width() - line * 1.2
    bottom = rect.bottom() - line * 0.5

    def heading(text: str) -> None:
        nonlocal y
        painter.setPen(QColor("#111111"))
        painter.setFont(_font(line * 0.75, bold=True))
        painter.drawText(QRectF(x, y, width, line * 1.2), Qt.AlignmentFlag.AlignVCenter, text)
        y += line * 1.3

    heading(_("Legend"))
    painter.setFont(_font(line * 0.62))
    entries: list[LegendEntry] = slide.legend
    if not entries:
        painter.drawText(
            QRectF(x, y, width, line), Qt.AlignmentFlag.AlignVCenter, _("Nothing shown")
        )
        y += line
    icon_w = line * 1.8
    for n, entry in enumerate(entries):
        if y + line > bottom - (line * 6 if slide.summary else 0):
            painter.drawText(
                QRectF(x, y, width, line),
                Qt.AlignmentFlag.AlignVCenter,
                _("… and {n} more").format(n=len(entries) - n),
            )
            y += line
            break
        box = QRectF(x, y + 1, icon_w, line - 2)
        if entry.kind == "unit" and entry.key in symbols:
            img = symbols[entry.key]
            scale = min(box.width() / img.width(), box.height() / img.height())
            iw, ih = img.width() * scale, img.height() * scale
            painter.drawImage(QRectF(box.center() - QPointF(iw / 2, ih / 2), QSizeF(iw, ih)), img)
        else:
            colour = ZONE_COLOURS.get(entry.key, "#ffb000") if entry.kind == "zone" else "#ffb000"
            swatch = QRectF(
                box.center().x() - line * 0.45, box.top() + line * 0.2, line * 0.9, line * 0.55
            )
            painter.fillRect(swatch, QColor(colour))
            painter.setPen(QColor("#333333"))
            painter.drawRect(swatch)
        painter.setPen(QColor("#111111"))
        text = f"{entry.label} ({entry.count})"
        text_rect = QRectF(x + icon_w + 4, y, width - icon_w - 4, line)
        painter.drawText(
            text_rect,
            Qt.AlignmentFlag.AlignVCenter,
            painter.fontMetrics().elidedText(
                text, Qt.TextElideMode.ElideRight, int(text_rect.width())
            ),
        )
        y += line
    for table in slide.summary:
        y += line * 0.5
        if y + line * 2 > bottom:
            break
        heading(table.title)
        cols = len(table.headers)
        first = width * 0.5
        rest = (width - first) / max(1, cols - 1)
        widths = [first] + [rest] * (cols - 1)
        rows = [(tuple(table.headers), True, "")] + [
            (r, False, table.colours[i] if i < len(table.colours) else "")
            for i, r in enumerate(table.rows)
        ]
        for cells, bold, colour in rows:
            if y + line > bottom:
                break
            cx = x
            painter.setFont(_font(line * 0.62, bold=bold))
            for i, cell in enumerate(cells):
                cell_rect = QRectF(cx, y, widths[i], line)
                if i == 0 and colour:
                    painter.fillRect(QRectF(cx, y + 2, line * 0.35, line - 4), QColor(colour))
                    cell_rect = cell_rect.adjusted(line * 0.5, 0, 0, 0)
                painter.setPen(QColor("#111111"))
                painter.drawText(
                    cell_rect.adjusted(2, 0, -2, 0), Qt.AlignmentFlag.AlignVCenter, str(cell)
                )
                cx += widths[i]
            painter.setPen(QColor("#cccccc"))
            painter.drawLine(QPointF(x, y + line), QPointF(x + width, y + line))
            y += line
    if slide.view.note and y + line * 2 < bottom:
        y += line * 0.5
        painter.setPen(QColor("#333333"))
        font = _font(line * 0.62)
        font.setItalic(True)
        painter.setFont(font)
        painter.drawText(QRectF(x, y, width, bottom - y), Qt.TextFlag.TextWordWrap, slide.view.note)


def _slide_symbols(
    slides: list[Slide], px: int, svgs: dict[str, str] | None = None
) -> dict[str, QImage]:
    sidcs = sorted({e.key for s in slides for e in s.legend if e.kind == "unit"})
    return _symbol_images(sidcs, px, svgs)


def prepare_pdf(
    store: Store, partner: str | None = None, now: datetime | None = None
) -> tuple[list[Slide], dict[str, str]]:
    """The part of the PDF that reads the store (run it in a worker): slides and legend symbols."""
    from app.ui.symbols import symbol_svgs

    slides = build_deck(store, partner, now)
    if not slides:
        raise no_slides_error(partner)
    sidcs = sorted({e.key for s in slides for e in s.legend if e.kind == "unit"})
    return slides, symbol_svgs(sidcs, LEGEND_PX)


class HandoutCancelled(Exception):
    """The user cancelled a handout: nothing was written."""


def render_pdf(
    slides: list[Slide],
    svgs: dict[str, str],
    out: Path,
    size: tuple[int, int] = (1920, 1080),
    renderer: SlideRenderer | None = None,
    progress: Callable[[int, int], bool] | None = None,
) -> HandoutResult:
    """The part of the PDF drawn on the GUI thread: each slide's map, then the pages.

    The page is drawn by QtWebEngine, which lives on the GUI thread; the event
    loop keeps running while each map loads.  ``progress(done, total)`` is told
    after each slide and returns False to stop (then no file is left).
    """
    layout = Layout(*size)
    own = renderer is None
    renderer = renderer or SlideRenderer(
        (int(layout.map_rect.width()), int(layout.map_rect.height()))
    )
    try:
        symbols = _slide_symbols(slides, LEGEND_PX, svgs)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".part")
        writer = QPdfWriter(str(tmp))
        writer.setResolution(144)
        writer.setTitle(slides[0].title)
        writer.setCreator("Coalition COP")
        page = QPageSize(
            QSizeF(size[0] / 144 * 25.4, size[1] / 144 * 25.4), QPageSize.Unit.Millimeter
        )
        writer.setPageLayout(
            QPageLayout(page, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0))
        )
        painter = QPainter(writer)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            for i, slide in enumerate(slides):
                if i:
                    writer.newPage()
                image = renderer.map_image(
                    slide, int(layout.map_rect.width()), int(layout.map_rect.height())
                )
                paint_slide(painter, layout, slide, image, symbols)
                if progress is not None and not progress(i + 1, len(slides)):
                    raise HandoutCancelled()
        finally:
            painter.end()
        tmp.replace(out)
    except HandoutCancelled:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        if own:
            renderer.close()
    return HandoutResult(out, len(slides), deck_marking(slides).banner)


def write_pdf(
    store: Store,
    out: Path,
    partner: str | None = None,
    size: tuple[int, int] = (1920, 1080),
    now: datetime | None = None,
    renderer: SlideRenderer | None = None,
) -> HandoutResult:
    """``brief --out deck.pdf``: one page per slide, ``size`` pixels a page (16:9 by default)."""
    slides, svgs = prepare_pdf(store, partner, now)
    return render_pdf(slides, svgs, out, size, renderer)


def slide_image(
    slide: Slide, size: tuple[int, int], renderer: SlideRenderer | None = None
) -> QImage:
    """A slide as one image: what ``snapshot --view`` writes."""
    layout = Layout(*size)
    own = renderer is None
    renderer = renderer or SlideRenderer(
        (int(layout.map_rect.width()), int(layout.map_rect.height()))
    )
    try:
        image = renderer.map_image(
            slide, int(layout.map_rect.width()), int(layout.map_rect.height())
        )
        page = QImage(size[0], size[1], QImage.Format.Format_RGB32)
        painter = QPainter(page)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        paint_slide(painter, layout, slide, image, _slide_symbols([slide], LEGEND_PX))
        painter.end()
        return page
    finally:
        if own:
            renderer.close()


def snapshot_view(
    store: Store,
    name: str,
    out: Path,
    size: tuple[int, int] = (1920, 1080),
    partner: str | None = None,
) -> Path:
    """``snapshot --view NAME --out FILE.png``."""
    view = find_view(store, name)
    if partner and not view.releasable_to.allows(partner):
        raise no_slides_error(partner)
    from app.core.briefing.views import list_views

    order = [v.id for v in list_views(store, partner)]
    number = order.index(view.id) + 1 if view.id in order else 1
    slide = build_slide(store, view, number, max(len(order), 1), partner=partner)
    image = slide_image(slide, size)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(out)):
        raise OSError(_("cannot write {path}").format(path=out))
    return out
