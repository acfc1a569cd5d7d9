// libFuzzer target: the core's parse (simdjson's stage 1 + Keyhole's own stage
// 2, core/src/json_tree.cpp) against the previous engine's (simdjson's DOM,
// tests/reference) on the same bytes: both accept or both reject, at a small
// depth limit and at the default. fuzz_engines compares whole filter calls,
// where most documents one parser would accept are rejected later as "not a
// payload" anyway; this target sees every accept/reject difference.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "json_tree.h"
#include "reference_filter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::string padded = text;
  padded.append(keyhole::detail::json_parser::padding(), '\0');
  for (size_t depth : {size_t(4), size_t(1024)}) {
    keyhole::detail::json_parser parser;
    keyhole::detail::json_tree tree;
    keyhole::detail::parse_error err;
    bool now = tree.build(parser, padded.data(), text.size(), depth, err);
    bool before = reference_engine::tree_accepts(text, depth);
    if (now != before) {
      std::fprintf(stderr, "fuzz_tree: depth %zu: core %s, reference %s (%s)\n", depth, now ? "accepts" : "rejects",
                   before ? "accepts" : "rejects", err.message.c_str());
      std::abort();
    }
  }
  return 0;
}
