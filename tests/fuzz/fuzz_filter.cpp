// libFuzzer target: filter(payload × fixed policy × persona derived from the input).
//
// The payload is the whole input; a hash of it picks one of three fixed policies
// and one of four personas. Oracles, checked on every run:
//  - on failure output() is empty; on success output() is valid JSON (simdjson DOM);
//  - provenance: every string (names and values) in the output occurs in the input,
//    in the policy, or is a recomputed status / banner text;
//  - confidentiality: strings that occur in the input only inside regions the
//    persona must not see (restricted components, their copies and affected
//    entries, denied incidents, disclosed-away members, hidden articles, hidden
//    ancestors' titles) never occur in the output; restricted ids never appear as
//    a component, a group member or an affected code;
//  - determinism: the same call twice on one reused filter gives the same bytes;
//  - audience key: two personas with the same key get the same bytes.
#include <cstdint>
#include <cstring>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "fuzz_common.h"

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// Restricted ids: CANARY-s1/-s2 staff only, c-cust customers only, incident
// CANARY-i1 denied to everyone, page CANARY-p1 staff only, space SECRET staff only.
const char* const kPolicies[] = {
    // P0: mixed redact, disclosure, articles with page and space rules.
    R"({"keyhole":1,
 "audiences":{"staff":["domain:acme.example","group:staff"],"customer":["org:*"]},
 "status":{"default":{"allow":["everyone"]},
   "components":{"CANARY-s1":{"allow":["@staff"],"inherit":false},"CANARY-s2":{"allow":["@staff"],"inherit":false},
                 "c-cust":{"allow":["@customer"],"inherit":false},"CANARY-g1":{"deny":["anonymous"]}},
   "incidents":{"visibility":"any-component","mixed":"redact","redact-text":"KH-REDACTED",
                "rules":{"CANARY-i1":{"deny":["everyone"]}}},
   "disclose":[{"field":"update.body","allow":["signed-in"],"replace":"KH-SIGN-IN"},
               {"field":"component.description","allow":["@staff"]}]},
 "articles":{"default":{"allow":["everyone"]},
   "pages":{"CANARY-p1":{"allow":["@staff"],"inherit":false}},
   "disclose":[{"field":"article.excerpt","allow":["signed-in"],"replace":"KH-EXCERPT"}]}})",
    // P1: mixed hide, recompute off, articles with spaces, labels and a parents map.
    R"({"keyhole":1,
 "audiences":{"staff":["domain:acme.example","group:staff"],"customer":["org:*"]},
 "status":{"default":{"allow":["everyone"]},
   "components":{"CANARY-s1":{"allow":["@staff"],"inherit":false},"CANARY-s2":{"allow":["@staff"],"inherit":false},
                 "c-cust":{"allow":["@customer"],"inherit":false}},
   "incidents":{"mixed":"hide","rules":{"CANARY-i1":{"deny":["everyone"]}}},
   "recompute-status":false},
 "articles":{"default":{"allow":["everyone"]},
   "spaces":{"SECRET":{"allow":["@staff"],"inherit":false},"KB":{"allow":["everyone"]}},
   "pages":{"CANARY-p1":{"allow":["@staff"],"inherit":false}},
   "labels":{"internal":{"deny":["anonymous"]}},
   "parents":{"101":"100","102":"101"}}})",
    // P2: all-components visibility, no articles section (every article hidden).
    R"({"keyhole":1,
 "audiences":{"staff":["domain:acme.example","group:staff"],"customer":["org:*"]},
 "status":{"default":{"allow":["everyone"]},
   "components":{"CANARY-s1":{"allow":["@staff"],"inherit":false},"CANARY-s2":{"allow":["@staff"],"inherit":false},
                 "c-cust":{"allow":["@customer"],"inherit":false}},
   "incidents":{"visibility":"all-components","without-components":{"deny":["anonymous"]},
                "rules":{"CANARY-i1":{"deny":["everyone"]}}}}})",
};
constexpr int kNumPolicies = 3;

