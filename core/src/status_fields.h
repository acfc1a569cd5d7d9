// Statuspage member names as small numbers, so the status filter reads each
// object it decides once (issue 13): one pass over its members classifies
// every name, checks the names are unique (SPEC §8) with a bit per known
// field, and leaves each member's field in a per-node cache that every later
// step (disclosure, the unread-nested rule, the writer) reads instead of
// walking and comparing names again.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "field_table.h"
#include "json_tree.h"

namespace keyhole::detail {

// The members of an object a writer must look at (fields of a mask, values
// that are containers, fields numbered 64 and up), in order, up to kMost;
// past that `overflow` says so and the writer walks every member instead.
struct notable_members {
  static constexpr size_t kMost = 6;
  uint64_t mask = 0;  // fields 0-63 to note
  uint32_t node[kMost];
  uint8_t count = 0;
  bool overflow = false;
};

// Reads object `obj` of a tree built with the API's names (json_tree::build):
// settles each member's field in the tree's member_fields() (the policy's
// names, names written with an escape), gives the value nodes of the
// structural fields in `at` (npos when absent) and, when asked, the notable
// members. False when two member names are equal (compared unescaped);
// unknown names are checked among themselves by text.
bool read_object(const json_tree& t, const field_table& table, uint32_t obj, uint32_t (&at)[kStructuralFields],
                 notable_members* notable = nullptr);

}  // namespace keyhole::detail
