"""Hostile input: each case refused with a clear message, the store unchanged,
memory bounded."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from app.core.exchange.files import export_file, import_file
from app.core.formats.cot import safe_parser
from app.core.formats.errors import InteropError
from app.core.picture.queries import counts
from app.core.store.engine import Store
from tests.core.formats.test_cot import atom

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<event version="2.0" uid="bomb" type="a-f-G" time="2026-11-28T15:30:00Z" start="2026-11-28T15:30:00Z"
 stale="2026-11-28T15:40:00Z"><point lat="0" lon="0" hae="0" ce="0" le="0"/>
 <detail><remarks>&lol9;</remarks></detail></event>"""

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE event [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<event version="2.0" uid="xxe" type="a-f-G" time="2026-11-28T15:30:00Z" start="2026-11-28T15:30:00Z"
 stale="2026-11-28T15:40:00Z"><point lat="0" lon="0" hae="0" ce="0" le="0"/>
 <detail><remarks>&secret;</remarks></detail></event>"""

KML_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
)
KML_TAIL = b"</Document></kml>"


def kml_doc(*placemarks: str) -> bytes:
    return KML_HEAD + "".join(placemarks).encode() + KML_TAIL


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _snapshot(store: Store) -> dict[str, int]:
    from sqlalchemy import func, select

    from app.core.store.models import ChatMessage, CotIdentity, Route, UnitPosition

    state = dict(counts(store))
    with store.session() as session:
        for model in (Route, ChatMessage, CotIdentity, UnitPosition):
            state[model.__tablename__] = (
                session.scalar(select(func.count()).select_from(model)) or 0
            )
    return state


@pytest.fixture
def seeded(store: Store, tmp_path: Path) -> Store:
    path = tmp_path / "seed.cot"
    path.write_text(atom("SEED-1"), encoding="utf-8")
    import_file(store, path)
    return store


CASES: dict[str, tuple[str, bytes, str]] = {
    "xml bomb (CoT)": ("bomb.cot", BOMB, "DOCTYPE and entity declarations are not allowed"),
    "xml bomb (KML)": (
        "bomb.kml",
        BOMB.replace(b"<event", b"<kml><event").replace(b"</event>", b"</event></kml>"),
        "DOCTYPE and entity declarations are not allowed",
    ),
    "external entity": (
        "xxe.cot",
        EXTERNAL,
        "line 2: DOCTYPE and entity declarations are not allowed",
    ),
    "invalid UTF-8": (
        "bad.cot",
        atom("U-1").encode().replace(b"VIPER 6", b"VIPER \xff\xfe"),
        r"line 2: the text is not valid UTF-8",
    ),
    "truncated CoT": ("cut.cot", atom("C-1").encode()[:-40], "line 2: not well-formed XML"),
    "latitude 91 (CoT)": ("lat.cot", atom("L-1", lat=91.0).encode(), "latitude 91 is out of range"),
    "latitude 91 (KML)": (
        "lat.kml",
        kml_doc(
            "<Placemark><name>Far north</name><Point><coordinates>40,91"
            "</coordinates></Point></Placemark>"
        ),
        r"placemark 1 'Far north' \(line 1\): latitude 91 is out of range",
    ),
    "polygon of 2 points (KML)": (
        "thin.kml",
        kml_doc(
            "<Placemark><name>Sliver</name><Polygon><outerBoundaryIs><LinearRing><coordinates>"
            "40,-12 40.1,-12.1 40,-12</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>"
        ),
        "at least 3 distinct points, it has 2",
    ),
    "polygon of 2 points (CoT)": (
        "thin.cot",
        atom("T-1", "u-d-f", detail='<link point="-12,40"/><link point="-12.1,40"/>'),
        "at least 3 distinct points, it has 2",
    ),
    "truncated KMZ": (
        "cut.kmz",
        zip_bytes({"doc.kml": kml_doc() * 50})[:-30],
        "not a readable zip archive",
    ),
    "zip-slip KMZ": (
        "slip.kmz",
        zip_bytes({"doc.kml": kml_doc(), "../../evil.kml": kml_doc()}),
        "'../../evil.kml' points outside the archive",
    ),
    "zip-slip data package": (
        "slip.zip",
        zip_bytes(
            {
                "MANIFEST/manifest.xml": b'<MissionPackageManifest version="2"><Contents>'
                b'<Content zipEntry="/etc/cron.d/x.cot"/></Contents></MissionPackageManifest>',
                "/etc/cron.d/x.cot": atom("Z-1").encode(),
            }
        ),
        "points outside the archive",
    ),
    "truncated data package": (
        "cut.zip",
        zip_bytes({"MANIFEST/manifest.xml": b"<x/>", "a.cot": atom().encode() * 30})[:-200],
        "not a readable zip archive",
    ),
    "package without manifest": (
        "nomani.zip",
        zip_bytes({"a.cot": atom().encode()}),
        "not a TAK data package: it has no MANIFEST/manifest.xml",
    ),
    "manifest naming a missing file": (
        "missing.zip",
        zip_bytes(
            {
                "MANIFEST/manifest.xml": b'<MissionPackageManifest version="2"><Contents>'
                b'<Content zipEntry="gone/gone.cot"/></Contents></MissionPackageManifest>'
            }
        ),
        "the manifest lists 'gone/gone.cot', which is not in the package",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_input_is_refused_clearly_and_changes_nothing(
    seeded: Store, tmp_path: Path, case: str
) -> None:
    name, data, message = CASES[case]
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    before = _snapshot(seeded)
    with pytest.raises(InteropError, match=message):
        import_file(seeded, path)
    assert _snapshot(seeded) == before


def test_a_100_mb_file_is_refused_unread_with_memory_bounded(seeded: Store, tmp_path: Path) -> None:
    for name in ("huge.cot", "huge.kml", "huge.kmz", "huge.zip"):
        path = tmp_path / name
        with path.open("wb") as handle:
            handle.truncate(100 * 1024 * 1024)
        before = _snapshot(seeded)
        tracemalloc.start()
        try:
            with pytest.raises(InteropError, match="is too large"):
                import_file(seeded, path)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < 5 * 1024 * 1024, name
        assert _snapshot(seeded) == before


def test_a_zip_bomb_is_refused_before_it_is_unpacked(seeded: Store, tmp_path: Path) -> None:
    path = tmp_path / "bomb.kmz"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for n in range(3):
            archive.writestr(f"layer{n}.kml", b"\0" * (100 * 1024 * 1024))
    path.write_bytes(buffer.getvalue())
    assert path.stat().st_size < 2 * 1024 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(InteropError, match="would unpack to"):
            import_file(seeded, path)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024


def test_the_parser_itself_neither_expands_entities_nor_reads_files() -> None:
    # the pre-check refuses these first; the parser is the second line of defence
    try:
        root = etree.fromstring(BOMB, safe_parser())
    except etree.XMLSyntaxError:
        pass
    else:
        assert len("".join(root.itertext())) < 1000
    try:
        root = etree.fromstring(EXTERNAL, safe_parser())
    except etree.XMLSyntaxError:
        pass
    else:
        assert "root:" not in "".join(root.itertext())


def test_what_a_user_typed_is_escaped_in_every_export(store: Store, tmp_path: Path) -> None:
    from app.core.exchange.kml import read_kml
    from app.core.formats.cot import parse_events
    from app.core.picture.ops import add_units
    from app.core.picture.records import UnitData

    nasty = '</remarks><script>alert("x")</script>&amp; ]]>'
    add_units(
        store,
        [
            UnitData(
                name=nasty,
                callsign="A&B <C>",
                sidc="10031000151211000000",
                lat=-12,
                lon=40,
                remarks=nasty,
            )
        ],
    )
    for fmt in ("cot", "kml"):
        out = tmp_path / f"n.{fmt}"
        export_file(store, out, fmt)
        data = out.read_bytes()
        assert b"<script>" not in data
        if fmt == "cot":
            [event] = parse_events(data, out.name)
            assert event.remarks == nasty and event.callsign == "A&B <C>"
        else:
            [report] = read_kml(data, out.name).units
            assert report.data.name == nasty


def test_a_package_listing_one_entry_many_times_reads_it_once(
    seeded: Store, tmp_path: Path
) -> None:
    before = counts(seeded)["units"]
    path = tmp_path / "repeat.zip"
    listing = "".join('<Content ignore="false" zipEntry="tracks.cot"/>' for _ in range(20_000))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "MANIFEST/manifest.xml",
            f'<MissionPackageManifest version="2"><Contents>{listing}</Contents></MissionPackageManifest>',
        )
        archive.writestr("tracks.cot", atom("ANDROID-r1"))
    import_file(seeded, path)
    assert counts(seeded)["units"] == before + 1