struct persona {
  const char* claims;
  const char* twin;  // same atoms and grants, different sub ("" when none)
  bool anonymous, signed_in, customer, staff;
};
const persona kPersonas[] = {
    {"{}", "", true, false, false, false},
    {R"({"sub":"u-1"})", R"({"sub":"u-2"})", false, true, false, false},
    {R"({"sub":"g-1","email":"ann@globex.example","email_verified":true,"orgs":["globex"],
        "grants":["component:pub","incident:i-open","article:100"]})",
     R"({"sub":"g-2","email":"bob@globex.example","email_verified":true,"orgs":["globex"],
        "grants":["incident:i-open","article:100","component:pub"]})",
     false, true, true, false},
    {R"({"sub":"s-1","email":"Sam@Acme.example","email_verified":true,"groups":["staff"]})", "", false, true, false, true},
};
constexpr int kNumPersonas = 4;

// First member named `key` (as the core reads it); `dup` is set when it occurs twice.
bool member(element obj, std::string_view key, element& out, bool& dup) {
  if (obj.type() != element_type::OBJECT) return false;
  bool found = false;
  for (auto f : ::fuzz::as_obj(obj)) {
    if (f.key != key) continue;
    if (found) {
      dup = true;
      continue;
    }
    out = f.value;
    found = true;
  }
  return found;
}
bool member(element obj, std::string_view key, element& out) {
  bool dup = false;
  return member(obj, key, out, dup);
}
bool str(element e, std::string_view& out) {
  if (e.type() != element_type::STRING) return false;
  out = e.get_string().value_unsafe();
  return true;
}
// True when any member `key` of obj is a string in `set`.
bool any_member_in(element obj, std::string_view key, const std::unordered_set<std::string>& set) {
  if (obj.type() != element_type::OBJECT) return false;
  for (auto f : ::fuzz::as_obj(obj)) {
    std::string_view s;
    if (f.key == key && str(f.value, s) && set.count(std::string(s))) return true;
  }
  return false;
}
bool has_dup_keys(element obj) {
  if (obj.type() != element_type::OBJECT) return false;
  std::unordered_set<std::string_view> seen;
  for (auto f : ::fuzz::as_obj(obj))
    if (!seen.insert(f.key).second) return true;
  return false;
}

class oracle {
 public:
  oracle(int pol, const persona& who) : pol_(pol), who_(who) {
    if (!who.staff) restricted_components_ = {"CANARY-s1", "CANARY-s2"};
    if (!who.customer) restricted_components_.insert("c-cust");
    restricted_incidents_ = {"CANARY-i1"};
    if (!who.staff) restricted_pages_ = {"CANARY-p1"};
  }

  void scan_payload(element root) {
    if (root.type() != element_type::OBJECT) return generic(root, false);
    element tmp;
    bool status_like = false, kb_like = false;
    for (auto f : ::fuzz::as_obj(root)) {
      std::string_view k = f.key;
      if (k == "page" || k == "incident_updates" || k == "components" || k == "incidents" ||
          k == "scheduled_maintenances" || k == "status")
        status_like = true;
      if (k == "values" || k == "results") kb_like = true;
    }
    if (status_like && !kb_like) {
      status_ = true;
      return scan_status(root);
    }
    if (kb_like && !status_like) return scan_kb(root);
    if (!status_like && !kb_like && member(root, "id", tmp)) return item(root, false, true);
    generic(root, false);
  }

  // Checks the filter's output against what was learnt from the payload.
  void check_output(element out, const std::unordered_set<std::string>& allowed) {
    std::unordered_set<std::string> strings;
    fuzz::collect_strings(out, strings);
    for (const auto& s : strings) {
      FUZZ_CHECK(allowed.count(s), "output string not in input, policy or recomputed statuses:", s);
      if (inside_.count(s) && !outside_.count(s) && !fuzz::synthesized_strings().count(s))
        FUZZ_CHECK(false, "output carries a string found only in restricted parts of the input:", s);
    }
    if (status_) structural_root(out);
  }

