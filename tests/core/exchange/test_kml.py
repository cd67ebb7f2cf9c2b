"""KML and KMZ written by other tools (Google Earth, GIS cells): folders, styles,
placemarks without our ExtendedData."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from app.core.common.sidc import parse_sidc
from app.core.exchange.files import import_file
from app.core.exchange.queries import list_routes
from app.core.formats.errors import InteropError
from app.core.picture.queries import list_units, list_zones

GOOGLE_EARTH = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">
<Document>
  <name>GIS cell — situation 28 Nov</name>
  <Style id="red"><LineStyle><color>ff0000ff</color><width>2</width></LineStyle>
    <PolyStyle><color>7f0000ff</color></PolyStyle></Style>
  <StyleMap id="pin"><Pair><key>normal</key><styleUrl>#red</styleUrl></Pair></StyleMap>
  <Folder>
    <name>Flood</name>
    <Folder>
      <name>Messalo basin</name>
      <Placemark>
        <name>Messalo flood plain</name>
        <description><![CDATA[<b>Water</b> rising 20 cm/day]]></description>
        <styleUrl>#red</styleUrl>
        <Polygon><outerBoundaryIs><LinearRing><coordinates>
          39.8,-11.9,0 40.4123456789,-11.9,0 40.4,-11.6,0 39.8,-11.6,0 39.8,-11.9,0
        </coordinates></LinearRing></outerBoundaryIs>
        <innerBoundaryIs><LinearRing><coordinates>40.0,-11.8 40.1,-11.8 40.1,-11.7 40.0,-11.8</coordinates>
        </LinearRing></innerBoundaryIs></Polygon>
      </Placemark>
      <Placemark>
        <name>Second flooded area</name>
        <MultiGeometry>
          <Polygon><outerBoundaryIs><LinearRing><coordinates>39,-12 39.1,-12 39.1,-12.1 39,-12</coordinates></LinearRing></outerBoundaryIs></Polygon>
          <Polygon><outerBoundaryIs><LinearRing><coordinates>39.5,-12 39.6,-12 39.6,-12.1 39.5,-12</coordinates></LinearRing></outerBoundaryIs></Polygon>
        </MultiGeometry>
      </Placemark>
    </Folder>
  </Folder>
  <Folder><name>Sightings</name>
    <Placemark><name>Armed group seen</name><styleUrl>#pin</styleUrl>
      <Point><coordinates>40.301234567890123,-11.4,0</coordinates></Point></Placemark>
    <Placemark><name>Supply route</name><LineString><tessellate>1</tessellate>
      <coordinates>40.1,-12.9 40.2,-12.8 40.3,-12.7</coordinates></LineString></Placemark>
    <Placemark><name>Tour</name><gx:Track><when>2026-11-28T10:00:00Z</when></gx:Track></Placemark>
    <Placemark><name>Note without a place</name></Placemark>
  </Folder>
</Document>
</kml>"""


def test_a_google_earth_file_becomes_zones_units_and_routes(store, tmp_path: Path) -> None:
    path = tmp_path / "situation.kml"
    path.write_text(GOOGLE_EARTH, encoding="utf-8")
    result = import_file(store, path)
    assert (result.units, result.zones, result.routes, result.ignored) == (1, 2, 1, 2)
    zones = {z.name: z for z in list_zones(store)}
    flood = zones["Messalo flood plain"]
    assert flood.kind == "flood"  # from the folder's name
    assert flood.description == "<b>Water</b> rising 20 cm/day"  # text, kept as typed
    assert (
        len(flood.geometry["coordinates"]) == 2
        and [40.4123456789, -11.9] in flood.geometry["coordinates"][0]
    )
    assert zones["Second flooded area"].geometry["type"] == "MultiPolygon"
    [unit] = list_units(store)
    assert unit.name == "Armed group seen" and unit.lon == 40.301234567890123
    assert parse_sidc(unit.sidc).affiliation == "unknown"
    [route] = list_routes(store)
    assert route.name == "Supply route" and len(route.points) == 3


def test_a_kmz_reads_its_doc_kml(store, tmp_path: Path) -> None:
    path = tmp_path / "situation.kmz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("files/readme.txt", "pictures would be here")
        archive.writestr("doc.kml", GOOGLE_EARTH)
    assert import_file(store, path).zones == 2


def test_a_kmz_without_a_document_is_refused(store, tmp_path: Path) -> None:
    path = tmp_path / "empty.kmz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "nothing")
    with pytest.raises(InteropError, match="holds no KML document"):
        import_file(store, path)


def test_a_document_that_is_not_kml_is_refused(store, tmp_path: Path) -> None:
    path = tmp_path / "x.kml"
    path.write_text('<?xml version="1.0"?><gpx version="1.1"/>', encoding="utf-8")
    with pytest.raises(InteropError, match=r"is not a KML document \(it starts with <gpx>\)"):
        import_file(store, path)


def test_kml_without_a_namespace_is_read_too(store, tmp_path: Path) -> None:
    path = tmp_path / "plain.kml"
    path.write_text(
        "<kml><Document><Placemark><name>Checkpoint</name><Point><coordinates>40.5,-12.25"
        "</coordinates></Point></Placemark></Document></kml>",
        encoding="utf-8",
    )
    assert import_file(store, path).units == 1
    assert list_units(store)[0].name == "Checkpoint"
