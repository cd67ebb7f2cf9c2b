"""The audit trail: who changed what, when, filtered and exported."""

from __future__ import annotations

import csv
from pathlib import Path

from app.cli import main
from app.core.picture.ops import add_units, add_zones, move_units
from app.core.picture.records import UnitData, ZoneData
from app.core.store.audit import AuditFilter, audit_count, audit_page, audit_rows, export_audit
from app.core.store.engine import open_store

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[40, -12], [40.1, -12], [40.1, -11.9], [40, -11.9], [40, -12]]],
}


def _store(tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "a.sqlite"
    alice = open_store(path, operator="alice")
    [uid] = add_units(
        alice,
        [
            UnitData(
                name='=HYPERLINK("x")', callsign="A1", sidc="10031000001211000000", lat=-12, lon=40
            )
        ],
    )
    alice.close()
    bob = open_store(path, operator="bob")
    move_units(bob, [(uid, -12.5, 40.5)])
    add_zones(bob, [ZoneData(name="Minefield Alpha", kind="no-go", severity=5, geometry=SQUARE)])
    return bob, uid


def test_every_change_names_who_made_it_newest_first(tmp_path: Path) -> None:
    store, uid = _store(tmp_path)
    try:
        rows = audit_rows(store)
        assert [(r.who, r.kind, r.op) for r in rows] == [
            ("bob", "crisis_zone", "insert"),
            ("bob", "unit", "update"),
            ("alice", "unit", "insert"),
        ]
        assert rows[0].record == "Minefield Alpha"
        assert rows[1].record_id == uid and "lat=-12.5" in rows[1].fields
        assert [r.who for r in audit_rows(store, AuditFilter(who="alice"))] == ["alice"]
        assert [r.kind for r in audit_rows(store, AuditFilter(kind="crisis_zone"))] == [
            "crisis_zone"
        ]
        assert audit_count(store, AuditFilter(text="Minefield")) == 1
    finally:
        store.close()


def test_the_page_the_audit_dock_shows(tmp_path: Path) -> None:
    store, uid = _store(tmp_path)
    try:
        page = audit_page(store, AuditFilter(kind="unit"), limit=1)
        assert [(r.who, r.op, r.record_id) for r in page.rows] == [("bob", "update", uid)]
        assert page.total == 2  # both unit changes match; only the newest is shown
        who, kinds = page.choices
        assert who == ["alice", "bob"] and kinds == ["crisis_zone", "unit"]
    finally:
        store.close()


def test_the_export_holds_every_change_and_no_formula_a_spreadsheet_would_run(
    tmp_path: Path,
) -> None:
    store, _uid = _store(tmp_path)
    try:
        n = export_audit(store, tmp_path / "audit.csv")
    finally:
        store.close()
    with (tmp_path / "audit.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert n == len(rows) == 3
    assert [r["who"] for r in rows] == ["alice", "bob", "bob"]  # oldest first
    assert rows[0]["record"].startswith("'=HYPERLINK")


def test_the_audit_command_filters_and_exports(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    store, _uid = _store(tmp_path)
    store.close()
    db = str(tmp_path / "a.sqlite")
    assert main(["--db", db, "audit", "--who", "bob"]) == 0
    out = capsys.readouterr().out
    assert "Minefield Alpha" in out and "alice" not in out
    assert main(["--db", db, "audit", "--kind", "unit", "--out", str(tmp_path / "u.csv")]) == 0
    assert len((tmp_path / "u.csv").read_text().splitlines()) == 3  # header + 2
    assert main(["--db", db, "audit", "--since", "yesterday"]) == 2