 private:
  void add(std::string_view s, bool restricted) { (restricted ? inside_ : outside_).emplace(s); }

  void generic(element e, bool r) {
    switch (e.type()) {
      case element_type::OBJECT:
        for (auto f : ::fuzz::as_obj(e)) {
          add(f.key, r);
          generic(f.value, r);
        }
        break;
      case element_type::ARRAY:
        for (auto v : ::fuzz::as_arr(e)) generic(v, r);
        break;
      case element_type::STRING:
        add(e.get_string().value_unsafe(), r);
        break;
      default:
        break;
    }
  }

  // ---- status payloads ----
  void scan_status(element root) {
    element tmp;
    if (member(root, "incident_updates", tmp)) return incident(root, false);
    for (auto f : ::fuzz::as_obj(root)) {
      add(f.key, false);
      if (f.key == "components" && f.value.type() == element_type::ARRAY) {
        for (auto c : ::fuzz::as_arr(f.value)) component(c, false);
      } else if ((f.key == "incidents" || f.key == "scheduled_maintenances") && f.value.type() == element_type::ARRAY) {
        for (auto i : ::fuzz::as_arr(f.value)) incident(i, false);
      } else {
        generic(f.value, false);
      }
    }
  }

  bool description_hidden() const { return pol_ == 0 && !who_.staff; }
  bool body_hidden() const { return pol_ == 0 && !who_.signed_in; }

  void component(element c, bool r) {
    if (c.type() != element_type::OBJECT) return generic(c, r);
    bool rc = r || any_member_in(c, "id", restricted_components_);
    for (auto f : ::fuzz::as_obj(c)) {
      add(f.key, rc);
      generic(f.value, rc || (f.key == "description" && description_hidden()));
    }
  }

  bool references_restricted(element inc) {
    element list;
    if (member(inc, "components", list) && list.type() == element_type::ARRAY)
      for (auto c : ::fuzz::as_arr(list))
        if (any_member_in(c, "id", restricted_components_)) return true;
    element updates;
    if (member(inc, "incident_updates", updates) && updates.type() == element_type::ARRAY)
      for (auto u : ::fuzz::as_arr(updates)) {
        element aff;
        if (member(u, "affected_components", aff) && aff.type() == element_type::ARRAY)
          for (auto a : ::fuzz::as_arr(aff))
            if (any_member_in(a, "code", restricted_components_)) return true;
      }
    return false;
  }

  // SPEC §5: a maintenance is an object with a non-null `scheduled_for`,
  // wherever it stands.
  static bool is_maintenance(element inc) {
    element sf;
    return member(inc, "scheduled_for", sf) && sf.type() != element_type::NULL_VALUE;
  }

  void incident(element inc, bool r) {
    if (inc.type() != element_type::OBJECT) return generic(inc, r);
    bool maintenance = is_maintenance(inc);
    bool refs = references_restricted(inc);
    element id;
    std::string_view ids;
    bool granted = !maintenance && who_.customer && member(inc, "id", id) && str(id, ids) && ids == "i-open";
    bool ri = r || any_member_in(inc, "id", restricted_incidents_) || (pol_ != 0 && refs && !granted);
    bool redact = pol_ == 0 && refs;
    for (auto f : ::fuzz::as_obj(inc)) {
      add(f.key, ri);
      if (f.key == "components" && f.value.type() == element_type::ARRAY) {
        for (auto c : ::fuzz::as_arr(f.value)) component(c, ri);
      } else if (f.key == "incident_updates" && f.value.type() == element_type::ARRAY) {
        for (auto u : ::fuzz::as_arr(f.value)) update(u, ri, redact);
      } else {
        generic(f.value, ri);
      }
    }
  }

