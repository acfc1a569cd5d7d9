// Parse-only figures for the wasm build, read by `node tests/bench/wasm-bench.mjs`:
// simdjson's stage 1 alone (structural indexes + UTF-8 validation, what the core's own
// pass starts from) and its full DOM parse (stage 1 + 2) of the same bytes, compiled
// with the same simdjson kernel and flags as keyhole.wasm (target keyhole_parse_bench
// in wasm/CMakeLists.txt, EXCLUDE_FROM_ALL). Figures, not a test.
#include <emscripten/emscripten.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "simdjson.h"

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

// The full DOM parse (stage 1 + 2, as the core used before its own pass): 0 or a negative error.
EMSCRIPTEN_KEEPALIVE int bench_dom_parse(const uint8_t* p, size_t n) {
  simdjson::dom::element doc;
  auto e = dom_parser.parse(p, n, false).get(doc);
  return e ? failure(e) : 0;
}

}  // extern "C"
