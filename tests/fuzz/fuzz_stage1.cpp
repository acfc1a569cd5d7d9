// libFuzzer target: Keyhole's structural indexer (core/src/structural_indexer.cpp,
// a window at a time through json_parser) against simdjson's stage 1 on the same
// bytes: the same verdict and message, and when both accept, the same positions
// in the same order. Every kernel the CPU runs, at several window sizes, so the
// fuzzer's strings, escapes and UTF-8 sequences land across block and window
// boundaries. The first input byte picks one tiny window size besides the fixed ones.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "simdjson.h"
#include "structural_index.h"

namespace {

using keyhole::detail::block_kernel;
using keyhole::detail::json_parser;

struct result {
  std::string error;
  std::vector<uint32_t> positions;
};

result reference(const uint8_t* data, size_t size) {
  static std::unique_ptr<simdjson::internal::dom_parser_implementation> impl;
  static size_t capacity = 0;
  if (!impl || capacity < size) {
    impl.reset();
    capacity = size < 4096 ? 4096 : size;
    if (simdjson::get_active_implementation()->create_dom_parser_implementation(capacity, 64, impl)) std::abort();
  }
  simdjson::padded_string padded(reinterpret_cast<const char*>(data), size);
  result r;
  auto e = impl->stage1(reinterpret_cast<const uint8_t*>(padded.data()), size, simdjson::stage1_mode::regular);
  if (e) {
    r.error = std::string("invalid JSON: ") + simdjson::error_message(e);
    return r;
  }
  r.positions.assign(impl->structural_indexes.get(), impl->structural_indexes.get() + impl->n_structural_indexes);
  return r;
}

result own(const uint8_t* data, size_t size, size_t window, block_kernel kernel) {
  json_parser parser = json_parser::for_tests(window, kernel);
  // Exactly `size` readable bytes: ASan sees any read past the text.
  std::unique_ptr<char[]> exact(new char[size ? size : 1]);
  if (size) std::memcpy(exact.get(), data, size);
  parser.begin(exact.get(), size);
  result r;
  for (parser.refill(0);; parser.refill(parser.count())) {
    r.positions.insert(r.positions.end(), parser.positions(), parser.positions() + parser.count());
    if (parser.finished()) break;
  }
  if (!parser.verdict(r.error)) r.positions.clear();
  return r;
}

[[noreturn]] void fail(const char* what, size_t window, int kernel) {
  std::fprintf(stderr, "fuzz_stage1: KEYHOLE ORACLE FAILURE: %s differs from simdjson (window %zu, kernel %d)\n", what,
               window, kernel);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  size_t tiny = 16 + (size ? data[0] % 120 : 0);
  result want = reference(data, size);
  for (block_kernel kernel : {block_kernel::simd, block_kernel::baseline_simd, block_kernel::scalar,
                              block_kernel::x86_avx2, block_kernel::x86_avx512}) {
    if (!keyhole::detail::structural_indexer::runs(kernel)) continue;
    for (size_t window : {tiny, size_t(64), size_t(65), size_t(192), json_parser::kDefaultWindowBytes}) {
      result got = own(data, size, window, kernel);
      if (got.error != want.error) fail("the verdict", window, int(kernel));
      if (got.positions != want.positions) fail("the positions", window, int(kernel));
    }
  }
  return 0;
}
