#include "policy_compile.h"

#include <algorithm>
#include <functional>
#include <unordered_map>

#include "atom_lookup.h"
#include "did_you_mean.h"
#include "kb_facts.h"
#include "letter_case.h"
#include "sha256.h"
#include "viewer.h"

namespace keyhole::detail {
namespace {

using names = std::initializer_list<std::string_view>;
constexpr std::string_view kWordAtoms[] = {"everyone", "anonymous", "signed-in", "verified"};
constexpr std::string_view kAtomPrefixes[] = {"user", "email", "domain", "group", "org", "role", "account", "attr"};

// "unknown rule member 'alow' (allow, deny, inherit) — did you mean 'allow'?"
std::string unknown_member(std::string_view what, std::string_view key, names valid) {
  std::string list;
  for (std::string_view v : valid) list += (list.empty() ? "" : ", ") + std::string(v);
  return "unknown " + std::string(what) + " '" + std::string(key) + "' (" + list + ")" + did_you_mean(key, valid);
}

// Where a value stands in the policy, as a chain of steps from the root; the
// JSON pointer string is built only for an error (compiling a large policy
// would otherwise build one per rule and item).
struct path {
  const path* parent = nullptr;
  std::string_view key;  // a member name, unless is_index
  size_t index = 0;
  bool is_index = false;
  std::string str() const {
    std::vector<const path*> steps;
    for (const path* p = this; p && p->parent; p = p->parent) steps.push_back(p);
    std::string out;
    for (auto it = steps.rbegin(); it != steps.rend(); ++it)
      out += "/" + ((*it)->is_index ? std::to_string((*it)->index) : pointer_token((*it)->key));
    return out;
  }
};

struct compiler {
  const json_tree& t;
  compiled_policy& p;
  std::string& pointer;
  std::string& message;
  // Atoms as written (views into the parsed policy, alive while compiling):
  // a policy names the same few atoms thousands of times, so each distinct
  // spelling is parsed and normalised once.
  std::unordered_map<std::string_view, uint32_t> atom_spelling;
  std::unordered_map<std::string, uint32_t> audience_index;

  bool fail(std::string at, std::string msg) {
    pointer = std::move(at);
    message = std::move(msg);
    return false;
  }
  bool fail(const path& at, std::string msg) { return fail(at.str(), std::move(msg)); }
  static path child(const path& p, std::string_view key) { return path{&p, key, 0, false}; }
  static path child(const path& p, size_t i) { return path{&p, {}, i, true}; }
  bool in_audiences = false;  // @references there can close a cycle, so they keep their pointer

  // Every object the compiler reads must have unique member names.
  bool object(uint32_t n, const path& ptr) {
    if (!t.is_object(n)) return fail(ptr, "must be an object");
    if (t.unique_keys(n)) return true;  // one pass; the duplicate is named only on failure
    uint32_t dup = t.first_duplicate(n);
    return dup == npos ? fail(ptr, "duplicate member") : fail(child(ptr, t.key(dup)), "duplicate member");
  }

  bool boolean(uint32_t n, const path& ptr, bool& out) {
    if (t.type(n) == jtype::true_value) out = true;
    else if (t.type(n) == jtype::false_value) out = false;
    else return fail(ptr, "must be true or false");
    return true;
  }

  // Children of the lists being compiled, innermost last: a list pushes its
  // children here (nested lists push and take back their own above them),
  // then moves its run into p.kid_pool in one append.
  std::vector<uint32_t> open_kids;

  uint32_t add_expr_with_kids(expr e, size_t first_open_kid) {
    e.first_kid = static_cast<uint32_t>(p.kid_pool.size());
    e.kid_count = static_cast<uint32_t>(open_kids.size() - first_open_kid);
    p.kid_pool.insert(p.kid_pool.end(), open_kids.begin() + first_open_kid, open_kids.end());
    open_kids.resize(first_open_kid);
    return add_expr(std::move(e));
  }

  uint32_t add_expr(expr e) {
    p.exprs.push_back(std::move(e));
    return static_cast<uint32_t>(p.exprs.size() - 1);
  }

  uint32_t intern_atom(atom a) {
    auto it = p.atom_by_text.find(a.text);
    if (it != p.atom_by_text.end()) return it->second;
    uint32_t i = static_cast<uint32_t>(p.atoms.size());
    p.atom_by_text.emplace(a.text, i);
    p.atoms.push_back(std::move(a));
    return i;
  }

