// A read-only view of one JSON document that also knows where every token
// stands in the original text, so kept parts are written back byte for byte.
//
// One pass over simdjson's stage-1 structural indexes (structural_index.h)
// validates what stage 1 leaves (grammar, depth, numbers, literals, escapes)
// and writes one 8-byte node per token: where it starts in the text and, for a
// container, where its subtree ends; for a scalar, its length. Names and
// strings are read in place; only a string holding an escape is unescaped,
// into a side buffer, during the same pass. There is no tape and no copy of
// the strings. Node 0 is the root; an object's children alternate key, value.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "field_table.h"
#include "structural_index.h"

namespace keyhole::detail {

enum class jtype : uint8_t { object, array, string, number, true_value, false_value, null_value, end };

constexpr uint32_t npos = UINT32_MAX;

struct parse_error {
  std::string message;
};

// Told as the tree is built, after each window of the text (json_parser's
// 256 KiB), what is complete, so a filter can read it while its nodes and
// text are still in cache (issue 13: at 16 MB a second pass over them waits
// on memory). Nodes below `built` are final except the open containers',
// whose subtree ends are not yet known: `open_member` is the root's open
// member value (npos: none), `open_element` the open container directly
// inside it (npos: none). Strings unescaped so far are stable only while the
// build runs (their buffer may move), so an observer keeps no view of one.
class build_observer {
 public:
  virtual ~build_observer() = default;
  virtual void window_built(uint32_t built, uint32_t open_member, uint32_t open_element) = 0;
};

class json_tree {
 public:
  // Parses `len` bytes at `data`; `capacity - len` must be at least
  // json_parser::padding(). The tree borrows the text and keeps its nodes:
  // valid until the text changes. False (with `err`) when the text is not
  // valid JSON, nests deeper than `max_depth`, or its root is not an object or array.
  // With `names`, every member name is also classified as it is read
  // (member_fields()): the payload's tree, which the status filter reads.
  // With `observer`, it is told after each window what is built so far.
  bool build(json_parser& parser, const char* data, size_t len, size_t max_depth, parse_error& err,
             const field_table* names = nullptr, build_observer* observer = nullptr);
  // Whether a string among nodes [first, end) was unescaped apart (its view
  // would be in a buffer that moves while the tree is built; build_observer).
  bool escapes_within(uint32_t first, uint32_t end) const {
    auto it = std::lower_bound(escaped_.begin(), escaped_.end(), first,
                               [](const std::pair<uint32_t, uint32_t>& e, uint32_t n) { return e.first < n; });
    return it != escaped_.end() && it->first < end;
  }
  // The text's length in bytes (known from the start of a build).
  size_t text_size() const { return text_len_; }

  uint32_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Nodes the tree has room for (its memory: 9 bytes a node, 10 with fields).
  size_t capacity() const { return capacity_; }

