"""Shared test set-up: fresh store, settings and cache per test, and no thread
left running after a test.

No Qt here: ``tests/core`` runs without PySide6 installed (tests/test_shape.py
proves it). The Qt set-up lives in ``tests/ui/conftest.py``; only the
environment it reads is set here, before anything could start Qt."""

from __future__ import annotations

import importlib.util
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

# must be set before any Qt import (DESIGN §9)
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = (
    "--no-sandbox --disable-gpu --disable-background-networking"
)
os.environ["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
os.environ["COP_LANG"] = "en"
os.environ.setdefault("QT_LOGGING_RULES", "qt.webenginecontext.debug=false;qt.qpa.*=false")


def _qt_installed() -> bool:
    try:
        return importlib.util.find_spec("PySide6") is not None
    except ImportError:
        return False


if not _qt_installed():
    # without PySide6 only the Qt-free tests run: tests/core (and the shape checks)
    collect_ignore = ["ui", "packaging"]


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    if not _qt_installed():
        # pytest-qt imports PySide6 when pytest configures it: leave it out
        pluginmanager.set_blocked("pytest-qt")


@pytest.fixture(autouse=True)
def _fresh_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test gets its own settings, cache and default store location."""
    monkeypatch.setenv("COP_SETTINGS", str(tmp_path / "settings.ini"))
    monkeypatch.setenv("COP_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("COP_DB", str(tmp_path / "default.sqlite"))
    monkeypatch.delenv("COP_OPERATOR", raising=False)
    monkeypatch.setenv("COP_TILES", str(tmp_path / "tiles"))
    from app.i18n import set_language

    set_language("en")
    yield


@pytest.fixture(autouse=True)
def _no_thread_left_running() -> Iterator[None]:
    """A test that leaves a Python thread running fails."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 5
    while True:
        extra = [
            t
            for t in threading.enumerate()
            if t not in before and t.is_alive() and not isinstance(t, threading._DummyThread)
        ]
        if not extra or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert not extra, f"threads left running: {[t.name for t in extra]}"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[object]:
    from app.core.store.engine import open_store

    s = open_store(tmp_path / "cop.sqlite", operator="tester", site_name="TEST HQ")
    yield s
    s.close()
