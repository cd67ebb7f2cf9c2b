"""Starting the Qt application: environment, translations, the main window,
and the offscreen snapshot."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs

from app.i18n import _, language

if TYPE_CHECKING:
    from app.core.store.engine import Store


def prepare_environment(offscreen: bool = False) -> None:
    """Must run before the QApplication exists (DESIGN §9)."""
    if offscreen:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Chromium refuses to run sandboxed as root; a normal user keeps the sandbox
        flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
        if "--no-sandbox" not in flags:
            os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = (flags + " --no-sandbox").strip()
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    os.environ.setdefault("QT_LOGGING_RULES", "qt.webenginecontext.debug=false")
    from app.ui import pyside_fix
    from app.ui.map import tiles as _tiles  # noqa: F401  (registers coptiles:// before the web engine starts)

    pyside_fix.apply()


def application() -> Any:
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
    from PySide6.QtGui import QIcon
    from PySide6.QtWebEngineCore import QWebEngineUrlScheme  # noqa: F401  (init order)
    from PySide6.QtWidgets import QApplication

    from app import paths

    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setApplicationName("coalition-cop")
        app.setApplicationDisplayName(_("Coalition COP"))
        app.setOrganizationName("coalition-cop")
        app.setWindowIcon(QIcon(str(paths.resource("icons", "coalition-cop.svg"))))
        if language() != "en":
            translator = QTranslator(app)
            folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
            if translator.load(QLocale(language()), "qtbase", "_", folder):
                app.installTranslator(translator)
    return app


def settings() -> Any:
    from PySide6.QtCore import QSettings

    path = os.environ.get("COP_SETTINGS") or str(
        Path(platformdirs.user_config_dir("coalition-cop", appauthor=False)) / "settings.ini"
    )
    return QSettings(path, QSettings.Format.IniFormat)


def page_folder() -> Path:
    base = os.environ.get("COP_CACHE") or platformdirs.user_cache_dir(
        "coalition-cop", appauthor=False
    )
    try:
        folder = Path(base) / "page"
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.mkdtemp(prefix="cop-page-"))
    return folder


def start_map_view() -> Any:
    """Create the web view and start loading the page (the web engine boots
    in its own processes while the caller opens the store)."""
    from app.core.mapdoc.page import write_live_page
    from app.ui.map.tiles import attach
    from app.ui.map.view import MapView

    view = MapView(write_live_page(page_folder()))
    attach(view, settings=settings())
    return view


def build_window(store: Store, fresh_settings: bool = False, map_view: Any = None) -> Any:
    from PySide6.QtCore import QSettings

    from app.ui.main_window import MainWindow

    view = map_view or start_map_view()
    if fresh_settings:  # a snapshot shows the default layout, not the user's
        temp = Path(tempfile.mkdtemp(prefix="cop-settings-")) / "settings.ini"
        return MainWindow(store, view, QSettings(str(temp), QSettings.Format.IniFormat))
    return MainWindow(store, view, settings())


def run_gui(open_store: Callable[[], Store], demo_if_empty: bool = False) -> int:
    prepare_environment()
    app = application()
    view = start_map_view()
    store = _open_while_pumping(open_store)
    window = build_window(store, map_view=view)
    window.show()
    from app.ui.startup import offer_demo, offer_site

    # who this site is, asked once (prefilled: Enter keeps the defaults); with --demo
    # the demo loads meanwhile, otherwise the empty-store question comes after it
    if demo_if_empty:
        offer_demo(window, auto=True)
        offer_site(window)
    else:
        offer_site(window, then=lambda: offer_demo(window))
    if os.environ.get("COP_EXIT_WHEN_IDLE"):
        _exit_when_idle(window, app)
    code: int = app.exec()
    return code


def _preload_ui_modules() -> None:
    """Import the window's modules off the GUI thread (they are only loaded here;
    every widget is still made on the GUI thread)."""
    import importlib

    from app.ui.panels import PANELS

    for name in ("app.ui.main_window", "app.ui.map.tools", "app.ui.map.zones", *PANELS):
        importlib.import_module(name)


def _open_while_pumping(open_store: Callable[[], Store]) -> Store:
    """Open the store on a thread while the event loop keeps running.

    QtWebEngine's browser side runs on the GUI thread: if that thread sat in
    imports and migrations, the map page could not load meanwhile.
    """
    import threading

    from PySide6.QtCore import QEventLoop, QTimer

    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["store"] = open_store()
            _preload_ui_modules()
        except BaseException as exc:  # re-raised on the GUI thread
            box["error"] = exc

    thread = threading.Thread(target=work, name="open-store", daemon=True)
    thread.start()
    loop = QEventLoop()
    timer = QTimer()
    timer.timeout.connect(lambda: loop.quit() if not thread.is_alive() else None)
    timer.start(5)
    loop.exec()
    timer.stop()
    thread.join()
    if "error" in box:
        raise box["error"]
    store: Store = box["store"]
    return store


def _exit_when_idle(window: Any, app: Any) -> None:
    """Benchmark hook: print 'ready N ms' once the whole picture is painted, then quit."""
    from PySide6.QtCore import QTimer

    expected: dict[str, int] = {}

    def loaded(units: int, _zones: int) -> None:
        expected["units"] = units

    def check(stats: dict[str, Any]) -> None:
        if "units" in expected and stats.get("total") == expected["units"]:
            print(f"ready {stats.get('total')}", flush=True)
            window.map_view.bridge.sig_painted.disconnect(check)
            QTimer.singleShot(0, window.close)

    window.map_controller.sig_loaded.connect(loaded)
    window.map_view.bridge.sig_painted.connect(check)


def snapshot(store: Store, out: Path, size: tuple[int, int], timeout_s: float = 120.0) -> Path:
    """Render the main window offscreen with the store's picture and save a PNG."""
    prepare_environment(offscreen=True)
    from PySide6.QtCore import QEventLoop, QTimer

    app = application()
    window = build_window(store, fresh_settings=True)
    window.resize(*size)
    window.show()
    loop = QEventLoop()
    state = {"loaded": False, "places": False, "paints": 0}

    def on_loaded(*_a: Any) -> None:
        state["loaded"] = True

    def on_places() -> None:
        state["places"] = True

    def on_painted(_stats: dict[str, Any]) -> None:
        if state["loaded"] and state["places"]:
            state["paints"] += 1
            if state["paints"] == 1:
                QTimer.singleShot(500, loop.quit)

    window.map_controller.sig_loaded.connect(on_loaded)
    window.map_controller.sig_places_sent.connect(on_places)
    window.map_view.bridge.sig_painted.connect(on_painted)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    window.ctx.runner.wait()
    app.processEvents()
    image = window.grab()
    out.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(out)):
        raise OSError(_("cannot write {path}").format(path=out))
    window.close()
    app.processEvents()
    return out
