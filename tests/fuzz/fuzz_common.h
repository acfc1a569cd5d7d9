// Shared helpers for the Keyhole libFuzzer targets: independent JSON checks
// built on the simdjson DOM API (not the core's own tree), and a failure macro
// that prints the reason before aborting so libFuzzer saves the input.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "keyhole/keyhole.h"
#include "simdjson.h"

namespace fuzz {

[[noreturn]] inline void die(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "\n*** KEYHOLE ORACLE FAILURE: %s %.*s\n", what, static_cast<int>(detail.size() > 400 ? 400 : detail.size()),
               detail.data());
  std::abort();
}

#define FUZZ_CHECK(cond, what, detail) \
  do {                                 \
    if (!(cond)) ::fuzz::die(what, detail); \
  } while (0)

// A DOM parser that accepts deeper documents than the core's limit, so the
// oracle can always read what the core accepted.
inline simdjson::dom::parser& dom_parser() {
  static simdjson::dom::parser p;
  return p;
}

inline bool dom_parse(std::string_view text, simdjson::dom::element& out, simdjson::dom::parser& p) {
  size_t cap = text.size() < 4096 ? 4096 : text.size();
  if (p.capacity() < cap || p.max_depth() < 4096) {
    if (p.allocate(cap, 4096)) return false;
  }
  return !p.parse(text.data(), text.size(), true).get(out);
}

// Every string (member names and string values) of a document.
inline void collect_strings(simdjson::dom::element e, std::unordered_set<std::string>& out) {
  switch (e.type()) {
    case simdjson::dom::element_type::OBJECT:
      for (auto field : e.get_object().value_unsafe()) {
        out.emplace(field.key);
        collect_strings(field.value, out);
      }
      break;
    case simdjson::dom::element_type::ARRAY:
      for (auto v : e.get_array().value_unsafe()) collect_strings(v, out);
      break;
    case simdjson::dom::element_type::STRING:
      out.emplace(e.get_string().value_unsafe());
      break;
    default:
      break;
  }
}

// Strings the core may write that need not be in the payload: recomputed
// statuses and banner texts.
inline const std::unordered_set<std::string>& synthesized_strings() {
  static const std::unordered_set<std::string> s = {
      "operational", "under_maintenance", "degraded_performance", "partial_outage", "major_outage",
      "none", "maintenance", "minor", "major", "critical",
      "All Systems Operational", "Service Under Maintenance", "Partially Degraded Service",
      "Minor Service Outage", "Partial System Outage", "Major System Outage"};
  return s;
}

inline uint64_t fnv1a(const uint8_t* data, size_t size) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < size; ++i) {
    h ^= data[i];
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace fuzz
