// Disclosure (SPEC §5): which fields the viewer fails, settled once per call,
// and their removal or replacement in each object a filter keeps.
#include <algorithm>
#include <string>
#include <unordered_map>

#include "filter_context.h"

namespace keyhole::detail {

void filter_context::plan_disclosure(const std::vector<disclose_entry>& entries) {
  withheld.clear();
  // Entries by field, in policy order; a field is settled by its first unmet
  // entry (all entries on one field must be satisfied). One pass, hashed.
  std::unordered_map<std::string, bool> settled;  // "kind.member" → already decided
  for (const disclose_entry& e : entries) {
    auto [it, fresh] = settled.try_emplace(e.kind + "." + e.member, false);
    if (it->second || m.eval(e.allow)) continue;
    it->second = true;
    withheld.push_back(withheld_field{e.kind, e.member, &e});
  }
  // Sorted by kind, then member, so disclose() finds a member by binary search.
  std::sort(withheld.begin(), withheld.end(), [](const withheld_field& a, const withheld_field& b) {
    return a.kind != b.kind ? a.kind < b.kind : a.member < b.member;
  });
}

void filter_context::disclose(std::string_view kind, uint32_t obj, std::string_view only_member) {
  if (withheld.empty() || !t.is_object(obj)) return;
  auto [first, last] = withheld_of(kind);
  if (first == last) return;
  if (last - first <= 4 && only_member.empty()) {  // the usual case: a member lookup per withheld field
    for (auto w = first; w != last; ++w) apply_withheld(*w, t.member(obj, w->member));
    return;
  }
  // Many withheld fields: one pass over the object's members, O(members · log withheld).
  for (uint32_t member = t.first_child(obj); member != npos; member = t.next_sibling(obj, member)) {
    std::string_view name = t.key(member);
    if (!only_member.empty() && name != only_member) continue;
    auto w = std::lower_bound(first, last, name, [](const withheld_field& x, std::string_view n) { return x.member < n; });
    if (w != last && w->member == name) apply_withheld(*w, member);
  }
}

void filter_context::apply_withheld(const withheld_field& w, uint32_t member) {
  if (member == npos || t.is_null(member)) return;  // absent or null: left as it is (SPEC §5)
  if (w.decider->has_replace) replace(member, w.decider->replace_raw);
  else drop(member);
}

}  // namespace keyhole::detail
