#!/usr/bin/env bash
# The two commands of the README.
#   toolchains/dev.sh main   install what is missing, build what is stale, then run
#                            the edge proxy in front of the built-in sample origin,
#                            with the in-browser demo page.
#   toolchains/dev.sh test   install, build (presets release, wasm, wasm-scalar, fuzz), then
#                            `ctest --preset release`: every suite (GoogleTest, CLI,
#                            node: wasm, edge, workerd, browser, demo; adversarial,
#                            fuzz smoke, portability), ending `all suites: N passed, M failed`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

prepare() {  # prepare PRESET...
  bash toolchains/setup.sh
  bash toolchains/build.sh "$@"
}

# Every suite is a ctest test (tests/CMakeLists.txt): ctest runs them, prints each
# test's time, the time per suite (its Label Time Summary) and its one summary line,
# whose totals the closing line repeats.
run_tests() {
  local log rc start line total failed
  log="$(mktemp)"
  start=$SECONDS
  set +e
  ctest --preset release 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  line="$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)"
  rm -f "$log"
  if [ -z "$line" ]; then
    echo "ctest printed no summary (exit $rc)"
    echo "all suites: 0 passed, 1 failed"
    return 1
  fi
  failed="$(sed -E 's/.* ([0-9]+) tests? failed out of.*/\1/' <<<"$line")"
  total="$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")"
  if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  echo "tests took $((SECONDS - start)) s"
  echo "all suites: $((total - failed)) passed, $failed failed"
  [ "$failed" -eq 0 ] && [ "$rc" -eq 0 ]
}

case "${1:-}" in
  main)
    prepare release wasm
    exec node edge/bin/keyhole-edge.js demo "${@:2}"
    ;;
  test)
    prepare release wasm wasm-scalar fuzz
    run_tests
    ;;
  *)
    echo "usage: toolchains/dev.sh main|test" >&2
    exit 2
    ;;
esac
