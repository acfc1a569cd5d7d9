# simdjson 3.9.4 release sources, installed by npm from @nozbe/simdjson (pinned in
# package-lock.json). Never vendored: `npm ci` at the repo root brings them.
set(KEYHOLE_SIMDJSON_DIR "${PROJECT_SOURCE_DIR}/node_modules/@nozbe/simdjson/src"
    CACHE PATH "Folder holding simdjson.h and simdjson.cpp")
if(NOT EXISTS "${KEYHOLE_SIMDJSON_DIR}/simdjson.cpp")
  message(FATAL_ERROR "simdjson sources not found in ${KEYHOLE_SIMDJSON_DIR}: run `npm ci` at the repo root (toolchains/setup.sh does).")
endif()
add_library(keyhole_simdjson STATIC "${KEYHOLE_SIMDJSON_DIR}/simdjson.cpp")
target_include_directories(keyhole_simdjson SYSTEM PUBLIC "${KEYHOLE_SIMDJSON_DIR}")
# Exceptions off inside simdjson: errors are codes (and nothing may cross into JS).
target_compile_definitions(keyhole_simdjson PUBLIC SIMDJSON_EXCEPTIONS=0)
set_target_properties(keyhole_simdjson PROPERTIES POSITION_INDEPENDENT_CODE ON)

# WebAssembly: simdjson has no wasm kernel, so on its own it builds the scalar
# `fallback` kernel there. With KEYHOLE_WASM_SIMD (the default) the wasm build compiles
# one of simdjson's SIMD kernels for WebAssembly SIMD128 (-msimd128) through
# Emscripten's translation headers instead (KEYHOLE_WASM_SIMD_KERNEL):
#   westmere  the SSE4.2 kernel through Emscripten's <*mmintrin.h>; wasm/src/x86_compat
#             supplies what those lack (PCLMUL's carry-less multiply, POPCNT, _umul128)
#   arm64     the NEON kernel through Emscripten's <arm_neon.h> (SIMDe's NEON; the
#             neon/*.h it includes come from Debian's libsimde-dev); wasm/src/neon_shim.h
#             stands in for the aarch64 `rbit` assembly and __umulh
# Measured in docs/performance.md and wasm/README.md (tests/bench/wasm-bench.mjs
# --variant). The module then needs a runtime with SIMD128; OFF builds the scalar kernel.
if(EMSCRIPTEN)
  option(KEYHOLE_WASM_SIMD "Build the wasm module for WebAssembly SIMD128 (one of simdjson's SIMD kernels)" ON)
  set(KEYHOLE_WASM_SIMD_KERNEL "westmere" CACHE STRING "simdjson kernel of the SIMD128 wasm build: westmere or arm64")
  set_property(CACHE KEYHOLE_WASM_SIMD_KERNEL PROPERTY STRINGS westmere arm64)
  if(KEYHOLE_WASM_SIMD)
    include(${CMAKE_CURRENT_LIST_DIR}/simdjson-wasm-simd.cmake)
  endif()
endif()