  jtype type(uint32_t n) const {
    switch (tag(n)) {
      case '{': return jtype::object;
      case '[': return jtype::array;
      case '"': return jtype::string;
      case 't': return jtype::true_value;
      case 'f': return jtype::false_value;
      case 'n': return jtype::null_value;
      case '}': case ']': return jtype::end;
      default: return jtype::number;  // '-' or a digit: nothing else starts a node
    }
  }
  // One past the last node of n's subtree.
  uint32_t end(uint32_t n) const { return is_container_tag(tag(n)) ? nodes_[n].link : n + 1; }
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
  // The member of an object after member `value` (its value node), or npos:
  // next_sibling for a parent known to be an object.
  uint32_t next_member(uint32_t value) const {
    uint32_t e = end(value);
    return tag(e) == '}' ? npos : e + 1;
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
  // found[i] is the value node, or npos when absent. The one duplicate-checked
  // way the filters read an object.
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
  // The token as written (scalars; strings with their quotes; a bracket alone).
  std::string_view raw(uint32_t n) const {
    const node& x = nodes_[n];
    size_t len = is_container_tag(tag(n)) || is_close_tag(tag(n)) ? 1 : x.link & kLengthMask;
    return std::string_view(text_ + x.pos, len);
  }
  std::string_view raw_key(uint32_t value) const { return raw(value - 1); }
  // The node's text as written, from its first to its last byte.
  std::string_view span(uint32_t n) const;
  int64_t offset_of(uint32_t n) const { return n < size() ? int64_t(nodes_[n].pos) : -1; }
  // Each object member's field (field_table::classify_api of its name), by
  // its value node, when the tree was built with `names`; else null. Written
  // while the name was in cache, so the status filter classifies no name
  // again. Names written with an escape are left `unread`. The status filter
  // settles those and the policy's own names in place, hence a writable
  // array (the tree's nodes stay read-only).
  sfield* member_fields() const { return classified_ ? fields_.get() : nullptr; }
  // True when the text has no whitespace outside strings, so any span is
  // already compact and can be copied as it is.
  bool compact() const { return compact_; }

  // An object or an array (n must be a node).
  bool is_container(uint32_t n) const { return is_container_tag(tag(n)); }
  bool is_object(uint32_t n) const { return n != npos && tag(n) == '{'; }
  bool is_array(uint32_t n) const { return n != npos && tag(n) == '['; }
  bool is_string(uint32_t n) const { return n != npos && tag(n) == '"'; }
  bool is_null(uint32_t n) const { return n != npos && tag(n) == 'n'; }
  // Node n is the closing bracket of an array.
  bool closes_array(uint32_t n) const { return tag(n) == ']'; }

 private:
  friend class tree_builder;
  struct node {
    uint32_t pos;   // the token's first byte in the text
    uint32_t link;  // container: end(n); scalar: its length, kEscaped set when unescaped apart
  };
  static constexpr uint32_t kEscaped = 0x80000000u;
  static constexpr uint32_t kLengthMask = ~kEscaped;
  static constexpr bool is_container_tag(char c) { return c == '{' || c == '['; }
  static constexpr bool is_close_tag(char c) { return c == '}' || c == ']'; }

  char tag(uint32_t n) const { return char(tags_[n]); }
  std::string_view string_at(uint32_t n) const {
    const node& x = nodes_[n];
    if (x.link & kEscaped) return unescaped_at(n);
    return std::string_view(text_ + x.pos + 1, (x.link & kLengthMask) - 2);
  }
  std::string_view unescaped_at(uint32_t n) const;
  bool members(uint32_t obj, const std::string_view* names, uint32_t* found, size_t n) const;

  const char* text_ = nullptr;
  size_t text_len_ = 0;
  // A node per token at most (':' and ',' make none): sized once per text
  // length and never cleared, so a warm tree writes nodes without touching
  // memory twice.
  std::unique_ptr<node[]> nodes_;
  // Each node's first byte ({ [ " t f n } ] - or a digit), apart from the
  // nodes so a walk over siblings reads one dense byte array, not the text.
  // Stored as a byte type that is not a character type: a store through
  // `char` may alias anything, so the builder would reload its counters from
  // memory after every node (clang, the wasm build, did).
  enum class tag_byte : char {};
  std::unique_ptr<tag_byte[]> tags_;
  // member_fields(): capacity_ + 1 entries (a name's value node may be the
  // one past the last buffered token), allocated once a build asks for them.
  std::unique_ptr<sfield[]> fields_;
  bool classified_ = false;
  size_t capacity_ = 0;
  uint32_t size_ = 0;
  // Strings holding an escape: (node, offset in unescaped_ of a 4-byte length
  // and the bytes), in node order. unescaped_ ends in 8 spare bytes so a name's
  // first word can be read whole (see first_word in json_tree.cpp).
  std::vector<std::pair<uint32_t, uint32_t>> escaped_;
  std::vector<uint32_t> open_;  // the builder's stack of open containers, kept so a warm tree does not allocate it
  std::string unescaped_;
  bool compact_ = false;
};

// Parses a small document (a policy, claims) from a padded copy of `json`
// kept in `buf`, which the tree then borrows.
bool parse_copy(json_parser& parser, std::string& buf, std::string_view json, size_t max_depth,
                json_tree& tree, parse_error& err);

// Appends `text` (a span of `t`'s text) to `out` without whitespace outside
// strings: as it is when the text is compact, else through the minifier.
void append_compact(const json_tree& t, std::string_view text, std::string& out);

// Writes `s` as a JSON string literal (quotes included) with minimal escaping.
void append_json_string(std::string& out, std::string_view s);

}  // namespace keyhole::detail
