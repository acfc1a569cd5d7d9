// One 64-byte block of text classified into bit masks (bit i = byte i), the
// only input Keyhole's structural indexer (structural_indexer.cpp) reads. Three
// backends compute the same masks: SSE2 (the x86-64 baseline, so the portable
// release build needs no CPU check), WebAssembly SIMD128, and a portable
// scalar loop (the wasm-scalar build, other CPUs, and a cross-check in tests).
// SSE2 has no byte shuffle (simdjson's table lookup needs SSSE3), so the
// character classes are a handful of byte comparisons instead.
#pragma once

#include <cstdint>
#include <cstring>

// SIMD128 first: the wasm build also defines __SSE2__ (-msse4.2, for
// simdjson's westmere kernel through Emscripten's SSE translation headers).
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#define KEYHOLE_BLOCK_SIMD128 1
#elif defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#define KEYHOLE_BLOCK_SSE2 1
#endif

// The classifier runs once per 64 bytes on the hottest path of every parse:
// a call (and the masks through memory) would cost as much as its work.
#include "always_inline.h"

namespace keyhole::detail {

// simdjson's x86 kernels (westmere, haswell, icelake: every native kernel of
// the release build, and the wasm build's) find operators by comparing each
// byte, with 0x20 set, against { } : , so they also take the control
// characters 0x0C (form feed) and 0x1A (substitute) for ',' and ':'
// (simdjson says so in its classify). Keyhole gives the same positions, so
// every kernel here does the same: such a byte outside a string is a token of
// its own, which the grammar pass rejects like any other stray byte.
struct block_masks {
  uint64_t backslash;   // '\\'
  uint64_t quote;       // '"' (escaped or not)
  uint64_t whitespace;  // ' ' '\t' '\n' '\r'
  uint64_t op;          // { } [ ] : , and 0x0C 0x1A (see above)
  uint64_t control;     // bytes below 0x20 (an error inside a string)
  uint64_t non_ascii;   // nonzero when a byte from 0x80 is in the block (only ever a flag:
                        // a window without any needs no UTF-8 check); SIMD128 sets one bit
};

// The portable backend: one table lookup per byte.
enum scalar_class : uint8_t {
  other, backslash, quote, space, whitespace_control, control, op, control_op, non_ascii, kScalarClasses
};
struct scalar_class_table {
  uint8_t of[256];
  constexpr scalar_class_table() : of{} {
    for (int c = 0; c < 0x20; ++c) of[c] = control;
    for (int c = 0x80; c < 0x100; ++c) of[c] = scalar_class::non_ascii;
    of['\t'] = of['\n'] = of['\r'] = whitespace_control;
    of[' '] = space;
    of['\\'] = backslash;
    of['"'] = quote;
    of['{'] = of['}'] = of['['] = of[']'] = of[':'] = of[','] = op;
    of[0x0C] = of[0x1A] = control_op;
  }
};
inline constexpr scalar_class_table kScalarClassTable{};

struct scalar_block {
  KEYHOLE_ALWAYS_INLINE static block_masks classify(const uint8_t* p) {
    uint64_t by_class[kScalarClasses] = {};
    for (int i = 0; i < 64; ++i) by_class[kScalarClassTable.of[p[i]]] |= uint64_t(1) << i;
    return block_masks{by_class[backslash], by_class[quote], by_class[space] | by_class[whitespace_control],
                       by_class[op] | by_class[control_op],
                       by_class[control] | by_class[whitespace_control] | by_class[control_op],
                       by_class[scalar_class::non_ascii]};
  }
};

#if KEYHOLE_BLOCK_SIMD128
struct simd_block {
  KEYHOLE_ALWAYS_INLINE static uint64_t bits(v128_t a, v128_t b, v128_t c, v128_t d) {
    return uint64_t(wasm_i8x16_bitmask(a)) | uint64_t(wasm_i8x16_bitmask(b)) << 16 |
           uint64_t(wasm_i8x16_bitmask(c)) << 32 | uint64_t(wasm_i8x16_bitmask(d)) << 48;
  }
  struct chunk {
    v128_t backslash, quote, whitespace, op, control, high;
  };
  // SIMD128 has a byte shuffle (swizzle), so operators and whitespace are
  // found as simdjson's westmere kernel finds them: a byte is whitespace
  // when it equals the entry of a 16-byte table at its low nibble, and an
  // operator when, with 0x20 set ([ ] become { }, and 0x0C 0x1A become , :
  // as in simdjson), it equals the entry of another. The index keeps the
  // top bit, so no byte from 0x80 finds an entry (swizzle gives 0 from 16
  // on). One shuffle and one compare a class, where the nibble lookup took
  // a shift, two shuffles and their masks (stage 1 in the module: simdjson's
  // 4.0 GB/s against Keyhole's 2.8 before).
  KEYHOLE_ALWAYS_INLINE static chunk classify16(v128_t v) {
    const v128_t spaces = wasm_i8x16_make(' ', char(0x81), char(0x82), char(0x83), char(0x84), char(0x85), char(0x86),
                                          char(0x87), char(0x88), '\t', '\n', char(0x8B), char(0x8C), '\r', char(0x8E),
                                          char(0x8F));
    const v128_t operators = wasm_i8x16_make(char(0x80), char(0x81), char(0x82), char(0x83), char(0x84), char(0x85),
                                             char(0x86), char(0x87), char(0x88), char(0x89), ':', '{', ',', '}',
                                             char(0x8E), char(0x8F));
    v128_t index = wasm_v128_and(v, wasm_i8x16_splat(char(0x8F)));
    return chunk{wasm_i8x16_eq(v, wasm_i8x16_splat('\\')), wasm_i8x16_eq(v, wasm_i8x16_splat('"')),
                 wasm_i8x16_eq(v, wasm_i8x16_swizzle(spaces, index)),
                 wasm_i8x16_eq(wasm_v128_or(v, wasm_i8x16_splat(0x20)), wasm_i8x16_swizzle(operators, index)),
                 wasm_u8x16_le(v, wasm_i8x16_splat(0x1F)), v};
  }
  // Control characters and bytes from 0x80 are rare in a compact payload,
  // so they cost one test per block when absent: the control bits (read
  // with the in-string bits) only when a control byte is there, and the
  // non-ASCII flag from one bitmask of the four vectors.
  KEYHOLE_ALWAYS_INLINE static block_masks classify(const uint8_t* p) {
    chunk a = classify16(wasm_v128_load(p));
    chunk b = classify16(wasm_v128_load(p + 16));
    chunk c = classify16(wasm_v128_load(p + 32));
    chunk d = classify16(wasm_v128_load(p + 48));
    v128_t any_control = wasm_v128_or(wasm_v128_or(a.control, b.control), wasm_v128_or(c.control, d.control));
    uint64_t control = wasm_v128_any_true(any_control) ? bits(a.control, b.control, c.control, d.control) : 0;
    uint64_t high = uint64_t(wasm_i8x16_bitmask(wasm_v128_or(wasm_v128_or(a.high, b.high), wasm_v128_or(c.high, d.high))));
    return block_masks{bits(a.backslash, b.backslash, c.backslash, d.backslash), bits(a.quote, b.quote, c.quote, d.quote),
                       bits(a.whitespace, b.whitespace, c.whitespace, d.whitespace), bits(a.op, b.op, c.op, d.op),
                       control, high};
  }
};
#elif KEYHOLE_BLOCK_SSE2
struct simd_block {
  KEYHOLE_ALWAYS_INLINE static uint64_t bits(__m128i a, __m128i b, __m128i c, __m128i d) {
    return uint64_t(uint16_t(_mm_movemask_epi8(a))) | uint64_t(uint16_t(_mm_movemask_epi8(b))) << 16 |
           uint64_t(uint16_t(_mm_movemask_epi8(c))) << 32 | uint64_t(uint16_t(_mm_movemask_epi8(d))) << 48;
  }
  struct chunk {
    __m128i backslash, quote, whitespace, op, control, high;
  };
  KEYHOLE_ALWAYS_INLINE static chunk classify16(__m128i v) {
    auto eq = [v](char c) { return _mm_cmpeq_epi8(v, _mm_set1_epi8(c)); };
    // With 0x20 set, '[' is '{' and ']' is '}' (and 0x1A ':', 0x0C ',', as in simdjson).
    __m128i folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
    __m128i brackets = _mm_or_si128(_mm_cmpeq_epi8(folded, _mm_set1_epi8('{')), _mm_cmpeq_epi8(folded, _mm_set1_epi8('}')));
    __m128i punctuation = _mm_or_si128(_mm_cmpeq_epi8(folded, _mm_set1_epi8(':')), _mm_cmpeq_epi8(folded, _mm_set1_epi8(',')));
    __m128i low = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);  // v <= 0x1F, unsigned
    return chunk{eq('\\'), eq('"'), _mm_or_si128(_mm_or_si128(eq(' '), eq('\t')), _mm_or_si128(eq('\n'), eq('\r'))),
                 _mm_or_si128(brackets, punctuation), low, v};
  }
  KEYHOLE_ALWAYS_INLINE static block_masks classify(const uint8_t* p) {
    chunk a = classify16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    chunk b = classify16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16)));
    chunk c = classify16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 32)));
    chunk d = classify16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 48)));
    return block_masks{bits(a.backslash, b.backslash, c.backslash, d.backslash), bits(a.quote, b.quote, c.quote, d.quote),
                       bits(a.whitespace, b.whitespace, c.whitespace, d.whitespace), bits(a.op, b.op, c.op, d.op),
                       bits(a.control, b.control, c.control, d.control), bits(a.high, b.high, c.high, d.high)};
  }
};
#else
using simd_block = scalar_block;
#endif

}  // namespace keyhole::detail
