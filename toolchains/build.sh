#!/usr/bin/env bash
# Builds Keyhole: `native` (library, CLI, tests) into build/native, `wasm` (the
# WebAssembly module for @keyhole/wasm) into build/wasm and copies it to wasm/dist/.
# Configures only when a build folder has not been configured yet; ninja rebuilds
# only what is stale. Usage: toolchains/build.sh [native|wasm|all]   (default: all)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET="${1:-all}"
JOBS="${KEYHOLE_JOBS:-2}"

build_native() {
  local dir="$ROOT/build/native"
  if [ ! -f "$dir/build.ninja" ]; then
    echo "build: configuring native"
    cmake -S "$ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  echo "build: native"
  cmake --build "$dir" -j "$JOBS"
}

build_wasm() {
  local dir="$ROOT/build/wasm"
  # Debian's emscripten runs its JS tools with the system node and needs its modules.
  export NODE_PATH="${NODE_PATH:+$NODE_PATH:}/usr/share/nodejs"
  if ! command -v emcmake >/dev/null 2>&1; then
    echo "build: emcmake not found (run toolchains/setup.sh)" >&2; exit 1
  fi
  if [ ! -f "$dir/build.ninja" ]; then
    echo "build: configuring wasm"
    emcmake cmake -S "$ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  echo "build: wasm"
  cmake --build "$dir" -j "$JOBS" --target keyhole_wasm
  mkdir -p "$ROOT/wasm/dist"
  for f in keyhole.mjs keyhole.wasm; do
    if ! cmp -s "$dir/wasm/$f" "$ROOT/wasm/dist/$f"; then
      cp "$dir/wasm/$f" "$ROOT/wasm/dist/$f"
      echo "build: wasm/dist/$f updated"
    fi
  done
}

case "$TARGET" in
  native) build_native ;;
  wasm) build_wasm ;;
  all) build_native; build_wasm ;;
  *) echo "usage: $0 [native|wasm|all]" >&2; exit 2 ;;
esac
