#!/bin/sh
# Command 1 of the README: install what is missing, build, start MRT Studio on its bundled sample.
set -eu
cd "$(dirname "$0")/.."
tools/install-deps.sh
[ -f build/build.ninja ] || meson setup build
ninja -C build
# The settings schema is compiled into the build directory, not installed.
GSETTINGS_SCHEMA_DIR="$PWD/build/data${GSETTINGS_SCHEMA_DIR:+:$GSETTINGS_SCHEMA_DIR}" \
  exec ./build/src/studio/mrt-studio "$@"
