#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) into build/fuzz/.
# Stale-aware: an object is rebuilt only when its source (or, for the core, any
# core header) is newer; a target is relinked only when an input is newer.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${FUZZ_BUILD_DIR:-$ROOT/build/fuzz}"
CXX="${CXX_FUZZ:-clang++}"
SIMDJSON="$ROOT/node_modules/@nozbe/simdjson/src"
mkdir -p "$OUT/obj"

[ -f "$SIMDJSON/simdjson.cpp" ] || { echo "build.sh: $SIMDJSON/simdjson.cpp not found (npm ci?)" >&2; exit 1; }

SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
COMMON="-std=c++17 -g -O1 -I$ROOT/core/include -I$ROOT/core/src -I$SIMDJSON"

newer() {  # newer OUT IN...: true when OUT is missing or any IN is newer
  local out="$1"; shift
  [ -e "$out" ] || return 0
  for f in "$@"; do [ "$f" -nt "$out" ] && return 0; done
  return 1
}

headers=("$ROOT"/core/include/keyhole/*.h "$ROOT"/core/src/*.h)
objs=()

# simdjson: sanitizers on, coverage off (the core is what we explore).
o="$OUT/obj/simdjson.o"
if newer "$o" "$SIMDJSON/simdjson.cpp" "$SIMDJSON/simdjson.h"; then
  echo "build.sh: compiling simdjson"
  $CXX $COMMON -O2 $SAN -c "$SIMDJSON/simdjson.cpp" -o "$o"
fi
objs+=("$o")

# The core: sanitizers and coverage (fuzzer-no-link).
for src in "$ROOT"/core/src/*.cpp; do
  o="$OUT/obj/core_$(basename "${src%.cpp}").o"
  if newer "$o" "$src" "${headers[@]}" "$SIMDJSON/simdjson.h"; then
    echo "build.sh: compiling $(basename "$src")"
    $CXX $COMMON $SAN -fsanitize=fuzzer-no-link -c "$src" -o "$o"
  fi
  objs+=("$o")
done

for t in fuzz_policy fuzz_claims fuzz_filter; do
  src="$ROOT/tests/fuzz/$t.cpp"
  bin="$OUT/$t"
  if newer "$bin" "$src" "$ROOT/tests/fuzz/fuzz_common.h" "${objs[@]}" "${headers[@]}"; then
    echo "build.sh: building $t"
    $CXX $COMMON $SAN -fsanitize=fuzzer "$src" "${objs[@]}" -o "$bin"
  fi
done
echo "build.sh: targets in $OUT (fuzz_policy fuzz_claims fuzz_filter)"
