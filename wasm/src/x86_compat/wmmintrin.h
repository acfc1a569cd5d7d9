// Stand-in for <wmmintrin.h> (PCLMUL) in the wasm build with simdjson's westmere kernel.
// WebAssembly has no carry-less multiply. simdjson calls _mm_clmulepi64_si128 once, in
// prefix_xor(), as clmul(bitmask, all ones) and keeps the low 64 bits: the running XOR
// of the mask's bits, six shift-XOR steps (the test folds away once inlined, as does
// the unused high half). Any other operand takes the generic bit loop: slow, never wrong.
#pragma once
#include <emmintrin.h>
#include <stdint.h>

static inline uint64_t keyhole_clmul_low64(uint64_t a, uint64_t b) {
  if (b == ~0ULL) {  // bit i = a[0] ^ ... ^ a[i]
    a ^= a << 1; a ^= a << 2; a ^= a << 4; a ^= a << 8; a ^= a << 16; a ^= a << 32;
    return a;
  }
  uint64_t r = 0;
  for (int i = 0; i < 64; i++) if ((b >> i) & 1) r ^= a << i;
  return r;
}

static inline uint64_t keyhole_clmul_high64(uint64_t a, uint64_t b) {
  uint64_t r = 0;
  for (int i = 1; i < 64; i++) if ((b >> i) & 1) r ^= a >> (64 - i);
  return r;
}

// imm bit 0 picks a's 64-bit half, bit 4 picks b's; the result is the 128-bit product.
static inline __m128i _mm_clmulepi64_si128(__m128i a, __m128i b, const int imm) {
  uint64_t x = (uint64_t)_mm_cvtsi128_si64((imm & 0x01) ? _mm_unpackhi_epi64(a, a) : a);
  uint64_t y = (uint64_t)_mm_cvtsi128_si64((imm & 0x10) ? _mm_unpackhi_epi64(b, b) : b);
  return _mm_set_epi64x((long long)keyhole_clmul_high64(x, y), (long long)keyhole_clmul_low64(x, y));
}
