#!/usr/bin/env bash
# Bounded fuzzing smoke run: builds the targets (build.sh: the `fuzz` preset), seeds their corpora from the
# conformance cases and fixtures, runs each target for FUZZ_SECONDS (default 40)
# and prints executions, coverage and crashes per target. Exits non-zero on any
# crash or oracle failure. One process per target (-jobs is not used): the
# machine is shared.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/tests/fuzz"
OUT="${FUZZ_BUILD_DIR:-$ROOT/build/fuzz}"
SECONDS_EACH="${FUZZ_SECONDS:-40}"
TARGETS="${FUZZ_TARGETS:-fuzz_policy fuzz_claims fuzz_filter fuzz_engines fuzz_tree fuzz_stage1 fuzz_learning}"

"$HERE/build.sh" || { echo "run_smoke: build failed" >&2; exit 2; }

seed() {  # seed TARGET FILE...
  local dir="$OUT/corpus/$1"; shift
  mkdir -p "$dir"
  for f in "$@"; do
    [ -f "$f" ] || continue
    [ "$(stat -c %s "$f")" -le 65536 ] || continue
    cp "$f" "$dir/seed-$(sha1sum "$f" | cut -c1-16)"
  done
}

shopt -s globstar nullglob
seed fuzz_filter "$ROOT"/tests/cases/**/payload.json "$ROOT"/tests/fixtures/**/*.json "$HERE"/seeds/filter/*.json
# fuzz_engines reads its first byte as the policy, persona and output mode, the
# rest as the payload; fuzz_learning reads that byte and then the window size.
# Each payload seeds them once, with bytes from its hash (fuzz_learning: status
# payloads only).
seed_prefixed() {  # seed_prefixed TARGET PREFIX_BYTES FILE...
  local dir="$OUT/corpus/$1" bytes="$2"; shift 2
  mkdir -p "$dir"
  for f in "$@"; do
    [ -f "$f" ] || continue
    [ "$(stat -c %s "$f")" -le 65536 ] || continue
    [ "$bytes" = 1 ] || grep -q '"components"\|"incidents"\|"scheduled_maintenances"' "$f" || continue
    local h prefix; h=$(sha1sum "$f" | cut -c1-16)
    prefix="\\x${h:0:2}"; [ "$bytes" = 1 ] || prefix="$prefix\\x${h:2:2}"
    { printf "$prefix"; cat "$f"; } > "$dir/seed-$h"
  done
}
payloads=("$ROOT"/tests/cases/**/payload.json "$ROOT"/tests/fixtures/**/*.json "$HERE"/seeds/filter/*.json)
seed_prefixed fuzz_engines 1 "${payloads[@]}"
seed_prefixed fuzz_learning 2 "${payloads[@]}"
seed fuzz_tree "$ROOT"/tests/cases/**/payload.json "$ROOT"/tests/cases/**/policy.json "$HERE"/seeds/filter/*.json
seed fuzz_stage1 "$ROOT"/tests/cases/**/*.json "$ROOT"/tests/fixtures/**/*.json "$HERE"/seeds/filter/*.json
seed fuzz_policy "$ROOT"/tests/cases/**/policy.json "$ROOT"/tests/cases/_policies/*.json
seed fuzz_claims "$ROOT"/tests/cases/_claims/*.json "$ROOT"/tests/cases/**/claims.json
# Inline claims of case.json files.
if command -v python3 >/dev/null; then
  python3 - "$ROOT/tests/cases" "$OUT/corpus/fuzz_claims" <<'PY'
import hashlib, json, pathlib, sys
root, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for p in root.rglob("case.json"):
    try:
        c = json.loads(p.read_text())
    except Exception:
        continue
    for v in [c.get("claims")] + list(c.get("same_key_as", [])) + list(c.get("different_key_from", [])):
        if isinstance(v, dict):
            b = json.dumps(v).encode()
            (out / ("seed-" + hashlib.sha1(b).hexdigest()[:16])).write_bytes(b)
PY
fi

mkdir -p "$OUT/artifacts" "$OUT/logs"
status=0
printf '\n%-12s %12s %8s %8s %8s\n' target execs cov ft crashes
for t in $TARGETS; do
  log="$OUT/logs/$t.log"
  "$OUT/$t" "$OUT/corpus/$t" -dict="$HERE/keyhole.dict" -max_total_time="$SECONDS_EACH" \
    -seed="${FUZZ_SEED:-1}" -max_len=65536 -rss_limit_mb=2048 -timeout=25 -print_final_stats=1 \
    -artifact_prefix="$OUT/artifacts/$t-" > "$log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  cov=$(grep -oE '(DONE|pulse|NEW|REDUCE|INITED) +cov: [0-9]+' "$log" | tail -1 | awk '{print $NF}')
  ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -1 | awk '{print $2}')
  crashes=0
  if [ $rc -ne 0 ]; then crashes=1; status=1; fi
  printf '%-12s %12s %8s %8s %8s\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$crashes"
  if [ $rc -ne 0 ]; then
    echo "  $t failed (exit $rc); log: $log"
    grep -E 'KEYHOLE ORACLE FAILURE|ERROR: (AddressSanitizer|libFuzzer)|runtime error|Test unit written' "$log" | head -5 | sed 's/^/  /'
  fi
done
failed_targets=0; [ $status -ne 0 ] && failed_targets=1
echo "fuzz: $(( $(echo $TARGETS | wc -w) - failed_targets )) passed, $failed_targets failed"
exit $status
