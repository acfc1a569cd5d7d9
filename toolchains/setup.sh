#!/usr/bin/env bash
# Installs what building and testing Keyhole needs on Debian: apt packages that are
# missing, then the npm workspaces (simdjson sources included) when node_modules is
# absent or older than package-lock.json. Idempotent; fast when everything is there.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

APT_PACKAGES=(
  g++ cmake ninja-build libgtest-dev libgmock-dev libbenchmark-dev
  emscripten binaryen chromium jq clang lld libclang-rt-14-dev valgrind
  python3 binutils nodejs npm
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "setup: not root and no sudo; cannot install packages" >&2; exit 1
  fi
fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    # node/npm may come from elsewhere (nodesource, nvm): only install when absent.
    case "$pkg" in
      nodejs) command -v node >/dev/null 2>&1 && continue ;;
      npm) command -v npm >/dev/null 2>&1 && continue ;;
    esac
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "setup: apt packages present"
else
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$major" -lt 20 ]; then
  echo "setup: warning: Node $(node --version 2>/dev/null) found; Keyhole's JS packages need Node 20 or newer" >&2
fi

cd "$ROOT"
lock="package-lock.json"
stamp="node_modules/.package-lock.json"   # npm writes this on every install
if [ ! -d node_modules ] || [ ! -e "$stamp" ] || [ "$lock" -nt "$stamp" ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
else
  echo "setup: node_modules up to date"
fi
echo "setup: done"
