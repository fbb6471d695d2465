#!/bin/sh
# Installs the Debian 12 packages MRT Studio needs to build, run and test.
# Safe to run repeatedly: it only calls apt-get when something is missing.
set -eu
PKGS="meson ninja-build pkg-config gcc libc6-dev
libglib2.0-dev libglib2.0-bin libgtk-4-dev libadwaita-1-dev libjson-glib-dev
libopenblas-dev gettext desktop-file-utils appstream
xvfb xauth dataset-fashion-mnist flatpak-builder"
[ "${1:-}" = "--torch" ] && PKGS="$PKGS python3-torch python3-numpy"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "Installing:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