  // Parses one atom string. `*` is allowed only as group:/org:/role: "any", and
  // as the leading "*." of a domain tree.
  bool parse_atom(std::string_view s, const path& ptr, uint32_t& out_expr) {
    if (!s.empty() && s[0] == '@') {
      std::string name(s.substr(1));
      auto it = audience_index.find(name);
      if (name.empty() || it == audience_index.end())
        return fail(ptr, "unknown audience '" + std::string(s) + "'" + did_you_mean(name, p.audience_names, "@"));
      out_expr = add_expr(expr{expr::op::named, it->second, 0, 0, std::string(s), in_audiences ? ptr.str() : std::string()});
      return true;
    }
    if (auto seen = atom_spelling.find(s); seen != atom_spelling.end()) {
      out_expr = add_expr(expr{expr::op::atom, seen->second, 0, 0, std::string(s)});
      return true;
    }
    atom a;
    if (s == "everyone") a.kind = atom_kind::everyone;
    else if (s == "anonymous") a.kind = atom_kind::anonymous;
    else if (s == "signed-in") a.kind = atom_kind::signed_in;
    else if (s == "verified") a.kind = atom_kind::verified;
    else {
      size_t colon = s.find(':');
      if (colon == std::string_view::npos) return fail(ptr, "unknown atom '" + std::string(s) + "'" + did_you_mean(s, kWordAtoms));
      std::string_view prefix = s.substr(0, colon), value = s.substr(colon + 1);
      if (value.empty()) return fail(ptr, "empty value in atom '" + std::string(s) + "'");
      bool star = value.find('*') != std::string_view::npos;
      auto no_star = [&]() { return star ? fail(ptr, "'*' is not allowed in '" + std::string(s) + "'") : true; };
      if (prefix == "user") {
        if (!no_star()) return false;
        a.kind = atom_kind::user; a.value = value;
      } else if (prefix == "email") {
        if (!no_star()) return false;
        a.kind = atom_kind::email; a.value = ascii_lower(value);
      } else if (prefix == "domain") {
        std::string d = ascii_lower(value);
        if (d.size() > 2 && d[0] == '*' && d[1] == '.') {
          a.kind = atom_kind::domain_tree;
          d = d.substr(2);
        } else {
          a.kind = atom_kind::domain;
        }
        if (!d.empty() && d.back() == '.') d.pop_back();
        if (d.empty()) return fail(ptr, "empty value in atom '" + std::string(s) + "'");
        if (d.find('*') != std::string::npos) return fail(ptr, "'*' is not allowed in '" + std::string(s) + "'");
        a.value = d;
      } else if (prefix == "group" || prefix == "org" || prefix == "role") {
        bool any = value == "*";
        if (!any && star) return fail(ptr, "'*' must be the whole value in '" + std::string(s) + "'");
        if (prefix == "group") a.kind = any ? atom_kind::group_any : atom_kind::group;
        else if (prefix == "org") a.kind = any ? atom_kind::org_any : atom_kind::org;
        else a.kind = any ? atom_kind::role_any : atom_kind::role;
        if (!any) a.value = value;
      } else if (prefix == "account") {
        if (!no_star()) return false;
        a.kind = atom_kind::account; a.value = value;
      } else if (prefix == "attr") {
        size_t eq = value.find('=');
        if (eq == std::string_view::npos) return fail(ptr, "attr atoms are attr:<key>=<value>");
        if (eq == 0 || eq + 1 == value.size()) return fail(ptr, "empty value in atom '" + std::string(s) + "'");
        if (!no_star()) return false;
        a.kind = atom_kind::attr;
        a.key = value.substr(0, eq);
        a.value = value.substr(eq + 1);
      } else {
        // The nearest prefix with the value as written: 'grup:staff' -> 'group:staff'.
        std::string near = nearest_name(prefix, kAtomPrefixes);
        std::string hint = near.empty() ? near : did_you_mean_text(near + ":" + std::string(value));
        return fail(ptr, "unknown atom '" + std::string(s) + "'" + hint);
      }
    }
    // Canonical text: normalised values, so equal atoms share one index.
    atom_text(a.kind, a.key, a.value, a.text);
    uint32_t idx = intern_atom(std::move(a));
    atom_spelling.emplace(s, idx);
    out_expr = add_expr(expr{expr::op::atom, idx, 0, 0, std::string(s)});
    return true;
  }

