// State shared by the payload filters for one call: the parsed payload, the
// viewer's matcher, the edits to apply, and (when explaining) the decisions.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "audience.h"
#include "json_tree.h"
#include "policy_model.h"

namespace keyhole::detail {

enum class outcome { ok, rejected, not_visible };

// What the writer does with a node: copy it, leave it out, or write the text
// in filter_context::replacement instead.
enum class edit_mark : uint8_t { keep, drop, replace };

// Whether an object's member names were checked for duplicates (SPEC §8),
// so each object the filters read is checked once.
enum class key_state : uint8_t { unchecked, unique, duplicates };

// One resource's decision, for `keyhole explain` (docs/explain.md).
struct explained {
  std::string kind, id;
  bool shown = false;
  decision d;
  std::string fail_closed;  // why it was hidden before any rule applied, if it was
  std::string note;         // context, e.g. "of page 123", "1 of 2 affected components shown"
  mixed_mode mixed = mixed_mode::show;  // redact / hide when the mixed policy applied
  bool group = false;       // a group: shown iff a present component of it is
};

struct filter_context {
  const json_tree& t;
  const compiled_policy& policy;
  const matcher& m;
  bool tracing = false;
  std::vector<explained>* log = nullptr;
  std::string format_name;
  std::string reject_reason;
  int64_t reject_offset = -1;

  // Edits, per node (replace: text in `replacement`).
  std::vector<edit_mark>& marks;
  std::unordered_map<uint32_t, std::string>& replacement;

  // Duplicate-name state of the objects, per node.
  std::vector<key_state>& key_check;
  bool duplicate_seen = false;

  // A member of an object the filter reads. Reading an object with duplicate
  // member names marks the payload for rejection (SPEC §8).
  uint32_t member(uint32_t obj, std::string_view key) {
    if (!t.is_object(obj)) return npos;
    key_state& state = key_check[obj];
    if (state == key_state::unchecked) state = t.unique_keys(obj) ? key_state::unique : key_state::duplicates;
    if (state == key_state::duplicates) duplicate_seen = true;
    return t.member(obj, key);
  }

  // Nodes with an edit, so the writer can copy untouched subtrees whole.
  std::vector<uint32_t>& edited;

  // The status filter writes its output as it decides it (no edit marks):
  // into `out` (when not explaining), reading each member's field number
  // from the tree (json_tree::member_fields). For status.json (`status_json`)
  // it writes the projection, or sets `projection_refused` when the
  // payload has no status object and components to answer it from.
  std::string* out = nullptr;
  bool status_json = false;
  bool projection_refused = false;

  void drop(uint32_t n) {
    marks[n] = edit_mark::drop;
    edited.push_back(n);
  }
  void replace(uint32_t n, std::string text) {
    marks[n] = edit_mark::replace;
    replacement[n] = std::move(text);
    edited.push_back(n);
  }
  bool dropped(uint32_t n) const { return marks[n] == edit_mark::drop; }
  bool edited_at(uint32_t n) const { return marks[n] != edit_mark::keep; }
  outcome reject(std::string why, uint32_t node = npos) {
    reject_reason = std::move(why);
    if (node != npos) reject_offset = t.offset_of(node);
    return outcome::rejected;
  }
  void record(explained e) {
    if (log) log->push_back(std::move(e));
  }

  // Disclosure (SPEC §5). What happens to a field depends on the viewer only,
  // so it is settled once per call: `withheld` lists the fields the viewer
  // fails (removed, or replaced by the first unmet entry's text).
  struct withheld_field {
    std::string_view kind, member;
    const disclose_entry* decider;  // the first unmet entry
  };
  std::vector<withheld_field> withheld;
  void plan_disclosure(const std::vector<disclose_entry>& entries);
  // Removes or replaces the withheld members of `obj` for `kind` (only
  // `only_member` when given). Absent and null members are left alone.
  void disclose(std::string_view kind, uint32_t obj, std::string_view only_member = {});
  // The withheld fields of one kind (sorted by kind, then member): two binary
  // searches, so each object costs O(log withheld), not O(withheld).
  std::pair<std::vector<withheld_field>::const_iterator, std::vector<withheld_field>::const_iterator> withheld_of(
      std::string_view kind) const {
    auto first = std::lower_bound(withheld.begin(), withheld.end(), kind,
                                  [](const withheld_field& w, std::string_view k) { return w.kind < k; });
    auto last = std::upper_bound(first, withheld.end(), kind,
                                 [](std::string_view k, const withheld_field& w) { return k < w.kind; });
    return {first, last};
  }
  void apply_withheld(const withheld_field& w, uint32_t member);
  // Whether the viewer fails the disclosure of `kind.member`.
  bool withholds(std::string_view kind, std::string_view member) const {
    auto [first, last] = withheld_of(kind);
    auto w = std::lower_bound(first, last, member, [](const withheld_field& x, std::string_view m) { return x.member < m; });
    return w != last && w->member == member;
  }

  // Each rule's step for this call's viewer, evaluated at most once per call
  // (audience.h): every filter decides through it.
  rule_steps steps{m};
};

// Writes the tree with its edits applied, compactly. `edited` is sorted here.
void emit(const json_tree& t, const std::vector<edit_mark>& marks,
          const std::unordered_map<uint32_t, std::string>& replacement, std::vector<uint32_t>& edited,
          std::string& out);

class status_filter;
// The status filter of one call (SPEC §5; statuspage.cpp). Made before the
// payload is parsed and handed to json_tree::build as its observer, it learns
// the page's lists a window at a time while their nodes and text are in cache
// (issue 13); finish(), once the tree is built, learns the rest, decides and
// writes. What it learnt early is what learning after the parse would learn,
// in the same order, so no answer or error depends on it.
class status_run final : public build_observer {
 public:
  explicit status_run(filter_context& c);
  ~status_run() override;
  void window_built(uint32_t built, uint32_t open_member, uint32_t open_element) override;
  outcome finish();

 private:
  filter_context& c_;
  std::unique_ptr<status_filter> f_;
};
// A status_run over a tree already built.
outcome filter_statuspage(filter_context& c);
outcome filter_knowledge_base(filter_context& c);

}  // namespace keyhole::detail
