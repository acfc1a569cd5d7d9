#!/usr/bin/env bash
# Builds Keyhole through the CMake presets (CMakePresets.json; `cmake --list-presets`):
#   release  native library, static CLI, tests          -> build/release
#   wasm     the WebAssembly module; CMake copies it      -> build/emscripten, wasm/dist/
#   wasm-scalar  the same without SIMD128 (older engines)  -> build/emscripten-scalar/dist/
#   fuzz     libFuzzer targets (clang, ASan + UBSan)      -> build/fuzz
#   asan     native Debug with ASan + UBSan               -> build/asan
# A preset is configured when its folder is new or CMakePresets.json changed; ninja
# rebuilds only what is stale. Usage: toolchains/build.sh [PRESET...|all]  (default: all
# = release wasm; `native` is an old name of release)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JOBS="${KEYHOLE_JOBS:-2}"
cd "$ROOT"

build() {  # build PRESET
  local preset="$1" dir
  dir="$ROOT/build/$(case "$preset" in wasm) echo emscripten ;; wasm-scalar) echo emscripten-scalar ;; *) echo "$preset" ;; esac)"
  if [ "${preset%-scalar}" = wasm ] && ! [ -f /usr/share/emscripten/cmake/Modules/Platform/Emscripten.cmake ]; then
    echo "build: Debian's emscripten not found (run toolchains/setup.sh)" >&2; exit 1
  fi
  if [ ! -f "$dir/build.ninja" ] || [ CMakePresets.json -nt "$dir/CMakeCache.txt" ]; then
    echo "build: cmake --preset $preset"
    cmake --preset "$preset" >/dev/null
  fi
  echo "build: cmake --build --preset $preset"
  cmake --build --preset "$preset" -j "$JOBS"
}

[ $# -gt 0 ] || set -- all
for target in "$@"; do
  case "$target" in
    all) build release; build wasm ;;
    native|release) build release ;;
    wasm|wasm-scalar|fuzz|asan) build "$target" ;;
    *) echo "usage: $0 [release|wasm|wasm-scalar|fuzz|asan|all]..." >&2; exit 2 ;;
  esac
done
