// The previous engine behind a plain function, for tests/fuzz/fuzz_engines.cpp.
// (Its own namespace: the engine itself is built as keyhole_reference::.)
#pragma once

#include <string>
#include <string_view>

namespace reference_engine {

struct result {
  bool policy_ok = false;
  int code = 0;        // the status code, as the integer of keyhole::status_code
  std::string output;  // filter output on success
};

// Compiles `policy` and filters `payload` for `claims` (format automatic),
// with the filter's default limits; `status_json` asks for the status.json projection.
result run(std::string_view policy, std::string_view claims, std::string_view payload, bool status_json);

// Whether the previous engine's tree (simdjson's DOM) accepts `text` as a
// payload document (an object or array, nested less than `max_depth`).
bool tree_accepts(std::string_view text, size_t max_depth);

}  // namespace reference_engine
