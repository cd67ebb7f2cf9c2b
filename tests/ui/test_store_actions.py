"""File > Back up and File > Restore, as the user does them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.core.picture.queries import list_units
from app.core.store import safety
from app.core.store.engine import open_store


def test_backing_up_from_the_file_menu_writes_a_store_the_app_can_open(
    window: Any, qtbot: Any, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "copy.sqlite"
    window.store_actions.backup(target)
    qtbot.waitUntil(target.exists, timeout=10000)
    copy = open_store(target)
    try:
        assert sorted(u.name for u in list_units(copy)) == sorted(
            u.name for u in list_units(window.ctx.store)
        )
    finally:
        copy.close()
    assert window.store_actions.backup_action.text().startswith("&Back up")
    assert window.store_actions.backup_action in window.file_menu.actions()


def test_restoring_closes_the_window_puts_the_backup_in_place_and_starts_again(
    window: Any, qtbot: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from PySide6.QtCore import QProcess

    from app.core.picture.ops import add_units
    from app.core.picture.records import UnitData

    store_path = window.ctx.store.path
    backup = safety.backup_store(window.ctx.store, tmp_path / "backup.sqlite")
    add_units(
        window.ctx.store,
        [UnitData(name="Added after the backup", sidc="10031000001211000000", lat=-12, lon=40)],
    )
    started: list[tuple[str, list[str]]] = []
    monkeypatch.setattr(
        QProcess, "startDetached", lambda program, args: started.append((program, args)) or True
    )
    window.store_actions.restore(backup)
    assert not window.isVisible()
    assert started and started[0][1][:2] == ["-m", "app"]
    restored = open_store(store_path)
    try:
        assert "Added after the backup" not in {u.name for u in list_units(restored)}
        assert len(list_units(restored)) == 4
    finally:
        restored.close()


def test_an_import_shows_progress_and_a_cancelled_import_stores_nothing(
    window: Any, qtbot: Any, tmp_path: Path
) -> None:
    import json

    from app.core.picture.queries import counts

    big = tmp_path / "big.geojson"
    big.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [40 + i / 1e4, -12]},
                        "properties": {"name": f"Import {i}", "sidc": "10031000001211000000"},
                    }
                    for i in range(40_000)
                ],
            }
        )
    )
    before = counts(window.ctx.store)["units"]
    messages: list[str] = []
    window.ctx.sig_status.connect(messages.append)
    job = window.import_path(big)
    job.cancel()
    qtbot.waitUntil(lambda: job.done.is_set(), timeout=30000)
    qtbot.waitUntil(lambda: bool(messages), timeout=5000)
    assert messages[-1] == "Import cancelled: nothing was stored."
    assert counts(window.ctx.store)["units"] == before
    # and one that runs to the end says what it stored
    small = tmp_path / "small.geojson"
    small.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [40.1, -12.1]},
                        "properties": {"name": "Patrol", "sidc": "10031000001211000000"},
                    }
                ],
            }
        )
    )
    window.import_path(small)
    qtbot.waitUntil(lambda: counts(window.ctx.store)["units"] == before + 1, timeout=10000)
    qtbot.waitUntil(lambda: "small.geojson" in messages[-1], timeout=5000)
