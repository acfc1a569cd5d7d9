// The compiled policy (SPEC §2–§4): atoms interned once, audiences as small
// expression trees over atom indexes, rules as pointers into those trees.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <string_view>
#include <vector>

#include "name_index.h"
#include "viewer.h"

namespace keyhole::detail {

// A map from names to T that is searched with a string_view without
// allocating: the names live in the map's own storage, which never moves.
template <class T>
class name_map {
 public:
  name_map() = default;
  name_map(const name_map&) = delete;
  name_map& operator=(const name_map&) = delete;
  // False when `name` is already there.
  bool emplace(std::string_view name, T value) {
    names_.emplace_back(name);  // the index keeps a view, so the name is stored first
    if (insert(names_.back(), std::move(value))) return true;
    names_.pop_back();
    return false;
  }
  // The same for a name whose bytes outlive the map (a view into the compiled
  // policy's own text, compiled_policy::source), kept as it is: a policy of
  // 3,900 rules then stores no copy of their names (31 pages fewer to fault in
  // when a CLI process compiles it).
  bool emplace_lasting(std::string_view name, T value) { return insert(name, std::move(value)); }
  // Room for `n` names, so a map read from an object of n members grows once.
  void reserve(size_t n) {
    index_.reserve(n);
    items_.reserve(n);
  }
  const T* find(std::string_view name) const { return find(name, name_index::hash(name)); }
  // With `h` = name_index::hash(name), already computed for another index.
  const T* find(std::string_view name, uint64_t h) const {
    uint32_t i = index_.find(name, h);
    return i == name_index::npos ? nullptr : &items_[i].second;
  }
  bool empty() const { return items_.empty(); }
  size_t size() const { return items_.size(); }
  // In the order the policy names them.
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }

 private:
  bool insert(std::string_view stored, T value) {
    bool inserted = false;
    index_.insert(stored, inserted);
    if (inserted) items_.emplace_back(stored, std::move(value));
    return inserted;
  }
  std::deque<std::string> names_;  // the names emplace() copied
  name_index index_;
  std::vector<std::pair<std::string_view, T>> items_;
};

enum class atom_kind : uint8_t {
  everyone, anonymous, signed_in, verified, user, email, domain, domain_tree,
  group, group_any, org, org_any, role, role_any, account, attr
};

struct atom {
  atom_kind kind;
  std::string value;  // normalised (lower-cased for email/domain)
  std::string key;    // attr key
  std::string text;   // canonical text, e.g. "domain:acme.example"
};

// Expression node: leaf atom, any/all of children, not, or a named audience.
struct expr {
  enum class op : uint8_t { atom, any, all, negate, named } kind;
  uint32_t index = 0;           // atom index or named-audience index
  // Children (expression indexes) are a run of compiled_policy::kid_pool:
  // one flat array for the whole policy, not an allocation per list.
  uint32_t first_kid = 0;
  uint32_t kid_count = 0;
  std::string text;             // the item as written in the policy (for explain)
  std::string pointer;          // where a named reference stands (for cycle errors)
};

constexpr uint32_t no_expr = UINT32_MAX;

struct rule {
  uint32_t allow = no_expr;  // an `any` expression, or no_expr when absent
  uint32_t deny = no_expr;
  bool inherit = true;
};

struct disclose_entry {
  std::string kind;    // component, group, incident, maintenance, update, article
  std::string member;
  uint32_t allow = no_expr;
  bool has_replace = false;
  std::string replace_raw;  // the JSON string literal as written in the policy
};

enum class visibility_mode : uint8_t { any_component, all_components };
enum class mixed_mode : uint8_t { show, redact, hide };

struct status_section {
  bool present = false;
  bool has_default = false;
  rule default_rule;
  name_map<rule> components;
  visibility_mode visibility = visibility_mode::any_component;
  mixed_mode mixed = mixed_mode::show;
  bool has_redact_text = false;
  std::string redact_text_raw;
  bool has_without_components = false;
  rule without_components;
  name_map<rule> incident_rules;
  std::vector<disclose_entry> disclose;
  bool recompute_status = true;
};

struct articles_section {
  bool present = false;
  bool has_default = false;
  rule default_rule;
  name_map<rule> spaces, pages, labels;
  bool has_parents = false;
  name_map<std::string> parents;
  name_map<bool> parent_pages;  // pages the map names as a parent or declares a root (null)
  bool embedded_restrictions = true;
  std::vector<disclose_entry> disclose;
};

}  // namespace keyhole::detail

namespace keyhole {

class compiled_policy {
 public:
  std::vector<detail::atom> atoms;
  // Canonical atom text → atom index (atom_lookup.h): the compiler interns
  // atoms by it, and a viewer's atoms are found by it.
  std::unordered_map<std::string, uint32_t> atom_by_text;
  std::vector<detail::expr> exprs;
  std::vector<uint32_t> kid_pool;  // every expression's children, run after run
  std::span<const uint32_t> kids(const detail::expr& x) const { return {kid_pool.data() + x.first_kid, x.kid_count}; }
  std::vector<std::string> audience_names;   // index → name
  std::vector<uint32_t> audience_exprs;      // index → expression
  // Named audiences, each after every audience it refers to: the matcher
  // settles them in this order, so evaluating one never recurses into
  // another and a chain of any length costs no stack (finding D3).
  std::vector<uint32_t> audience_order;
  detail::status_section status;
  detail::articles_section articles;
  // Atom indexes each section can consult (section_atoms.h), sorted.
  std::vector<uint32_t> status_atoms, article_atoms;
  // The policy text as given, for canonical_hash(); the rule maps keep views
  // of their names into it (name_map::emplace_lasting), so it is never
  // assigned again once compiled (shortening it, as compile does, keeps it).
  std::string source;

  // Hex SHA-256 of the canonical policy text (SPEC §10). Only the audience key
  // needs it and it costs more than the rest of compiling a large policy, so
  // it is computed on first use; once, even from many threads.
  const std::string& canonical_hash() const;

 private:
  mutable std::once_flag hash_once_;
  mutable std::string canonical_hash_;
};

}  // namespace keyhole
