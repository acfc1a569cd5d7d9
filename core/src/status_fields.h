// Statuspage member names as small numbers, so the status filter reads each
// object it decides once (issue 13): one pass over its members classifies
// every name, checks the names are unique (SPEC §8) with a bit per known
// field, and leaves each member's field in a per-node cache that every later
// step (disclosure, the unread-nested rule, the writer) reads instead of
// walking and comparing names again.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "json_tree.h"

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
};
constexpr size_t kStructuralFields = size_t(sfield::structural_count);
constexpr uint8_t kOtherField = uint8_t(sfield::other);
constexpr uint8_t field_no(sfield f) { return uint8_t(f); }

// A set of field numbers (0 … 126).
struct field_set {
  uint64_t w[2] = {0, 0};
  bool has(uint8_t f) const { return (w[f >> 6] >> (f & 63)) & 1; }
  void add(uint8_t f) { w[f >> 6] |= uint64_t(1) << (f & 63); }
  bool empty() const { return (w[0] | w[1]) == 0; }
};

class field_table {
 public:
  // The fixed names plus `extra` (member names the policy's disclosure
  // names); extra names past the numbers there are room for stay `other`
  // and overflowed() says so (callers then compare such names as text).
  void build(const std::vector<std::string_view>& extra);
  bool overflowed() const { return overflowed_; }
  // The field of a name as json_tree returns it (8 bytes readable from its
  // first: the payload is padded, unescaped names end in spare bytes).
  uint8_t classify(std::string_view name) const;
  // The same for a name with no such padding (one from the policy).
  uint8_t classify_bounded(std::string_view name) const;

 private:
  struct slot {
    uint64_t word = 0;  // the name's first 8 bytes, zero-filled
    const char* name = nullptr;
    uint32_t len = 0;
    uint8_t field = kOtherField;
  };
  static constexpr size_t kSlots = 256;  // at most 127 names: under half full
  uint8_t find(uint64_t word, std::string_view name) const;
  void add(std::string_view name, uint8_t field);
  slot slots_[kSlots];
  uint8_t count_ = 0;
  bool overflowed_ = false;
};

// Reads object `obj`: every member's field into `cache` (indexed by the
// member's value node), the value nodes of the structural fields into `at`
// (npos when absent). False when two member names are equal (compared
// unescaped); unknown names are checked among themselves by text.
bool read_object(const json_tree& t, const field_table& table, uint8_t* cache, uint32_t obj,
                 uint32_t (&at)[kStructuralFields]);

}  // namespace keyhole::detail