  void update(element u, bool r, bool redact) {
    if (u.type() != element_type::OBJECT) return generic(u, r);
    for (auto f : ::fuzz::as_obj(u)) {
      add(f.key, r);
      if (f.key == "affected_components" && f.value.type() == element_type::ARRAY) {
        for (auto a : ::fuzz::as_arr(f.value)) {
          bool ra = r || any_member_in(a, "code", restricted_components_);
          generic(a, ra);
        }
      } else if (f.key == "body") {
        generic(f.value, r || redact || body_hidden());
      } else {
        generic(f.value, r);
      }
    }
  }

  // ---- knowledge-base payloads ----
  void scan_kb(element root) {
    element values, results;
    bool jsm = member(root, "values", values);
    copies_labels(root, false);
    for (auto f : ::fuzz::as_obj(root)) {
      add(f.key, false);
      bool list = (jsm && f.key == "values") || (!jsm && f.key == "results");
      if (list && f.value.type() == element_type::ARRAY) {
        for (auto e : ::fuzz::as_arr(f.value)) item(e, jsm, false);
      } else {
        generic(f.value, false);
      }
    }
  }

  static bool id_text(element e, std::string& out) {
    std::string_view s;
    if (str(e, s)) {
      out = std::string(s);
      return !s.empty();
    }
    if (e.type() == element_type::INT64 || e.type() == element_type::UINT64) {
      out = std::string(simdjson::minify(e));
      return true;
    }
    return false;
  }

  // The core decides a page with the labels any copy of it carries (an
  // `ancestors` entry, a nested object naming it by `id` or `contentId` with
  // content's members; docs/decisions.md): per page id, whether some copy
  // carries labels, and whether one carries `internal`. A model of the
  // core's rule (kb_facts.h names_content), not the rule itself.
  void copies_labels(element e, bool ancestor_entry) {
    if (e.type() == element_type::ARRAY) {
      for (auto x : ::fuzz::as_arr(e)) copies_labels(x, ancestor_entry);
      return;
    }
    if (e.type() != element_type::OBJECT) return;
    element idv, tmp;
    std::string id;
    bool named = (member(e, "id", idv) || member(e, "contentId", idv)) && id_text(idv, id);
    bool content = ancestor_entry;
    if (named && !member(e, "key", tmp))
      for (const char* m : {"title", "type", "excerpt", "_links", "body", "restrictions", "metadata", "labels", "ancestors",
                            "version", "history", "children"})
        if (member(e, m, tmp)) content = true;
    if (named && content) {
      bool known = false, internal = false, dup = false;
      labels_of(e, known, internal, dup);
      if (known) labels_elsewhere_[id] |= 1;
      if (internal || dup) labels_elsewhere_[id] |= 2;
    }
    for (auto f : ::fuzz::as_obj(e)) copies_labels(f.value, f.key == "ancestors");
  }

  // Labels as the core reads them; `known` false when not carried. Any
  // duplicate on the way makes the item count as restricted (SPEC §8).
  void labels_of(element content, bool& known, bool& internal, bool& dup) {
    element md, labels, results;
    bool has_md = member(content, "metadata", md, dup) && md.type() == element_type::OBJECT;
    bool has_labels = has_md ? member(md, "labels", labels, dup) : member(content, "labels", labels, dup);
    known = has_labels && labels.type() == element_type::OBJECT && member(labels, "results", results, dup) &&
            results.type() == element_type::ARRAY;
    internal = false;
    if (!known) return;
    for (auto l : ::fuzz::as_arr(results)) {
      if (has_dup_keys(l)) dup = true;
      std::string_view n;
      element name;
      // Labels match folded to lower case (the core's label_rule).
      if (member(l, "name", name) && str(name, n) && n.size() == 8 &&
          std::equal(n.begin(), n.end(), "internal", [](char a, char b) { return (a >= 'A' && a <= 'Z' ? a + 32 : a) == b; }))
        internal = true;
    }
  }

