#include "status_fields.h"

#include <algorithm>
#include <cstring>

namespace keyhole::detail {
namespace {

// In sfield's order first; then the rest of the API's member names
// (components, incidents, maintenances, updates, affected components).
constexpr std::string_view kStructuralNames[] = {
    "id",   "name",          "status", "group_id", "group", "components", "incident_updates", "affected_components",
    "code", "body",          "scheduled_for", "impact"};
static_assert(std::size(kStructuralNames) == kStructuralFields);
constexpr std::string_view kKnownNames[] = {
    "created_at", "updated_at", "position", "description", "showcase", "start_date", "page_id",
    "only_show_if_degraded", "monitoring_at", "resolved_at", "shortlink", "started_at", "scheduled_until",
    "scheduled_remind_prior", "scheduled_reminded_at", "impact_override", "scheduled_auto_in_progress",
    "scheduled_auto_completed", "scheduled_auto_transition", "reminder_intervals", "postmortem_body",
    "postmortem_body_last_updated_at", "postmortem_ignored", "postmortem_notified_subscribers",
    "postmortem_notified_twitter", "postmortem_published_at", "incident_id", "display_at", "deliver_notifications",
    "custom_tweet", "tweet_id", "old_status", "new_status", "wants_twitter_update", "twitter_updated_at",
    "indicator", "automation"};

// A name's first eight bytes, zero-filled past its end, read as one word
// (little-endian on every target): a table of masks, not a branch per length.
uint64_t first_word(std::string_view k) {
  static constexpr uint64_t kKeep[9] = {0,          0xFF,           0xFFFF,           0xFFFFFF,           0xFFFFFFFF,
                                        0xFFFFFFFFFFull, 0xFFFFFFFFFFFFull, 0xFFFFFFFFFFFFFFull, ~0ull};
  uint64_t w;
  std::memcpy(&w, k.data(), 8);
  return w & kKeep[k.size() < 8 ? k.size() : 8];
}
uint64_t first_word_bounded(std::string_view k) {
  uint64_t w = 0;
  std::memcpy(&w, k.data(), k.size() < 8 ? k.size() : 8);
  return w;
}
size_t slot_of(uint64_t word, size_t len, size_t slots) {
  return size_t(((word ^ len) * 0x9E3779B97F4A7C15ull) >> 56) & (slots - 1);
}
bool same_name(uint64_t word_a, std::string_view a, uint64_t word_b, std::string_view b) {
  return word_a == word_b && a.size() == b.size() && (a.size() <= 8 || a == b);
}

}  // namespace

void field_table::add(std::string_view name, uint8_t field) {
  uint64_t w = first_word_bounded(name);
  for (size_t i = slot_of(w, name.size(), kSlots);; i = (i + 1) & (kSlots - 1)) {
    slot& s = slots_[i];
    if (s.name == nullptr) {
      s = slot{w, name.data(), uint32_t(name.size()), field};
      return;
    }
  }
}

void field_table::build(const std::vector<std::string_view>& extra) {
  std::fill(std::begin(slots_), std::end(slots_), slot{});
  count_ = 0;
  overflowed_ = false;
  for (std::string_view n : kStructuralNames) add(n, count_++);
  for (std::string_view n : kKnownNames) add(n, count_++);
  for (std::string_view n : extra) {
    if (classify_bounded(n) != kOtherField) continue;  // already a field
    if (count_ == kOtherField) {
      overflowed_ = true;
      continue;
    }
    add(n, count_++);
  }
}

uint8_t field_table::find(uint64_t word, std::string_view name) const {
  for (size_t i = slot_of(word, name.size(), kSlots);; i = (i + 1) & (kSlots - 1)) {
    const slot& s = slots_[i];
    if (s.name == nullptr) return kOtherField;
    if (same_name(s.word, std::string_view(s.name, s.len), word, name)) return s.field;
  }
}

uint8_t field_table::classify(std::string_view name) const { return find(first_word(name), name); }
uint8_t field_table::classify_bounded(std::string_view name) const { return find(first_word_bounded(name), name); }

namespace {

// Unknown member names of one object, checked for duplicates among
// themselves: pairwise while few (real objects have none or one), sorted
// when many, so a hostile object costs n log n.
class unknown_names {
 public:
  bool add(std::string_view k) {
    if (count_ < kFew) {
      for (size_t i = 0; i < count_; ++i)
        if (few_[i].name() == k) return false;
      few_[count_++] = name_ref{k.data(), k.size()};
      return true;
    }
    many_.push_back(k);
    return true;
  }
  bool unique() {
    if (many_.empty()) return true;
    for (const name_ref& n : few_) many_.push_back(n.name());
    std::sort(many_.begin(), many_.end());
    return std::adjacent_find(many_.begin(), many_.end()) == many_.end();
  }

 private:
  static constexpr size_t kFew = 16;
  struct name_ref {  // trivial, so the array below costs nothing to set up
    const char* data;
    size_t size;
    std::string_view name() const { return std::string_view(data, size); }
  };
  name_ref few_[kFew];
  size_t count_ = 0;
  std::vector<std::string_view> many_;
};

}  // namespace

bool read_object(const json_tree& t, const field_table& table, uint8_t* cache, uint32_t obj,
                 uint32_t (&at)[kStructuralFields]) {
  std::fill(std::begin(at), std::end(at), npos);
  field_set seen;
  unknown_names unknown;
  bool unique = true;
  for (uint32_t m = t.first_child(obj); m != npos; m = t.next_sibling(obj, m)) {
    std::string_view k = t.key(m);
    uint8_t f = table.classify(k);
    cache[m] = f;
    if (f == kOtherField) {
      unique &= unknown.add(k);
      continue;
    }
    unique &= !seen.has(f);
    seen.add(f);
    if (f < kStructuralFields) at[f] = m;
  }
  return unique && unknown.unique();
}

}  // namespace keyhole::detail
