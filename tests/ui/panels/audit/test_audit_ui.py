"""The Audit dock: the change history a supervisor reads and exports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.core.picture.ops import add_units
from app.core.picture.records import UnitData


def test_the_audit_dock_lists_changes_filters_them_and_exports_them(
    window: Any, qtbot: Any, tmp_path: Path
) -> None:
    panel = window.panels["audit"]
    dock = next(d for d in window.docks if d.objectName() == "auditDock")
    dock.show()
    dock.raise_()
    qtbot.waitUntil(
        lambda: panel.model.rowCount() >= 5, timeout=10000
    )  # the picture: 4 units, 1 zone
    add_units(
        window.ctx.store,
        [UnitData(name="<b>Night patrol</b>", sidc="10031000001211000000", lat=-12, lon=40)],
    )
    qtbot.waitUntil(lambda: panel.model.index(0, 3).data() == "<b>Night patrol</b>", timeout=10000)
    assert panel.model.index(0, 1).data() == window.ctx.store.operator
    panel.text.setText("Night patrol")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=10000)
    kind = panel.kind.findData("crisis_zone")
    assert kind > 0
    panel.text.setText("")
    panel.kind.setCurrentIndex(kind)
    qtbot.waitUntil(
        lambda: panel.model.rowCount() == 1 and panel.model.index(0, 2).data() == "crisis_zone",
        timeout=10000,
    )
    out = tmp_path / "audit.csv"
    panel.export(out)
    qtbot.waitUntil(out.exists, timeout=10000)
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2  # the header and the zone