  // ITEM: an atom string, {"all": [ITEM...]} or {"not": ITEM}.
  bool parse_item(uint32_t n, const path& ptr, uint32_t& out) {
    if (t.is_string(n)) return parse_atom(t.str(n), ptr, out);
    if (!t.is_object(n)) return fail(ptr, "an audience item is an atom string, {\"all\": [...]} or {\"not\": ...}");
    if (!object(n, ptr)) return false;
    if (t.child_count(n) != 1) return fail(ptr, "an item object has exactly one member, all or not");
    uint32_t c = t.first_child(n);
    path cp = child(ptr, t.key(c));
    if (t.key(c) == "all") {
      if (!t.is_array(c)) return fail(cp, "all takes a list of items");
      if (t.child_count(c) == 0) return fail(cp, "all must not be empty");
      size_t first = open_kids.size();
      size_t i = 0;
      for (uint32_t k = t.first_child(c); k != npos; k = t.next_sibling(c, k), ++i) {
        uint32_t sub;
        if (!parse_item(k, child(cp, i), sub)) return false;
        open_kids.push_back(sub);
      }
      out = add_expr_with_kids(expr{expr::op::all, 0, 0, 0, "all"}, first);
      return true;
    }
    if (t.key(c) == "not") {
      uint32_t sub;
      if (!parse_item(c, cp, sub)) return false;
      size_t first = open_kids.size();
      open_kids.push_back(sub);
      out = add_expr_with_kids(expr{expr::op::negate, 0, 0, 0, "not"}, first);
      return true;
    }
    return fail(cp, unknown_member("item member", t.key(c), {"all", "not"}));
  }

  // A list of items, combined with "any".
  bool parse_list(uint32_t n, const path& ptr, uint32_t& out) {
    if (!t.is_array(n)) return fail(ptr, "must be a list of audience items");
    size_t first = open_kids.size();
    size_t i = 0;
    for (uint32_t k = t.first_child(n); k != npos; k = t.next_sibling(n, k), ++i) {
      uint32_t sub;
      if (!parse_item(k, child(ptr, i), sub)) return false;
      open_kids.push_back(sub);
    }
    out = add_expr_with_kids(expr{expr::op::any, 0, 0, 0, "any"}, first);
    return true;
  }

  bool parse_rule(uint32_t n, const path& ptr, rule& r) {
    if (!object(n, ptr)) return false;
    for (uint32_t c = t.first_child(n); c != npos; c = t.next_sibling(n, c)) {
      path cp = child(ptr, t.key(c));
      if (t.key(c) == "allow") { if (!parse_list(c, cp, r.allow)) return false; }
      else if (t.key(c) == "deny") { if (!parse_list(c, cp, r.deny)) return false; }
      else if (t.key(c) == "inherit") { if (!boolean(c, cp, r.inherit)) return false; }
      else return fail(cp, unknown_member("rule member", t.key(c), {"allow", "deny", "inherit"}));
    }
    return true;
  }

  // A map of names to rules. The map's own index finds a duplicate name (the
  // first repeat in document order), so the object needs no separate check.
  bool parse_rule_map(uint32_t n, const path& ptr, name_map<rule>& out) {
    if (!t.is_object(n)) return fail(ptr, "must be an object");
    out.reserve(t.child_count(n));
    for (uint32_t c = t.first_child(n); c != npos; c = t.next_sibling(n, c)) {
      path at = child(ptr, t.key(c));
      const rule* r = spelled_rule(c, at);
      if (!r) return false;
      std::string_view name = t.key(c);
      bool added = in_source(name) ? out.emplace_lasting(name, *r) : out.emplace(name, *r);
      if (!added) return fail(at, "duplicate member");
    }
    return true;
  }

  // Whether `s` lies in the compiled policy's own text, which lives as long as
  // the policy (a name with an escape lies in the tree's unescaped copy).
  bool in_source(std::string_view s) const {
    std::less_equal<const char*> at_or_before;
    const char* begin = p.source.data();
    return at_or_before(begin, s.data()) && at_or_before(s.data() + s.size(), begin + p.source.size());
  }

