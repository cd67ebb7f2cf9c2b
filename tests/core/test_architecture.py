"""The architecture rules: ``app/core`` is Qt-free; the main window stays a shell."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import app

APP = Path(app.__file__).resolve().parent
CORE = APP / "core"
QT_PACKAGES = ("PySide6", "PySide2", "PyQt5", "PyQt6", "shiboken6", "shiboken2", "qtpy")

# alembic's env script only runs inside an alembic command (it reads context.config)
NOT_IMPORTABLE_ALONE = {"app.core.store.migrations.env"}


def _is_qt(name: str | None) -> bool:
    return bool(name) and name.split(".")[0] in QT_PACKAGES  # type: ignore[union-attr]


def _qt_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"line {node.lineno}: import {a.name}" for a in node.names if _is_qt(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and _is_qt(node.module):
            found.append(f"line {node.lineno}: from {node.module} import ...")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, (ast.Name, ast.Attribute))
            and getattr(node.func, "id", getattr(node.func, "attr", ""))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and _is_qt(node.args[0].value)
        ):
            found.append(f"line {node.lineno}: dynamic import of {node.args[0].value}")
    return found


def test_the_static_check_recognises_qt_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os\nimport PySide6.QtCore\nfrom PyQt6 import QtGui\nfrom shiboken6 import isValid\n"
        "import importlib\nimportlib.import_module('PySide6.QtWidgets')\nfrom pyside6_like import x\n",
        encoding="utf-8",
    )
    assert len(_qt_imports(sample)) == 4


def test_no_core_module_imports_qt_statically() -> None:
    files = sorted(CORE.rglob("*.py"))
    assert len(files) > 10
    offenders = {
        str(path.relative_to(APP.parent)): hits for path in files if (hits := _qt_imports(path))
    }
    assert offenders == {}


_PROBE = """
import importlib, json, pkgutil, sys
import app.core
skip = set(json.loads(sys.argv[1]))
names = []
for info in pkgutil.walk_packages(app.core.__path__, "app.core."):
    if info.name in skip:
        continue
    importlib.import_module(info.name)
    names.append(info.name)
import app.cli, app.i18n
qt = sorted(m for m in sys.modules if m.startswith(("PySide", "shiboken", "PyQt", "qtpy")))
print(json.dumps({"imported": names, "qt": qt}))
"""


def test_importing_the_core_the_cli_and_i18n_loads_no_qt() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(sorted(NOT_IMPORTABLE_ALONE))],
        capture_output=True,
        text=True,
        cwd=APP.parent,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    imported = set(report["imported"])
    # the walk really reached the core's modules
    for expected in (
        "app.core.events",
        "app.core.store.engine",
        "app.core.store.writing",
        "app.core.exchange.geojson",
        "app.core.store.hlc",
        "app.core.picture.records",
    ):
        assert expected in imported
    on_disk = (
        {
            ".".join(p.relative_to(APP.parent).with_suffix("").parts).removesuffix(".__init__")
            for p in CORE.rglob("*.py")
        }
        - {"app.core"}
        - NOT_IMPORTABLE_ALONE
    )
    assert on_disk <= imported, sorted(on_disk - imported)
    assert report["qt"] == []


def test_main_window_is_a_shell_under_400_lines() -> None:
    path = APP / "ui" / "main_window.py"
    assert path.is_file()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) < 400, f"{path.name} has {len(lines)} lines"
