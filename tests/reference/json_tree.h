// THE PREVIOUS ENGINE, kept as a reference for the differential fuzz target
// (tests/fuzz/fuzz_engines.cpp): the core's sources built against this tree
// instead of core/src/json_tree.h, in namespace keyhole_reference. Not a
// product path. It parses with simdjson's DOM (stage 1 + stage 2 + tape).
//
// A read-only view of one JSON document that also knows where every token
// stands in the original text, so kept parts are written back byte for byte.
//
// simdjson's DOM parser validates the whole document (UTF-8, grammar, escapes,
// depth) and writes its tape; one pass over its structural indexes then maps
// every tape entry to the token's offset in the text. Node n is tape entry
// n + 1, so the root is node 0. Nothing is copied out of the tape.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "simdjson.h"

namespace keyhole::detail {

enum class jtype : uint8_t { object, array, string, number, true_value, false_value, null_value, end };

constexpr uint32_t npos = UINT32_MAX;

// The core names its parser json_parser; this engine's is simdjson's DOM parser.
struct json_parser : simdjson::dom::parser {
  static constexpr size_t padding() { return simdjson::SIMDJSON_PADDING; }
};

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
  // Children in order: first_child(n), then next_sibling(n, c) until npos.
  // (Inline: the filters call these once per member they walk past.)
  uint32_t first_child(uint32_t n) const {
    char c = tag(n);
    if (c == '{') return tag(n + 1) == '}' ? npos : n + 2;
    if (c == '[') return tag(n + 1) == ']' ? npos : n + 1;
    return npos;
  }
  uint32_t next_sibling(uint32_t parent, uint32_t c) const {
    uint32_t e = end(c);
    if (tag(parent) == '{') return tag(e) == '}' ? npos : e + 1;
    return tag(e) == ']' ? npos : e;
  }
  size_t child_count(uint32_t n) const;

  // The member named `key` (compared unescaped) of object `obj`, or npos.
  uint32_t member(uint32_t obj, std::string_view key) const;
  bool unique_keys(uint32_t obj) const { return members(obj, nullptr, nullptr, 0); }
  // The member of `obj` whose name an earlier member already has (the first
  // such in document order), or npos. Sorts, so naming the duplicate of a
  // huge object costs n log n, not n².
  uint32_t first_duplicate(uint32_t obj) const;
  // One pass over object `obj` that both checks its member names are unique
  // (false when two are equal) and finds the members named in `names`:
  // found[i] is the value node, or npos when absent.
  template <size_t N>
  bool members(uint32_t obj, const std::string_view (&names)[N], uint32_t (&found)[N]) const {
    static_assert(N <= 8);
    return members(obj, names, found, N);
  }

  // The unescaped name of object member `value` (a node returned by
  // first_child/next_sibling/member of an object).
  std::string_view key(uint32_t value) const { return string_at(value - 1); }
  // The unescaped value of a string node.
  std::string_view str(uint32_t n) const { return string_at(n); }
  // The token as written (scalars; strings with their quotes).
  std::string_view raw(uint32_t n) const {
    uint32_t begin = pos(n);
    uint32_t stop = structurals_[sidx_[n] + 1];  // the next token, or the end of the text
    if (stop > text_len_) stop = static_cast<uint32_t>(text_len_);
    if (!compact_)
      while (stop > begin && is_ws(text_[stop - 1])) --stop;
    return std::string_view(text_ + begin, stop - begin);
  }
  std::string_view raw_key(uint32_t value) const { return raw(value - 1); }
  // The node's text as written, from its first to its last byte.
  std::string_view span(uint32_t n) const;
  int64_t offset_of(uint32_t n) const { return n < size_ ? int64_t(pos(n)) : -1; }
  // True when the text has no whitespace outside strings, so any span is
  // already compact and can be copied as it is.
  bool compact() const { return compact_; }

  bool is_object(uint32_t n) const { return n != npos && tag(n) == '{'; }
  bool is_array(uint32_t n) const { return n != npos && tag(n) == '['; }
  bool is_string(uint32_t n) const { return n != npos && tag(n) == '"'; }
  bool is_null(uint32_t n) const { return n != npos && tag(n) == 'n'; }

 private:
  char tag(uint32_t n) const { return static_cast<char>(tape_[n + 1] >> 56); }
  // simdjson's string buffer holds a 32-bit length, then the unescaped bytes.
  std::string_view string_at(uint32_t n) const {
    size_t offset = static_cast<size_t>(tape_[n + 1] & simdjson::internal::JSON_VALUE_MASK);
    uint32_t len;
    std::memcpy(&len, strings_ + offset, sizeof len);
    return std::string_view(reinterpret_cast<const char*>(strings_ + offset + sizeof len), len);
  }
  static constexpr bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
  bool members(uint32_t obj, const std::string_view* names, uint32_t* found, size_t n) const;
  uint32_t pos(uint32_t n) const { return structurals_[sidx_[n]]; }

  const uint64_t* tape_ = nullptr;
  const uint8_t* strings_ = nullptr;
  const char* text_ = nullptr;
  size_t text_len_ = 0;
  const uint32_t* structurals_ = nullptr;
  std::vector<uint32_t> sidx_;  // node → index into structurals_
  std::string scratch_;         // see neutralise_numbers()
  uint32_t size_ = 0;
  bool compact_ = false;
};

// Parses a small document (a policy, claims) from a padded copy of `json`
// kept in `buf`, which the tree then borrows.
bool parse_copy(simdjson::dom::parser& parser, std::string& buf, std::string_view json, size_t max_depth,
                json_tree& tree, parse_error& err);

// The new core's emit.cpp asks the parser adapter for simdjson's minifier.
inline size_t minify_into(std::string_view text, char* out) {
  size_t written = 0;
  if (simdjson::minify(text.data(), text.size(), out, written)) return 0;
  return written;
}

// Writes `s` as a JSON string literal (quotes included) with minimal escaping.
void append_json_string(std::string& out, std::string_view s);

}  // namespace keyhole::detail
