"""A work-around for a reference-count bug in PySide6 6.12 on Python 3.11.

``SignalInstance.emit()`` returns ``True`` without taking a reference to it.
Each emit from Python therefore takes one reference away from ``True``; on
Python < 3.12 (where ``True`` is not immortal) the interpreter aborts with
"Fatal Python error: bool_dealloc" once they are used up: measured here after
about 5,000 emits in the app process, e.g. ``MapBridge.cursorMoved`` while the
mouse moves over the map (~60 a second).

:func:`apply` checks whether the running PySide6 has the bug and, only then,
wraps ``emit`` to restore the missing reference.  Call it before anything
emits: in ``prepare_environment()`` and in the tests' ``conftest.py``.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

_applied = False


def has_bug(samples: int = 16) -> bool:
    """True if ``emit()`` loses a reference to its result on this interpreter."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        sig = Signal()

    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(samples):
        probe.sig.emit()
    lost = before - sys.getrefcount(True)
    for _ in range(max(0, lost)):  # give back what the probe took
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
    return lost >= samples


def apply() -> bool:
    """Wrap ``SignalInstance.emit`` if (and only if) the bug is present; True if wrapped."""
    global _applied
    if _applied:
        return True
    if sys.version_info >= (3, 12) or not has_bug():
        return False
    from PySide6.QtCore import SignalInstance

    original = SignalInstance.emit
    incref = ctypes.pythonapi.Py_IncRef
    incref.argtypes = [ctypes.py_object]
    incref.restype = None

    def emit(self: Any, *args: Any) -> Any:
        result = original(self, *args)
        incref(result)
        return result

    SignalInstance.emit = emit  # type: ignore[method-assign]
    _applied = True
    return True
