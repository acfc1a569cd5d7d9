// The wasm module's memcpy and memcmp (memory.cpp installs them), as inline
// functions so a native test holds them against the C library's: 16 bytes
// at a time as one SIMD128 vector, or (no SIMD128, and natively) two 64-bit
// words. Why the module needs its own: memory.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

namespace keyhole::wasm_memory {

using u64_unaligned = uint64_t __attribute__((aligned(1), may_alias));
using u32_unaligned = uint32_t __attribute__((aligned(1), may_alias));
using u16_unaligned = uint16_t __attribute__((aligned(1), may_alias));

// Fewer than 16 bytes: two overlapping moves of the widest size that fits.
inline void copy_short(unsigned char* d, const unsigned char* s, size_t n) {
  if (n >= 8) {
    uint64_t head = *reinterpret_cast<const u64_unaligned*>(s), tail = *reinterpret_cast<const u64_unaligned*>(s + n - 8);
    *reinterpret_cast<u64_unaligned*>(d) = head;
    *reinterpret_cast<u64_unaligned*>(d + n - 8) = tail;
  } else if (n >= 4) {
    uint32_t head = *reinterpret_cast<const u32_unaligned*>(s), tail = *reinterpret_cast<const u32_unaligned*>(s + n - 4);
    *reinterpret_cast<u32_unaligned*>(d) = head;
    *reinterpret_cast<u32_unaligned*>(d + n - 4) = tail;
  } else if (n >= 2) {
    uint16_t head = *reinterpret_cast<const u16_unaligned*>(s), tail = *reinterpret_cast<const u16_unaligned*>(s + n - 2);
    *reinterpret_cast<u16_unaligned*>(d) = head;
    *reinterpret_cast<u16_unaligned*>(d + n - 2) = tail;
  } else if (n == 1) {
    *d = *s;
  }
}

// 16 bytes at a time: one v128, or two 64-bit words.
#if defined(__wasm_simd128__)
using block16 = v128_t;
inline block16 load16(const unsigned char* p) { return wasm_v128_load(p); }
inline void store16(unsigned char* p, block16 v) { wasm_v128_store(p, v); }
// A bit per byte that differs, the first byte lowest.
inline uint32_t differing16(const unsigned char* a, const unsigned char* b) {
  return uint32_t(wasm_i8x16_bitmask(wasm_i8x16_ne(wasm_v128_load(a), wasm_v128_load(b))));
}
#else
struct block16 {
  uint64_t lo, hi;
};
inline block16 load16(const unsigned char* p) {
  return {*reinterpret_cast<const u64_unaligned*>(p), *reinterpret_cast<const u64_unaligned*>(p + 8)};
}
inline void store16(unsigned char* p, block16 v) {
  *reinterpret_cast<u64_unaligned*>(p) = v.lo;
  *reinterpret_cast<u64_unaligned*>(p + 8) = v.hi;
}
#endif

inline void* copy_bytes(void* __restrict dest, const void* __restrict src, size_t n) {
  auto* d = static_cast<unsigned char*>(dest);
  const auto* s = static_cast<const unsigned char*>(src);
  if (n < 16) {
    copy_short(d, s, n);
    return dest;
  }
  // The last 16 bytes are moved apart (overlapping the loop's last move),
  // so the loop needs no byte tail. The regions do not overlap (memcpy's
  // contract), so reading the tail first is the same as reading it last.
  block16 tail = load16(s + n - 16);
  unsigned char* tail_at = d + n - 16;
  for (; n >= 64; n -= 64, d += 64, s += 64) {
    block16 a = load16(s), b = load16(s + 16), c = load16(s + 32), e = load16(s + 48);
    store16(d, a);
    store16(d + 16, b);
    store16(d + 32, c);
    store16(d + 48, e);
  }
  for (; n > 16; n -= 16, d += 16, s += 16) store16(d, load16(s));
  store16(tail_at, tail);
  return dest;
}

inline int compare_bytes(const void* a, const void* b, size_t n) {
  const auto* l = static_cast<const unsigned char*>(a);
  const auto* r = static_cast<const unsigned char*>(b);
#if defined(__wasm_simd128__)
  for (; n >= 16; n -= 16, l += 16, r += 16) {
    uint32_t differ = differing16(l, r);
    if (differ) {
      int i = __builtin_ctz(differ);
      return int(l[i]) - int(r[i]);
    }
  }
#endif
  for (; n >= 8; n -= 8, l += 8, r += 8) {
    uint64_t x = *reinterpret_cast<const u64_unaligned*>(l), y = *reinterpret_cast<const u64_unaligned*>(r);
    if (x != y) {
      int i = __builtin_ctzll(x ^ y) >> 3;  // little-endian: the lowest differing byte is the first
      return int(l[i]) - int(r[i]);
    }
  }
  for (; n && *l == *r; --n, ++l, ++r) {
  }
  return n ? int(*l) - int(*r) : 0;
}

}  // namespace keyhole::wasm_memory
