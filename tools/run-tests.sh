#!/bin/sh
# Command 2 of the README: install what is missing, build, run the whole test suite.
# Set MRT_SANITIZE=1 to also run it built with AddressSanitizer + UBSan.
# Then every reader's libFuzzer harness runs MRT_FUZZ_SECONDS (default 5; 0
# skips) when clang with libFuzzer is installed (tests/fuzz/README.md).
set -eu
cd "$(dirname "$0")/.."
tools/install-deps.sh
[ -f build/build.ninja ] || meson setup build
meson setup --reconfigure build >/dev/null
ninja -C build
meson test -C build --print-errorlogs --num-processes 2
if [ "${MRT_SANITIZE:-0}" = 1 ]; then
  [ -f build-asan/build.ninja ] || meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dgui=disabled
  ninja -C build-asan
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    meson test -C build-asan --print-errorlogs --num-processes 2
fi
tests/fuzz/run-fuzzers.sh "${MRT_FUZZ_SECONDS:-5}"
