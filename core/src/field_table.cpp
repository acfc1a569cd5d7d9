#include "field_table.h"

#include <algorithm>
#include <string>

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
    "postmortem_ignored", "postmortem_notified_subscribers",
    "postmortem_notified_twitter", "postmortem_published_at", "incident_id", "display_at", "deliver_notifications",
    "custom_tweet", "tweet_id", "old_status", "new_status", "wants_twitter_update", "twitter_updated_at",
    "indicator", "automation"};

}  // namespace

field_table::entry field_table::entry::of(std::string_view name, uint8_t field) {
  entry e;
  std::memcpy(e.w, name.data(), name.size() < 24 ? name.size() : 24);
  e.name = name.data();
  e.len = uint32_t(name.size());
  e.field = field;
  return e;
}

bool field_table::fixed_table::place(const std::string_view* names, size_t n) {
  std::fill(std::begin(slots), std::end(slots), entry{});
  for (size_t i = 0; i < n; ++i) {
    entry e = entry::of(names[i], uint8_t(i));
    entry& s = slots[slot_of(e.w[0], e.len)];
    if (s.name != nullptr) return false;
    s = e;
  }
  return true;
}

const field_table::fixed_table& field_table::fixed() {
  static const fixed_table table = [] {
    std::vector<std::string_view> names(std::begin(kStructuralNames), std::end(kStructuralNames));
    names.insert(names.end(), std::begin(kKnownNames), std::end(kKnownNames));
    fixed_table t;
    // Odd multipliers in a fixed sequence: the first that gives every name
    // a slot of its own (one in a few hundred does for 48 names in 256).
    // The sequence starts at 0x9E3779B97F4A7C15; its 124th member is the
    // first that works for these names, so the search starts there (it cost
    // ~50 us of every CLI process and wasm instance). Should the names
    // change, the loop goes on searching from it.
    uint64_t m = 0x6052202430E25C86ull;
    for (t.multiplier = m | 1; !t.place(names.data(), names.size()); t.multiplier = (m += 0xD1B54A32D192ED03ull) | 1) {
    }
    t.count = uint8_t(names.size());
    return t;
  }();
  return table;
}

const field_table& field_table::api() {
  static const field_table table;
  return table;
}

uint8_t field_table::find_extra(std::string_view name) const {
  uint64_t w0 = name.empty() ? 0 : word_at(name, 0);
  for (const entry& e : extra_)
    if (e.matches(w0, name)) return e.field;
  return kOtherField;
}

uint8_t field_table::classify_bounded(std::string_view name) const {
  std::string padded(name);
  padded.append(8, '\0');  // classify() reads whole words
  return classify(std::string_view(padded.data(), name.size()));
}

void field_table::build(const std::vector<std::string_view>& extra) {
  extra_.clear();
  overflowed_ = false;
  uint8_t next = fixed().count;
  for (std::string_view n : extra) {
    if (classify_bounded(n) != kOtherField) continue;  // already a field
    if (next == kOtherField) {
      overflowed_ = true;
      continue;
    }
    extra_.push_back(entry::of(n, next++));
  }
}

}  // namespace keyhole::detail
