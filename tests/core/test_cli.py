"""The command line, run in-process: demo, export/import, errors, usage, site."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.core.picture.queries import counts, list_units
from app.core.store.engine import open_store


def _counts(path: Path) -> dict[str, int]:
    store = open_store(path, operator="tester")
    try:
        return counts(store)
    finally:
        store.close()


def _one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("coalition-cop: error:"), err
    return lines[0]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "cop.sqlite"


@pytest.fixture
def demo_db(db: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    assert main(["--db", str(db), "demo"]) == 0
    capsys.readouterr()
    return db


def test_demo_loads_a_picture(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(db), "--operator", "Lt Martin", "demo"]) == 0
    out = capsys.readouterr().out
    c = _counts(db)
    assert c["units"] >= 40
    assert c["zones"] >= 8
    assert str(c["units"]) in out and str(c["zones"]) in out
    store = open_store(db, operator="tester")
    try:
        units = list_units(store)
        assert len({u.nation for u in units if u.nation}) >= 6
        assert {"friend", "neutral", "hostile", "unknown"} <= {u.affiliation for u in units}
    finally:
        store.close()


def test_demo_again_with_the_same_seed_does_not_duplicate(
    demo_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _counts(demo_db)
    assert main(["--db", str(demo_db), "demo"]) == 0
    second = _counts(demo_db)
    assert (second["units"], second["zones"]) == (first["units"], first["zones"])


def test_demo_scales(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(db), "demo", "--units", "300", "--zones", "20"]) == 0
    c = _counts(db)
    assert (c["units"], c["zones"]) == (300, 20)


def test_demo_refuses_too_many_units(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(db), "demo", "--units", "100001"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage:")
    last = err.strip().splitlines()[-1]
    assert last.startswith("coalition-cop: error:") and "--units" in last
    assert not db.exists() or _counts(db)["units"] == 0


def test_export_then_import_reproduces_the_picture(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "picture.geojson"
    assert main(["--db", str(demo_db), "export", "--format", "geojson", "--out", str(out)]) == 0
    source = _counts(demo_db)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    kinds = [f["properties"]["kind"] for f in data["features"]]
    # the demo's tasks with a location are features too (kind "task")
    supply = kinds.count("supply_site") + kinds.count(
        "shipment"
    )  # the demo's supply sites and shipments
    assert supply == 8 + 7  # the charter from Nacala has no origin site on the map
    assert len(kinds) - kinds.count("task") - supply == source["units"] + source["zones"]
    assert str(len(data["features"])) in capsys.readouterr().out

    other = tmp_path / "other.sqlite"
    assert main(["--db", str(other), "import", str(out)]) == 0
    assert "Imported" in capsys.readouterr().out
    copy = _counts(other)
    assert (copy["units"], copy["zones"]) == (source["units"], source["zones"])

    a = open_store(demo_db, operator="tester")
    b = open_store(other, operator="tester")
    try:
        assert {u.id for u in list_units(a)} == {u.id for u in list_units(b)}
        assert a.site.site_id != b.site.site_id
    finally:
        a.close()
        b.close()


def test_export_releasable_to_filters(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    full, ukr = tmp_path / "full.geojson", tmp_path / "ukr.geojson"
    assert main(["--db", str(demo_db), "export", "--format", "geojson", "--out", str(full)]) == 0
    assert (
        main(
            [
                "--db",
                str(demo_db),
                "export",
                "--format",
                "geojson",
                "--out",
                str(ukr),
                "--releasable-to",
                "ukr",
            ]
        )
        == 0
    )
    everything = json.loads(full.read_text(encoding="utf-8"))["features"]
    released = json.loads(ukr.read_text(encoding="utf-8"))["features"]
    assert 0 < len(released) < len(everything)  # the demo has NATO-only records
    for feature in released:
        codes = set(feature["properties"]["releasable_to"])
        assert codes & {"PUBLIC", "UKR"}, codes


def test_import_of_a_bad_file_changes_nothing(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.geojson"
    bad.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [20.0, 40.0]},
                        "properties": {"name": "Fine", "sidc": "10031000151211000000"},
                    },
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [200.0, 40.0]},
                        "properties": {"name": "Off the map", "sidc": "10031000151211000000"},
                    },
                ],
            }
        ),
        encoding="utf-8",
    )
    before = _counts(demo_db)
    assert main(["--db", str(demo_db), "import", str(bad)]) == 1
    captured = capsys.readouterr()
    line = _one_error_line(captured.err)
    assert "feature 2" in line and "longitude 200" in line
    assert "Traceback" not in captured.err
    assert _counts(demo_db) == before


def test_import_of_a_truncated_file_changes_nothing(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "picture.geojson"
    assert main(["--db", str(demo_db), "export", "--format", "geojson", "--out", str(out)]) == 0
    raw = out.read_bytes()
    out.write_bytes(raw[: len(raw) // 2])
    capsys.readouterr()
    before = _counts(demo_db)
    assert main(["--db", str(demo_db), "import", str(out)]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert "picture.geojson" in line
    assert _counts(demo_db) == before


def test_import_of_a_missing_file(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _counts(demo_db)
    assert main(["--db", str(demo_db), "import", str(tmp_path / "nowhere.geojson")]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert "nowhere.geojson" in line
    assert _counts(demo_db) == before


def test_export_without_out_is_a_usage_error(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--db", str(db), "export", "--format", "geojson"])
    assert info.value.code == 2
    assert "--out" in capsys.readouterr().err


def test_unknown_command_is_a_usage_error(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--db", str(db), "frobnicate"])
    assert info.value.code == 2
    assert "frobnicate" in capsys.readouterr().err


def test_unknown_export_format_is_a_usage_error(db: Path, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--db", str(db), "export", "--format", "shapefile", "--out", str(tmp_path / "x.shp")])
    assert info.value.code == 2


def test_site_show_prints_the_site_id(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(db), "site", "show"]) == 0
    out = capsys.readouterr().out
    store = open_store(db, operator="tester")
    try:
        assert store.site.site_id in out
        assert store.site.partner in out
    finally:
        store.close()
    # the same site on every run
    assert main(["--db", str(db), "site", "show"]) == 0
    assert capsys.readouterr().out == out


def test_db_pointing_at_a_folder_fails_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    for argv in (["site", "show"], ["demo"], ["db", "upgrade"]):
        assert main(["--db", str(folder), *argv]) == 1, argv
        line = _one_error_line(capsys.readouterr().err)
        assert str(folder) in line, line
    assert list(folder.iterdir()) == []
