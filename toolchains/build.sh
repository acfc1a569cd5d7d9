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
  [ "$preset" = release ] && old_name_points_at_release
  return 0
}

# build/native is the release build's old folder, and the path older notes and the red team's
# findings (build/native/core/keyhole) name: a link to build/release, so they run today's CLI.
# A real folder left there by an old checkout is a stale build and goes.
old_name_points_at_release() {
  if [ -d build/native ] && [ ! -L build/native ]; then rm -rf build/native; fi
  ln -sfn release build/native
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
