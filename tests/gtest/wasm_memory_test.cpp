// The wasm module's own memcpy and memcmp (wasm/src/memory_ops.h), held
// natively against the C library's for every length up to a few blocks, at
// every alignment of source and destination. Natively they take the path of
// the scalar wasm build (16 bytes as two words); the SIMD128 path is held by
// the native-vs-wasm differentials, whose every output is copied by it.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "../../wasm/src/memory_ops.h"

namespace {

using keyhole::wasm_memory::compare_bytes;
using keyhole::wasm_memory::copy_bytes;

constexpr size_t kMostLength = 200;

TEST(WasmMemory, CopiesEveryLengthAtEveryAlignment) {
  std::vector<unsigned char> src(kMostLength + 64), dst(kMostLength + 64), want(kMostLength + 64);
  for (size_t i = 0; i < src.size(); ++i) src[i] = static_cast<unsigned char>(i * 131 + 7);
  for (size_t from = 0; from < 16; ++from)
    for (size_t to = 0; to < 16; ++to)
      for (size_t n = 0; n <= kMostLength; ++n) {
        std::fill(dst.begin(), dst.end(), 0xEE);
        std::fill(want.begin(), want.end(), 0xEE);
        std::memcpy(want.data() + to, src.data() + from, n);
        EXPECT_EQ(copy_bytes(dst.data() + to, src.data() + from, n), dst.data() + to);
        ASSERT_EQ(dst, want) << "n=" << n << " from=" << from << " to=" << to;  // nothing outside the n bytes either
      }
}

int sign(int v) { return (v > 0) - (v < 0); }

TEST(WasmMemory, ComparesLikeMemcmpWhereverTheFirstDifferenceIs) {
  std::vector<unsigned char> a(kMostLength + 16), b;
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<unsigned char>(i * 37 + 1);
  for (size_t at = 0; at < 16; ++at)
    for (size_t n = 0; n <= kMostLength; ++n) {
      b = a;
      EXPECT_EQ(compare_bytes(a.data() + at, b.data() + at, n), 0) << "equal, n=" << n;
      for (size_t diff = 0; diff < n; diff += 1 + diff / 8) {
        for (unsigned char delta : {1, 0x80}) {  // above and below, and past 0x7F (unsigned bytes)
          b = a;
          b[at + diff] = static_cast<unsigned char>(b[at + diff] + delta);
          if (diff + 1 < n) b[at + diff + 1] ^= 0xFF;  // a later difference must not decide
          int want = sign(std::memcmp(a.data() + at, b.data() + at, n));
          ASSERT_EQ(sign(compare_bytes(a.data() + at, b.data() + at, n)), want) << "n=" << n << " diff=" << diff;
          ASSERT_EQ(sign(compare_bytes(b.data() + at, a.data() + at, n)), -want);
        }
      }
    }
}

}  // namespace
