#include "status_fields.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace keyhole::detail {

namespace {

// A name the tree could not settle alone: one written with an escape
// (unread), or none of the API's (other), which may be one of the policy's.
uint8_t settle(const json_tree& t, const field_table& table, uint8_t f, uint32_t m) {
  if (f == kUnreadField) return table.classify(t.key(m));
  return table.has_extras() ? table.find_extra(t.key(m)) : f;
}

}  // namespace

bool read_object(const json_tree& t, const field_table& table, uint32_t obj, uint32_t (&at)[kStructuralFields],
                 notable_members* notable) {
  sfield* __restrict cache = t.member_fields();
  // The loop's branches depend on rare events only (a repeated name is found
  // by bits). Each structural field's member is written straight into `at`,
  // any other field's into a scratch slot: copying a local array out at the
  // end read 16 bytes over four 4-byte stores still in flight, a failed store
  // forward on every object (the stall was a quarter of this function); gcc
  // and clang reload nothing the loop reads for the stores into `at`.
  static_assert(kStructuralFields <= 64);
  std::fill(at, at + kStructuralFields, npos);
  uint32_t scratch;
  uint64_t note_mask = notable ? notable->mask : 0;
  uint32_t noted_at[notable_members::kMost + 1];  // the last one a scratch slot
  size_t noted = 0;
  uint64_t seen = 0;    // fields 0-63 (every fixed one), one bit each
  field_set seen_high;  // the policy's extra fields past them
  uint64_t repeated = 0;
  size_t unknown = 0;
  for (uint32_t m = t.first_child(obj); m != npos; m = t.next_member(m)) {
    uint8_t f = uint8_t(cache[m]);
    if (f >= kOtherField) [[unlikely]]
      cache[m] = sfield(f = settle(t, table, f, m));
    uint64_t bit = uint64_t(1) << (f & 63);
    if (f < 64) {
      repeated |= seen & bit;
      seen |= bit;
      *(f < kStructuralFields ? at + f : &scratch) = m;
    } else if (f == kOtherField) {
      ++unknown;
    } else {
      repeated |= seen_high.has(f);
      seen_high.add(f);
    }
    bool note = (f >= 64) | (((note_mask >> (f & 63)) & 1) != 0) | t.is_container(m);
    noted_at[noted < notable_members::kMost ? noted : notable_members::kMost] = m;
    noted += note;
  }
  if (notable) {
    notable->overflow = noted > notable_members::kMost;
    notable->count = uint8_t(noted < notable_members::kMost ? noted : notable_members::kMost);
    std::copy(noted_at, noted_at + notable->count, notable->node);
  }
  // Known names repeat only by bit; two unknown names or more are checked by
  // the tree's own duplicate check (n log n, and they cannot equal a known one).
  return repeated == 0 && (unknown < 2 || t.unique_keys(obj));
}

}  // namespace keyhole::detail