  // Rules spelt alike compile alike (hash-consing): what a rule object
  // compiles to depends on its text alone (the audiences it names are all
  // known by then), so a policy giving thousands of components the same few
  // rules compiles each spelling once and its rules share the expressions.
  // The text is the object's whole span, whitespace and escapes included: a
  // different spelling of the same rule is only compiled again. A spelling
  // whose first compile failed has ended the policy, so one met again
  // compiled without error (a spelling is recorded only once compiled). Null
  // on an error.
  name_index rule_spellings = name_index();
  std::vector<rule> spelled_rules = {};  // by the spelling's index
  const rule* spelled_rule(uint32_t n, const path& at) {
    std::string_view text = t.span(n);
    uint64_t h = name_index::hash(text);
    if (uint32_t i = rule_spellings.find(text, h); i != name_index::npos) return &spelled_rules[i];
    rule r;
    if (!parse_rule(n, at, r)) return nullptr;
    bool fresh = false;
    rule_spellings.insert(text, h, fresh);
    spelled_rules.push_back(r);
    return &spelled_rules.back();
  }

  // A page rule's id must be spelt as payload ids are read (kb_facts.h,
  // id_spelling): "050" or " 50" could never match page 50, silently leaving
  // it open (review round 8, F8).
  bool page_id_keys(uint32_t n, const path& ptr) {
    for (uint32_t c = t.first_child(n); c != npos; c = t.next_sibling(n, c))
      if (!id_spelling(t.key(c)))
        return fail(child(ptr, t.key(c)), "a page id is digits without a leading zero (or a plain name), as payloads write it");
    return true;
  }

  // Confluence folds every label to lower case, so a rule for "Confidential"
  // would never match and silently open what it was written to close
  // (review round 8, F9): such a name is an error, like a typo.
  bool lower_case_labels(uint32_t n, const path& ptr) {
    for (uint32_t c = t.first_child(n); c != npos; c = t.next_sibling(n, c)) {
      std::string_view name = t.key(c);
      if (!has_capital_letter(name)) continue;  // ASCII and the common scripts' capitals (round 9, R9-4)
      std::string lower = ascii_lower(name);
      return fail(child(ptr, name), "label names are lower case (Confluence folds them)" +
                                        (has_capital_letter(lower) ? std::string() : ": write '" + lower + "'"));
    }
    return true;
  }

  bool parse_disclose(uint32_t n, const path& ptr, bool articles, std::vector<disclose_entry>& out) {
    if (!t.is_array(n)) return fail(ptr, "disclose is a list");
    size_t i = 0;
    for (uint32_t e = t.first_child(n); e != npos; e = t.next_sibling(n, e), ++i) {
      path ep = child(ptr, i);
      if (!object(e, ep)) return false;
      disclose_entry d;
      bool has_field = false, has_allow = false;
      for (uint32_t c = t.first_child(e); c != npos; c = t.next_sibling(e, c)) {
        path cp = child(ep, t.key(c));
        if (t.key(c) == "field") {
          if (!t.is_string(c)) return fail(cp, "field is a string KIND.member");
          std::string_view f = t.str(c);
          size_t dot = f.find('.');
          if (dot == std::string_view::npos || dot == 0 || dot + 1 == f.size())
            return fail(cp, "field is KIND.member");
          d.kind = f.substr(0, dot);
          d.member = f.substr(dot + 1);
          bool ok = articles ? d.kind == "article"
                             : (d.kind == "component" || d.kind == "group" || d.kind == "incident" ||
                                d.kind == "maintenance" || d.kind == "update");
          if (!ok) {
            static constexpr std::string_view kArticleKinds[] = {"article"};
            static constexpr std::string_view kStatusKinds[] = {"component", "group", "incident", "maintenance", "update"};
            std::string hint = articles ? did_you_mean(d.kind, kArticleKinds) : did_you_mean(d.kind, kStatusKinds);
            return fail(cp, "unknown kind '" + d.kind + "' for this section" + hint);
          }
          has_field = true;
        } else if (t.key(c) == "allow") {
          if (!parse_list(c, cp, d.allow)) return false;
          has_allow = true;
        } else if (t.key(c) == "replace") {
          if (!t.is_string(c)) return fail(cp, "replace is a string");
          d.has_replace = true;
          d.replace_raw = t.raw(c);
        } else {
          return fail(cp, unknown_member("disclose member", t.key(c), {"field", "allow", "replace"}));
        }
      }
      if (!has_field) return fail(ep, "disclose entry needs field");
      if (!has_allow) return fail(ep, "disclose entry needs allow");
      out.push_back(std::move(d));
    }
    return true;
  }

