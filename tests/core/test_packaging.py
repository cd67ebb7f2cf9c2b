"""A plain wheel carries resources/ and maps/, and the app finds them there."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_is_listed_in_pyproject() -> None:
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    on_disk = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "app").rglob("__init__.py")
    }
    assert on_disk | {"app._resources", "app._maps"} == listed


@pytest.mark.slow
def test_an_installed_wheel_finds_its_resources_and_maps(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if build.returncode != 0 and "No module named" in build.stderr:
        pytest.skip(f"cannot build a wheel here: {build.stderr.strip().splitlines()[-1]}")
    assert build.returncode == 0, build.stderr
    [wheel] = wheels.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "app/_resources/map/cop-map.js",
        "app/_resources/vendor/leaflet-1.9.4/leaflet.js",
        "app/_resources/vendor/milsymbol-3.0.4/milsymbol.js",
        "app/_resources/i18n/fr.po",
        "app/_maps/naturalearth/countries-50m.json",
        "app/core/store/migrations/versions/0001_initial.py",
    ):
        assert needed in names, needed
    target = tmp_path / "site"
    with zipfile.ZipFile(wheel) as z:
        z.extractall(target)
    env = dict(os.environ, PYTHONPATH=str(target))
    script = (
        "import app, app.paths as p, sys;"
        "assert app.__file__.startswith(sys.argv[1]), app.__file__;"
        "print(p.resource('map', 'cop-map.js').is_file(), p.map_data('naturalearth', 'countries-50m.json').is_file())"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(target)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "True"]
    db = tmp_path / "w.sqlite"
    for args in (["demo"], ["export", "--format", "geojson", "--out", str(tmp_path / "o.geojson")]):
        run = subprocess.run(
            [sys.executable, "-m", "app", "--db", str(db), *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr
    assert (tmp_path / "o.geojson").stat().st_size > 1000
