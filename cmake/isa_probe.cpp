// Negative control for cmake/check-baseline-isa.py: built with -mavx2 -mbmi2, so its
// code holds AVX2 and BMI2 instructions outside any runtime-dispatched kernel, and the
// check must reject it (ctest: portable-cli-check-rejects-avx2).
#include <immintrin.h>

#include <cstdint>
#include <cstdio>

__attribute__((noinline)) int keyhole_isa_probe_sum(const int* v, std::uint64_t mask) {
  __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v));
  __m256i s = _mm256_add_epi32(a, _mm256_set1_epi32(1));
  int out[8];
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), s);
  return out[0] + static_cast<int>(_pdep_u64(mask, 0x0f0f0f0full));
}

int main(int argc, char**) {
  int v[8] = {argc, 2, 3, 4, 5, 6, 7, 8};
  std::printf("%d\n", keyhole_isa_probe_sum(v, static_cast<std::uint64_t>(argc)));
  return 0;
}
