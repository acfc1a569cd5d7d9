// A flat, read-only view of one JSON document that remembers the original text
// of every token, so kept values can be written back byte for byte.
//
// Built in one pass with simdjson On-Demand. Every value is visited and checked
// (strings unescaped, literals and numbers matched against the JSON grammar), so
// a document that builds is valid JSON; anything else fails closed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "simdjson.h"

namespace keyhole::detail {

enum class jtype : uint8_t { object, array, string, number, true_value, false_value, null_value };

struct jnode {
  jtype type;
  uint32_t end;          // index one past the last node of this subtree
  std::string_view raw;  // scalars: the token as written (strings with quotes)
  std::string_view raw_key;  // object members: the key as written, with quotes
  std::string_view key;      // object members: the key after unescaping
  std::string_view str;      // strings: the value after unescaping
};

constexpr uint32_t npos = UINT32_MAX;

struct parse_error {
  std::string message;
  int64_t offset = -1;
};

class json_tree {
 public:
  // Parses `json` (which must have simdjson::SIMDJSON_PADDING readable bytes after
  // it). Unescaped strings live in `parser`, so the tree is valid until the parser
  // parses again. Returns false and fills `err` when the text is not valid JSON,
  // nests deeper than `max_depth`, or its root is not an object or array.
  bool build(simdjson::ondemand::parser& parser, simdjson::padded_string_view json,
             size_t max_depth, parse_error& err);

  const jnode& operator[](uint32_t i) const { return nodes_[i]; }
  uint32_t size() const { return static_cast<uint32_t>(nodes_.size()); }
  bool empty() const { return nodes_.empty(); }

  // Children: the first is i + 1 (when i + 1 < end), the next is nodes[c].end.
  uint32_t first_child(uint32_t i) const { return i + 1 < nodes_[i].end ? i + 1 : npos; }
  uint32_t next_sibling(uint32_t parent, uint32_t c) const {
    uint32_t n = nodes_[c].end;
    return n < nodes_[parent].end ? n : npos;
  }
  size_t child_count(uint32_t i) const;

  // The member named `key` of object i, or npos. Member names compare unescaped.
  uint32_t member(uint32_t obj, std::string_view key) const;
  // True when no two members of object i share an (unescaped) name.
  bool unique_keys(uint32_t obj) const;

  bool is_object(uint32_t i) const { return i != npos && nodes_[i].type == jtype::object; }
  bool is_array(uint32_t i) const { return i != npos && nodes_[i].type == jtype::array; }
  bool is_string(uint32_t i) const { return i != npos && nodes_[i].type == jtype::string; }
  bool is_null(uint32_t i) const { return i != npos && nodes_[i].type == jtype::null_value; }

  // Byte offset of a view into the parsed text (for error messages).
  int64_t offset_of(std::string_view v) const { return v.data() - base_; }

 private:
  bool walk(simdjson::ondemand::value v, size_t depth, parse_error& err);
  uint32_t push(jtype t);

  std::vector<jnode> nodes_;
  std::string_view pending_raw_key_, pending_key_;
  size_t max_depth_ = 1024;
  const char* base_ = nullptr;
};

// Writes `s` as a JSON string literal (quotes included) with minimal escaping.
void append_json_string(std::string& out, std::string_view s);

}  // namespace keyhole::detail
