"""Tasks as CSV: the documented header, a round trip that keeps every field,
re-import by id, refused files (naming the row, storing nothing), and the CLI."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.cli import main
from app.core.exchange.files import export_file, import_file
from app.core.formats.cells import escape_cell, unescape_cell
from app.core.formats.errors import InteropError
from app.core.picture.ops import add_units
from app.core.picture.queries import counts
from app.core.picture.records import UnitData
from app.core.store.engine import Store, open_store
from app.core.store.models import TaskHistory
from app.core.tasks.csv_file import HEADER
from app.core.tasks.ops import add_tasks, set_status
from app.core.tasks.queries import count_tasks, list_tasks
from app.core.tasks.records import TaskData

FRIEND_INF_COY = "10031000151211000000"
T0 = datetime(2026, 11, 28, 15, 30, 12, 345678, tzinfo=UTC)
GHOST = "01890a5d-ac96-774b-bcce-b302099a8057"  # a unit neither store holds yet
FIELDS = (
    "id",
    "reference",
    "title",
    "type",
    "description",
    "priority",
    "status",
    "assigned_units",
    "originator",
    "location",
    "start",
    "due",
    "classification",
    "releasable_to",
)
POLYGON = {
    "type": "Polygon",
    "coordinates": [
        [[40.123456789012, -12.0], [40.2, -12.0], [40.2, -12.2], [40.123456789012, -12.0]]
    ],
}
UNITS = [
    UnitData(
        name="A Coy",
        sidc=FRIEND_INF_COY,
        lat=-12.9,
        lon=40.4,
        callsign="ALPHA 1",
        id="0190a5d0-0000-7000-8000-000000000001",
    ),
    UnitData(
        name="B Coy",
        sidc=FRIEND_INF_COY,
        lat=-12.8,
        lon=40.3,
        callsign="BRAVO 2",
        id="0190a5d0-0000-7000-8000-000000000002",
    ),
    UnitData(
        name="Provincial office",
        sidc=FRIEND_INF_COY,
        lat=-12.7,
        lon=40.2,
        id="0190a5d0-0000-7000-8000-000000000003",
    ),
]
ALPHA, BRAVO, NO_CALLSIGN = (u.id for u in UNITS)


def _open(path: Path, site: str) -> Store:
    s = open_store(path, operator="tester", site_name=site)
    add_units(s, [UnitData(**{f: getattr(u, f) for f in u.__dataclass_fields__}) for u in UNITS])
    return s


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Store]:
    s = _open(tmp_path / "source.sqlite", "TEST HQ")
    yield s
    s.close()


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Store]:
    s = _open(tmp_path / "target.sqlite", "JOC Alpha")
    yield s
    s.close()


def _fill(store: Store) -> list[str]:
    return add_tasks(
        store,
        [
            TaskData(
                title="Escort WFP convoy, Pemba airhead -> Camp North",
                type="escort",
                description='18 trucks; "food" only.\nReport at Sunate, 0600Z; à bientôt',
                priority="immediate",
                status="assigned",
                assigned_units=[BRAVO, ALPHA],
                originator="CORAL 6 G3",
                location={"type": "Point", "coordinates": [40.506123456789, -12.963987654321]},
                start=T0,
                due=T0 + timedelta(hours=4, microseconds=1),
                classification="NATO RESTRICTED",
                releasable_to=["NATO", "UN", "IRL"],
            ),
            TaskData(
                title='=HYPERLINK("http://evil")',
                type="route clearance",
                description="-2 vehicles\r\nsecond line",
                priority="flash",
                status="blocked",
                assigned_units=[NO_CALLSIGN, GHOST],
                originator="@ops",
                location=POLYGON,
                classification="UNCLASSIFIED",
                releasable_to="PUBLIC",
            ),
            TaskData(
                title="'quoted' title",
                type="search and rescue",
                reference="OPS/17",
                releasable_to=[],
                classification="NATO CONFIDENTIAL",
            ),
        ],
    )


def _fields(store: Store) -> dict[str, dict[str, object]]:
    return {r.id: {f: getattr(r, f) for f in FIELDS} for r in list_tasks(store)}


def _history(store: Store) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count()).select_from(TaskHistory)) or 0)


def _state(store: Store) -> tuple[int, int, int]:
    return count_tasks(store), counts(store)["changes"], _history(store)


def _read(path: Path) -> list[list[str]]:
    # bytes, not read_text(): a line break inside a cell must stay as written
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))


# --------------------------------------------------------------------------- export


def test_export_writes_the_documented_header_and_one_row_per_task(
    source: Store, tmp_path: Path
) -> None:
    ids = _fill(source)
    out = tmp_path / "tasks.csv"
    result = export_file(source, out, "csv", kind="tasks")
    assert result.features == 3 and str(result) == "Wrote 3 tasks to tasks.csv"
    rows = _read(out)
    assert rows[0] == list(HEADER)
    assert ",".join(rows[0]) == (
        "id,reference,title,type,description,priority,status,assigned_units,originator,"
        "location,start,due,classification,releasable_to"
    )
    body = {row[0]: dict(zip(HEADER, row, strict=True)) for row in rows[1:]}
    assert set(body) == set(ids)
    escort = body[ids[0]]
    assert escort["reference"] == "TESTHQ-0001"
    assert escort["status"] == "assigned" and escort["priority"] == "immediate"
    assert escort["assigned_units"] == "BRAVO 2;ALPHA 1"
    assert escort["start"] == "2026-11-28T15:30:12.345678Z"
    assert escort["releasable_to"] == "NATO;UN;IRL"
    blocked = body[ids[1]]
    # a unit without a callsign, and one the store does not hold, are written as ids
    assert blocked["assigned_units"] == f"{NO_CALLSIGN};{GHOST}"
    # cells a spreadsheet would run as formulas are neutralised
    assert blocked["title"].startswith("'=") and blocked["originator"] == "'@ops"
    assert blocked["description"].startswith("'-2")
    assert blocked["releasable_to"] == "PUBLIC" and blocked["due"] == ""
    assert body[ids[2]]["releasable_to"] == "NOT RELEASABLE"


def test_escaping_round_trips() -> None:
    for text in ("", "plain", "=1+1", "+x", "-3", "@a", "'", "''", "'=x", "'abc", "\tx", "a=b"):
        assert unescape_cell(escape_cell(text)) == text, text


# --------------------------------------------------------------------------- round trip


def test_round_trip_keeps_every_field(source: Store, target: Store, tmp_path: Path) -> None:
    _fill(source)
    out = tmp_path / "tasks.csv"
    export_file(source, out, "csv", kind="tasks")
    result = import_file(target, out)
    assert (result.units, result.zones, result.tasks) == (0, 0, 3)
    assert str(result) == "Imported 3 tasks from tasks.csv"
    src, dst = _fields(source), _fields(target)
    assert dst == src
    # spot checks against what was put in
    escort = next(v for v in dst.values() if v["type"] == "escort")
    assert escort["assigned_units"] == (BRAVO, ALPHA)
    assert escort["description"] == '18 trucks; "food" only.\nReport at Sunate, 0600Z; à bientôt'
    assert escort["due"] == T0 + timedelta(hours=4, microseconds=1)
    assert escort["location"] == {
        "type": "Point",
        "coordinates": [40.506123456789, -12.963987654321],
    }
    blocked = next(v for v in dst.values() if v["status"] == "blocked")
    assert blocked["title"] == '=HYPERLINK("http://evil")'
    assert blocked["description"] == "-2 vehicles\r\nsecond line"
    assert blocked["assigned_units"] == (NO_CALLSIGN, GHOST)
    assert blocked["location"] == POLYGON
    hidden = next(v for v in dst.values() if v["reference"] == "OPS/17")
    assert hidden["title"] == "'quoted' title" and not hidden["releasable_to"].codes  # type: ignore[union-attr]
    # the references came with the tasks, whatever this site's own prefix
    assert {v["reference"] for v in dst.values()} == {"TESTHQ-0001", "TESTHQ-0002", "OPS/17"}


def test_reimport_updates_by_id(source: Store, target: Store, tmp_path: Path) -> None:
    ids = _fill(source)
    out = tmp_path / "tasks.csv"
    export_file(source, out, "csv", kind="tasks")
    import_file(target, out)
    first = _state(target)
    import_file(target, out)  # identical: nothing new, nothing changed
    assert _state(target) == first

    rows = _read(out)
    col = {name: HEADER.index(name) for name in HEADER}
    for row in rows[1:]:
        if row[0] == ids[0]:
            row[col["title"]] = "Escort WFP convoy (re-planned)"
            row[col["status"]] = "in_progress"
            row[col["assigned_units"]] = "ALPHA 1"
            row[col["due"]] = "281800ZNOV26"  # a DTG is accepted
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    out.write_bytes(buffer.getvalue().encode("utf-8"))
    import_file(target, out)
    assert count_tasks(target) == 3
    changed = next(r for r in list_tasks(target) if r.id == ids[0])
    assert changed.title == "Escort WFP convoy (re-planned)"
    assert changed.status == "in_progress"
    assert changed.assigned_units == (ALPHA,)
    assert changed.due == datetime(2026, 11, 28, 18, 0, tzinfo=UTC)
    assert counts(target)["changes"] == first[1] + 1


def test_a_minimal_hand_made_file(target: Store, tmp_path: Path) -> None:
    path = tmp_path / "new.csv"
    path.write_bytes(
        "\ufefftitle,Status,assigned_units,type,priority,due\n"
        "Patrol Metuge,Assigned,alpha 1,Patrol,FLASH,2026-11-29\n"
        "Recce Chai,in progress,ALPHA 1; BRAVO 2 ,route-clearance,,281530ZNOV26\n"
        ",,,,,\n"
        "Liaison visit,,,,,\n".encode()
    )
    assert import_file(target, path).tasks == 3
    rows = {r.title: r for r in list_tasks(target)}
    assert rows["Patrol Metuge"].status == "assigned" and rows["Patrol Metuge"].priority == "flash"
    assert rows["Patrol Metuge"].type == "patrol"
    assert rows["Patrol Metuge"].due == datetime(2026, 11, 29, tzinfo=UTC)
    assert rows["Recce Chai"].assigned_units == (ALPHA, BRAVO)
    assert rows["Recce Chai"].type == "route clearance"
    assert rows["Liaison visit"].status == "draft" and rows["Liaison visit"].type == "other"
    assert str(rows["Liaison visit"].releasable_to) == "PUBLIC"
    assert sorted(r.reference for r in rows.values()) == [
        "JOCALP-0001",
        "JOCALP-0002",
        "JOCALP-0003",
    ]


# --------------------------------------------------------------------------- refused files


def _write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


HEAD = ",".join(HEADER)


def _line(
    title: str, status: str = "draft", units: str = "", due: str = "", task_id: str = ""
) -> str:
    cells = {"title": title, "status": status, "assigned_units": units, "due": due, "id": task_id}
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow([cells.get(name, "") for name in HEADER])
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            [_line("a"), _line("b", "assigned", "ALPHA 1"), _line("c", "teleported")],
            "row 4: unknown status 'teleported'",
        ),
        (
            [_line("a"), _line("b", due="321530ZNOV26")],
            "row 3: due: '321530ZNOV26' is not a real date",
        ),
        (
            [_line("a"), _line("b", due="tomorrow")],
            "row 3: due: 'tomorrow' is not a date-time group",
        ),
        (
            [_line("a"), _line("b"), _line("c", "assigned", "ALPHA 1;BRAVO 9")],
            "row 4: unknown unit 'BRAVO 9'",
        ),
        (
            [_line("a", "assigned")],
            "row 2: a task that is assigned needs at least one assigned unit",
        ),
        ([_line("a"), _line("")], "row 3: a task needs a title"),
        (
            [_line("a", task_id=GHOST), _line("b", task_id=GHOST)],
            f"row 3: task id '{GHOST}' is already on row 2",
        ),
    ],
)
def test_a_bad_file_is_refused_naming_the_row_and_nothing_is_stored(
    source: Store, tmp_path: Path, lines: list[str], message: str
) -> None:
    _fill(source)
    before = _state(source)
    path = _write(tmp_path / "bad.csv", HEAD, *lines)
    with pytest.raises(InteropError) as info:
        import_file(source, path)
    assert message in str(info.value)
    assert _state(source) == before


def test_the_workflow_applies_to_an_import(source: Store, tmp_path: Path) -> None:
    ids = _fill(source)
    out = tmp_path / "tasks.csv"
    export_file(source, out, "csv", kind="tasks")
    set_status(source, ids[0], "cancelled")  # the file still says "assigned": a reopening
    before = _state(source)
    with pytest.raises(InteropError) as info:
        import_file(source, out)
    message = str(info.value)
    row = next(n for n, r in enumerate(_read(out), start=1) if r[0] == ids[0])
    assert message.startswith(f"row {row}: cannot change the status from cancelled to assigned")
    assert "needs a reason" in message
    assert _state(source) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "bad.csv is empty"),
        ("title,colour\nx,red\n", "unknown column 'colour'"),
        ("id,status\nx,draft\n", "the header has no 'title' column"),
        ("title,title\nx,y\n", "the column 'title' appears twice"),
        ("title\nx,y\n", "row 2: it has 2 cells, the header has 1"),
        ("title,location\nx,{oops\n", "row 2: location: not GeoJSON text"),
        (
            'title,location\nx,"{""type"": ""LineString"", ""coordinates"": [[1, 2], [3, 4]]}"\n',
            "row 2: the location must be a GeoJSON Point or Polygon",
        ),
        ("title,releasable_to\nx,NATO;ATLANTIS\n", "row 2:"),
        ("title,type\nx,ambush\n", "row 2: unknown task type 'ambush'"),
    ],
)
def test_malformed_files_are_refused(
    source: Store, tmp_path: Path, content: str, message: str
) -> None:
    before = _state(source)
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InteropError) as info:
        import_file(source, path, kind="tasks")
    assert message in str(info.value)
    assert _state(source) == before


def test_not_utf8_is_refused(source: Store, tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("title\ncaf\xe9\n".encode("latin-1"))
    with pytest.raises(InteropError, match="not UTF-8"):
        import_file(source, path)


def test_a_csv_that_is_not_tasks_needs_a_kind(source: Store, tmp_path: Path) -> None:
    path = _write(tmp_path / "other.csv", "name,lat,lon", "x,1,2")
    with pytest.raises(InteropError, match="give --kind"):
        import_file(source, path)
    with pytest.raises(InteropError, match="unknown kind of record 'widgets'"):
        import_file(source, path, kind="widgets")
    with pytest.raises(InteropError, match="no HXL tag row"):  # stock, needs, presence: HXL tables
        import_file(source, path, kind="stock")
    with pytest.raises(InteropError, match="needs a kind of record"):
        export_file(source, tmp_path / "x.csv", "csv")


# --------------------------------------------------------------------------- command line


def test_cli_export_and_import_of_tasks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, other = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    out = tmp_path / "tasks.csv"
    assert main(["--db", str(db), "demo"]) == 0
    assert (
        main(["--db", str(db), "export", "--format", "csv", "--kind", "tasks", "--out", str(out)])
        == 0
    )
    printed = capsys.readouterr().out
    rows = _read(out)
    assert rows[0] == list(HEADER)
    n = len(rows) - 1
    assert n >= 25 and f"Wrote {n} tasks to tasks.csv" in printed
    # the other store needs the units the tasks name: the picture first, then the CSV
    picture = tmp_path / "picture.geojson"
    assert main(["--db", str(db), "export", "--format", "geojson", "--out", str(picture)]) == 0
    assert main(["--db", str(other), "import", str(picture)]) == 0
    assert main(["--db", str(other), "import", str(out)]) == 0
    assert f"Imported {n} tasks from tasks.csv" in capsys.readouterr().out
    assert main(["--db", str(other), "import", str(out), "--format", "csv", "--kind", "tasks"]) == 0
    a, b = open_store(db, operator="x"), open_store(other, operator="x")
    try:
        assert _fields(b) == _fields(a)
    finally:
        a.close()
        b.close()
    assert main(["--db", str(other), "db", "status"]) == 0
    assert f"Tasks: {n}" in capsys.readouterr().out


def test_cli_refuses_a_bad_csv_with_the_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "a.sqlite"
    assert main(["--db", str(db), "demo"]) == 0
    bad = _write(
        tmp_path / "bad.csv",
        HEAD,
        _line("fine"),
        _line("x", "assigned", "TRIDENT 1"),
        _line("y", "teleported"),
    )
    s = open_store(db, operator="x")
    before = _state(s)
    s.close()
    capsys.readouterr()
    assert main(["--db", str(db), "import", str(bad)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("coalition-cop: error: row 4: unknown status 'teleported'")
    s = open_store(db, operator="x")
    try:
        assert _state(s) == before
    finally:
        s.close()


def test_cli_csv_export_needs_a_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "--db",
                str(tmp_path / "a.sqlite"),
                "export",
                "--format",
                "csv",
                "--out",
                str(tmp_path / "t.csv"),
            ]
        )
        == 2
    )
    assert "--kind" in capsys.readouterr().err
    assert (
        main(
            [
                "--db",
                str(tmp_path / "a.sqlite"),
                "export",
                "--format",
                "csv",
                "--kind",
                "stock",
                "--out",
                "x.csv",
            ]
        )
        == 2
    )
    assert "--kind stock is written as HXL" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(
            [
                "--db",
                str(tmp_path / "a.sqlite"),
                "export",
                "--format",
                "csv",
                "--kind",
                "widgets",
                "--out",
                "x.csv",
            ]
        )
    assert info.value.code == 2


def test_cli_export_for_a_partner(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "a.sqlite"
    assert main(["--db", str(db), "demo"]) == 0
    full, wfp = tmp_path / "full.csv", tmp_path / "wfp.csv"
    assert (
        main(["--db", str(db), "export", "--format", "csv", "--kind", "tasks", "--out", str(full)])
        == 0
    )
    assert (
        main(
            [
                "--db",
                str(db),
                "export",
                "--format",
                "csv",
                "--kind",
                "tasks",
                "--out",
                str(wfp),
                "--releasable-to",
                "WFP",
            ]
        )
        == 0
    )
    everything, released = _read(full)[1:], _read(wfp)[1:]
    assert 0 < len(released) < len(everything)
    rel = HEADER.index("releasable_to")
    for row in released:
        codes = set(row[rel].split(";"))
        assert codes & {"PUBLIC", "UN", "WFP"}, codes
