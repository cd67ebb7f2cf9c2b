"""Offline raster tile sources for the map's basemap switcher (Qt-free).

Natural Earth (drawn by the page from ``maps/naturalearth``) is always there.
On top of it the user may add raster tiles:

* an **MBTiles** file (SQLite, ``tiles(zoom_level, tile_column, tile_row,
  tile_data)`` with TMS rows, plus a ``metadata(name, value)`` table);
* an **XYZ folder** laid out ``{z}/{x}/{y}.png|jpg|webp``, optionally with a
  ``metadata.json`` (the MBTiles metadata keys; ``"scheme": "tms"`` for a
  gdal2tiles folder with TMS rows);
* an online **URL** template (``https://host/{z}/{x}/{y}.png``) the user
  configures; never present by default, and its host is the only remote
  address the offline guard then lets through (``allowed_prefixes``).

Files and folders are found in ``maps/tiles/``, the user's data folder
(``~/.local/share/coalition-cop/tiles/`` on Linux) and any path the user
chose.  The page asks for ``coptiles://<source-id>/<z>/<x>/<y>`` (XYZ rows);
the UI's scheme handler answers through :class:`TileRegistry`.

Everything read from a tile file is untrusted: names and attributions become
plain text, tile paths are built from integers only, and a tile is served
only if its bytes are a PNG, JPEG or WebP image.
"""

from __future__ import annotations

import contextlib
import html
import json
import logging
import re
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from app.core.mapdoc.protocol import Op, message
from app.i18n import _

log = logging.getLogger(__name__)

SCHEME = "coptiles"
NATURAL_EARTH = "naturalearth"
"""The id of the built-in basemap (drawn by the page, not served as tiles)."""

Kind = Literal["mbtiles", "xyz", "url"]
MAX_ZOOM = 24
MAX_TILE_BYTES = 4 * 1024 * 1024
FORMATS = ("png", "jpg", "webp")
_EXTENSIONS = {"png": ("png",), "jpg": ("jpg", "jpeg"), "webp": ("webp",)}
MIME = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}
_ID_OK = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_INT = re.compile(r"^(0|[1-9][0-9]{0,9})$")
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class TileSource:
    """One raster basemap.  ``bounds`` is (west, south, east, north) in degrees."""

    id: str
    name: str
    kind: Kind
    path: Path | None = None
    url: str | None = None
    minzoom: int = 0
    maxzoom: int = 18
    attribution: str = ""
    format: str = "png"
    bounds: tuple[float, float, float, float] | None = None
    tms: bool = False
    """XYZ folders only: rows are TMS (counted from the south), as gdal2tiles writes them."""
    subdomains: str = "abc"
    """URL sources only: what ``{s}`` in the template stands for."""

    @property
    def url_template(self) -> str:
        """What the page's ``L.tileLayer`` asks for."""
        if self.kind == "url":
            return self.url or ""
        return f"{SCHEME}://{self.id}/{{z}}/{{x}}/{{y}}"

    def to_page(self) -> dict[str, Any]:
        """The source as the page's ``tiles.sources`` message lists it."""
        page: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "minzoom": self.minzoom,
            "maxzoom": self.maxzoom,
            "attribution": self.attribution,
            "url_template": self.url_template,
        }
        if self.bounds:
            page["bounds"] = list(self.bounds)
        if self.kind == "url" and "{s}" in (self.url or ""):
            page["subdomains"] = self.subdomains
        return page


# ------------------------------------------------------------------ helpers


def _plain(text: Any, limit: int = 300) -> str:
    """Untrusted metadata -> one line of plain text (tags dropped, entities decoded)."""
    if text is None:
        return ""
    value = html.unescape(_TAG.sub("", str(text)))
    value = " ".join(value.split())
    return value[:limit]


def _zoom(value: Any, default: int) -> int:
    try:
        zoom = int(float(value))
    except (TypeError, ValueError):
        return default
    return max(0, min(MAX_ZOOM, zoom))


def _bounds(value: Any) -> tuple[float, float, float, float] | None:
    """``"w,s,e,n"`` or a list of four numbers -> a sane tuple, else None."""
    if isinstance(value, str):
        parts: Sequence[Any] = value.split(",")
    elif isinstance(value, (list, tuple)):
        parts = value
    else:
        return None
    if len(parts) != 4:
        return None
    try:
        west, south, east, north = (float(p) for p in parts)
    except (TypeError, ValueError):
        return None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        return None
    # Web Mercator stops at +-85.0511
    return (west, max(south, -85.0511), east, min(north, 85.0511))


