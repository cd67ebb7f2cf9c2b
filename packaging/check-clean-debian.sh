#!/usr/bin/env bash
# Start a built bundle on a clean Debian 12 (debootstrap, no Python) with no network.
#
#   sudo bash packaging/check-clean-debian.sh dist/coalition-cop [CHROOT_DIR]
#
# Needs root, debootstrap and a Debian mirror (only to make the chroot and install
# the few system libraries the README lists). Then, inside the chroot and in a
# network namespace with no network at all (unshare -n), it runs as root and as a
# normal user (Chromium's sandbox on): --version, demo, export, snapshot, the main
# window offscreen, and the main window on an X server (Xvfb). Takes 3-6 minutes the
# first time (the chroot is kept in CHROOT_DIR and reused). Not part of the test suite.
set -euo pipefail

BUNDLE="$(cd "${1:?usage: check-clean-debian.sh BUNDLE_DIR [CHROOT_DIR]}" && pwd)"
ROOTFS="${2:-/var/tmp/cop-clean-debian}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# offscreen needs only these four; a real X display adds the next four
LIBS="libgl1 libegl1 fontconfig-config fonts-dejavu-core"
LIBS_X="libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxkbcommon-x11-0 xvfb xauth"

say() { printf '\033[1m[check]\033[0m %s\n' "$*" >&2; }
[ "$(id -u)" = 0 ] || { say "run as root (chroot, mounts)"; exit 1; }
[ -x "$BUNDLE/coalition-cop" ] || { say "$BUNDLE is not a built bundle"; exit 1; }

if [ ! -x "$ROOTFS/bin/sh" ]; then
  say "debootstrap bookworm (minbase) into $ROOTFS"
  debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR" >/dev/null
fi
cleanup() {  # Chromium's helper processes may take a moment to exit
  sleep 2
  for m in dev/shm dev proc; do
    mountpoint -q "$ROOTFS/$m" && { umount "$ROOTFS/$m" 2>/dev/null || umount -l "$ROOTFS/$m"; }
  done
  return 0
}
trap cleanup EXIT
mount -t proc proc "$ROOTFS/proc"
mount --bind /dev "$ROOTFS/dev"
mount --bind /dev/shm "$ROOTFS/dev/shm"
cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
say "installing system libraries: $LIBS $LIBS_X"
# shellcheck disable=SC2086
chroot "$ROOTFS" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $LIBS $LIBS_X >/dev/null"
if chroot "$ROOTFS" sh -c 'command -v python3 || command -v python' >/dev/null; then
  say "the chroot has a Python: not a fair test"; exit 1
fi

rm -rf "$ROOTFS/opt/coalition-cop"
cp -a "$BUNDLE" "$ROOTFS/opt/coalition-cop"
mkdir -p "$ROOTFS/home/op" && chown 1000:1000 "$ROOTFS/home/op"

run_as() {  # run_as USERSPEC HOME COMMAND...: no network, empty environment
  local spec="$1" home="$2"; shift 2
  unshare -n chroot --userspec="$spec" "$ROOTFS" env -i PATH=/usr/bin:/bin HOME="$home" \
    QT_QPA_PLATFORM=offscreen COP_DB="$home/cop.sqlite" COP_SETTINGS="$home/settings.ini" \
    COP_CACHE="$home/cache" "$@"
}

for who in "0:0 /root" "1000:1000 /home/op"; do
  # shellcheck disable=SC2086
  set -- $who
  say "as uid ${1%%:*}, no network"
  rm -f "$ROOTFS$2/cop.sqlite" "$ROOTFS$2/x.png"
  run_as "$1" "$2" /opt/coalition-cop/coalition-cop --version
  run_as "$1" "$2" /opt/coalition-cop/coalition-cop demo
  run_as "$1" "$2" /opt/coalition-cop/coalition-cop export --format geojson --out "$2/picture.geojson"
  run_as "$1" "$2" /opt/coalition-cop/coalition-cop snapshot --out "$2/x.png" --size 1280x800 2>/dev/null
  run_as "$1" "$2" env COP_EXIT_WHEN_IDLE=1 /opt/coalition-cop/coalition-cop gui 2>/dev/null | grep -q '^ready [1-9]'
  say "main window offscreen: ok; snapshot: $ROOTFS$2/x.png"
done

say "main window on an X server (Xvfb), no network"
unshare -n chroot "$ROOTFS" env -i PATH=/usr/bin:/bin HOME=/root COP_DB=/root/cop.sqlite sh -c '
  Xvfb :7 -screen 0 1600x1000x24 >/dev/null 2>&1 & XP=$!
  sleep 2
  DISPLAY=:7 COP_EXIT_WHEN_IDLE=1 timeout 120 /opt/coalition-cop/coalition-cop gui 2>/dev/null | grep -q "^ready [1-9]"
  rc=$?; kill $XP; exit $rc'
say "all good: the bundle runs on a clean Debian 12 with no Python and no network"
