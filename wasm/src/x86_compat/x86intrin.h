// Stand-in for <x86intrin.h> in the wasm build with simdjson's westmere kernel
// (KEYHOLE_WASM_SIMD_KERNEL=westmere, cmake/simdjson.cmake): Emscripten's SSE..SSE4.2
// headers, which translate to WebAssembly SIMD128, plus the few non-SSE intrinsics that
// kernel calls. Nothing here is simdjson code.
#pragma once
#include <immintrin.h>
#include <stdint.h>

#include "wmmintrin.h"

// POPCNT: wasm's i64.popcnt.
static inline long long _popcnt64(uint64_t x) { return __builtin_popcountll(x); }

// MSVC's 64 x 64 -> 128 multiply, which simdjson's number parser calls on 32-bit
// targets (wasm32 is one), before the kernel's own 32-bit definition is in scope.
static inline uint64_t _umul128(uint64_t a, uint64_t b, uint64_t* high) {
  unsigned __int128 r = (unsigned __int128)a * b;
  *high = (uint64_t)(r >> 64);
  return (uint64_t)r;
}
