#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan, C++20 like every build) with the
# `fuzz` CMake preset (KEYHOLE_FUZZ=ON) into build/fuzz/, or into FUZZ_BUILD_DIR.
# Configures only when that folder has not been configured yet; ninja rebuilds only
# what is stale. The flags live in CMakeLists.txt and tests/CMakeLists.txt.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${FUZZ_BUILD_DIR:-$ROOT/build/fuzz}"
cd "$ROOT"
if [ ! -f "$OUT/build.ninja" ]; then
  echo "build.sh: configuring the fuzz preset in $OUT"
  cmake --preset fuzz -B "$OUT" >/dev/null
fi
cmake --build "$OUT" -j "${KEYHOLE_JOBS:-2}" --target fuzz_policy fuzz_claims fuzz_filter fuzz_engines fuzz_tree fuzz_stage1 fuzz_learning
echo "build.sh: targets in $OUT (fuzz_policy fuzz_claims fuzz_filter fuzz_engines fuzz_tree fuzz_stage1 fuzz_learning)"