  bool parse_incidents(uint32_t n, const path& ptr, status_section& s) {
    if (!object(n, ptr)) return false;
    for (uint32_t c = t.first_child(n); c != npos; c = t.next_sibling(n, c)) {
      path cp = child(ptr, t.key(c));
      std::string_view k = t.key(c);
      if (k == "visibility") {
        if (t.is_string(c) && t.str(c) == "any-component") s.visibility = visibility_mode::any_component;
        else if (t.is_string(c) && t.str(c) == "all-components") s.visibility = visibility_mode::all_components;
        else return fail(cp, "visibility is any-component or all-components");
      } else if (k == "mixed") {
        if (t.is_string(c) && t.str(c) == "show") s.mixed = mixed_mode::show;
        else if (t.is_string(c) && t.str(c) == "redact") s.mixed = mixed_mode::redact;
        else if (t.is_string(c) && t.str(c) == "hide") s.mixed = mixed_mode::hide;
        else return fail(cp, "mixed is show, redact or hide");
      } else if (k == "redact-text") {
        if (!t.is_string(c)) return fail(cp, "redact-text is a string");
        s.has_redact_text = true;
        s.redact_text_raw = t.raw(c);
      } else if (k == "without-components") {
        s.has_without_components = true;
        if (!parse_rule(c, cp, s.without_components)) return false;
      } else if (k == "rules") {
        if (!parse_rule_map(c, cp, s.incident_rules)) return false;
      } else {
        return fail(cp, unknown_member("incidents member", k, {"visibility", "mixed", "redact-text", "without-components", "rules"}));
      }
    }
    return true;
  }

  bool parse_status(uint32_t n, const path& ptr) {
    if (!object(n, ptr)) return false;
    status_section& s = p.status;
    s.present = true;
    for (uint32_t c = t.first_child(n); c != npos; c = t.next_sibling(n, c)) {
      path cp = child(ptr, t.key(c));
      std::string_view k = t.key(c);
      if (k == "default") { s.has_default = true; if (!parse_rule(c, cp, s.default_rule)) return false; }
      else if (k == "components") { if (!parse_rule_map(c, cp, s.components)) return false; }
      else if (k == "incidents") { if (!parse_incidents(c, cp, s)) return false; }
      else if (k == "disclose") { if (!parse_disclose(c, cp, false, s.disclose)) return false; }
      else if (k == "recompute-status") { if (!boolean(c, cp, s.recompute_status)) return false; }
      else return fail(cp, unknown_member("status member", k, {"default", "components", "incidents", "disclose", "recompute-status"}));
    }
    return true;
  }

  // The parents map is a tree: walking up from any page must end. Each page
  // is walked past once (finished pages end a walk), so this is linear.
  bool parents_form_a_tree(uint32_t map, const path& ptr) {
    enum class mark : uint8_t { visiting, done };
    std::unordered_map<std::string_view, mark> seen;
    const name_map<std::string>& parents = p.articles.parents;
    for (uint32_t e = t.first_child(map); e != npos; e = t.next_sibling(map, e)) {
      std::vector<std::string_view> walk;
      std::string_view cur = t.key(e);
      while (true) {
        auto [it, fresh] = seen.try_emplace(cur, mark::visiting);
        if (!fresh) {
          if (it->second == mark::visiting) return fail(child(ptr, t.key(e)), "cycle in parents");
          break;
        }
        walk.push_back(cur);
        const std::string* parent = parents.find(cur);
        if (!parent) break;
        cur = *parent;
      }
      for (std::string_view w : walk) seen[w] = mark::done;
    }
    return true;
  }

