"""The one place that knows where shipped files live.

``resources/`` (vendored scripts, styles, icons, translations) and ``maps/``
(offline basemaps) sit at the top of the source tree and are installed inside
the wheel as ``app._resources`` and ``app._maps``.  Editable installs, wheels
and PyInstaller bundles all resolve through here.
"""

from __future__ import annotations

import sys
from functools import cache
from importlib import resources as _res
from pathlib import Path

_SOURCE_ROOT = Path(__file__).resolve().parent.parent


def _locate(package: str, folder: str) -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidate = Path(bundle) / folder
        if candidate.is_dir():
            return candidate
    source = _SOURCE_ROOT / folder
    if (source / "__init__.py").is_file():
        return source
    try:
        found = Path(str(_res.files(package)))
    except ModuleNotFoundError:
        found = source
    return found


@cache
def resources_dir() -> Path:
    """Folder of vendored front-end assets, icons and translations."""
    return _locate("app._resources", "resources")


@cache
def maps_dir() -> Path:
    """Folder of offline basemap data."""
    return _locate("app._maps", "maps")


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def map_data(*parts: str) -> Path:
    return maps_dir().joinpath(*parts)
