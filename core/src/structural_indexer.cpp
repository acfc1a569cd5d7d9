#include "structural_indexer.h"

#include <bit>
#include <cstring>

#include "simd_block.h"

#include "structural_indexer_x86.h"

namespace keyhole::detail {

namespace {

// The bit operations the baseline has: on x86-64-v1 no POPCNT, no PCLMUL.
struct baseline_bits {
  // Bit i set when an odd number of bits at or below i are set: inside a
  // string from its opening quote up to (not including) its closing one.
  // Shifts and xors, where simdjson uses a carry-less multiply.
  KEYHOLE_ALWAYS_INLINE static uint64_t prefix_xor(uint64_t x);
  KEYHOLE_ALWAYS_INLINE static int count_ones(uint64_t x);
};

KEYHOLE_ALWAYS_INLINE uint64_t baseline_bits::prefix_xor(uint64_t x) {
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
}

// The baseline x86-64 has no POPCNT instruction (and the release build must
// run on one without a CPU check); wasm and CPUs that have it use theirs.
KEYHOLE_ALWAYS_INLINE int baseline_bits::count_ones(uint64_t x) {
#if defined(__POPCNT__) || defined(__wasm__) || defined(__aarch64__)
  return std::popcount(x);
#else
  x = x - ((x >> 1) & 0x5555555555555555ull);
  x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
  x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
  return int((x * 0x0101010101010101ull) >> 56);
#endif
}

#include "structural_step.inc"

uint32_t* index_portable(const uint8_t* p, size_t n, uint32_t base, structural_indexer::carry& s, uint32_t* out) {
  return index_with<scalar_block, baseline_bits>(p, n, base, s, out);
}
uint32_t* index_simd(const uint8_t* p, size_t n, uint32_t base, structural_indexer::carry& s, uint32_t* out) {
  return index_with<simd_block, baseline_bits>(p, n, base, s, out);
}

using index_fn = structural_indexer::index_fn;
// The fastest kernel this CPU runs, chosen once.
index_fn best_simd_kernel() {
  static const index_fn best = [] {
    index_fn x86_best = x86::fastest_kernel();
    return x86_best ? x86_best : index_simd;
  }();
  return best;
}

index_fn kernel_for(block_kernel kernel) {
  switch (kernel) {
    case block_kernel::simd: return best_simd_kernel();
    case block_kernel::baseline_simd: return index_simd;
    case block_kernel::scalar: return index_portable;
    case block_kernel::x86_avx2: return x86::avx2_kernel();
    case block_kernel::x86_avx512: return x86::avx512_kernel();
  }
  return nullptr;
}
}  // namespace

structural_indexer::structural_indexer(block_kernel kernel) {
  index_ = kernel_for(kernel);
  if (!index_) index_ = best_simd_kernel();
}

bool structural_indexer::runs(block_kernel kernel) { return kernel_for(kernel) != nullptr; }

uint32_t* structural_indexer::index(const uint8_t* p, size_t n, uint32_t base, uint32_t* out) {
  return index_(p, n, base, carry_, out);
}

}  // namespace keyhole::detail