  bool parse_articles(uint32_t n, const path& ptr) {
    if (!object(n, ptr)) return false;
    articles_section& a = p.articles;
    a.present = true;
    for (uint32_t c = t.first_child(n); c != npos; c = t.next_sibling(n, c)) {
      path cp = child(ptr, t.key(c));
      std::string_view k = t.key(c);
      if (k == "default") { a.has_default = true; if (!parse_rule(c, cp, a.default_rule)) return false; }
      else if (k == "spaces") { if (!parse_rule_map(c, cp, a.spaces)) return false; }
      else if (k == "pages") { if (!parse_rule_map(c, cp, a.pages) || !page_id_keys(c, cp)) return false; }
      else if (k == "labels") { if (!parse_rule_map(c, cp, a.labels) || !lower_case_labels(c, cp)) return false; }
      else if (k == "parents") {
        if (!object(c, cp)) return false;
        a.has_parents = true;
        for (uint32_t e = t.first_child(c); e != npos; e = t.next_sibling(c, e)) {
          // null declares a root: a page the map does not name is unknown.
          bool root = t.is_null(e);
          if (!root && (!t.is_string(e) || t.str(e).empty()))
            return fail(child(cp, t.key(e)), "a parent is a page id string, or null for a root");
          if (!root) a.parents.emplace(t.key(e), std::string(t.str(e)));  // keys are unique: object() checked
          a.parent_pages.emplace(root ? t.key(e) : t.str(e), true);       // false when already named: the same fact
        }
        if (!parents_form_a_tree(c, cp)) return false;
      } else if (k == "embedded-restrictions") { if (!boolean(c, cp, a.embedded_restrictions)) return false; }
      else if (k == "disclose") { if (!parse_disclose(c, cp, true, a.disclose)) return false; }
      else
        return fail(cp, unknown_member("articles member", k,
                                       {"default", "spaces", "pages", "labels", "parents", "embedded-restrictions", "disclose"}));
    }
    return true;
  }

  // The named-audience references inside expression `root`, in order
  // (iteratively: expressions nest as deep as the policy's JSON).
  void references(uint32_t root, std::vector<uint32_t>& out) const {
    std::vector<uint32_t> stack{root};
    while (!stack.empty()) {
      const expr& x = p.exprs[stack.back()];
      uint32_t at = stack.back();
      stack.pop_back();
      if (x.kind == expr::op::named) out.push_back(at);
      std::span<const uint32_t> kids = p.kids(x);
      for (auto k = kids.rbegin(); k != kids.rend(); ++k) stack.push_back(*k);
    }
  }

  // Orders named audiences so each comes after those it refers to
  // (p.audience_order); a cycle is an error, reported at the reference that
  // closes it. Iterative depth-first search: a chain of any length is fine.
  bool order_audiences() {
    size_t n = p.audience_names.size();
    std::vector<std::vector<uint32_t>> refs(n);  // expression indexes of @references
    for (uint32_t a = 0; a < n; ++a) references(p.audience_exprs[a], refs[a]);
    enum class mark : uint8_t { fresh, visiting, done };
    std::vector<mark> state(n, mark::fresh);
    struct frame { uint32_t audience; size_t next; };
    std::vector<frame> stack;
    for (uint32_t start = 0; start < n; ++start) {
      if (state[start] != mark::fresh) continue;
      state[start] = mark::visiting;
      stack.push_back(frame{start, 0});
      while (!stack.empty()) {
        frame& f = stack.back();
        if (f.next == refs[f.audience].size()) {
          state[f.audience] = mark::done;
          p.audience_order.push_back(f.audience);
          stack.pop_back();
          continue;
        }
        const expr& ref = p.exprs[refs[f.audience][f.next++]];
        if (state[ref.index] == mark::visiting) return fail(ref.pointer, "cycle in named audiences");
        if (state[ref.index] == mark::fresh) {
          state[ref.index] = mark::visiting;
          stack.push_back(frame{ref.index, 0});
        }
      }
    }
    return true;
  }

