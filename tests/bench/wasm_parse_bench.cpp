// Parse-only figures for the wasm build, read by `node tests/bench/wasm-bench.mjs`:
// Keyhole's own stage 1 (its structural indexer, SIMD128 or scalar as the module),
// simdjson's stage 1 alone (structural indexes + UTF-8 validation, what the core's own
// pass starts from) and its full DOM parse (stage 1 + 2) of the same bytes, compiled
// with the same simdjson kernel and flags as keyhole.wasm (target keyhole_parse_bench
// in wasm/CMakeLists.txt, EXCLUDE_FROM_ALL). Figures, not a test.
#include <emscripten/emscripten.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "simdjson.h"
#include "structural_index.h"  // Keyhole's own stage 1 (core/src, a benchmark's reach into private headers)

namespace {

simdjson::dom::parser dom_parser;
std::unique_ptr<simdjson::internal::dom_parser_implementation> stage1_parser;
size_t stage1_capacity = 0;

// What the benchmark answers when a call fails: a negative simdjson error code.
int failure(simdjson::error_code e) { return -int(e); }

}  // namespace

extern "C" {

// The kernel simdjson runs ("arm64", "fallback", ...): the figures say which they measured.
EMSCRIPTEN_KEEPALIVE const char* bench_kernel() {
  static std::string name = simdjson::get_active_implementation()->name();
  return name.c_str();
}

// A buffer of n bytes followed by simdjson's zeroed padding (it reads past the end).
EMSCRIPTEN_KEEPALIVE uint8_t* bench_alloc(size_t n) {
  auto* p = new uint8_t[n + simdjson::SIMDJSON_PADDING];
  std::memset(p + n, 0, simdjson::SIMDJSON_PADDING);
  return p;
}

EMSCRIPTEN_KEEPALIVE void bench_free(uint8_t* p) { delete[] p; }

// Stage 1 over n bytes: the number of structural indexes, or a negative error.
EMSCRIPTEN_KEEPALIVE int bench_stage1(const uint8_t* p, size_t n) {
  if (!stage1_parser || stage1_capacity < n) {
    stage1_parser.reset();
    auto e = simdjson::get_active_implementation()->create_dom_parser_implementation(n, simdjson::DEFAULT_MAX_DEPTH,
                                                                                     stage1_parser);
    if (e) return failure(e);
    stage1_capacity = n;
  }
  auto e = stage1_parser->stage1(p, n, simdjson::stage1_mode::regular);
  if (e) return failure(e);
  return int(stage1_parser->n_structural_indexes);
}

// Keyhole's own structural indexer over n bytes, window by window (what the
// module's parse runs): the number of positions, or -1 when its verdict rejects.
EMSCRIPTEN_KEEPALIVE int bench_own_stage1(const uint8_t* p, size_t n) {
  static keyhole::detail::json_parser parser;
  parser.begin(reinterpret_cast<const char*>(p), n);
  for (parser.refill(0); !parser.finished(); parser.refill(parser.count())) {
  }
  std::string message;
  return parser.verdict(message) ? int(parser.total()) : -1;
}

// Keyhole's indexer against simdjson's stage 1 on n bytes, for
// tests/node/wasm-stage1-differential.test.mjs: 0 when the verdicts (and
// messages) agree and, when both accept, so do the positions, through windows
// of `window` bytes with the module's SIMD kernel (simd = 1) or the portable one.
EMSCRIPTEN_KEEPALIVE int bench_stage1_differs(const uint8_t* p, size_t n, size_t window, int simd) {
  std::string want_error;
  std::vector<uint32_t> want;
  if (!stage1_parser || stage1_capacity < n) {
    stage1_parser.reset();
    size_t capacity = n < 4096 ? 4096 : n;
    if (simdjson::get_active_implementation()->create_dom_parser_implementation(capacity, 64, stage1_parser)) return -1;
    stage1_capacity = capacity;
  }
  if (auto e = stage1_parser->stage1(p, n, simdjson::stage1_mode::regular))
    want_error = std::string("invalid JSON: ") + simdjson::error_message(e);
  else
    want.assign(stage1_parser->structural_indexes.get(), stage1_parser->structural_indexes.get() + stage1_parser->n_structural_indexes);
  auto parser = keyhole::detail::json_parser::for_tests(
      window, simd ? keyhole::detail::block_kernel::simd : keyhole::detail::block_kernel::scalar);
  parser.begin(reinterpret_cast<const char*>(p), n);
  std::vector<uint32_t> got;
  for (parser.refill(0);; parser.refill(parser.count())) {
    got.insert(got.end(), parser.positions(), parser.positions() + parser.count());
    if (parser.finished()) break;
  }
  std::string error;
  if (!parser.verdict(error)) got.clear();
  if (error != want_error) return 1;
  return want_error.empty() && got != want ? 2 : 0;
}

// The full DOM parse (stage 1 + 2, as the core used before its own pass): 0 or a negative error.
EMSCRIPTEN_KEEPALIVE int bench_dom_parse(const uint8_t* p, size_t n) {
  simdjson::dom::element doc;
  auto e = dom_parser.parse(p, n, false).get(doc);
  return e ? failure(e) : 0;
}

}  // extern "C"
