#!/bin/sh
# Install the Coalition COP bundle this script sits in (no Python needed).
#
#   sudo ./install.sh            # /opt/coalition-cop, command /usr/local/bin/coalition-cop, menu entry for all
#   ./install.sh --user          # ~/.local/opt/coalition-cop, ~/.local/bin, menu entry for you only
#   ./install.sh --prefix DIR    # DIR/opt/coalition-cop, DIR/bin, DIR/share (packagers, tests)
#
# Uninstall: remove the folder, the coalition-cop link in the bin folder and the
# org.coalitioncop.CoalitionCOP.* files under share/ (applications, metainfo, icons).
set -eu
APP_ID=org.coalitioncop.CoalitionCOP
HERE=$(cd "$(dirname "$0")" && pwd)

case "${1:-}" in
  --user)   DEST="$HOME/.local/opt/coalition-cop"; BIN="$HOME/.local/bin"; SHARE="${XDG_DATA_HOME:-$HOME/.local/share}" ;;
  --prefix) [ -n "${2:-}" ] || { echo "install.sh: --prefix needs a folder" >&2; exit 2; }
            DEST="$2/opt/coalition-cop"; BIN="$2/bin"; SHARE="$2/share" ;;
  "")       DEST=/opt/coalition-cop; BIN=/usr/local/bin; SHARE=/usr/local/share ;;
  *)        echo "usage: install.sh [--user | --prefix DIR]" >&2; exit 2 ;;
esac

[ -x "$HERE/coalition-cop" ] && [ -d "$HERE/_internal" ] || { echo "install.sh: run me from the unpacked bundle" >&2; exit 1; }

if [ "$HERE" != "$DEST" ]; then
  # copy beside the old version, then swap, so a failed copy leaves the old one working
  mkdir -p "$(dirname "$DEST")"
  rm -rf "$DEST.new"
  cp -a "$HERE" "$DEST.new"
  rm -rf "$DEST.old"
  [ ! -e "$DEST" ] || mv "$DEST" "$DEST.old"
  mv "$DEST.new" "$DEST"
  rm -rf "$DEST.old"
fi

mkdir -p "$BIN" "$SHARE/applications" "$SHARE/metainfo" "$SHARE/icons"
ln -sf "$DEST/coalition-cop" "$BIN/coalition-cop"
# the menu entry starts the installed executable even if $BIN is not on the desktop's PATH
sed "s|^Exec=coalition-cop|Exec=$DEST/coalition-cop|" "$DEST/share/applications/$APP_ID.desktop" \
  > "$SHARE/applications/$APP_ID.desktop"
cp "$DEST/share/metainfo/$APP_ID.metainfo.xml" "$SHARE/metainfo/"
cp -R "$DEST/share/icons/." "$SHARE/icons/"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$SHARE/applications" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$SHARE/icons/hicolor" 2>/dev/null || true

echo "Installed Coalition COP in $DEST; start it from the menu or with: $BIN/coalition-cop"
