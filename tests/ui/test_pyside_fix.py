"""PySide6 6.12 on Python 3.11: each Signal.emit() takes a reference away from True,
and the process aborts after a few thousand emits unless app.ui.pyside_fix is applied."""

from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = """
import sys
from PySide6.QtCore import QObject, Signal
if sys.argv[1] == "fixed":
    from app.ui import pyside_fix
    assert pyside_fix.apply()
class Bridge(QObject):
    moved = Signal(float, float)
bridge = Bridge()
bridge.moved.connect(lambda lat, lon: None)
before = sys.getrefcount(True)
for _ in range(50000):
    bridge.moved.emit(1.0, 2.0)
print("survived", sys.getrefcount(True) - before, flush=True)
"""


def _run(mode: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, mode],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="True is immortal from Python 3.12")
def test_emitting_signals_does_not_exhaust_true_once_fixed() -> None:
    from app.ui import pyside_fix

    if not (pyside_fix._applied or pyside_fix.has_bug()):
        pytest.skip("this PySide6 keeps its references")
    broken = _run("plain")
    assert broken.returncode != 0 and "bool_dealloc" in broken.stderr
    fixed = _run("fixed")
    assert fixed.returncode == 0, fixed.stderr[-2000:]
    assert fixed.stdout.strip() == "survived 0"
