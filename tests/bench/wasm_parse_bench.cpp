// Parse-only figures for the wasm build, read by `node tests/bench/wasm-bench.mjs`:
// Keyhole's own stage 1 (its structural indexer, SIMD128 or scalar as the module), its
// whole parse (stage 1 + the tree pass, names classified),
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
#include "field_table.h"       // the tree pass below: core/src, a benchmark's reach into private headers
#include "json_tree.h"
#include "structural_index.h"  // Keyhole's own stage 1

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

// The core's whole parse as the filter runs it: its stage 1 and its own pass
// (json_tree::build) with every member name classified (field_table::api()),
// nothing decided: the node count, or -1 when rejected. With bench_own_stage1
// it splits a call's parse into the indexer and the tree pass.
EMSCRIPTEN_KEEPALIVE int bench_tree_fields(const uint8_t* p, size_t n) {
  static keyhole::detail::json_parser parser;
  static keyhole::detail::json_tree tree;
  keyhole::detail::parse_error err;
  bool built = tree.build(parser, reinterpret_cast<const char*>(p), n, 1024, err, &keyhole::detail::field_table::api());
  return built ? int(tree.size()) : -1;
}

namespace {
struct stage1_answer {
  std::string error;  // empty when accepted
  std::vector<uint32_t> positions;
};

stage1_answer simdjson_answer(const uint8_t* p, size_t n) {
  stage1_answer a;
  if (!stage1_parser || stage1_capacity < n) {
    stage1_parser.reset();
    size_t capacity = n < 4096 ? 4096 : n;
    if (simdjson::get_active_implementation()->create_dom_parser_implementation(capacity, 64, stage1_parser)) {
      a.error = "allocation failed";
      return a;
    }
    stage1_capacity = capacity;
  }
  if (auto e = stage1_parser->stage1(p, n, simdjson::stage1_mode::regular))
    a.error = std::string("invalid JSON: ") + simdjson::error_message(e);
  else
    a.positions.assign(stage1_parser->structural_indexes.get(),
                       stage1_parser->structural_indexes.get() + stage1_parser->n_structural_indexes);
  return a;
}

stage1_answer own_answer(const uint8_t* p, size_t n, size_t window, bool simd) {
  auto parser = keyhole::detail::json_parser::for_tests(
      window, simd ? keyhole::detail::block_kernel::simd : keyhole::detail::block_kernel::scalar);
  parser.begin(reinterpret_cast<const char*>(p), n);
  stage1_answer a;
  for (parser.refill(0);; parser.refill(parser.count())) {
    a.positions.insert(a.positions.end(), parser.positions(), parser.positions() + parser.count());
    if (parser.finished()) break;
  }
  if (!parser.verdict(a.error)) a.positions.clear();
  return a;
}

// FNV-1a over the message and the positions: equal answers, equal digests.
uint32_t digest(const stage1_answer& a) {
  uint32_t h = 2166136261u;
  auto mix = [&h](uint8_t b) { h = (h ^ b) * 16777619u; };
  for (char c : a.error) mix(uint8_t(c));
  for (uint32_t v : a.positions)
    for (int k = 0; k < 4; ++k) mix(uint8_t(v >> (8 * k)));
  return h;
}
}  // namespace

// Keyhole's indexer against simdjson's stage 1 on n bytes, for
// tests/node/wasm-stage1-differential.test.mjs: 0 when the verdicts (and
// messages) agree and, when both accept, so do the positions, through windows
// of `window` bytes with the module's SIMD kernel (simd = 1) or the portable one.
// Meaningful in the SIMD128 build, whose simdjson runs a SIMD kernel (westmere);
// the scalar build's simdjson runs its fallback kernel, whose stage 1 differs at
// the edges, so that build is held by digests against the SIMD build's simdjson.
EMSCRIPTEN_KEEPALIVE int bench_stage1_differs(const uint8_t* p, size_t n, size_t window, int simd) {
  stage1_answer want = simdjson_answer(p, n), got = own_answer(p, n, window, simd != 0);
  if (got.error != want.error) return 1;
  return got.positions != want.positions ? 2 : 0;
}

// The digest of simdjson's answer (window 0) or of Keyhole's through windows of `window` bytes.
EMSCRIPTEN_KEEPALIVE uint32_t bench_stage1_digest(const uint8_t* p, size_t n, size_t window, int simd) {
  return digest(window ? own_answer(p, n, window, simd != 0) : simdjson_answer(p, n));
}

// The full DOM parse (stage 1 + 2, as the core used before its own pass): 0 or a negative error.
EMSCRIPTEN_KEEPALIVE int bench_dom_parse(const uint8_t* p, size_t n) {
  simdjson::dom::element doc;
  auto e = dom_parser.parse(p, n, false).get(doc);
  return e ? failure(e) : 0;
}

}  // extern "C"