  // Embedded read restrictions (SPEC §6): true when they hide the page from the persona.
  bool restriction_hides(element obj, bool& dup) {
    element rs, read, rr, user, group, users, groups;
    if (!member(obj, "restrictions", rs, dup)) return false;
    if (pol_ == 2) return true;
    bool ok = member(rs, "read", read, dup) && member(read, "restrictions", rr, dup) && member(rr, "user", user, dup) &&
              member(user, "results", users, dup) && member(rr, "group", group, dup) &&
              member(group, "results", groups, dup) && users.type() == element_type::ARRAY &&
              groups.type() == element_type::ARRAY;
    if (!ok) return true;  // unknown: hidden
    size_t n = 0;
    bool listed = false;
    for (auto u : ::fuzz::as_arr(users)) {
      ++n;
      if (has_dup_keys(u)) dup = true;
      element acc;
      std::string_view s;
      if (member(u, "accountId", acc) && str(acc, s) && who_.signed_in && s == sub()) listed = true;
    }
    for (auto g : ::fuzz::as_arr(groups)) {
      ++n;
      if (has_dup_keys(g)) dup = true;
      element name;
      std::string_view s;
      if (member(g, "name", name) && str(name, s) && who_.staff && s == "staff") listed = true;
    }
    return n > 0 && !listed;
  }
  std::string_view sub() const {
    return who_.staff ? "s-1" : who_.customer ? "g-1" : who_.signed_in ? "u-1" : "";
  }

  void item(element e, bool jsm, bool single) {
    if (e.type() != element_type::OBJECT) return generic(e, false);
    element content = e, inner;
    bool dup = false, wrapped = false;
    if (!jsm && !single && member(e, "content", inner) && inner.type() == element_type::OBJECT) {
      content = inner;
      wrapped = true;
    }
    std::string id;
    bool space_known = false;
    std::string space;
    element tmp, sp;
    if (jsm) {
      element src, pid, sk;
      if (member(e, "source", src)) {
        if (member(src, "pageId", pid)) id_text(pid, id);
        if (has_dup_keys(src)) dup = true;
        std::string_view s;
        if (member(src, "spaceKey", sk) && str(sk, s)) space_known = true, space = std::string(s);
      }
    } else {
      if (member(content, "id", tmp)) id_text(tmp, id);
      if (member(content, "space", sp) && sp.type() == element_type::OBJECT) {
        element key;
        std::string_view s;
        if (has_dup_keys(sp)) dup = true;
        if (member(sp, "key", key) && str(key, s)) space_known = true, space = std::string(s);
      } else if (member(content, "spaceId", tmp) && id_text(tmp, space)) {
        space_known = true;
      }
    }
    bool known = false, internal = false;
    if (!jsm) labels_of(content, known, internal, dup);
    if (auto l = labels_elsewhere_.find(id); !jsm && l != labels_elsewhere_.end()) {
      known = known || (l->second & 1);
      internal = internal || (l->second & 2);
    }
    bool hides = !jsm && restriction_hides(content, dup);
    bool granted = who_.customer && id == "100";  // persona grant article:100
    bool r = (pol_ == 2 && !granted) || restricted_pages_.count(id) || hides;
    if (pol_ == 1) {
      // Fail-closed cases and denies: no grant undoes them (SPEC §3, §6).
      if (jsm || !known || !space_known || (internal && who_.anonymous)) r = true;
      // SECRET only withholds its allow (inherit: false), so a grant opens the page.
      if (space == "SECRET" && !who_.staff && !granted) r = true;
    }
    if (dup) r = true;
    // A page below CANARY-p1 (inherit: false, staff only) is hidden too, unless granted.
    if (!restricted_pages_.empty() && !(who_.customer && id == "100")) {
      element anc, pid;
      std::string ps;
      if (member(content, "ancestors", anc) && anc.type() == element_type::ARRAY) {
        for (auto a : ::fuzz::as_arr(anc)) {
          element x;
          if (member(a, "id", x) && id_text(x, ps) && restricted_pages_.count(ps)) r = true;
        }
      } else if (member(content, "parentId", pid) && id_text(pid, ps) && restricted_pages_.count(ps)) {
        r = true;
      }
    }
    for (auto f : ::fuzz::as_obj(e)) {
      add(f.key, r);
      if (f.key == "excerpt") {
        generic(f.value, r || (pol_ == 0 && who_.anonymous));
      } else if (f.key == "ancestors" && !wrapped) {
        ancestors(f.value, r);
      } else if (f.key == "content" && wrapped) {
        for (auto g : ::fuzz::as_obj(content)) {
          add(g.key, r);
          if (g.key == "ancestors") ancestors(g.value, r);
          else generic(g.value, r);
        }
      } else {
        generic(f.value, r);
      }
    }
  }

