#!/bin/sh
# Short libFuzzer runs of the reader harnesses of tests/fuzz/ (see
# README.md): builds build-fuzz with clang (ASan + UBSan + libFuzzer) and runs
# each harness for $1 seconds (default 5) from its committed corpus. Skipped,
# with a note, when clang cannot link -fsanitize=fuzzer. A crash fails the run
# and leaves the input in build-fuzz/fuzz-artifacts/.
set -eu
cd "$(dirname "$0")/../.."
seconds=${1:-5}
[ "$seconds" = 0 ] && exit 0
probe=$(mktemp -d)
printf 'int LLVMFuzzerTestOneInput (const char *d, unsigned long n) { return 0; }\n' > "$probe/p.c"
if ! command -v clang >/dev/null 2>&1 || ! clang -fsanitize=fuzzer -o "$probe/p" "$probe/p.c" >/dev/null 2>&1; then
  rm -rf "$probe"
  echo "fuzz: skipped (clang with libFuzzer is not installed: apt-get install clang libclang-rt-14-dev)"
  exit 0
fi
rm -rf "$probe"
[ -f build-fuzz/build.ninja ] ||
  CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false -Dgui=disabled >/dev/null
ninja -C build-fuzz fuzzers
mkdir -p build-fuzz/fuzz-artifacts
passed=0
failed=0
for h in $(sed -n "s/^  '\([a-z-]*\)',\$/\1/p" tests/fuzz/meson.build); do
  work=$(mktemp -d)
  dict=""
  [ -f "tests/fuzz/$h.dict" ] && dict="-dict=tests/fuzz/$h.dict"
  case $h in
    mxnet-symbol|cvm-symbol|cvm-model) max_len=16384 ;;
    idx|cifar) max_len=10000 ;;
    *) max_len=4096 ;;
  esac
  # $dict is empty or one word
  # shellcheck disable=SC2086
  if UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
      "build-fuzz/tests/fuzz/fuzz-$h" "$work" "tests/fuzz/$h" $dict -max_total_time="$seconds" -timeout=20 \
      -rss_limit_mb=2048 -malloc_limit_mb=1024 -max_len=$max_len -print_final_stats=1 \
      -artifact_prefix="build-fuzz/fuzz-artifacts/$h-" >"$work.log" 2>&1; then
    echo "fuzz-$h: ok ($(grep -o 'cov: [0-9]* ft: [0-9]*' "$work.log" | tail -1), $(sed -n 's/^stat::number_of_executed_units: *//p' "$work.log") runs)"
    passed=$((passed + 1))
  else
    tail -60 "$work.log"
    echo "fuzz-$h: FAILED (the input is in build-fuzz/fuzz-artifacts/)"
    failed=$((failed + 1))
  fi
  rm -rf "$work" "$work.log"
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" = 0 ]
