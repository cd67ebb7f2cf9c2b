"""The Sync dock: Sync now in a worker, results, bundles, conflicts reviewed and reversed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.core.picture.ops import add_units
from app.core.picture.queries import list_units
from app.core.store.engine import open_store
from app.core.sync.central import sync_with_server
from app.core.sync.keys import trust_sender, write_site_key
from tests.core.sync.helpers import server_database, unit


def test_sync_now_runs_in_a_worker_and_shows_the_results(
    qtbot: Any, window: Any, tmp_path: Path
) -> None:
    panel = window.panels["sync"]
    qtbot.waitUntil(lambda: "pending" in panel.indicator.text(), timeout=10000)
    assert panel.indicator.text().startswith("Sync: 5 pending")  # 4 units and a zone, never synced
    with server_database() as url:
        other = open_store(tmp_path / "other.sqlite", site_name="Bravo")
        try:
            add_units(other, [unit("From Bravo")])
            sync_with_server(other, url)
            panel.server_edit.setText(url)
            panel.sync_now()
            assert not panel.sync_button.isEnabled()
            qtbot.waitUntil(lambda: panel.job is None, timeout=30000)
            assert panel.result_label.text() == "Sent 5, received 1, conflicts 0."
            # the received unit reaches the units table through the change event
            qtbot.waitUntil(lambda: window.panels["units"].model.rowCount() == 5, timeout=10000)
            qtbot.waitUntil(
                lambda: panel.indicator.text().startswith("Sync: 0 pending"), timeout=10000
            )
            assert panel.peers_model.rowCount() == 1
            # a concurrent edit: the conflict shows and can be reversed
            uid = next(u.id for u in list_units(other) if u.name == "From Bravo")
            add_units(other, [unit("Bravo's name", uid=uid)])
            add_units(window.ctx.store, [unit("Our name", uid=uid)])
            sync_with_server(other, url)
            panel.sync_now()
            qtbot.waitUntil(lambda: panel.job is None, timeout=30000)
            assert (
                panel.result_label.text() == "Sent 1, received 1, conflicts 2."
            )  # name and callsign
            qtbot.waitUntil(lambda: panel.conflicts_model.rowCount() == 2, timeout=10000)
            assert {c.field for c in panel.conflicts_model.conflicts} == {"name", "callsign"}
            window.grab().save(str(tmp_path / "sync-window.png"))
            panel.tabs.setCurrentIndex(1)
            panel.conflicts_table.selectRow(0)
            panel.reverse_selected()
            qtbot.waitUntil(
                lambda: panel.conflicts_model.conflicts[0].reversed_at is not None, timeout=10000
            )
            reversed_ = panel.conflicts_model.conflicts[0]
            (record,) = [u for u in list_units(window.ctx.store) if u.id == uid]
            assert getattr(record, reversed_.field) == reversed_.lost
        finally:
            other.close()


def test_bundle_export_and_import_from_the_dock(qtbot: Any, window: Any, tmp_path: Path) -> None:
    panel = window.panels["sync"]
    other = open_store(tmp_path / "other.sqlite", site_name="Bravo", partner="UN")
    try:
        write_site_key(window.ctx.store, tmp_path / "me.key")
        trust_sender(other, tmp_path / "me.key", "home")
        panel.run_export("UN", tmp_path / "to-un.zip")
        qtbot.waitUntil(lambda: "Wrote" in panel.result_label.text(), timeout=10000)
        assert "for UN" in panel.result_label.text()
        from app.core.sync.bundle import import_bundle

        import_bundle(other, tmp_path / "to-un.zip")
        assert {u.name for u in list_units(other)} == {
            "Recce Pl",
            "MSF team",
        }  # the NATO-only units stay home
        # and an untrusted bundle is refused with the reason shown
        write_site_key(other, tmp_path / "other.key")
        from app.core.sync.bundle import export_bundle

        export_bundle(other, "NATO", tmp_path / "from-other.zip")
        panel.run_import(tmp_path / "from-other.zip")
        qtbot.waitUntil(lambda: "does not trust" in panel.result_label.text(), timeout=10000)
    finally:
        other.close()