  void ancestors(element list, bool r) {
    if (list.type() != element_type::ARRAY) return generic(list, r);
    for (auto a : ::fuzz::as_arr(list)) {
      if (a.type() != element_type::OBJECT) {
        generic(a, r);
        continue;
      }
      element id;
      std::string ids;
      bool dup = false;
      bool has_id = member(a, "id", id) && id_text(id, ids);
      bool ra = (has_id && restricted_pages_.count(ids)) || (pol_ == 2 && !(who_.customer && ids == "100"));
      bool ar = restriction_hides(a, dup) || dup;
      ra = ra || ar;
      for (auto f : ::fuzz::as_obj(a)) {
        if (f.key == "id") {
          add(f.key, r);
          generic(f.value, r);
        } else {
          add(f.key, r || ra);
          generic(f.value, r || ra);
        }
      }
    }
  }

  // Restricted ids must not stand where a component, group member or affected
  // code stands, nor a denied incident anywhere the filter reads.
  void structural_root(element root) {
    element tmp;
    if (root.type() != element_type::OBJECT) return;
    if (member(root, "incident_updates", tmp)) return structural_incident(root);
    for (auto f : ::fuzz::as_obj(root)) {
      if (f.key == "components") structural_components(f.value);
      if ((f.key == "incidents" || f.key == "scheduled_maintenances") && f.value.type() == element_type::ARRAY)
        for (auto i : ::fuzz::as_arr(f.value)) structural_incident(i);
    }
  }
  void structural_components(element list) {
    if (list.type() != element_type::ARRAY) return;
    for (auto c : ::fuzz::as_arr(list)) {
      if (c.type() != element_type::OBJECT) continue;
      for (auto f : ::fuzz::as_obj(c)) {
        std::string_view s;
        if (f.key == "id" && str(f.value, s))
          FUZZ_CHECK(!restricted_components_.count(std::string(s)), "restricted component shown:", s);
        if (f.key == "components" && f.value.type() == element_type::ARRAY)
          for (auto m : ::fuzz::as_arr(f.value))
            if (str(m, s))
              FUZZ_CHECK(!restricted_components_.count(std::string(s)), "restricted id in a group's list:", s);
      }
    }
  }
  void structural_incident(element inc) {
    if (inc.type() != element_type::OBJECT) return;
    for (auto f : ::fuzz::as_obj(inc)) {
      std::string_view s;
      if (f.key == "id" && str(f.value, s))
        FUZZ_CHECK(!restricted_incidents_.count(std::string(s)), "denied incident shown:", s);
      if (f.key == "components") structural_components(f.value);
      if (f.key == "incident_updates" && f.value.type() == element_type::ARRAY)
        for (auto u : ::fuzz::as_arr(f.value)) {
          element aff;
          if (!member(u, "affected_components", aff) || aff.type() != element_type::ARRAY) continue;
          for (auto a : ::fuzz::as_arr(aff))
            FUZZ_CHECK(!any_member_in(a, "code", restricted_components_), "restricted affected code shown", "");
        }
    }
  }

