// A read-only view of one JSON document that also knows where every token
// stands in the original text, so kept parts are written back byte for byte.
//
// simdjson's DOM parser validates the whole document (UTF-8, grammar, escapes,
// depth) and writes its tape; one pass over its structural indexes then maps
// every tape entry to the token's offset in the text. Node n is tape entry
// n + 1, so the root is node 0. Nothing is copied out of the tape.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "simdjson.h"

namespace keyhole::detail {

enum class jtype : uint8_t { object, array, string, number, true_value, false_value, null_value, end };

constexpr uint32_t npos = UINT32_MAX;

// simdjson's DOM parser reports what is wrong, not where.
struct parse_error {
  std::string message;
};

class json_tree {
 public:
  // Parses `len` bytes at `data`; `capacity - len` must be at least
  // simdjson::SIMDJSON_PADDING. The tree borrows the parser's tape and the
  // text: valid until either changes. False (with `err`) when the text is not
  // valid JSON, nests deeper than `max_depth`, or its root is not an object or array.
  bool build(simdjson::dom::parser& parser, const char* data, size_t len, size_t max_depth, parse_error& err);

  uint32_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  jtype type(uint32_t n) const {
    switch (tag(n)) {
      case '{': return jtype::object;
      case '[': return jtype::array;
      case '"': return jtype::string;
      case 'l': case 'u': case 'd': return jtype::number;
      case 't': return jtype::true_value;
      case 'f': return jtype::false_value;
      case 'n': return jtype::null_value;
      default: return jtype::end;
    }
  }
  // One past the last node of n's subtree.
  uint32_t end(uint32_t n) const {
    char c = tag(n);
    if (c == '{' || c == '[') return static_cast<uint32_t>(tape_[n + 1]) - 1;
    if (c == 'l' || c == 'u' || c == 'd') return n + 2;
    return n + 1;
  }
  uint32_t first_child(uint32_t n) const;
  uint32_t next_sibling(uint32_t parent, uint32_t c) const;
  size_t child_count(uint32_t n) const;

  // The member named `key` (compared unescaped) of object `obj`, or npos.
  uint32_t member(uint32_t obj, std::string_view key) const;
  bool unique_keys(uint32_t obj) const;

  // The unescaped name of object member `value` (a node returned by
  // first_child/next_sibling/member of an object).
  std::string_view key(uint32_t value) const { return string_at(value - 1); }
  // The unescaped value of a string node.
  std::string_view str(uint32_t n) const { return string_at(n); }
  // The token as written (scalars; strings with their quotes).
  std::string_view raw(uint32_t n) const;
  std::string_view raw_key(uint32_t value) const { return raw(value - 1); }
  // The node's text as written, from its first to its last byte.
  std::string_view span(uint32_t n) const;
  int64_t offset_of(uint32_t n) const { return n < size_ ? int64_t(pos(n)) : -1; }

  bool is_object(uint32_t n) const { return n != npos && tag(n) == '{'; }
  bool is_array(uint32_t n) const { return n != npos && tag(n) == '['; }
  bool is_string(uint32_t n) const { return n != npos && tag(n) == '"'; }
  bool is_null(uint32_t n) const { return n != npos && tag(n) == 'n'; }

 private:
  char tag(uint32_t n) const { return static_cast<char>(tape_[n + 1] >> 56); }
  std::string_view string_at(uint32_t n) const;
  uint32_t pos(uint32_t n) const { return structurals_[sidx_[n]]; }

  const uint64_t* tape_ = nullptr;
  const uint8_t* strings_ = nullptr;
  const char* text_ = nullptr;
  size_t text_len_ = 0;
  const uint32_t* structurals_ = nullptr;
  std::vector<uint32_t> sidx_;  // node → index into structurals_
  std::string scratch_;         // see neutralise_numbers()
  uint32_t size_ = 0;
};

// Writes `s` as a JSON string literal (quotes included) with minimal escaping.
void append_json_string(std::string& out, std::string_view s);

}  // namespace keyhole::detail
