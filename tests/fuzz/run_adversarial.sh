#!/usr/bin/env bash
# Runs tests/cases/adversarial through the CLI (anonymous viewer, as in the cases)
# and prints: total, failed closed (exit 3), filtered (exit 0), leaked (a canary
# in the output or anything on stdout after a failure; must be 0), mismatches.
# Also generates a 100 MB payload in a temporary directory (too big for git) and
# checks it fails closed under the default 64 MiB limit.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KEYHOLE="${1:-$ROOT/build/release/core/keyhole}"   # ctest passes the CLI it built
TMP="$(mktemp -d)"; trap 'rm -rf "$TMP"' EXIT
total=0 closed=0 filtered=0 leaked=0 mismatched=0
check() {  # check NAME WANT_EXIT OUT_FILE RC CANARIES... -- CONTAINS...
  local name="$1" want="$2" out="$3" rc="$4"; shift 4
  total=$((total + 1))
  [ "$rc" -eq 3 ] && closed=$((closed + 1))
  [ "$rc" -eq 0 ] && filtered=$((filtered + 1))
  local leak=0
  if [ "$rc" -ne 0 ] && [ -s "$out" ]; then leak=1; fi
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do grep -qF -- "$1" "$out" && leak=1; shift; done
  [ $# -gt 0 ] && shift
  [ $leak -eq 1 ] && { leaked=$((leaked + 1)); echo "LEAK: $name"; }
  if [ "$rc" -ne "$want" ]; then mismatched=$((mismatched + 1)); echo "MISMATCH: $name: exit $rc, want $want"; return; fi
  if [ "$rc" -eq 0 ]; then
    for s in "$@"; do grep -qF -- "$s" "$out" || { mismatched=$((mismatched + 1)); echo "MISMATCH: $name: missing $s"; return; }; done
  fi
}
for d in "$ROOT"/tests/cases/adversarial/*/; do
  name="$(basename "$d")"
  mapfile -t canaries < <(python3 -c 'import json,sys; [print(x) for x in json.load(open(sys.argv[1])).get("canaries",[])]' "$d/case.json")
  mapfile -t contains < <(python3 -c 'import json,sys; [print(x) for x in json.load(open(sys.argv[1])).get("contains",[])]' "$d/case.json")
  want=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("exit",0))' "$d/case.json")
  "$KEYHOLE" filter --policy "$d/policy.json" --anonymous "$d/payload.json" > "$TMP/out" 2> "$TMP/err"
  check "$name" "$want" "$TMP/out" $? "${canaries[@]}" -- "${contains[@]}"
done
# 100 MB payload: a valid summary padded with public components up to 100 MB.
python3 - "$TMP/big.json" <<'PY'
import sys
comp = '{"id":"pub%d","name":"Public","status":"operational"},'
with open(sys.argv[1], "w") as f:
    f.write('{"components":[{"id":"secret","name":"CANARY-big","status":"major_outage"},')
    n, i = 0, 0
    while n < 100 * 1024 * 1024:
        s = comp % i; f.write(s); n += len(s); i += 1
    f.write('{"id":"last","name":"L","status":"operational"}],"status":{"indicator":"none","description":"x"}}')
PY
"$KEYHOLE" filter --policy "$ROOT/tests/cases/adversarial/escaped-id-key/policy.json" --anonymous "$TMP/big.json" > "$TMP/out" 2> "$TMP/err"
check "generated-100MB-payload" 3 "$TMP/out" $? CANARY-big --
echo "adversarial: total $total, failed closed $closed, filtered $filtered, leaked $leaked, mismatched $mismatched"
echo "adversarial: $((total - leaked - mismatched)) passed, $((leaked + mismatched)) failed"
[ "$leaked" -eq 0 ] && [ "$mismatched" -eq 0 ]