  int pol_;
  bool status_ = false;
  const persona& who_;
  std::unordered_set<std::string> restricted_components_, restricted_incidents_, restricted_pages_;
  std::unordered_map<std::string, int> labels_elsewhere_;  // copies_labels(): 1 labels carried, 2 internal (or a duplicate)
  std::unordered_set<std::string> inside_, outside_;
};

struct fixed {
  keyhole::policy policies[kNumPolicies];
  std::unordered_set<std::string> policy_strings[kNumPolicies];
  fixed() {
    simdjson::dom::parser p;
    for (int i = 0; i < kNumPolicies; ++i) {
      keyhole::status st;
      policies[i] = keyhole::policy::compile(kPolicies[i], st);
      if (!st.ok()) fuzz::die("fixed policy does not compile:", st.message);
      element root;
      if (!fuzz::dom_parse(kPolicies[i], root, p)) fuzz::die("fixed policy is not JSON");
      fuzz::collect_strings(root, policy_strings[i]);
    }
  }
};

}  // namespace

static int check_one(const uint8_t* data, size_t size, int pol, const persona& who) {
  static fixed fx;
  static keyhole::filter f;
  static simdjson::dom::parser in_parser, out_parser;
  const char* payload = reinterpret_cast<const char*>(data);
  fuzz::context() = "policy P" + std::to_string(pol) + ", claims " + who.claims;

  keyhole::status st = f.run(fx.policies[pol], who.claims, payload, size, size, keyhole::payload_format::automatic);
  std::string out(f.output());
  if (!st.ok()) {
    FUZZ_CHECK(out.empty(), "failed call left output", st.message);
    FUZZ_CHECK(st.code == keyhole::status_code::payload_rejected || st.code == keyhole::status_code::not_visible,
               "unexpected status code for a payload:", st.message);
    return 0;
  }

  // Determinism on a reused filter.
  keyhole::status st2 = f.run(fx.policies[pol], who.claims, payload, size, size, keyhole::payload_format::automatic);
  FUZZ_CHECK(st2.ok() && f.output() == out, "second run on the same filter differs", "");

  element in_root, out_root;
  FUZZ_CHECK(fuzz::dom_parse(out, out_root, out_parser), "output is not valid JSON:", out);
  FUZZ_CHECK(fuzz::dom_parse(std::string_view(payload, size), in_root, in_parser),
             "the core accepted a payload simdjson DOM rejects", "");

  std::unordered_set<std::string> allowed = fx.policy_strings[pol];
  fuzz::collect_strings(in_root, allowed);
  for (const auto& s : fuzz::synthesized_strings()) allowed.insert(s);

  oracle o(pol, who);
  o.scan_payload(in_root);
  // out_root points into out_parser, which the input parse did not touch.
  o.check_output(out_root, allowed);

  // Audience-key property: same key, same bytes.
  if (*who.twin) {
    keyhole::filter g;
    if (f.audience_key(fx.policies[pol], who.claims).ok()) {
      std::string k1(f.output());
      if (g.audience_key(fx.policies[pol], who.twin).ok() && std::string(g.output()) == k1) {
        keyhole::status st3 =
            g.run(fx.policies[pol], who.twin, payload, size, size, keyhole::payload_format::automatic);
        FUZZ_CHECK(st3.ok() && g.output() == out, "equal audience keys, different output", k1);
      }
    }
  }
  return 0;
}

// KEYHOLE_FUZZ_ALL=1 checks every policy × persona for each input (slower; for
// replaying seeds and the adversarial corpus).
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool all = getenv("KEYHOLE_FUZZ_ALL") != nullptr;
  if (all) {
    for (int pol = 0; pol < kNumPolicies; ++pol)
      for (const persona& who : kPersonas) check_one(data, size, pol, who);
    return 0;
  }
  uint64_t h = fuzz::fnv1a(data, size);
  return check_one(data, size, static_cast<int>(h % kNumPolicies), kPersonas[(h / kNumPolicies) % kNumPersonas]);
}
