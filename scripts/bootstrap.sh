#!/usr/bin/env bash
# Set up Coalition COP on a fresh Debian/Ubuntu machine, then run it.
#
#   bash scripts/bootstrap.sh app    # set up, then open the app on the SQLite store (demo picture if empty)
#   bash scripts/bootstrap.sh test   # set up, then run the whole test suite
#
# What it does: finds Python 3.11+, installs the system libraries Qt WebEngine
# needs (as root with apt-get; otherwise it prints the exact apt-get line and
# stops), makes .venv, installs the project with its test tools, then runs.
set -euo pipefail

MODE="${1:-app}"
shift || true
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# libraries a bare system needs for Qt + QtWebEngine offscreen (DESIGN §9)
LIBS_CORE="libasound2 libbrotli1 libdbus-1-3 libegl1 libfontconfig1 libfreetype6 libgbm1 libgl1 \
libglib2.0-0 libnspr4 libnss3 libx11-6 libxcb1 libxcb-dri3-0 libxcomposite1 libxdamage1 libxext6 \
libxfixes3 libxkbcommon0 libxkbfile1 libxrandr2 libxtst6 fontconfig-config fonts-dejavu-core"
# and for a real X display
LIBS_X="libx11-xcb1 libxcb-cursor0 libxcb-glx0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 \
libxcb-randr0 libxcb-render-util0 libxcb-render0 libxcb-shape0 libxcb-shm0 libxcb-sync1 \
libxcb-util1 libxcb-xfixes0 libxcb-xkb1 libxkbcommon-x11-0"

say() { printf '\033[1m[coalition-cop]\033[0m %s\n' "$*" >&2; }

find_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}

missing_packages() {
  # prints the Debian packages from "$@" that are not installed
  local pkg missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  echo "${missing[@]:-}"
}

install_system_packages() {
  local wanted="$1" missing
  command -v dpkg-query >/dev/null 2>&1 || { say "not a Debian/Ubuntu system: install the Qt WebEngine libraries yourself"; return 0; }
  # shellcheck disable=SC2086
  missing="$(missing_packages $wanted)"
  [ -z "${missing// /}" ] && return 0
  if [ "$(id -u)" = "0" ]; then
    say "installing system libraries: $missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
  else
    say "these system libraries are missing; install them, then run this again:"
    echo "sudo apt-get install -y $missing"
    exit 1
  fi
}

PY="$(find_python || true)"
if [ -z "$PY" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
    PY="$(find_python || true)"
  fi
  [ -n "$PY" ] || { say "Python 3.11 or newer is needed:"; echo "sudo apt-get install -y python3 python3-venv"; exit 1; }
fi

WANTED="$LIBS_CORE"
[ "$MODE" = "app" ] && WANTED="$WANTED $LIBS_X"
"$PY" -c 'import ensurepip' 2>/dev/null || WANTED="$WANTED python3-venv"
install_system_packages "$WANTED"

VENV="${COP_VENV:-$ROOT/.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  say "creating $VENV with $PY"
  "$PY" -m venv "$VENV"
fi
# the test mode also installs PyInstaller: tests/packaging builds the bundle
EXTRAS="test"
[ "$MODE" = "test" ] && EXTRAS="test,bundle"
STAMP="$VENV/.cop-installed"
HASH="$( (cat pyproject.toml; echo "$EXTRAS") | sha256sum | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$HASH" ]; then
  say "installing Coalition COP and its dependencies into $VENV (first time: a few minutes)"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -e ".[$EXTRAS]"
  echo "$HASH" > "$STAMP"
fi

case "$MODE" in
  app)
    if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
      say "no display found: start this from a desktop session (or use: $VENV/bin/coalition-cop snapshot --out cop.png)"
      exit 1
    fi
    exec "$VENV/bin/coalition-cop" gui --demo "$@"
    ;;
  test)
    export QT_QPA_PLATFORM=offscreen
    exec "$VENV/bin/python" -m pytest -q "$@"
    ;;
  *)
    say "usage: bash scripts/bootstrap.sh app|test"
    exit 2
    ;;
esac
