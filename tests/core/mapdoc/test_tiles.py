"""Offline tile sources: discovery, MBTiles metadata and TMS rows, XYZ folders,
path safety, online sources only when the user enables them (no Qt)."""

from __future__ import annotations

import json
import sqlite3
import struct
import threading
import zlib
from pathlib import Path

import pytest

from app.core.mapdoc import tiles
from app.core.mapdoc.tiles import (
    TileRegistry,
    all_sources,
    allowed_prefixes,
    discover_sources,
    parse_tile_url,
    read_mbtiles_metadata,
    read_mbtiles_tile,
    read_xyz_tile,
    sources_message,
    url_source,
)


def png(width: int = 2, height: int = 2, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A real (tiny) PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def make_mbtiles(path: Path, tiles_xyz: dict[tuple[int, int, int], bytes], **meta: str) -> Path:
    """An MBTiles file; ``tiles_xyz`` keys are XYZ (z, x, y), stored with TMS rows."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    conn.execute(
        "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)"
    )
    conn.execute("CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)")
    conn.executemany("INSERT INTO metadata VALUES (?, ?)", list(meta.items()))
    conn.executemany(
        "INSERT INTO tiles VALUES (?, ?, ?, ?)",
        [(z, x, (1 << z) - 1 - y, data) for (z, x, y), data in tiles_xyz.items()],
    )
    conn.commit()
    conn.close()
    return path


def make_xyz(folder: Path, tiles_xyz: dict[tuple[int, int, int], bytes], ext: str = "png") -> Path:
    for (z, x, y), data in tiles_xyz.items():
        target = folder / str(z) / str(x) / f"{y}.{ext}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return folder


RED, BLUE = png(rgb=(200, 30, 30)), png(rgb=(30, 30, 200))


@pytest.fixture
def maps_dir(tmp_path: Path) -> Path:
    maps = tmp_path / "maps"
    (maps / "tiles").mkdir(parents=True)
    make_mbtiles(
        maps / "tiles" / "Cabo Delgado.mbtiles",
        {(1, 0, 0): RED, (1, 1, 0): BLUE, (2, 1, 1): RED},
        name="Cabo <b>Delgado</b>",
        format="png",
        minzoom="1",
        maxzoom="2",
        bounds="39.5,-14.5,41.0,-10.4",
        attribution='<a href="https://example.org">&copy; Survey</a>',
    )
    yield maps
    tiles.close_connections()


def test_the_png_helper_makes_a_real_png() -> None:
    assert RED.startswith(b"\x89PNG") and tiles.sniff_format(RED) == "png"
    assert tiles.sniff_format(b"\xff\xd8\xff\xe0xx") == "jpg"
    assert tiles.sniff_format(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "webp"
    assert tiles.sniff_format(b"\x1f\x8b gzip pbf") is None


def test_mbtiles_are_discovered_with_their_metadata(maps_dir: Path) -> None:
    sources = discover_sources(maps_dir)
    assert len(sources) == 1
    src = sources[0]
    assert src.kind == "mbtiles"
    assert src.id == "cabo-delgado"
    assert src.name == "Cabo Delgado"  # markup dropped
    assert src.attribution == "© Survey"
    assert (src.minzoom, src.maxzoom, src.format) == (1, 2, "png")
    assert src.bounds == (39.5, -14.5, 41.0, -10.4)
    assert src.url_template == "coptiles://cabo-delgado/{z}/{x}/{y}"
    meta = read_mbtiles_metadata(src.path)  # type: ignore[arg-type]
    assert meta["format"] == "png" and meta["maxzoom"] == "2"


def test_mbtiles_rows_are_tms_and_read_as_xyz(maps_dir: Path) -> None:
    path = maps_dir / "tiles" / "Cabo Delgado.mbtiles"
    assert read_mbtiles_tile(path, 1, 0, 0) == RED
    assert read_mbtiles_tile(path, 1, 1, 0) == BLUE
    # XYZ (2, 1, 1) is stored at TMS row 2**2 - 1 - 1 = 2
    assert read_mbtiles_tile(path, 2, 1, 1) == RED
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT tile_row FROM tiles WHERE zoom_level = 2").fetchone() == (2,)
    conn.close()
    # the XYZ row that a reader forgetting the flip would ask for is empty
    assert read_mbtiles_tile(path, 2, 1, 2) is None


def test_missing_or_invalid_tiles_are_none(maps_dir: Path) -> None:
    path = maps_dir / "tiles" / "Cabo Delgado.mbtiles"
    assert read_mbtiles_tile(path, 1, 0, 1) is None  # not in the file
    assert read_mbtiles_tile(path, 5, 0, 0) is None  # zoom not in the file
    assert read_mbtiles_tile(path, 1, 2, 0) is None  # outside the pyramid
    assert read_mbtiles_tile(path, 1, -1, 0) is None
    assert read_mbtiles_tile(path, "1", 0, 0) is None  # type: ignore[arg-type]
    assert read_mbtiles_tile(maps_dir / "nope.mbtiles", 1, 0, 0) is None


def test_mbtiles_are_opened_read_only(maps_dir: Path) -> None:
    path = maps_dir / "tiles" / "Cabo Delgado.mbtiles"
    before = path.read_bytes()
    read_mbtiles_tile(path, 1, 0, 0)
    item = tiles._connections.get(path)
    with pytest.raises(sqlite3.OperationalError):
        item.conn.execute("DELETE FROM tiles")
    assert path.read_bytes() == before
    assert not path.with_name(path.name + "-journal").exists()


def test_a_replaced_mbtiles_file_is_reopened(maps_dir: Path, tmp_path: Path) -> None:
    path = maps_dir / "tiles" / "Cabo Delgado.mbtiles"
    assert read_mbtiles_tile(path, 1, 0, 0) == RED
    newer = make_mbtiles(tmp_path / "new.mbtiles", {(1, 0, 0): BLUE, (3, 0, 0): BLUE}, name="new")
    newer.replace(path)
    assert read_mbtiles_tile(path, 1, 0, 0) == BLUE


def test_mbtiles_reads_from_many_threads(maps_dir: Path) -> None:
    path = maps_dir / "tiles" / "Cabo Delgado.mbtiles"
    results: list[bool] = []

    def work() -> None:
        ok = all(
            read_mbtiles_tile(path, 1, i % 2, 0) == (RED if i % 2 == 0 else BLUE)
            for i in range(200)
        )
        results.append(ok)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [True] * 8


def test_vector_and_broken_files_are_skipped(maps_dir: Path) -> None:
    make_mbtiles(
        maps_dir / "tiles" / "vector.mbtiles", {(0, 0, 0): b"\x1f\x8b\x08 not raster"}, format="pbf"
    )
    (maps_dir / "tiles" / "broken.mbtiles").write_bytes(b"this is not sqlite" * 10)
    make_mbtiles(maps_dir / "tiles" / "empty.mbtiles", {}, name="empty")
    assert [s.id for s in discover_sources(maps_dir)] == ["cabo-delgado"]


def test_xyz_folders_and_their_metadata(maps_dir: Path, tmp_path: Path) -> None:
    folder = make_xyz(maps_dir / "tiles" / "Pemba city", {(3, 4, 2): RED, (4, 9, 5): BLUE})
    (folder / "metadata.json").write_text(
        json.dumps(
            {
                "name": "Pemba <i>1:25k</i>",
                "attribution": "CNIG",
                "bounds": [40.4, -13.1, 40.6, -12.9],
            }
        ),
        encoding="utf-8",
    )
    jpg_folder = make_xyz(
        tmp_path / "elsewhere" / "ortho", {(5, 1, 2): b"\xff\xd8\xff\xe0jpeg"}, ext="jpg"
    )
    sources = discover_sources(maps_dir, [jpg_folder, tmp_path / "does-not-exist"])
    by_id = {s.id: s for s in sources}
    assert set(by_id) == {"cabo-delgado", "pemba-city", "ortho"}
    pemba = by_id["pemba-city"]
    assert (pemba.kind, pemba.name, pemba.attribution) == ("xyz", "Pemba 1:25k", "CNIG")
    assert (pemba.minzoom, pemba.maxzoom, pemba.format) == (3, 4, "png")
    assert pemba.bounds == (40.4, -13.1, 40.6, -12.9)
    assert by_id["ortho"].format == "jpg"
    assert read_xyz_tile(folder, 3, 4, 2) == RED
    assert read_xyz_tile(folder, 4, 9, 5, "png") == BLUE
    assert read_xyz_tile(folder, 3, 4, 3) is None
    assert read_xyz_tile(jpg_folder, 5, 1, 2, "jpg") == b"\xff\xd8\xff\xe0jpeg"


def test_a_tms_xyz_folder_is_flipped(tmp_path: Path) -> None:
    folder = make_xyz(tmp_path / "gdal", {(2, 1, 3 - 1): RED})  # TMS row of XYZ (2, 1, 1)
    (folder / "metadata.json").write_text('{"scheme": "tms"}', encoding="utf-8")
    (src,) = discover_sources(tmp_path / "no-maps", [folder])
    assert src.tms
    assert TileRegistry.of([src]).tile(src.id, 2, 1, 1) == (RED, "image/png")


def test_xyz_paths_are_integers_inside_the_folder(tmp_path: Path) -> None:
    folder = make_xyz(tmp_path / "tiles", {(1, 0, 0): RED})
    secret = tmp_path / "secret.png"
    secret.write_bytes(BLUE)
    (tmp_path / "1").mkdir()
    (tmp_path / "1" / "0.png").write_bytes(BLUE)
    for z, x, y in [
        ("..", 0, 0),
        (1, "..", 0),
        (1, 0, "../../secret"),
        ("1", 0, 0),
        (1, 0, 0.0),
        (True, 0, 0),
        (1, 0, -1),
        (1, 0, 2),
        (99, 0, 0),
    ]:
        assert read_xyz_tile(folder, z, x, y) is None, (z, x, y)  # type: ignore[arg-type]
    # a symlink out of the folder is not followed
    link_dir = folder / "2" / "0"
    link_dir.mkdir(parents=True)
    (link_dir / "0.png").symlink_to(secret)
    assert read_xyz_tile(folder, 2, 0, 0) is None
    assert read_xyz_tile(folder, 1, 0, 0) == RED


def test_tile_urls_are_parsed_strictly() -> None:
    assert parse_tile_url("coptiles://cabo-delgado/2/1/3") == ("cabo-delgado", 2, 1, 3)
    assert parse_tile_url("coptiles://osm/2/1/3.png?x=1") == ("osm", 2, 1, 3)
    assert parse_tile_url("coptiles:osm/0/0/0") == ("osm", 0, 0, 0)
    for bad in [
        "coptiles://osm/../1/1",
        "coptiles://osm/1/1/../../etc",
        "coptiles://../1/0/0",
        "coptiles://osm/1/0/0/0",
        "coptiles://osm/1/-1/0",
        "coptiles://osm/1/+1/0",
        "coptiles://osm/1/2/0",
        "coptiles://osm/01/0/0",
        "coptiles://osm/1/0/0.svg",
        "coptiles://os%2Fm/1/0/0",
        "coptiles://osm/1/0x1/0",
        "coptiles://osm/1/1e1/0",
        "http://osm/1/0/0",
        "file:///etc/passwd",
    ]:
        assert parse_tile_url(bad) is None, bad


def test_the_registry_serves_images_with_their_type(maps_dir: Path, tmp_path: Path) -> None:
    folder = make_xyz(
        tmp_path / "x", {(0, 0, 0): b"\xff\xd8\xff\xe0jpeg", (1, 0, 0): b"<svg>not an image</svg>"}
    )
    registry = TileRegistry.of(discover_sources(maps_dir, [folder]))
    assert registry.tile_for_url("coptiles://cabo-delgado/1/1/0") == (BLUE, "image/png")
    assert registry.tile_for_url("coptiles://x/0/0/0") == (b"\xff\xd8\xff\xe0jpeg", "image/jpeg")
    assert registry.tile_for_url("coptiles://x/1/0/0") is None  # not an image
    assert registry.tile_for_url("coptiles://nope/1/0/0") is None
    assert registry.tile_for_url("coptiles://cabo-delgado/1/0/1") is None


def test_ids_are_unique_and_never_the_natural_earth_id(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    a = make_mbtiles(tmp_path / "a" / "Natural Earth.mbtiles", {(0, 0, 0): RED})
    b = make_xyz(tmp_path / "b" / "natural-earth", {(0, 0, 0): RED})
    c = make_xyz(tmp_path / "c" / "naturalearth", {(0, 0, 0): RED})
    ids = [s.id for s in discover_sources(tmp_path / "none", [a, b, c, b])]  # b twice: listed once
    assert ids == ["natural-earth", "natural-earth-2", "naturalearth-tiles"]


def test_online_sources_only_when_the_user_enables_one(tmp_path: Path) -> None:
    assert all_sources(maps_dir=tmp_path / "none", user_dir=tmp_path / "user") == []
    entry = {
        "url": "https://{s}.tiles.example.org/{z}/{x}/{y}.png",
        "name": "Example",
        "subdomains": "ab",
    }
    assert all_sources(online=[entry], maps_dir=tmp_path / "none", user_dir=tmp_path / "user") == []
    (src,) = all_sources(
        online=[{**entry, "enabled": True}], maps_dir=tmp_path / "none", user_dir=tmp_path / "user"
    )
    assert (src.kind, src.name, src.url_template) == ("url", "Example", entry["url"])
    assert allowed_prefixes([src]) == (
        "https://a.tiles.example.org/",
        "https://b.tiles.example.org/",
    )
    assert src.to_page()["subdomains"] == "ab"
    for bad in [
        "ftp://x/{z}/{x}/{y}",
        "https://x.org/tiles",
        "javascript:alert(1)//{z}{x}{y}",
        "https://u:p@x.org/{z}/{x}/{y}",
    ]:
        with pytest.raises(ValueError):
            url_source(bad)


def test_the_user_tiles_folder_is_searched(tmp_path: Path) -> None:
    user = make_xyz(tmp_path / "user" / "topo", {(0, 0, 0): RED}).parent
    assert [s.id for s in all_sources(maps_dir=tmp_path / "none", user_dir=user)] == ["topo"]
    assert tiles.user_tiles_dir().name == "tiles"


def test_cop_tiles_names_the_user_tiles_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_xyz(tmp_path / "mine" / "relief", {(0, 0, 0): RED})
    monkeypatch.setenv("COP_TILES", str(tmp_path / "mine"))
    assert tiles.user_tiles_dir() == tmp_path / "mine"
    assert [s.id for s in all_sources(maps_dir=tmp_path / "none")] == ["relief"]


def test_the_page_message(maps_dir: Path) -> None:
    message = sources_message(discover_sources(maps_dir), selected="cabo-delgado")
    assert message["op"] == "tiles.sources" and message["selected"] == "cabo-delgado"
    (page,) = message["sources"]
    assert page == {
        "id": "cabo-delgado",
        "name": "Cabo Delgado",
        "kind": "mbtiles",
        "minzoom": 1,
        "maxzoom": 2,
        "attribution": "© Survey",
        "url_template": "coptiles://cabo-delgado/{z}/{x}/{y}",
        "bounds": [39.5, -14.5, 41.0, -10.4],
    }
    assert set(message["labels"]) == {"naturalEarth", "grid", "northArrow", "north"}
    json.dumps(message)
