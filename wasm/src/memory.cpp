// memcpy and memcmp for the wasm module, in place of Emscripten 3.1.6's
// (memory_ops.h holds them; tests/gtest/wasm_memory_test.cpp tests them).
//
// Its memcpy copies byte by byte unless source and destination share their
// address modulo 4, and calls out to JavaScript (HEAPU8.copyWithin) from 512
// bytes on; its memcmp (musl's) compares byte by byte. The filter copies
// kept spans of the payload to the output at arbitrary alignments and
// compares short ids, so in a profile of a 25 KB call these two took ~8% of
// the time (tests/bench/wasm-bench.mjs, docs/performance.md). bulk-memory's
// memory.copy would be the natural replacement, but -mbulk-memory does not
// link with this Emscripten (its TLS then asks for atomics).
//
// Both are defined with C linkage, so the linker takes them instead of the
// library's (its memcpy is a weak alias; memcmp's object is then never
// pulled in). Unaligned v128 and 64-bit loads are valid in WebAssembly.
// The scalar build (no SIMD128) moves 16 bytes as two 64-bit words: both
// builds then import the same functions, so one keyhole.mjs loads either.
#if defined(__EMSCRIPTEN__)

#include "memory_ops.h"

extern "C" void* memcpy(void* __restrict dest, const void* __restrict src, size_t n) {
  return keyhole::wasm_memory::copy_bytes(dest, src, n);
}

extern "C" int memcmp(const void* a, const void* b, size_t n) { return keyhole::wasm_memory::compare_bytes(a, b, n); }

#endif  // __EMSCRIPTEN__
