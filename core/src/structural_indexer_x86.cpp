// Keyhole's structural indexer for x86-64 CPUs with AVX2 or AVX-512 (Ice Lake
// and later: VBMI2's byte compress), chosen at run time so the release build
// stays x86-64-v1 (cmake/check-baseline-isa.py allows the namespaces avx2 and
// avx512 by name). Each compiles the same block step (structural_step.inc) as
// the baseline kernels inside its own target region; only the classification,
// the bit operations and (AVX-512) the writing of positions differ.
#include "structural_indexer_x86.h"

#include <bit>
#include <cstring>

#include "simd_block.h"

#if (defined(__x86_64__) || defined(_M_X64)) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

namespace keyhole::detail {

// A byte is an operator or whitespace when the bits its low nibble and its
// high nibble look up share one. Bits: 1 ',' (2C) and 0C, 2 ':' (3A) and 1A
// (simd_block.h says why those two), 4 brackets ([ ] { }: 5B 5D 7B 7D), 8 ' '
// (20), 16 '\t' '\n' '\r' (09 0A 0D); the op bits are 1|2|4, the whitespace
// bits 8|16. Any other byte shares none.
#define KEYHOLE_NIBBLE_TABLES                                                 \
  const char by_low[16] = {8, 0, 0, 0, 0, 0, 0, 0, 0, 16, 2 | 16, 4, 1, 4 | 16, 0, 0}; \
  const char by_high[16] = {16 | 1, 2, 1 | 8, 2, 0, 4, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0};

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,bmi,popcnt,pclmul"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,bmi,popcnt,pclmul")
#endif
namespace avx2 {
namespace {

struct bits {
  KEYHOLE_ALWAYS_INLINE static uint64_t prefix_xor(uint64_t x) {
    __m128i all_ones = _mm_set1_epi8(char(0xFF));
    return uint64_t(_mm_cvtsi128_si64(_mm_clmulepi64_si128(_mm_set_epi64x(0, int64_t(x)), all_ones, 0)));
  }
  KEYHOLE_ALWAYS_INLINE static int count_ones(uint64_t x) { return __builtin_popcountll(x); }
};

struct block {
  KEYHOLE_ALWAYS_INLINE static block_masks classify(const uint8_t* p) {
    KEYHOLE_NIBBLE_TABLES
    const __m256i low_table = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(by_low)));
    const __m256i high_table = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(by_high)));
    const __m256i nibble = _mm256_set1_epi8(0x0F), zero = _mm256_setzero_si256();
    uint32_t m[6][2];
    for (int h = 0; h < 2; ++h) {
      __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32 * h));
      __m256i cls = _mm256_and_si256(_mm256_shuffle_epi8(low_table, _mm256_and_si256(v, nibble)),
                                     _mm256_shuffle_epi8(high_table, _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble)));
      m[0][h] = uint32_t(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('\\'))));
      m[1][h] = uint32_t(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('"'))));
      m[2][h] = ~uint32_t(_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_and_si256(cls, _mm256_set1_epi8(8 | 16)), zero)));
      m[3][h] = ~uint32_t(_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_and_si256(cls, _mm256_set1_epi8(1 | 2 | 4)), zero)));
      m[4][h] = uint32_t(_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_min_epu8(v, _mm256_set1_epi8(0x1F)), v)));
      m[5][h] = uint32_t(_mm256_movemask_epi8(v));
    }
    auto join = [&m](int k) { return uint64_t(m[k][0]) | uint64_t(m[k][1]) << 32; };
    return block_masks{join(0), join(1), join(2), join(3), join(4), join(5)};
  }
};

#include "structural_step.inc"

}  // namespace