def _format(value: Any) -> str | None:
    text = str(value or "").strip().lower()
    if text == "jpeg":
        text = "jpg"
    return text if text in FORMATS else None


def sniff_format(data: bytes) -> str | None:
    """The raster format of tile bytes from their signature (None if not an image we serve)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def slug(text: str) -> str:
    """A tile source id from a file name: lower-case ASCII letters, digits, ``-`` and ``_``."""
    value = re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-_")
    return value[:48] or "tiles"


def _unique_id(base: str, taken: set[str]) -> str:
    candidate = base if base != NATURAL_EARTH else f"{base}-tiles"
    n = 2
    while candidate in taken:
        candidate = f"{base}-{n}"
        n += 1
    taken.add(candidate)
    return candidate


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def valid_tile(z: Any, x: Any, y: Any) -> bool:
    """Integers only, inside the tile pyramid of zoom ``z``."""
    if not (_is_int(z) and _is_int(x) and _is_int(y)):
        return False
    if not 0 <= z <= MAX_ZOOM:
        return False
    size = 1 << z
    return 0 <= x < size and 0 <= y < size


def parse_tile_url(url: str) -> tuple[str, int, int, int] | None:
    """``coptiles://<id>/<z>/<x>/<y>`` (optionally ``.png`` etc.) -> (id, z, x, y).

    Anything else (other schemes, ``..``, signs, non-digits, extra parts,
    numbers outside the pyramid) gives None.
    """
    prefix = SCHEME + ":"
    if not url.lower().startswith(prefix):
        return None
    rest = url[len(prefix) :].split("?", 1)[0].split("#", 1)[0].lstrip("/")
    parts = rest.split("/")
    if len(parts) != 4:
        return None
    source_id, zs, xs, ys = parts
    stem, dot, ext = ys.partition(".")
    if dot and ext.lower() not in ("png", "jpg", "jpeg", "webp"):
        return None
    source_id = source_id.lower()
    if not _ID_OK.match(source_id) or not all(_INT.match(p) for p in (zs, xs, stem)):
        return None
    z, x, y = int(zs), int(xs), int(stem)
    return (source_id, z, x, y) if valid_tile(z, x, y) else None


# ------------------------------------------------------------------ MBTiles


class _Connection:
    __slots__ = ("conn", "lock", "stamp")

    def __init__(self, conn: sqlite3.Connection, stamp: tuple[int, int]) -> None:
        self.conn = conn
        self.lock = threading.Lock()
        self.stamp = stamp


class _ConnectionCache:
    """A few read-only SQLite connections, shared by threads (one lock each).

    A connection is reopened when its file changed (size or mtime), since it
    was opened ``immutable``.
    """

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[str, _Connection] = OrderedDict()

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        uri = path.as_uri() + "?mode=ro&immutable=1"
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=1.0)
        conn.execute("PRAGMA query_only = ON")
        return conn

    def get(self, path: Path) -> _Connection:
        resolved = path.resolve()
        stat = resolved.stat()
        stamp = (stat.st_size, stat.st_mtime_ns)
        key = str(resolved)
        stale: _Connection | None = None
        with self._lock:
            item = self._items.get(key)
            if item is not None and item.stamp == stamp:
                self._items.move_to_end(key)
                return item
            if item is not None:
                stale = self._items.pop(key)
            item = _Connection(self._open(resolved), stamp)
            self._items[key] = item
            evicted = [
                self._items.popitem(last=False)[1] for _n in range(len(self._items) - self.size)
            ]
        for old in ([stale] if stale else []) + evicted:
            self._close(old)
        return item

    @staticmethod
    def _close(item: _Connection) -> None:
        with item.lock, contextlib.suppress(sqlite3.Error):
            item.conn.close()

    def close_all(self) -> None:
        with self._lock:
            items = list(self._items.values())
            self._items.clear()
        for item in items:
            self._close(item)


_connections = _ConnectionCache()


def close_connections() -> None:
    """Close every cached MBTiles connection (at exit, or before a file is replaced)."""
    _connections.close_all()


def _query(path: Path, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    for attempt in (1, 2):
        item = _connections.get(path)
        with item.lock:
            try:
                return item.conn.execute(sql, params).fetchall()
            except sqlite3.ProgrammingError:  # closed by another thread meanwhile
                if attempt == 2:
                    raise
    return []  # not reached


def read_mbtiles_metadata(path: Path) -> dict[str, str]:
    """The ``metadata`` table as a dict (empty if there is none)."""
    try:
        rows = _query(path, "SELECT name, value FROM metadata")
    except sqlite3.Error:
        return {}
    return {str(name): "" if value is None else str(value) for name, value in rows}


def read_mbtiles_tile(path: Path, z: int, x: int, y: int) -> bytes | None:
    """The tile at XYZ (z, x, y) or None; MBTiles rows are TMS, so y is flipped."""
    if not valid_tile(z, x, y):
        return None
    row = (1 << z) - 1 - y
    try:
        rows = _query(
            path,
            "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
            (z, x, row),
        )
    except (sqlite3.Error, OSError) as exc:
        log.debug("mbtiles %s: %s", path, exc)
        return None
    if not rows or rows[0][0] is None:
        return None
    data = bytes(rows[0][0])
    return data if len(data) <= MAX_TILE_BYTES else None


def mbtiles_source(path: Path, source_id: str | None = None) -> TileSource | None:
    """A source for an MBTiles file, or None if it is not a raster MBTiles we can read."""
    path = Path(path)
    try:
        meta = read_mbtiles_metadata(path)
        zooms = _query(path, "SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles")
        sample = _query(path, "SELECT tile_data FROM tiles LIMIT 1")
    except (sqlite3.Error, OSError) as exc:
        log.warning("not a readable MBTiles file: %s (%s)", path, exc)
        return None
    if not sample or sample[0][0] is None:
        log.warning("MBTiles file without tiles: %s", path)
        return None
    fmt = sniff_format(bytes(sample[0][0])) or _format(meta.get("format"))
    if fmt is None:  # pbf vector tiles and the like
        log.warning("MBTiles file is not PNG/JPEG/WebP raster: %s", path)
        return None
    low, high = zooms[0] if zooms and zooms[0][0] is not None else (0, 18)
    minzoom = _zoom(meta.get("minzoom"), low)
    maxzoom = _zoom(meta.get("maxzoom"), high)
    return TileSource(
        id=source_id or slug(path.stem),
        name=_plain(meta.get("name")) or path.stem,
        kind="mbtiles",
        path=path,
        minzoom=min(minzoom, maxzoom),
        maxzoom=max(minzoom, maxzoom),
        attribution=_plain(meta.get("attribution")),
        format=fmt,
        bounds=_bounds(meta.get("bounds")),
    )


# ------------------------------------------------------------------ XYZ folders


def _int_children(folder: Path, limit: int = 64) -> list[int]:
    found: list[int] = []
    try:
        for child in folder.iterdir():
            if _INT.match(child.name) and child.is_dir():
                found.append(int(child.name))
                if len(found) >= limit:
                    break
    except OSError:
        return []
    return sorted(found)


def _xyz_layout(folder: Path) -> tuple[str, list[int]] | None:
    """(format, zoom levels) if ``folder`` holds ``{z}/{x}/{y}.<ext>`` tiles."""
    zooms = [z for z in _int_children(folder, limit=MAX_ZOOM + 1) if z <= MAX_ZOOM]
    for z in zooms:
        for x in _int_children(folder / str(z), limit=4):
            try:
                for tile in (folder / str(z) / str(x)).iterdir():
                    stem, _dot, ext = tile.name.partition(".")
                    fmt = _format(ext)
                    if fmt and _INT.match(stem) and tile.is_file():
                        return fmt, zooms
            except OSError:
                continue
    return None


def _xyz_metadata(folder: Path) -> dict[str, Any]:
    meta_file = folder / "metadata.json"
    if not meta_file.is_file():
        return {}
    try:
        data = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("unreadable %s: %s", meta_file, exc)
        return {}
    return data if isinstance(data, dict) else {}


def is_xyz_folder(folder: Path) -> bool:
    return Path(folder).is_dir() and _xyz_layout(Path(folder)) is not None


def xyz_source(folder: Path, source_id: str | None = None) -> TileSource | None:
    """A source for an XYZ tile folder, or None if the folder has no tiles."""
    folder = Path(folder)
    layout = _xyz_layout(folder) if folder.is_dir() else None
    if layout is None:
        return None
    fmt, zooms = layout
    meta = _xyz_metadata(folder)
    minzoom = _zoom(meta.get("minzoom"), zooms[0])
    maxzoom = _zoom(meta.get("maxzoom"), zooms[-1])
    return TileSource(
        id=source_id or slug(folder.name),
        name=_plain(meta.get("name")) or folder.name,
        kind="xyz",
        path=folder,
        minzoom=min(minzoom, maxzoom),
        maxzoom=max(minzoom, maxzoom),
        attribution=_plain(meta.get("attribution")),
        format=_format(meta.get("format")) or fmt,
        bounds=_bounds(meta.get("bounds")),
        tms=str(meta.get("scheme", "xyz")).lower() == "tms",
    )


def read_xyz_tile(
    folder: Path, z: int, x: int, y: int, fmt: str | None = None, tms: bool = False
) -> bytes | None:
    """The tile ``folder/z/x/y.<ext>`` or None.

    Only integers inside the tile pyramid are accepted (no ``..``, no text),
    and the file must resolve to a regular file inside ``folder``.
    """
    if not valid_tile(z, x, y):
        return None
    if tms:
        y = (1 << z) - 1 - y
    try:
        root = Path(folder).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    extensions = _EXTENSIONS.get(fmt or "", ()) or tuple(e for f in FORMATS for e in _EXTENSIONS[f])
    for ext in extensions:
        candidate = root / str(z) / str(x) / f"{y}.{ext}"
        try:
            resolved = candidate.resolve(strict=True)
        except (OSError, RuntimeError):
            continue
        if not resolved.is_relative_to(root) or not resolved.is_file():
            return None
        try:
            if resolved.stat().st_size > MAX_TILE_BYTES:
                return None
            return resolved.read_bytes()
        except OSError:
            return None
    return None


# ------------------------------------------------------------------ URL sources


def url_source(
    template: str,
    name: str = "",
    *,
    source_id: str = "online",
    minzoom: int = 0,
    maxzoom: int = 18,
    attribution: str = "",
    subdomains: str = "abc",
) -> TileSource:
    """An online XYZ source the user configured; ValueError with a message for them if unusable."""
    template = (template or "").strip()
    parts = urlsplit(template)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(_("a tile URL must start with http:// or https:// and name a server"))
    if not all(key in template for key in ("{z}", "{x}", "{y}")):
        raise ValueError(_("a tile URL must contain {z}, {x} and {y}"))
    if "@" in parts.netloc:
        raise ValueError(_("a tile URL must not contain a user name or password"))
    if not re.fullmatch(r"[a-z0-9]{1,8}", subdomains or ""):
        subdomains = "abc"
    return TileSource(
        id=_unique_id(slug(source_id), set()),  # never "naturalearth"
        name=_plain(name) or parts.hostname or template,
        kind="url",
        url=template,
        minzoom=_zoom(minzoom, 0),
        maxzoom=_zoom(maxzoom, 18),
        attribution=_plain(attribution),
        subdomains=subdomains,
    )


def allowed_prefixes(sources: Iterable[TileSource]) -> tuple[str, ...]:
    """URL prefixes the offline guard must let through for the configured online sources.

    Each prefix ends with ``/`` after the host, so ``https://tiles.example``
    does not also allow ``https://tiles.example.evil``.
    """
    prefixes: list[str] = []
    for source in sources:
        if source.kind != "url" or not source.url:
            continue
        parts = urlsplit(source.url)
        hosts = [parts.netloc]
        if "{s}" in parts.netloc:
            hosts = [parts.netloc.replace("{s}", s) for s in source.subdomains]
        for host in hosts:
            prefix = f"{parts.scheme}://{host.lower()}/"
            if prefix not in prefixes:
                prefixes.append(prefix)
    return tuple(prefixes)


# ------------------------------------------------------------------ discovery


def user_tiles_dir() -> Path:
    """Where a user drops MBTiles files and XYZ folders: ``$COP_TILES``, else
    ``~/.local/share/coalition-cop/tiles`` on Linux (the user data folder)."""
    import os

    import platformdirs

    override = os.environ.get("COP_TILES")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir("coalition-cop", appauthor=False)) / "tiles"


def _candidates(path: Path) -> list[Path]:
    """``path`` itself if it is a tile set, else the tile sets directly inside it."""
    if path.is_file():
        return [path] if path.suffix.lower() == ".mbtiles" else []
    if not path.is_dir():
        return []
    if is_xyz_folder(path):
        return [path]
    found: list[Path] = []
    try:
        children = sorted(path.iterdir(), key=lambda p: p.name.lower())
    except OSError:
        return []
    for child in children:
        if child.name.startswith("."):
            continue
        if (child.is_file() and child.suffix.lower() == ".mbtiles") or (
            child.is_dir() and is_xyz_folder(child)
        ):
            found.append(child)
    return found


def discover_sources(
    maps_dir: Path | None = None, extra_paths: Iterable[Path | str] = ()
) -> list[TileSource]:
    """Tile sets in ``<maps_dir>/tiles/`` and in ``extra_paths``.

    An extra path may be an ``.mbtiles`` file, an XYZ folder, or a folder
    holding either.  Unreadable or vector files are skipped (and logged).
    Ids are unique and URL-safe; the same file found twice is listed once.
    """
    if maps_dir is None:
        from app import paths

        maps_dir = paths.maps_dir()
    roots = [Path(maps_dir) / "tiles", *(Path(p).expanduser() for p in extra_paths)]
    sources: list[TileSource] = []
    seen: set[Path] = set()
    taken: set[str] = {NATURAL_EARTH}
    for root in roots:
        for candidate in _candidates(root):
            try:
                key = candidate.resolve()
            except OSError:
                continue
            if key in seen:
                continue
            seen.add(key)
            base = slug(candidate.stem if candidate.is_file() else candidate.name)
            if candidate.is_file():
                source = mbtiles_source(candidate, "pending")
            else:
                source = xyz_source(candidate, "pending")
            if source is None:
                continue
            sources.append(_with_id(source, _unique_id(base, taken)))
    return sources


def _with_id(source: TileSource, source_id: str) -> TileSource:
    return replace(source, id=source_id)


def all_sources(
    extra_paths: Iterable[Path | str] = (),
    online: Iterable[Mapping[str, Any]] = (),
    *,
    maps_dir: Path | None = None,
    user_dir: Path | None = None,
) -> list[TileSource]:
    """Everything the switcher lists: ``maps/tiles/``, the user's tiles folder,
    the paths the user chose, then the online sources the user enabled."""
    folders = [user_dir or user_tiles_dir(), *extra_paths]
    sources = discover_sources(maps_dir, folders)
    taken = {NATURAL_EARTH, *(s.id for s in sources)}
    for entry in online:
        source = source_from_settings(entry)
        if source is not None:
            sources.append(_with_id(source, _unique_id(source.id, taken)))
    return sources


# ------------------------------------------------------------------ serving


@dataclass
class TileRegistry:
    """The sources the scheme handler serves, by id (thread-safe reads)."""

    sources: dict[str, TileSource] = field(default_factory=dict)

    @classmethod
    def of(cls, sources: Iterable[TileSource]) -> TileRegistry:
        return cls({s.id: s for s in sources})

    def replace(self, sources: Iterable[TileSource]) -> None:
        self.sources = {s.id: s for s in sources}  # one assignment: readers see old or new

    def tile(self, source_id: str, z: int, x: int, y: int) -> tuple[bytes, str] | None:
        """(bytes, MIME type) of an XYZ tile, or None if there is none."""
        source = self.sources.get(source_id)
        if source is None or source.path is None or not valid_tile(z, x, y):
            return None
        if source.kind == "mbtiles":
            data = read_mbtiles_tile(source.path, z, x, y)
        elif source.kind == "xyz":
            data = read_xyz_tile(source.path, z, x, y, source.format, source.tms)
        else:
            return None
        if data is None:
            return None
        fmt = sniff_format(data)
        return (data, MIME[fmt]) if fmt else None

    def tile_for_url(self, url: str) -> tuple[bytes, str] | None:
        parsed = parse_tile_url(url)
        return self.tile(*parsed) if parsed else None


def page_labels() -> dict[str, str]:
    """The translated texts of the page's basemap controls."""
    return {
        "naturalEarth": _("Natural Earth (offline)"),
        "grid": _("MGRS grid"),
        "northArrow": _("North arrow"),
        "north": _("North"),
    }


def sources_message(sources: Iterable[TileSource], selected: str | None = None) -> dict[str, Any]:
    """The ``tiles.sources`` message for the page (with the control labels)."""
    extra = {"selected": selected} if selected else {}
    return message(
        Op.TILES_SOURCES, sources=[s.to_page() for s in sources], labels=page_labels(), **extra
    )


def source_from_settings(entry: Mapping[str, Any]) -> TileSource | None:
    """A user-configured online source from settings (``{"url": ..., "name": ..., "enabled": bool}``).

    Off unless ``enabled`` is true; None for a disabled or unusable entry.
    """
    if not entry.get("enabled"):
        return None
    try:
        return url_source(
            str(entry.get("url", "")),
            str(entry.get("name", "")),
            source_id=str(entry.get("id", "online")),
            minzoom=_zoom(entry.get("minzoom"), 0),
            maxzoom=_zoom(entry.get("maxzoom"), 18),
            attribution=str(entry.get("attribution", "")),
            subdomains=str(entry.get("subdomains", "abc")),
        )
    except ValueError as exc:
        log.warning("online tile source ignored: %s", exc)
        return None
