#!/usr/bin/env bash
# The two commands of the README.
#   toolchains/dev.sh main   install what is missing, build what is stale, then run
#                            the edge proxy in front of the built-in sample origin,
#                            with the in-browser demo page.
#   toolchains/dev.sh test   install, build, then run every test suite (native
#                            GoogleTest, CLI, WebAssembly, edge, browser, fuzz smoke).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

prepare() {
  bash toolchains/setup.sh
  bash toolchains/build.sh all
}

run_tests() {
  set +e +o pipefail  # every suite runs; the status is collected by hand
  local log passed=0 failed=0 status=0
  log="$(mktemp -d)"
  step() {  # step NAME COMMAND...: runs one suite, keeps its output, counts its tests
    local name="$1"; shift
    echo "== $name"
    if "$@" 2>&1 | tee "$log/$name.txt"; then :; else status=1; echo "== $name FAILED"; fi
    local p f
    p=$(grep -Eo '^# pass [0-9]+' "$log/$name.txt" | awk '{s+=$3} END {print s+0}')
    f=$(grep -Eo '^# fail [0-9]+' "$log/$name.txt" | awk '{s+=$3} END {print s+0}')
    if grep -Eq 'tests passed, [0-9]+ tests failed out of' "$log/$name.txt"; then
      local line total nf
      line=$(grep -E 'tests failed out of' "$log/$name.txt" | tail -1)
      nf=$(echo "$line" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/')
      total=$(echo "$line" | sed -E 's/.* out of ([0-9]+).*/\1/')
      p=$((p + total - nf)); f=$((f + nf))
    fi
    # Our own scripts end with "NAME: N passed, M failed".
    local own
    own=$(grep -E '^[a-z]+: [0-9]+ passed, [0-9]+ failed' "$log/$name.txt" | tail -1 || true)
    if [ -n "$own" ]; then
      p=$((p + $(echo "$own" | sed -E 's/^[a-z]+: ([0-9]+) passed.*/\1/')))
      f=$((f + $(echo "$own" | sed -E 's/.*passed, ([0-9]+) failed.*/\1/')))
    fi
    passed=$((passed + p)); failed=$((failed + f))
  }
  step native ctest --test-dir build/native --output-on-failure -j2
  step cli bash tests/cli/cli_test.sh build/native/core/keyhole
  local node_tests=()
  for f in tests/node/*.test.mjs; do [ -e "$f" ] && node_tests+=("$f"); done
  if [ "${#node_tests[@]}" -gt 0 ]; then
    step node node --test --test-concurrency=1 --expose-gc "${node_tests[@]}"
  fi
  step adversarial bash tests/fuzz/run_adversarial.sh
  step fuzz bash tests/fuzz/run_smoke.sh
  echo
  echo "all suites: $passed passed, $failed failed"
  if [ "$failed" -ne 0 ]; then status=1; fi
  return $status
}

case "${1:-}" in
  main)
    prepare
    exec node edge/bin/keyhole-edge.js demo "${@:2}"
    ;;
  test)
    prepare
    run_tests
    ;;
  *)
    echo "usage: toolchains/dev.sh main|test" >&2
    exit 2
    ;;
esac