uint32_t* index(const uint8_t* p, size_t n, uint32_t base, structural_indexer::carry& s, uint32_t* out) {
  return index_with<block, bits>(p, n, base, s, out);
}

}  // namespace avx2
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vbmi2,bmi,popcnt,pclmul"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vbmi2,bmi,popcnt,pclmul")
#endif
namespace avx512 {
namespace {

struct bits {
  KEYHOLE_ALWAYS_INLINE static uint64_t prefix_xor(uint64_t x) {
    __m128i all_ones = _mm_set1_epi8(char(0xFF));
    return uint64_t(_mm_cvtsi128_si64(_mm_clmulepi64_si128(_mm_set_epi64x(0, int64_t(x)), all_ones, 0)));
  }
  KEYHOLE_ALWAYS_INLINE static int count_ones(uint64_t x) { return __builtin_popcountll(x); }
  // The places of the set bits, packed by VBMI2's byte compress, widened to
  // 32 bits 16 at a time: no loop over the bits at all.
  KEYHOLE_ALWAYS_INLINE static uint32_t* write(uint64_t structurals, uint32_t base, uint32_t* out) {
    if (structurals == 0) return out;
    const __m512i places = _mm512_set_epi8(63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44,
                                           43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24,
                                           23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2,
                                           1, 0);
    int count = count_ones(structurals);
    __m512i packed = _mm512_maskz_compress_epi8(structurals, places);
    __m512i offset = _mm512_set1_epi32(int(base));
    _mm512_storeu_si512(out, _mm512_add_epi32(offset, _mm512_cvtepu8_epi32(_mm512_castsi512_si128(packed))));
    if (count > 16) {
      _mm512_storeu_si512(out + 16, _mm512_add_epi32(offset, _mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(packed, 1))));
      if (count > 32) {
        _mm512_storeu_si512(out + 32, _mm512_add_epi32(offset, _mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(packed, 2))));
        _mm512_storeu_si512(out + 48, _mm512_add_epi32(offset, _mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(packed, 3))));
      }
    }
    return out + count;
  }
};

struct block {
  KEYHOLE_ALWAYS_INLINE static block_masks classify(const uint8_t* p) {
    KEYHOLE_NIBBLE_TABLES
    const __m512i low_table = _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(by_low)));
    const __m512i high_table = _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(by_high)));
    const __m512i nibble = _mm512_set1_epi8(0x0F);
    __m512i v = _mm512_loadu_si512(p);
    __m512i cls = _mm512_and_si512(_mm512_shuffle_epi8(low_table, _mm512_and_si512(v, nibble)),
                                   _mm512_shuffle_epi8(high_table, _mm512_and_si512(_mm512_srli_epi16(v, 4), nibble)));
    return block_masks{_mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\\')), _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('"')),
                       _mm512_test_epi8_mask(cls, _mm512_set1_epi8(8 | 16)),
                       _mm512_test_epi8_mask(cls, _mm512_set1_epi8(1 | 2 | 4)),
                       _mm512_cmple_epu8_mask(v, _mm512_set1_epi8(0x1F)), _mm512_movepi8_mask(v)};
  }
};

#include "structural_step.inc"

}  // namespace

uint32_t* index(const uint8_t* p, size_t n, uint32_t base, structural_indexer::carry& s, uint32_t* out) {
  return index_with<block, bits>(p, n, base, s, out);
}

}  // namespace avx512
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

namespace x86 {

// Outside the target regions: these run on every CPU.
namespace {
bool has_bit_instructions() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("bmi") && __builtin_cpu_supports("popcnt") && __builtin_cpu_supports("pclmul");
}
}  // namespace

structural_indexer::index_fn avx2_kernel() {
  return has_bit_instructions() && __builtin_cpu_supports("avx2") ? avx2::index : nullptr;
}
structural_indexer::index_fn avx512_kernel() {
  return has_bit_instructions() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                 __builtin_cpu_supports("avx512vbmi2")
             ? avx512::index
             : nullptr;
}
structural_indexer::index_fn fastest_kernel() {
  if (structural_indexer::index_fn f = avx512_kernel()) return f;
  return avx2_kernel();
}

}  // namespace x86
}  // namespace keyhole::detail

#else

namespace keyhole::detail::x86 {
structural_indexer::index_fn fastest_kernel() { return nullptr; }
structural_indexer::index_fn avx2_kernel() { return nullptr; }
structural_indexer::index_fn avx512_kernel() { return nullptr; }
}  // namespace keyhole::detail::x86

#endif
