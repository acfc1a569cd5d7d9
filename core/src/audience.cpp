#include "audience.h"

#include <algorithm>
#include <unordered_set>

#include "atom_lookup.h"

namespace keyhole::detail {

bool atom_matches(const atom& a, const viewer& v) {
  auto contains = [](const std::vector<std::string>& xs, const std::string& x) {
    return std::binary_search(xs.begin(), xs.end(), x);  // the viewer's lists are sorted
  };
  bool verified = v.signed_in && v.email_verified;
  switch (a.kind) {
    case atom_kind::everyone: return true;
    case atom_kind::anonymous: return !v.signed_in;
    case atom_kind::signed_in: return v.signed_in;
    case atom_kind::verified: return verified;
    case atom_kind::user: return v.signed_in && v.sub == a.value;
    case atom_kind::email: return v.email_matchable() && v.email_lower == a.value;  // C2: exactly one @
    case atom_kind::domain: return verified && v.has_domain && v.domain == a.value;
    case atom_kind::domain_tree: {
      if (!verified || !v.has_domain) return false;
      const std::string& d = v.domain;
      if (d == a.value) return true;
      return d.size() > a.value.size() + 1 && d.compare(d.size() - a.value.size(), a.value.size(), a.value) == 0 &&
             d[d.size() - a.value.size() - 1] == '.';
    }
    case atom_kind::group: return contains(v.groups, a.value);
    case atom_kind::group_any: return !v.groups.empty();
    case atom_kind::org: return contains(v.orgs, a.value);
    case atom_kind::org_any: return !v.orgs.empty();
    case atom_kind::role: return contains(v.roles, a.value);
    case atom_kind::role_any: return !v.roles.empty();
    case atom_kind::account: return v.has_account && v.account == a.value;
    case atom_kind::attr: {
      auto it = std::lower_bound(v.attrs.begin(), v.attrs.end(), a.key,
                                 [](const auto& attr, const std::string& key) { return attr.first < key; });
      return it != v.attrs.end() && it->first == a.key && contains(it->second, a.value);
    }
  }
  return false;
}

void matcher::reset(const compiled_policy& p, const viewer& v) {
  policy_ = &p;
  viewer_ = &v;
  match_atoms(p, v, atoms_);  // from the viewer's claims, not over every atom
  named_.assign(p.audience_names.size(), 0);
  for (uint32_t a : p.audience_order) named_[a] = eval(p.audience_exprs[a]) ? 1 : 0;
}

bool matcher::eval(uint32_t e) const {
  if (e == no_expr) return false;
  const expr& x = policy_->exprs[e];
  switch (x.kind) {
    case expr::op::atom: return atoms_[x.index] != 0;
    case expr::op::any:
      for (uint32_t k : policy_->kids(x))
        if (eval(k)) return true;
      return false;
    case expr::op::all:
      for (uint32_t k : policy_->kids(x))
        if (!eval(k)) return false;
      return true;
    case expr::op::negate: return !eval(policy_->kids(x)[0]);
    case expr::op::named: return named_[x.index] != 0;  // settled in reset()
  }
  return false;
}

std::vector<std::string> matcher::matching_items(uint32_t list) const {
  std::vector<std::string> out;
  if (list == no_expr) return out;
  for (uint32_t k : policy_->kids(policy_->exprs[list]))
    if (eval(k)) out.push_back(policy_->exprs[k].kind == expr::op::atom || policy_->exprs[k].kind == expr::op::named
                                   ? policy_->exprs[k].text
                                   : policy_->exprs[k].text + "(...)");
  return out;
}

rule_steps::slot& rule_steps::evaluate(const rule& r) {
  auto place = [this](const slot& s) -> slot& {
    size_t mask = slots_.size() - 1, i = hash(s.r, mask);
    while (slots_[i].r) i = (i + 1) & mask;
    return slots_[i] = s;
  };
  if (++evaluated_ * 2 > slots_.size()) {  // grown: every rule placed again
    std::vector<slot> old(std::max<size_t>(16, slots_.size() * 2));
    old.swap(slots_);
    for (const slot& s : old)
      if (s.r) place(s);
  }
  return place(slot{&r, level_step{!r.inherit, m_.eval(r.allow), m_.eval(r.deny)}, 0});
}

rule_steps::rule_items& rule_steps::items_of(const rule& r) {
  slot& s = slot_of(r);
  if (s.items == 0) {
    items_.push_back(rule_items{m_.matching_items(r.allow), m_.matching_items(r.deny)});
    s.items = uint32_t(items_.size());
  }
  return items_[s.items - 1];
}

level_step rule_steps::of(const rule* const* rules, size_t n, bool restriction_denies) {
  level_step s;
  for (size_t i = 0; i < n; ++i) {
    level_step one = of(*rules[i]);
    s.reset = s.reset || one.reset;
    s.allow = s.allow || one.allow;
    s.deny = s.deny || one.deny;
  }
  if (restriction_denies) s.deny = true;
  return s;
}

void apply_step(const level_step& s, decision& d) {
  if (s.reset) d.allowed = false;
  if (s.allow) d.allowed = true;
  if (s.deny) d.denied = true;
}

level_step apply_rules(rule_steps& steps, const rule* const* rules, size_t n, bool restriction_denies, decision& d) {
  level_step s = steps.of(rules, n, restriction_denies);
  apply_step(s, d);
  return s;
}

void apply_level(rule_steps& steps, const level& l, decision& d, bool trace) {
  if (l.empty()) return;
  level_step s = apply_rules(steps, l.rules.data(), l.rules.size(), l.restriction_denies, d);
  if (trace) d.trace.push_back(trace_of(steps, l, s));
}

// Each matching item once, in the order first matched: a level merges a
// rule per label, and L label rules allowing one audience repeated it L
// times in every record tracing the level (review round 8, F7: items ×
// labels wrote 443 MB from 647 KB).
static void add_once(std::vector<std::string>& items, std::unordered_set<std::string>& seen, std::string item) {
  if (seen.insert(item).second) items.push_back(std::move(item));
}

level_trace trace_of(rule_steps& steps, const level& l, const level_step& s) {
  level_trace lt{l.name, s.reset, s.allow, s.deny, {}, {}};
  std::unordered_set<std::string> allow_seen, deny_seen;
  for (const rule* r : l.rules) {
    for (const auto& item : steps.allow_items(*r)) add_once(lt.allow_items, allow_seen, item);
    for (const auto& item : steps.deny_items(*r)) add_once(lt.deny_items, deny_seen, item);
  }
  if (l.restriction_denies) lt.deny_items.push_back("embedded-restrictions");
  return lt;
}

void finish_decision(decision& d, bool granted) {
  d.granted = granted;
  if (granted) d.allowed = true;
}

}  // namespace keyhole::detail