  bool run() {
    const path root;
    if (!object(0, root)) return false;
    // At most one expression per node: no regrowth, whose copies would hold the old
    // array and the new at once (a policy of 200,000 named audiences peaked 27% higher).
    // compile_policy() gives back what rules spelt alike left unused.
    p.exprs.reserve(t.size());
    uint32_t version = t.member(0, "keyhole");
    if (version == npos) return fail(child(root, "keyhole"), "keyhole: 1 is required");
    if (t.type(version) != jtype::number || t.raw(version) != "1") return fail(child(root, "keyhole"), "keyhole must be 1");
    for (uint32_t c = t.first_child(0); c != npos; c = t.next_sibling(0, c)) {
      std::string_view k = t.key(c);
      if (k != "keyhole" && k != "audiences" && k != "status" && k != "articles")
        return fail(child(root, k), unknown_member("policy member", k, {"keyhole", "audiences", "status", "articles"}));
    }
    // Audience names first, so @references resolve in any order.
    uint32_t aud = t.member(0, "audiences");
    const path audiences = child(root, "audiences");
    if (aud != npos) {
      if (!object(aud, audiences)) return false;
      for (uint32_t c = t.first_child(aud); c != npos; c = t.next_sibling(aud, c)) {
        if (t.key(c).empty()) return fail(child(audiences, ""), "empty audience name");
        audience_index.emplace(std::string(t.key(c)), static_cast<uint32_t>(p.audience_names.size()));
        p.audience_names.emplace_back(t.key(c));
        p.audience_exprs.push_back(no_expr);
      }
      in_audiences = true;
      for (uint32_t c = t.first_child(aud); c != npos; c = t.next_sibling(aud, c)) {
        uint32_t e;
        if (!parse_list(c, child(audiences, t.key(c)), e)) return false;
        p.audience_exprs[audience_index[std::string(t.key(c))]] = e;
      }
      in_audiences = false;
      if (!order_audiences()) return false;
    }
    uint32_t st = t.member(0, "status");
    if (st != npos && !parse_status(st, child(root, "status"))) return false;
    uint32_t ar = t.member(0, "articles");
    if (ar != npos && !parse_articles(ar, child(root, "articles"))) return false;
    return true;
  }
};

}  // namespace

void canonical_json(const json_tree& t, uint32_t node, std::string& out) {
  switch (t.type(node)) {
    case jtype::object: {
      std::vector<uint32_t> kids;
      for (uint32_t c = t.first_child(node); c != npos; c = t.next_sibling(node, c)) kids.push_back(c);
      std::sort(kids.begin(), kids.end(), [&](uint32_t a, uint32_t b) { return t.key(a) < t.key(b); });
      out.push_back('{');
      for (size_t i = 0; i < kids.size(); ++i) {
        if (i) out.push_back(',');
        append_json_string(out, t.key(kids[i]));
        out.push_back(':');
        canonical_json(t, kids[i], out);
      }
      out.push_back('}');
      break;
    }
    case jtype::array: {
      out.push_back('[');
      bool first = true;
      for (uint32_t c = t.first_child(node); c != npos; c = t.next_sibling(node, c)) {
        if (!first) out.push_back(',');
        first = false;
        canonical_json(t, c, out);
      }
      out.push_back(']');
      break;
    }
    case jtype::string: append_json_string(out, t.str(node)); break;
    default: out.append(t.raw(node)); break;
  }
}

bool compile_policy(const json_tree& t, compiled_policy& out, std::string& pointer, std::string& message) {
  compiler c{t, out, pointer, message, {}};
  bool ok = c.run();
  // The policy keeps these for its life. A policy whose rules are spelt alike uses few of
  // the expressions reserved, one per node of its text (80 bytes a node: 2.8 MB for 3,900
  // rules, in wasm memory too), so the room is given back when nearly all of it is unused.
  // Not otherwise: the copy would hold both arrays at once (a policy of 200,000 named
  // audiences, which uses about half, peaked 31 MB higher), while the room a native
  // process never touches costs it no memory.
  auto fit = [](auto& v) {
    if (v.size() < v.capacity() / 8) v.shrink_to_fit();
  };
  fit(out.exprs);
  fit(out.kid_pool);
  return ok;
}

}  // namespace keyhole::detail

namespace keyhole {

const std::string& compiled_policy::canonical_hash() const {
  std::call_once(hash_once_, [this] {
    // The text compiled once already, so it parses again. Should it not (out
    // of memory), the hash stays empty and the audience key fails: a key
    // without the policy's content could be shared with another policy's.
    detail::json_parser parser;
    std::string buf;
    detail::json_tree tree;
    detail::parse_error err;
    std::string canon;
    if (!detail::parse_copy(parser, buf, source, 1024, tree, err)) return;
    detail::canonical_json(tree, 0, canon);
    detail::sha256 h;
    h.update(canon);
    auto d = h.finish();
    canonical_hash_ = detail::to_hex(d.data(), d.size());
  });
  return canonical_hash_;
}

}  // namespace keyhole
