// Matches one viewer against a compiled policy: the atoms its claims can match,
// found once by their texts (atom_lookup.h), then audience expressions as
// lookups over those bits (named audiences memoised).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "policy_model.h"
#include "viewer.h"

namespace keyhole::detail {

class matcher {
 public:
  // Matches the viewer's atoms, then settles every named audience in the policy's
  // order; afterwards the matcher is read-only (one compiled viewer may serve
  // many threads).
  void reset(const compiled_policy& p, const viewer& v);
  bool eval(uint32_t e) const;  // no_expr evaluates to false
  bool atom_matched(uint32_t i) const { return atoms_[i] != 0; }
  // Texts of the top-level items of `list` (an `any` expression) that match.
  std::vector<std::string> matching_items(uint32_t list) const;
  const viewer& who() const { return *viewer_; }
  const compiled_policy& policy() const { return *policy_; }

 private:
  const compiled_policy* policy_ = nullptr;
  const viewer* viewer_ = nullptr;
  std::vector<uint8_t> atoms_;
  std::vector<uint8_t> named_;  // settled by reset(), in audience_order
};

bool atom_matches(const atom& a, const viewer& v);

// One level of a chain: the rules that sit at it (a page's own rule and its
// labels' rules merge into one level) plus an embedded-restriction deny.
struct level {
  std::string name;                 // e.g. "default", "group:abc", "page:123"
  std::vector<const rule*> rules;
  bool restriction_denies = false;  // viewer is none of the listed users/groups
  bool has_restriction = false;
  bool empty() const { return rules.empty() && !has_restriction; }
};

struct level_trace {
  std::string name;
  bool reset = false, allow = false, deny = false;
  std::vector<std::string> allow_items, deny_items;
};

struct decision {
  bool allowed = false, denied = false, granted = false;
  bool visible() const { return allowed && !denied; }
  std::vector<level_trace> trace;  // filled only when tracing
};

// SPEC §3: levels outermost first; a grant for the resource itself allows.
// One step: the level's rules merged (allow and deny lists joined,
// inherit: false if any says so, an embedded restriction as one more deny).
struct level_step {
  bool reset = false, allow = false, deny = false;
};

// What each rule gives the viewer, for one call: a rule's step depends only
// on the viewer and the rule, both fixed for the call, so each rule's allow
// and deny are evaluated at most once per call, however many items it
// decides (KB review round 12, F4: a default listing 20,000 inline atoms was
// evaluated again for each of 100,000 items; named audiences are settled
// once per viewer, matcher::reset). The one place the filters evaluate
// rules: the status default, group, component and incident rules, the
// knowledge base's default, space, page and label rules. Keyed by the rule's
// address in the compiled policy, so it holds at most the rules the call
// touches.
class rule_steps {
 public:
  explicit rule_steps(const matcher& m) : m_(m) {}
  // The step of rule `r` alone.
  level_step of(const rule& r) { return slot_of(r).step; }
  // The rules merged, with an embedded restriction as one more deny: O(n).
  level_step of(const rule* const* rules, size_t n, bool restriction_denies);
  level_step of(const level& l) { return of(l.rules.data(), l.rules.size(), l.restriction_denies); }
  // For explain: the items of `r`'s allow and deny that match
  // (matcher::matching_items), found once per rule too; valid until the
  // next lookup.
  const std::vector<std::string>& allow_items(const rule& r) { return items_of(r).allow; }
  const std::vector<std::string>& deny_items(const rule& r) { return items_of(r).deny; }
  // Rules evaluated so far this call (each at most once): for tests.
  size_t evaluated() const { return evaluated_; }

 private:
  // Rules by address, open addressing, at most half full: the status filter
  // looks its default and group rules up once per component.
  struct slot {
    const rule* r = nullptr;  // null: free
    level_step step;
    uint32_t items = 0;  // index + 1 in items_, once explain asked
  };
  struct rule_items {
    std::vector<std::string> allow, deny;
  };
  slot& slot_of(const rule& r) {
    size_t mask = slots_.size() - 1;
    if (!slots_.empty())
      for (size_t i = hash(&r, mask); slots_[i].r; i = (i + 1) & mask)
        if (slots_[i].r == &r) return slots_[i];
    return evaluate(r);
  }
  static size_t hash(const rule* r, size_t mask) {
    return size_t((reinterpret_cast<uintptr_t>(r) * 0x9E3779B97F4A7C15ull) >> 32) & mask;
  }
  slot& evaluate(const rule& r);
  rule_items& items_of(const rule& r);
  const matcher& m_;
  std::vector<slot> slots_;  // a power of two long
  size_t evaluated_ = 0;
  std::vector<rule_items> items_;
};

// Applies a step (or a composed run of steps) to a decision.
void apply_step(const level_step& s, decision& d);
// The single step equal to applying `first`, then `then`: the page tree
// memoises a chain of ancestors as one step, so deciding every page of a
// deep tree stays linear (finding D1).
inline level_step compose(const level_step& first, const level_step& then) {
  return level_step{first.reset || then.reset, (first.allow && !then.reset) || then.allow, first.deny || then.deny};
}
level_step apply_rules(rule_steps& steps, const rule* const* rules, size_t n, bool restriction_denies, decision& d);
void apply_level(rule_steps& steps, const level& l, decision& d, bool trace);
// What explain records of level `l` whose step was `s`: the rules' matching
// items. apply_level's trace; made apart so a level shared by many items
// (an ancestor) is traced once (kb_tree.h).
level_trace trace_of(rule_steps& steps, const level& l, const level_step& s);
// A level holding one rule, as apply_level; `name()` (the level's name) is
// only called when tracing, so deciding thousands of items builds no strings.
template <class Name>
void apply_rule(rule_steps& steps, const rule& r, decision& d, bool trace, Name&& name) {
  if (trace) return apply_level(steps, level{name(), {&r}}, d, true);
  apply_step(steps.of(r), d);
}
void finish_decision(decision& d, bool granted);

}  // namespace keyhole::detail
