"""The Units dock's reads: after a change, the rows still alive and the ids removed."""

from __future__ import annotations

from typing import Any

from app.core.picture.ops import add_units, delete_records
from app.core.picture.queries import changed_units
from app.core.picture.records import UnitData
from app.core.store.models import Unit


def test_changed_units_gives_the_live_rows_and_the_removed_ids(store: Any) -> None:
    alpha, bravo = add_units(
        store,
        [
            UnitData(name="Alpha", callsign="A1", sidc="10031000001211000000", lat=-12, lon=40),
            UnitData(name="Bravo", callsign="B1", sidc="10031000001211000000", lat=-13, lon=41),
        ],
    )
    delete_records(store, Unit, [bravo])
    rows, removed = changed_units(store, {alpha, bravo, "never-stored"})
    assert [(r.id, r.name, r.callsign, r.lat) for r in rows] == [(alpha, "Alpha", "A1", -12)]
    assert removed == {bravo, "never-stored"}
    assert changed_units(store, []) == ([], set())
