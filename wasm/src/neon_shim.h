// Force-included (-include) before every translation unit that sees simdjson.h when the
// wasm module is built with simdjson's arm64 (NEON) kernel (KEYHOLE_WASM_SIMD, see
// cmake/simdjson.cmake). The kernel is compiled for wasm32 through Emscripten's
// arm_neon.h (SIMDe's NEON on WebAssembly SIMD128, headers from Debian's libsimde-dev);
// the two things that header set cannot supply are aarch64 instructions simdjson
// reaches for directly, and this file stands in for them. Nothing here is simdjson code.
#pragma once
#include <stdint.h>

// MSVC/aarch64's "high half of a 64 x 64 multiply". simdjson takes this path on any
// 32-bit target that claims to be arm64 (number parsing only; stage 1 never multiplies).
static inline uint64_t __umulh(uint64_t a, uint64_t b) {
  return (uint64_t)(((unsigned __int128)a * b) >> 64);
}

// simdjson's arm64 kernel reverses bit masks with inline `rbit` assembly
// (`__asm("rbit %0, %1" : "=r"(rev_bits) : "r"(input_num))`, inside reverse_bits()),
// which no wasm assembler accepts. That statement is the only `__asm` left in the
// arm64 build (the x86 cpuid code and the LLVM-MCA markers are compiled out), so the
// spelling is mapped onto the compiler's builtin, with the same names simdjson uses.
// The core and bindings contain no `__asm`; Emscripten's headers spell it `__asm__`.
static inline uint64_t keyhole_reverse_bits(uint64_t x) { return __builtin_bitreverse64(x); }
#define __asm(...) (rev_bits = keyhole_reverse_bits(input_num))
