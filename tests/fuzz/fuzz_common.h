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

inline std::string& context() {
  static std::string c;
  return c;
}

[[noreturn]] inline void die(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "\n*** KEYHOLE ORACLE FAILURE [%s]: %s %.*s\n", context().c_str(), what, static_cast<int>(detail.size() > 400 ? 400 : detail.size()),
               detail.data());
  std::abort();
}

#define FUZZ_CHECK(cond, what, detail) \
  do {                                 \
    if (!(cond)) ::fuzz::die(what, detail); \
  } while (0)

// Copies (not references into temporaries) for range-for loops.
inline simdjson::dom::object as_obj(simdjson::dom::element e) {
  simdjson::dom::object o;
  (void)e.get_object().get(o);
  return o;
}
inline simdjson::dom::array as_arr(simdjson::dom::element e) {
  simdjson::dom::array a;
  (void)e.get_array().get(a);
  return a;
}

// A DOM parser that accepts deeper documents than the core's limit, so the
// oracle can always read what the core accepted.
inline simdjson::dom::parser& dom_parser() {
  static simdjson::dom::parser p;
  return p;
}

// simdjson's DOM rejects numbers it cannot represent (1e400) although they are
// valid JSON; for the oracle every number token outside strings becomes 0.
inline std::string neutralize_numbers(std::string_view t) {
  std::string r;
  r.reserve(t.size());
  bool in_str = false;
  for (size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    if (in_str) {
      r.push_back(c);
      if (c == '\\' && i + 1 < t.size()) r.push_back(t[++i]);
      else if (c == '"') in_str = false;
    } else if (c == '"') {
      in_str = true;
      r.push_back(c);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      while (i + 1 < t.size() && (t[i + 1] == '.' || t[i + 1] == 'e' || t[i + 1] == 'E' || t[i + 1] == '+' ||
                                  t[i + 1] == '-' || (t[i + 1] >= '0' && t[i + 1] <= '9')))
        ++i;
      r.push_back('0');
    } else {
      r.push_back(c);
    }
  }
  return r;
}

inline bool dom_parse(std::string_view text, simdjson::dom::element& out, simdjson::dom::parser& p) {
  static thread_local std::string scratch;
  size_t cap = text.size() < 4096 ? 4096 : text.size();
  if (p.capacity() < cap || p.max_depth() < 4096) {
    if (p.allocate(cap, 4096)) return false;
  }
  auto err = p.parse(text.data(), text.size(), true).get(out);
  if (err == simdjson::NUMBER_ERROR || err == simdjson::BIGINT_ERROR) {
    scratch = neutralize_numbers(text);  // kept alive: the DOM may reference it
    err = p.parse(scratch.data(), scratch.size(), true).get(out);
  }
  return !err;
}

// Every string (member names and string values) of a document.
inline void collect_strings(simdjson::dom::element e, std::unordered_set<std::string>& out) {
  switch (e.type()) {
    case simdjson::dom::element_type::OBJECT:
      for (auto field : ::fuzz::as_obj(e)) {
        out.emplace(field.key);
        collect_strings(field.value, out);
      }
      break;
    case simdjson::dom::element_type::ARRAY:
      for (auto v : ::fuzz::as_arr(e)) collect_strings(v, out);
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
