#!/bin/sh
# Command 1 of the README: install what is missing, build, start MRT Studio on its bundled sample.
set -eu
cd "$(dirname "$0")/.."
tools/install-deps.sh
[ -f build/build.ninja ] || meson setup build
ninja -C build
exec ./build/src/studio/mrt-studio "$@"
