"""Serving offline raster tiles to the map page as ``coptiles://<id>/<z>/<x>/<y>``.

The scheme must be registered before the web engine starts (before the first
``QWebEngineProfile`` or view exists; Qt ignores a later registration with
"Too late to register scheme").  Importing this module registers it when no
``QApplication`` exists yet, so import it early: ``prepare_environment()``
and the tests' ``conftest.py`` do.

Tiles are read on the handler's thread: a tile is a few kB out of SQLite or
a file, well under a millisecond.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice, QObject, QSettings
from PySide6.QtWebEngineCore import (
    QWebEngineProfile,
    QWebEngineUrlRequestJob,
    QWebEngineUrlScheme,
    QWebEngineUrlSchemeHandler,
)

from app.core.mapdoc.protocol import Op, message
from app.core.mapdoc.tiles import (
    NATURAL_EARTH,
    SCHEME,
    TileRegistry,
    TileSource,
    all_sources,
    allowed_prefixes,
    parse_tile_url,
    sources_message,
)

log = logging.getLogger(__name__)

SCHEME_NAME = SCHEME.encode()


def scheme_registered() -> bool:
    return bytes(QWebEngineUrlScheme.schemeByName(SCHEME_NAME).name().data()) == SCHEME_NAME


def register_scheme() -> bool:
    """Declare ``coptiles`` to the web engine; True if it is (now) registered.

    Must run before the web engine starts (the first profile or view).
    """
    if scheme_registered():
        return True
    scheme = QWebEngineUrlScheme(SCHEME_NAME)
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Path)
    flags = QWebEngineUrlScheme.Flag
    scheme.setFlags(
        flags.SecureScheme | flags.LocalScheme | flags.LocalAccessAllowed | flags.CorsEnabled
    )
    QWebEngineUrlScheme.registerScheme(scheme)
    return scheme_registered()


class TileSchemeHandler(QWebEngineUrlSchemeHandler):
    """Answers ``coptiles://`` requests from a :class:`TileRegistry`."""

    def __init__(self, registry: TileRegistry, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.registry = registry
        self.served = 0
        self.missing = 0

    def set_sources(self, sources: Iterable[TileSource]) -> None:
        self.registry.replace(sources)

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:
        if bytes(job.requestMethod().data()) not in (b"GET", b"HEAD"):
            job.fail(QWebEngineUrlRequestJob.Error.RequestDenied)
            return
        url = job.requestUrl().toString()
        parsed = parse_tile_url(url)
        tile = self.registry.tile(*parsed) if parsed else None
        if tile is None:
            self.missing += 1
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        data, mime = tile
        buffer = QBuffer(job)  # deleted with the job, which outlives the read
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.served += 1
        job.reply(mime.encode(), buffer)


def install(
    profile: QWebEngineProfile, sources: Iterable[TileSource] | TileRegistry = ()
) -> TileSchemeHandler:
    """Serve ``sources`` to pages of ``profile``; returns the handler (keep it, update it
    with ``set_sources``).  Replaces a handler installed before."""
    if not scheme_registered():
        log.warning(
            "the %s scheme was registered too late: import app.ui.map.tiles before Qt starts",
            SCHEME,
        )
    registry = sources if isinstance(sources, TileRegistry) else TileRegistry.of(sources)
    if profile.urlSchemeHandler(SCHEME_NAME) is not None:
        profile.removeUrlScheme(SCHEME_NAME)
    handler = TileSchemeHandler(registry, profile)
    profile.installUrlSchemeHandler(SCHEME_NAME, handler)
    return handler


# ------------------------------------------------------------------ settings and the view

KEY_PATHS = "map/tile_paths"
"""Files or folders the user added (list of paths)."""
KEY_ONLINE = "map/online_tiles"
"""JSON list of online sources: ``[{"url", "name", "attribution", "enabled"}]``; none by default."""
KEY_BASEMAP = "map/basemap"
KEY_GRID = "map/grid"
KEY_NORTH = "map/north_arrow"


def _as_list(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value if str(v)]


def _as_bool(value: Any, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def sources_from_settings(settings: QSettings | None) -> list[TileSource]:
    """``maps/tiles/``, the user's tiles folder, the paths the user added and the
    online sources the user enabled (none by default)."""
    if settings is None:
        return all_sources()
    online: list[dict[str, Any]] = []
    raw = settings.value(KEY_ONLINE, "")
    if raw:
        try:
            parsed = json.loads(raw) if isinstance(raw, str) else raw
            online = [e for e in parsed if isinstance(e, dict)] if isinstance(parsed, list) else []
        except ValueError:
            log.warning("ignoring unreadable %s setting", KEY_ONLINE)
    return all_sources(_as_list(settings.value(KEY_PATHS, [])), online)


def remember(settings: QSettings, state: dict[str, Any]) -> None:
    """Store what the page reported (``basemap``, ``grid``, ``northArrow``)."""
    if isinstance(state.get("basemap"), str):
        settings.setValue(KEY_BASEMAP, state["basemap"])
    if isinstance(state.get("grid"), bool):
        settings.setValue(KEY_GRID, state["grid"])
    if isinstance(state.get("northArrow"), bool):
        settings.setValue(KEY_NORTH, state["northArrow"])


def attach(
    view: Any, sources: Iterable[TileSource] | None = None, settings: QSettings | None = None
) -> TileSchemeHandler:
    """Give a ``MapView`` its tile sources: serve them, let the offline guard pass the
    online ones the user enabled (and nothing else), and tell the page (switcher,
    last basemap, grid and north arrow from ``settings``).  Call again after the
    user changed the sources."""
    listed = list(sources_from_settings(settings) if sources is None else sources)
    handler = getattr(view, "tile_handler", None)
    if isinstance(handler, TileSchemeHandler):
        handler.set_sources(listed)
    else:
        handler = install(view.profile, listed)
        view.tile_handler = handler
    view.guard.allowed_prefixes = allowed_prefixes(listed)
    messages: list[dict[str, Any]] = []
    if settings is not None:
        selected = str(settings.value(KEY_BASEMAP, NATURAL_EARTH) or NATURAL_EARTH)
        messages.append(sources_message(listed, selected))
        messages.append(message(Op.GRID, show=_as_bool(settings.value(KEY_GRID), False)))
        messages.append(message(Op.NORTH_ARROW, show=_as_bool(settings.value(KEY_NORTH), True)))
        signal = getattr(view.bridge, "sig_basemap_changed", None)
        if signal is not None and not getattr(view, "_tiles_remembered", False):
            signal.connect(lambda state: remember(settings, state))
            view._tiles_remembered = True
    else:
        messages.append(sources_message(listed))
    from app.ui.map.controller import MapPage  # the page's one sender

    MapPage.of(view).send(messages)
    return handler


# registered at import while that is still allowed (see the module docstring)
if QCoreApplication.instance() is None:
    register_scheme()
