// Statuspage member names as small numbers (issue 13): the API's names in a
// perfect hash built once per process, the policy's withheld names behind
// it. The payload's tree classifies every member name with it as it is
// built (json_tree::build), while the name is in cache; the status filter
// (status_fields.h) reads those numbers instead of the names.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "always_inline.h"

namespace keyhole::detail {

// The fields the filter decides on: their value nodes come out of a read.
enum class sfield : uint8_t {
  id,
  name,
  status,
  group_id,
  group,
  components,
  incident_updates,
  affected_components,
  code,
  body,
  scheduled_for,
  impact,
  structural_count,
  // Other names of the Statuspage API follow (known only so that their
  // duplicates are found by one bit), then the policy's withheld members.
  other = 127,  // a name the table does not hold
  // Left by the tree for a name written with an escape (its text is not the
  // name): the reader classifies the unescaped name. Never in a field_set.
  unread = 255,
};
constexpr size_t kStructuralFields = size_t(sfield::structural_count);
constexpr uint8_t kOtherField = uint8_t(sfield::other);
constexpr uint8_t kUnreadField = uint8_t(sfield::unread);
constexpr uint8_t field_no(sfield f) { return uint8_t(f); }

// A set of field numbers (0 … 126).
struct field_set {
  uint64_t w[2] = {0, 0};
  bool has(uint8_t f) const { return (w[f >> 6] >> (f & 63)) & 1; }
  void add(uint8_t f) { w[f >> 6] |= uint64_t(1) << (f & 63); }
  bool empty() const { return (w[0] | w[1]) == 0; }
};

// Names → field numbers. The API's names are in one table built once per
// process; the policy's other withheld names are added per call to a short
// list behind it. A name is compared as up to three 8-byte words (names of
// the API are at most 24 bytes but two, compared as text past that), so
// classifying one costs a hash and a few integer comparisons.
class field_table {
 public:
  // The fixed names plus `extra` (member names the policy's disclosure
  // names); extra names past the numbers there are room for stay `other`
  // and overflowed() says so (callers then compare such names as text).
  void build(const std::vector<std::string_view>& extra);
  bool overflowed() const { return overflowed_; }
  // The field of a name as json_tree returns it (readable for 8 bytes past
  // its end: the payload is padded, unescaped names end in spare bytes).
  KEYHOLE_ALWAYS_INLINE uint8_t classify(std::string_view name) const {
    uint8_t f = fixed_->find(name);
    return f != kOtherField || extra_.empty() ? f : find_extra(name);
  }
  // The same for a name with no such padding (one from the policy).
  uint8_t classify_bounded(std::string_view name) const;
  // The API's names only (what the tree looks up as it is built, before the
  // call's policy is known); `other` for the rest, which find_extra() then
  // looks up among the policy's names when has_extras().
  KEYHOLE_ALWAYS_INLINE uint8_t classify_api(std::string_view name) const { return fixed_->find(name); }
  bool has_extras() const { return !extra_.empty(); }
  uint8_t find_extra(std::string_view name) const;
  // A table of the API's names alone, for the tree (one per process).
  static const field_table& api();

 private:
  static uint64_t keep_bytes(size_t n) {  // a mask of a word's first min(n, 8) bytes
    static constexpr uint64_t kKeep[9] = {0,          0xFF,           0xFFFF,           0xFFFFFF,           0xFFFFFFFF,
                                          0xFFFFFFFFFFull, 0xFFFFFFFFFFFFull, 0xFFFFFFFFFFFFFFull, ~0ull};
    return kKeep[n < 8 ? n : 8];
  }
  static uint64_t load_word(const char* p) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
  }
  // A name's word at byte `at` (< its size), zero-filled past its end.
  static uint64_t word_at(std::string_view s, size_t at) { return load_word(s.data() + at) & keep_bytes(s.size() - at); }
  // A cache line each: a slot's address is a shift of its number, not a
  // multiply, on the path from a name's bytes to its field, and no entry
  // straddles two lines (only the few slots of known names are ever read).
  struct alignas(64) entry {
    uint64_t w[3] = {0, 0, 0};   // the name's first 24 bytes, zero-filled
    const char* name = nullptr;  // the whole name, compared past 24 bytes
    uint32_t len = 0;
    uint8_t field = kOtherField;
    static entry of(std::string_view name, uint8_t field);
    // Whether padded name `n`, whose first word is `w0`, is this one.
    bool matches(uint64_t w0, std::string_view n) const {
      if (len != n.size() || w[0] != w0) return false;
      if (len <= 8) return true;
      if (w[1] != word_at(n, 8)) return false;
      if (len <= 16) return true;
      if (w[2] != word_at(n, 16)) return false;
      return len <= 24 || std::memcmp(name + 24, n.data() + 24, len - 24) == 0;
    }
  };
  // The API's names at slots of a perfect hash (a multiplier searched
  // once, so every known name has a slot of its own): one slot looked at
  // per name, known or not.
  struct fixed_table {
    static constexpr size_t kSlots = 256;
    entry slots[kSlots];
    uint64_t multiplier = 0;
    uint8_t count = 0;
    // The length widened first: size_t has 32 bits in WebAssembly.
    size_t slot_of(uint64_t w0, size_t len) const { return size_t(((w0 ^ (uint64_t(len) << 40)) * multiplier) >> 56); }
    bool place(const std::string_view* names, size_t n);
    KEYHOLE_ALWAYS_INLINE uint8_t find(std::string_view name) const {
      uint64_t w0 = word_at(name, 0);  // an empty name's data is still in the padded text
      const entry& e = slots[slot_of(w0, name.size())];
      return e.matches(w0, name) ? e.field : kOtherField;
    }
  };
  static const fixed_table& fixed();

  const fixed_table* fixed_ = &fixed();
  std::vector<entry> extra_;
  bool overflowed_ = false;
};

}  // namespace keyhole::detail
