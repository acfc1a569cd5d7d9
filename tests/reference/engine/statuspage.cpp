// Status payloads (SPEC §5, Atlassian Statuspage API v2 shape).
#include <algorithm>
#include <string>

#include "filter_context.h"
#include "name_index.h"

namespace keyhole::detail {
namespace {

// A component's `status`, least to most severe (the order ranks them), and
// its name in the payload: component_statuses[int(severity)].
enum class component_severity : int8_t {
  unknown = -1,  // missing or not a status the API defines
  operational,
  under_maintenance,
  degraded_performance,
  partial_outage,
  major_outage,
};
constexpr std::string_view component_statuses[] = {"operational", "under_maintenance", "degraded_performance",
                                                   "partial_outage", "major_outage"};

// An incident's `impact`, least to most severe, named as impacts[int(severity)].
enum class impact_severity : int8_t {
  none_known = -1,  // missing or unknown; also: no active incident seen yet
  none,
  maintenance,
  minor,
  major,
  critical,
};
constexpr std::string_view impacts[] = {"none", "maintenance", "minor", "major", "critical"};

// The severity named `s` in `names` (indexed by severity), or the enum's -1
// value when `names` does not list it.
template <class Severity, size_t N>
Severity severity_of(const std::string_view (&names)[N], std::string_view s) {
  for (size_t i = 0; i < N; ++i)
    if (names[i] == s) return static_cast<Severity>(i);
  return static_cast<Severity>(-1);
}
// The severity of string node `n` (unknown when `n` is absent or no string).
template <class Severity, size_t N>
Severity severity_at(const json_tree& t, const std::string_view (&names)[N], uint32_t n) {
  return t.is_string(n) ? severity_of<Severity>(names, t.str(n)) : static_cast<Severity>(-1);
}

std::string json_string(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

struct component_info {
  uint32_t group = npos;  // index of the group in comps_, when in one
  component_severity worst = component_severity::unknown;  // a group's worst shown member status, unknown: none
  bool in_group = false;
  bool is_group = false;      // group: true, a components list, or named as a group_id
  bool says_not_group = false;  // group: false
  bool present = false;       // a component object at the top level (SPEC §5 groups)
  bool visible = false;
  uint32_t name = npos;       // its name as its objects give it (fixed after the freeze, S-F1)
  bool names_differ = false;
  bool member_hidden = false;  // a group with a hidden member (fixed after the freeze, round 12 F2)
  bool member_present = false;  // a group with a member at the top level (fixed after the freeze, round 12 F1)
};

// SPEC §5: a maintenance is an object with a non-null `scheduled_for`,
// wherever it appears (in `incidents` too); every other one is an incident.
enum class event_kind { incident, maintenance };
const char* kind_name(event_kind k) { return k == event_kind::maintenance ? "maintenance" : "incident"; }

const component_info kNobody{};  // hidden, in no group

// A component object of the payload as the learning pass read it.
struct component_obj {
  uint32_t node;
  uint32_t index;   // in the id index
  uint32_t status;  // its `status` member, or npos
  uint32_t list;    // its `components` member (a group's), or npos
};

class status_filter {
 public:
  explicit status_filter(filter_context& c) : c_(c), t_(c.t), s_(c.policy.status) {}

  outcome run() {
    if (!t_.is_object(0)) return c_.reject("a status payload is a JSON object");
    if (!t_.unique_keys(0)) return c_.reject("duplicate member in the payload's top level");
    if (t_.member(0, "incident_updates") != npos) return single_resource();

    uint32_t status = npos, page = npos;
    for (uint32_t m = t_.first_child(0); m != npos; m = t_.next_sibling(0, m)) {
      std::string_view k = t_.key(m);
      if (k == "page") {
        keep_page_scalars(m);
        page = m;
        continue;
      }
      if (k == "status") status = m;
      else if (k == "components") components_ = m;
      else if (k == "incidents") incidents_ = m;
      else if (k == "scheduled_maintenances") maintenances_ = m;
      else return c_.reject("unknown member '" + std::string(k) + "' in a status payload", m);
    }
    if (status != npos && !t_.is_object(status)) return c_.reject("status must be an object", status);
    // The banner: the filter reads at most its indicator and description, so,
    // as in `page`, what nests an object is not copied.
    if (status != npos) drop_unread_nested(status, {});
    if (status != npos && s_.recompute_status && components_ == npos && incidents_ == npos && maintenances_ == npos)
      return c_.reject("status.json carries no components or incidents, so its status cannot be recomputed; filter summary.json instead");
    // A `page` repeating the banner, with nothing to recompute it from, is
    // rejected the same way (review round 9, R9-6; fixed after the freeze).
    if (s_.recompute_status && components_ == npos && incidents_ == npos && maintenances_ == npos && t_.is_object(page) &&
        (t_.member(page, "status_indicator") != npos || t_.member(page, "status_description") != npos))
      return c_.reject("page carries a status but no components or incidents, so it cannot be recomputed");

    // 1. Learn every component and group the payload mentions.
    if (components_ != npos) {
      if (!t_.is_array(components_)) return c_.reject("components must be an array", components_);
      size_t listed = t_.child_count(components_);
      ids_.reserve(listed);
      comps_.reserve(listed);
      for (uint32_t e = t_.first_child(components_); e != npos; e = t_.next_sibling(components_, e))
        if (!learn_component(e, true)) return outcome::rejected;
    }
    for (uint32_t list : {incidents_, maintenances_}) {
      if (list == npos) continue;
      if (!t_.is_array(list)) return c_.reject("incidents and scheduled_maintenances must be arrays", list);
      for (uint32_t e = t_.first_child(list); e != npos; e = t_.next_sibling(list, e))
        if (!learn_incident(e)) return outcome::rejected;
    }
    if (!check_groups()) return outcome::rejected;

    // 2. Decide components, then groups.
    decide_all();

    // 3. Rewrite.
    if (components_ != npos && !rewrite_components()) return outcome::rejected;
    for (uint32_t list : {incidents_, maintenances_}) {
      if (list == npos) continue;
      for (uint32_t e = t_.first_child(list); e != npos; e = t_.next_sibling(list, e))
        if (!rewrite_incident(e, kind_of(e))) return outcome::rejected;
    }
    if (status != npos && s_.recompute_status && !recompute_banner(status)) return outcome::rejected;
    if (t_.is_object(page) && s_.recompute_status) recompute_page_banner(page);  // fixed after the freeze (S-F2)
    // Semantics fixed after the freeze (review F6): `page` and `status` are read.
    if (status != npos && !t_.unique_keys(status)) return c_.reject("duplicate member in status", status);
    if (t_.is_object(page) && !t_.unique_keys(page)) return c_.reject("duplicate member in page", page);
    return outcome::ok;
  }

 private:
  // A webhook-style payload: one incident or maintenance object. It is one
  // resource, so the lists of a page payload have no place in it: copying
  // them unread would leak them (finding S3), so such a payload is rejected.
  outcome single_resource() {
    for (std::string_view list : {"incidents", "scheduled_maintenances", "page"})
      if (uint32_t m = t_.member(0, list); m != npos)
        return c_.reject("a single incident or maintenance object carries '" + std::string(list) + "'", m);
    if (uint32_t st = t_.member(0, "status"); t_.is_object(st))
      return c_.reject("a single incident or maintenance object carries a page status object", st);
    if (!learn_incident(0)) return outcome::rejected;
    if (!check_groups()) return outcome::rejected;
    decide_all();
    event_kind kind = kind_of(0);
    bool shown = false;
    if (!decide_incident(0, kind, shown)) return outcome::rejected;
    if (!shown) return outcome::not_visible;
    return rewrite_visible_incident(0, kind) ? outcome::ok : outcome::rejected;
  }

  // `page` describes the page (id, name, url, time zone); the filter reads
  // nothing in it, so nothing that could hold a resource is copied.
  void keep_page_scalars(uint32_t page) {
    if (!t_.is_object(page)) {
      if (holds_an_object(page)) c_.drop(page);
      return;
    }
    drop_unread_nested(page, {});
  }

  // What the filter does not read is not copied through (a resource's copy
  // could hide there): a member it does not decide (not named in `known`)
  // is kept when it holds scalars or lists of them at any depth, and removed
  // when it holds a non-empty object. Real Statuspage objects nest nothing else.
  void drop_unread_nested(uint32_t obj, std::string_view known_a, std::string_view known_b = {}) {
    for (uint32_t m = t_.first_child(obj); m != npos; m = t_.next_sibling(obj, m)) {
      if (!holds_an_object(m)) continue;  // first: most members are scalars, and this reads no name
      std::string_view k = t_.key(m);
      if ((!known_a.empty() && k == known_a) || (!known_b.empty() && k == known_b)) continue;
      c_.drop(m);
    }
  }
  // Whether the subtree of `n` has a non-empty object (one scan of it).
  bool holds_an_object(uint32_t n) const {
    if (!t_.is_object(n) && !t_.is_array(n)) return false;
    // Node by node (a container's first child follows it, its closing
    // bracket ends it; a scalar is one node).
    for (uint32_t k = n, end = t_.end(n); k < end; k = t_.is_object(k) || t_.is_array(k) ? k + 1 : t_.end(k))
      if (t_.is_object(k) && t_.first_child(k) != npos) return true;
    return false;
  }

  event_kind kind_of(uint32_t obj) const {
    uint32_t at = t_.member(obj, "scheduled_for");
    return at != npos && !t_.is_null(at) ? event_kind::maintenance : event_kind::incident;
  }

  // `top_level`: the object stands in the payload's own `components` list,
  // so it is present (SPEC §5); copies inside incidents are not.
  bool learn_component(uint32_t obj, bool top_level = false) {
    if (!t_.is_object(obj)) return fail("a component must be an object", obj);
    static constexpr std::string_view names[] = {"id", "group_id", "group", "components", "status", "name"};
    uint32_t found[6];
    if (!t_.members(obj, names, found)) return fail("duplicate member in a component", obj);
    auto [id, gid, g, list, status, name] = found;
    if (!t_.is_string(id)) return fail("a component needs a string id", obj);
    uint32_t self = entry(t_.str(id));
    if (t_.is_string(name)) {  // fixed after the freeze (S-F1)
      component_info& c = comps_[self];
      if (c.name == npos) c.name = name;
      else if (t_.str(c.name) != t_.str(name)) c.names_differ = true;
    }
    if (top_level) {
      comps_[self].present = true;
      top_.push_back(component_obj{obj, self, status, list});  // read once: the rewrite needs no lookups
    }
    if (gid != npos && !t_.is_null(gid)) {
      if (!t_.is_string(gid)) return fail("group_id must be a string or null", gid);
      if (!assign_group(self, entry(t_.str(gid)))) return false;
    }
    if (g != npos) {
      if (t_.type(g) == jtype::true_value) comps_[self].is_group = true;
      else if (t_.type(g) == jtype::false_value) comps_[self].says_not_group = true;
      else if (!t_.is_null(g)) return fail("group must be true or false", g);
    }
    if (list != npos && !t_.is_null(list)) {
      if (!t_.is_array(list)) return fail("a group's components must be a list of ids", list);
      comps_[self].is_group = true;
      for (uint32_t m = t_.first_child(list); m != npos; m = t_.next_sibling(list, m)) {
        if (!t_.is_string(m)) return fail("a group's components must be a list of ids", m);
        if (!assign_group(entry(t_.str(m)), self)) return false;
      }
    }
    return true;
  }

  // Rejects the payload; for the bool-returning steps.
  bool fail(std::string why, uint32_t node = npos) {
    c_.reject(std::move(why), node);
    return false;
  }

  // The index of component or group `id`, added when first named (bounded
  // cost even for ids built to collide: name_index.h).
  uint32_t entry(std::string_view id) {
    bool inserted = false;
    uint32_t i = ids_.insert(id, inserted);
    if (inserted) comps_.emplace_back();
    return i;
  }

  bool assign_group(uint32_t component, uint32_t group) {
    component_info& c = comps_[component];
    if (c.in_group && c.group != group)
      return fail("component '" + std::string(ids_.name(component)) + "' would be in two groups");
    c.in_group = true;
    c.group = group;
    comps_[group].is_group = true;
    return true;
  }

  bool learn_incident(uint32_t obj) {
    if (!t_.is_object(obj)) return fail("an incident must be an object", obj);
    static constexpr std::string_view names[] = {"id", "components", "incident_updates"};
    uint32_t found[3];
    if (!t_.members(obj, names, found)) return fail("duplicate member in an incident", obj);
    auto [id, list, updates] = found;
    if (!t_.is_string(id)) return fail("an incident needs a string id", obj);
    if (list != npos && !t_.is_null(list)) {
      if (!t_.is_array(list)) return fail("an incident's components must be an array", list);
      for (uint32_t e = t_.first_child(list); e != npos; e = t_.next_sibling(list, e))
        if (!learn_component(e)) return false;
    }
    if (updates != npos && !t_.is_null(updates)) {
      if (!t_.is_array(updates)) return fail("incident_updates must be an array", updates);
      for (uint32_t u = t_.first_child(updates); u != npos; u = t_.next_sibling(updates, u)) {
        if (!t_.is_object(u)) return fail("an incident update must be an object", u);
        static constexpr std::string_view update_names[] = {"affected_components"};
        uint32_t found_in_update[1];
        if (!t_.members(u, update_names, found_in_update)) return fail("duplicate member in an incident update", u);
        uint32_t affected = found_in_update[0];
        if (affected == npos || t_.is_null(affected)) continue;
        if (!t_.is_array(affected)) return fail("affected_components must be an array", affected);
        for (uint32_t a = t_.first_child(affected); a != npos; a = t_.next_sibling(affected, a)) {
          if (!t_.is_object(a)) return fail("an affected component must be an object", a);
          static constexpr std::string_view affected_names[] = {"code"};
          uint32_t code[1];
          if (!t_.members(a, affected_names, code)) return fail("duplicate member in an affected component", a);
          if (t_.is_string(code[0])) entry(t_.str(code[0]));
        }
      }
    }
    return true;
  }

  bool check_groups() {
    for (uint32_t i = 0; i < comps_.size(); ++i) {
      const component_info& c = comps_[i];
      if (c.is_group && c.says_not_group)
        return fail("'" + std::string(ids_.name(i)) + "' is used as a group but says group: false");
      if (c.is_group && c.in_group)
        return fail("group '" + std::string(ids_.name(i)) + "' is itself in a group");
    }
    return true;
  }

  const rule* component_rule(std::string_view id) const {
    return s_.components.find(id);
  }

  void decide_all() {
    for (uint32_t i = 0; i < comps_.size(); ++i) {
      component_info& info = comps_[i];
      if (info.is_group) continue;
      std::string_view id = ids_.name(i);
      decision d;
      if (s_.has_default) apply_rule(c_.m, s_.default_rule, d, c_.tracing, [] { return "default"; });
      if (info.in_group) {
        std::string_view group = ids_.name(info.group);
        if (const rule* r = component_rule(group))
          apply_rule(c_.m, *r, d, c_.tracing, [&] { return "group:" + std::string(group); });
      }
      if (const rule* r = component_rule(id))
        apply_rule(c_.m, *r, d, c_.tracing, [&] { return "component:" + std::string(id); });
      finish_decision(d, c_.m.who().has_grant("component", id));
      info.visible = d.visible();
      if (c_.log) c_.record(explained{"component", std::string(id), info.visible, std::move(d), {}, {}});
    }
    // A group is shown iff one of its components present at the top level is
    // shown; ids only listed are absent (SPEC §5): the status of a group
    // could otherwise only come from hidden or unknown components.
    for (const component_info& member : comps_) {
      if (member.is_group) continue;
      if (!member.visible) any_hidden_ = true;  // fixed after the freeze (round 12 F1)
      if (!member.in_group) continue;
      if (member.present && member.visible) comps_[member.group].visible = true;
      if (member.present) comps_[member.group].member_present = true;  // fixed after the freeze (round 12 F1)
      if (!member.visible) comps_[member.group].member_hidden = true;  // fixed after the freeze (round 12 F2)
    }
    if (c_.log)
      for (uint32_t i = 0; i < comps_.size(); ++i)
        if (comps_[i].is_group)
          c_.record(explained{"group", std::string(ids_.name(i)), comps_[i].visible, {}, {},
                              "shown iff a component of it present at the top level is shown", mixed_mode::show, true});
  }

  // The facts on component or group `id`; a hidden nobody when it was never
  // learnt (cannot happen after the learning pass: fail closed anyway).
  const component_info& of_id(std::string_view id) const {
    uint32_t i = ids_.find(id);
    return i == npos ? kNobody : comps_[i];
  }
  // The same for the id in string node `n`; nobody when `n` is not a string.
  const component_info& of(uint32_t n) const { return t_.is_string(n) ? of_id(t_.str(n)) : kNobody; }
  // Whether string node `n` names a shown component or group.
  bool shown(uint32_t n) const { return of(n).visible; }

  // The statuses an affected component repeats follow the `status`
  // disclosure of `kind` (fixed after the freeze, review B1).
  void disclose_statuses_as(std::string_view kind, uint32_t a) {
    auto [first, last] = c_.withheld_of(kind);
    auto w = std::lower_bound(first, last, std::string_view("status"),
                              [](const filter_context::withheld_field& x, std::string_view m) { return x.member < m; });
    if (w == last || w->member != "status") return;
    for (std::string_view m : {"old_status", "new_status"}) c_.apply_withheld(*w, t_.member(a, m));
  }

  // Member node `n`, a copy of `kind`.`member`, follows that member's
  // disclosure (fixed after the freeze, review S-F4/S-F5: ids, names and
  // statuses repeated elsewhere).
  void disclose_copy_as(std::string_view kind, std::string_view member, uint32_t n) {
    auto [first, last] = c_.withheld_of(kind);
    auto w = std::lower_bound(first, last, member,
                              [](const filter_context::withheld_field& x, std::string_view m) { return x.member < m; });
    if (w != last && w->member == member) c_.apply_withheld(*w, n);
  }

  // Whether member node `m` of an object of `kind` is withheld from the viewer.
  // Whether the viewer may know component `c`'s group (its name, its id):
  // shown, or with no member at the top level and none hidden; no group
  // known: nothing in the payload hidden (fixed after the freeze, round 12 F1).
  bool group_named(const component_info& c) const {
    if (!c.in_group) return !any_hidden_;
    const component_info& g = comps_[c.group];
    return g.visible || (!g.member_present && !g.member_hidden);
  }

  bool unseen(std::string_view kind, std::string_view member, uint32_t m) const {
    return m != npos && !t_.is_null(m) && c_.withholds(kind, member);
  }

  bool rewrite_components() {
    // Shown top-level components decide the banner and their groups' statuses.
    for (const component_obj& o : top_) {
      const component_info& c = comps_[o.index];
      if (!c.visible || c.is_group || !s_.recompute_status) continue;
      any_shown_component_ = true;
      if (unseen("component", "status", o.status)) continue;  // fixed after the freeze (review F5)
      auto r = severity_at<component_severity>(t_, component_statuses, o.status);
      if (r == component_severity::unknown)
        return fail("a component status is missing or unknown, so the page status cannot be recomputed", o.node);
      shown_ranks_.push_back(r);
      if (c.in_group) comps_[c.group].worst = std::max(comps_[c.group].worst, r);
    }
    for (const component_obj& o : top_) rewrite_component(o);
    return true;
  }

  // A copy inside an incident: read it, then rewrite it like a top-level one.
  void rewrite_component_copy(uint32_t e) {
    uint32_t id = t_.member(e, "id");
    uint32_t index = t_.is_string(id) ? ids_.find(t_.str(id)) : npos;
    if (index == npos) return c_.drop(e);  // cannot happen after learning: fail closed
    rewrite_component(component_obj{e, index, t_.member(e, "status"), t_.member(e, "components")});
  }

  // One component object, at the top level or copied into an incident: hidden
  // ones go; a shown group keeps only shown ids and gets a derived status.
  void rewrite_component(const component_obj& o) {
    uint32_t e = o.node;
    const component_info& info = comps_[o.index];
    if (!info.visible) {
      c_.drop(e);
      return;
    }
    c_.disclose("component", e);
    drop_unread_nested(e, "components");
    // `group_id` is a group's id (fixed after the freeze, review S-F4).
    uint32_t gid = t_.member(e, "group_id");
    if (!c_.withholds("component", "group_id") && !(info.is_group && c_.withholds("group", "group_id")) && gid != npos &&
        !c_.edited_at(gid)) {
      // The id of a group the viewer may not see goes (fixed after the freeze, round 12 F1).
      if (info.in_group && !group_named(info) && !t_.is_null(gid)) c_.drop(gid);
      else if (c_.withholds("component", "id")) disclose_copy_as("component", "id", gid);
      else disclose_copy_as("group", "id", gid);
    }
    if (!info.is_group) return;
    c_.disclose("group", e);
    uint32_t list = o.list;
    if (t_.is_array(list))
      for (uint32_t m = t_.first_child(list); m != npos; m = t_.next_sibling(list, m))
        if (!shown(m)) c_.drop(m);
        else disclose_copy_as("component", "id", m);  // fixed after the freeze (review S-F4)
    if (!s_.recompute_status) return;
    uint32_t st = o.status;
    if (st == npos || c_.edited_at(st)) return;  // disclosure removed or replaced it: that stands
    // A shown group has a shown present member, so `worst` is known; fail towards "operational" anyway.
    c_.replace(st, json_string(component_statuses[size_t(std::max(info.worst, component_severity::operational))]));
  }

  // The distinct affected components of an incident (SPEC §5: the union of
  // `components[].id` and `incident_updates[].affected_components[].code`),
  // counted as {distinct, shown}. Distinct by index with a per-incident
  // stamp, so an incident naming n components costs O(n) (finding D2).
  std::pair<size_t, size_t> count_affected(uint32_t obj) {
    ++stamp_;
    if (stamp_ == 0) {  // wrapped: clear the stamps once
      std::fill(seen_.begin(), seen_.end(), 0);
      stamp_ = 1;
    }
    seen_.resize(comps_.size(), 0);
    size_t distinct = 0, n_shown = 0;
    auto add = [&](uint32_t n) {
      if (!t_.is_string(n)) return;
      uint32_t i = ids_.find(t_.str(n));
      if (i == npos) {  // never learnt: cannot happen; counts as hidden
        ++distinct;
        return;
      }
      if (seen_[i] == stamp_) return;
      seen_[i] = stamp_;
      ++distinct;
      n_shown += comps_[i].visible ? 1 : 0;
    };
    uint32_t list = t_.member(obj, "components");
    if (t_.is_array(list))
      for (uint32_t e = t_.first_child(list); e != npos; e = t_.next_sibling(list, e)) add(t_.member(e, "id"));
    uint32_t updates = t_.member(obj, "incident_updates");
    if (t_.is_array(updates))
      for (uint32_t u = t_.first_child(updates); u != npos; u = t_.next_sibling(updates, u)) {
        uint32_t aff = t_.member(u, "affected_components");
        if (!t_.is_array(aff)) continue;
        for (uint32_t a = t_.first_child(aff); a != npos; a = t_.next_sibling(aff, a)) add(t_.member(a, "code"));
      }
    return {distinct, n_shown};
  }

  // Decides one incident or maintenance (SPEC §5); `visible` receives the result.
  bool decide_incident(uint32_t obj, event_kind kind, bool& visible) {
    std::string_view id = t_.str(t_.member(obj, "id"));
    auto [n_affected, n_shown] = count_affected(obj);
    decision d;
    bool some_hidden = n_shown < n_affected;
    std::string note;
    mixed_mode mixed_applied = mixed_mode::show;
    if (n_affected == 0) {
      const rule* r = s_.has_without_components ? &s_.without_components : (s_.has_default ? &s_.default_rule : nullptr);
      if (r)
        apply_rule(c_.m, *r, d, c_.tracing,
                   [&] { return s_.has_without_components ? "without-components" : "default"; });
      note = "no affected components";
    } else {
      bool base = s_.visibility == visibility_mode::any_component ? n_shown > 0 : n_shown == n_affected;
      if (base && some_hidden && s_.mixed == mixed_mode::hide) {
        base = false;
        mixed_applied = mixed_mode::hide;
      }
      d.allowed = base;
      note = std::to_string(n_shown) + " of " + std::to_string(n_affected) + " affected components shown";
      if (c_.tracing) d.trace.push_back(level_trace{"components", false, base, false, {}, {}});
    }
    if (const rule* r = s_.incident_rules.find(id))
      apply_rule(c_.m, *r, d, c_.tracing, [&] { return "rules:" + std::string(id); });
    finish_decision(d, c_.m.who().has_grant(kind_name(kind), id));
    visible = d.visible();
    redact_ = visible && some_hidden && s_.mixed == mixed_mode::redact;
    if (redact_) mixed_applied = mixed_mode::redact;
    if (c_.log) c_.record(explained{kind_name(kind), std::string(id), visible, std::move(d), {}, note, mixed_applied});
    return true;
  }

  bool rewrite_incident(uint32_t obj, event_kind kind) {
    bool visible = false;
    if (!decide_incident(obj, kind, visible)) return false;
    if (!visible) {
      c_.drop(obj);
      return true;
    }
    if (!rewrite_visible_incident(obj, kind)) return false;
    if (s_.recompute_status) {
      // Only unresolved incidents and in-progress maintenances drive the banner.
      uint32_t st = t_.member(obj, "status");
      std::string_view status = t_.is_string(st) ? t_.str(st) : std::string_view{};
      bool active = kind == event_kind::maintenance ? (status == "in_progress" || status == "verifying")
                                : (status != "resolved" && status != "postmortem");
      uint32_t imp = t_.member(obj, "impact");
      // Fixed after the freeze (review F5): what the viewer does not see drives no banner.
      if (unseen(kind_name(kind), "status", st) || unseen(kind_name(kind), "impact", imp)) active = false;
      if (active) {
        auto r = severity_at<impact_severity>(t_, impacts, imp);
        if (r == impact_severity::none_known)
          return fail("an incident impact is missing or unknown, so the page status cannot be recomputed", obj);
        worst_impact_ = std::max(worst_impact_, r);
      }
    }
    return true;
  }

  bool rewrite_visible_incident(uint32_t obj, event_kind kind) {
    bool redact = redact_;
    uint32_t list = t_.member(obj, "components");
    if (t_.is_array(list))
      for (uint32_t e = t_.first_child(list); e != npos; e = t_.next_sibling(list, e)) rewrite_component_copy(e);
    uint32_t updates = t_.member(obj, "incident_updates");
    if (t_.is_array(updates))
      for (uint32_t u = t_.first_child(updates); u != npos; u = t_.next_sibling(updates, u)) {
        uint32_t aff = t_.member(u, "affected_components");
        if (t_.is_array(aff))
          for (uint32_t a = t_.first_child(aff); a != npos; a = t_.next_sibling(aff, a)) {
            uint32_t code = t_.member(a, "code");
            if (!shown(code)) {
              c_.drop(a);
              continue;
            }
            // `component.name` rules also cover the name repeated here (docs/decisions.md),
            // and `group.name` ones for a group's code (fixed after the freeze, review F4).
            c_.disclose("component", a, "name");
            disclose_statuses_as("component", a);  // fixed after the freeze (review B1)
            disclose_copy_as("component", "id", code);  // fixed after the freeze (review S-F4)
            if (of(code).is_group) {
              c_.disclose("group", a, "name");
              disclose_statuses_as("group", a);
              disclose_copy_as("group", "id", code);
            } else if (!c_.withholds("component", "name")) {
              // Any name but the component's own may hold a group's (fixed
              // after the freeze, review S-F1, round 9 R9-2), kept only in a
              // shown group whose name is not withheld (round 12 F1).
              const component_info& comp = of(code);
              uint32_t name = t_.member(a, "name");
              bool own = comp.name != npos && !comp.names_differ && t_.is_string(name) && t_.str(name) == t_.str(comp.name);
              bool shown_group = group_named(comp);
              if (!own && c_.withholds("group", "name")) disclose_copy_as("group", "name", name);
              else if (!own && !shown_group && name != npos && !t_.is_null(name)) c_.drop(name);
            }
            // A group's captured statuses may come from a hidden member
            // (fixed after the freeze, round 12 F2).
            if (of(code).is_group && of(code).member_hidden && s_.recompute_status)
              for (std::string_view m : {"old_status", "new_status"})
                if (uint32_t st = t_.member(a, m); st != npos && !t_.is_null(st)) c_.drop(st);
            drop_unread_nested(a, {});
          }
        uint32_t removed_body = npos, removed_tweet = npos;
        uint32_t tweet = t_.member(u, "custom_tweet");
        if (redact) {
          uint32_t body = t_.member(u, "body");
          if (body != npos && !t_.is_null(body)) {
            if (s_.has_redact_text) c_.replace(body, s_.redact_text_raw);
            else c_.drop(removed_body = body);
          }
          // `custom_tweet` repeats the body (fixed after the freeze, round 12 F3).
          if (tweet != npos && !t_.is_null(tweet)) {
            if (s_.has_redact_text) c_.replace(tweet, s_.redact_text_raw);
            else c_.drop(removed_tweet = tweet);
          }
        }
        c_.disclose("update", u);
        if (!c_.withholds("update", "custom_tweet")) disclose_copy_as("update", "body", tweet);  // round 12 F3
        if (removed_tweet != npos) c_.drop(removed_tweet);
        // An update repeats its event's status and id (fixed after the freeze, review S-F4/S-F5).
        if (!c_.withholds("update", "status")) disclose_copy_as(kind_name(kind), "status", t_.member(u, "status"));
        if (!c_.withholds("update", "incident_id")) disclose_copy_as(kind_name(kind), "id", t_.member(u, "incident_id"));
        // Fixed after the freeze (review F3): a body redaction removed stays
        // removed, since disclosure leaves an absent member alone.
        if (removed_body != npos) c_.drop(removed_body);
        drop_unread_nested(u, "affected_components");
      }
    c_.disclose(kind_name(kind), obj);
    // The times its status changed tell the status (fixed after the freeze, review round 9, R9-7).
    for (std::string_view when : {"monitoring_at", "resolved_at", "postmortem_published_at"})
      if (!c_.withholds(kind_name(kind), when)) disclose_copy_as(kind_name(kind), "status", t_.member(obj, when));
    drop_unread_nested(obj, "components", "incident_updates");
    return true;
  }

  // The page banner (`status.indicator`, `status.description`), from the
  // shown components when there are any, else from the shown active incidents.
  struct banner {
    std::string_view indicator, description;
  };
  static banner banner_of(const std::vector<component_severity>& shown) {
    if (shown.empty()) return {"none", "All Systems Operational"};  // fixed after the freeze (review B2)
    component_severity worst = *std::max_element(shown.begin(), shown.end());
    bool all_major = std::all_of(shown.begin(), shown.end(),
                                 [](component_severity r) { return r == component_severity::major_outage; });
    switch (worst) {
      case component_severity::operational: return {"none", "All Systems Operational"};
      case component_severity::under_maintenance: return {"maintenance", "Service Under Maintenance"};
      case component_severity::degraded_performance: return {"minor", "Partially Degraded Service"};
      case component_severity::partial_outage: return {"minor", "Minor Service Outage"};
      case component_severity::unknown:  // never recorded (rewrite_components rejects it): the most severe
      case component_severity::major_outage: break;
    }
    return all_major ? banner{"critical", "Major System Outage"} : banner{"major", "Partial System Outage"};
  }
  static banner banner_of(impact_severity worst) {
    switch (worst) {
      case impact_severity::none_known:
      case impact_severity::none: return {"none", "All Systems Operational"};
      case impact_severity::maintenance: return {"maintenance", "Service Under Maintenance"};
      case impact_severity::minor: return {"minor", "Minor Service Outage"};
      case impact_severity::major: return {"major", "Partial System Outage"};
      case impact_severity::critical: break;
    }
    return {"critical", "Major System Outage"};
  }

  // A webhook's `page` repeats the banner (fixed after the freeze, review S-F2).
  void recompute_page_banner(uint32_t page) {
    auto [indicator, description] = any_shown_component_ ? banner_of(shown_ranks_) : banner_of(worst_impact_);
    uint32_t ind = t_.member(page, "status_indicator"), desc = t_.member(page, "status_description");
    if (ind != npos) c_.replace(ind, json_string(indicator));
    if (desc != npos) c_.replace(desc, json_string(description));
  }

  bool recompute_banner(uint32_t status) {
    auto [indicator, description] = any_shown_component_ ? banner_of(shown_ranks_) : banner_of(worst_impact_);
    if (!t_.unique_keys(status)) return fail("duplicate member in status", status);
    uint32_t ind = t_.member(status, "indicator"), desc = t_.member(status, "description");
    if (ind != npos) c_.replace(ind, json_string(indicator));
    if (desc != npos) c_.replace(desc, json_string(description));
    return true;
  }

  filter_context& c_;
  const json_tree& t_;
  const status_section& s_;
  uint32_t components_ = npos, incidents_ = npos, maintenances_ = npos;
  // Components and groups, indexed in the order the payload first names them
  // (so explain output and error messages do not depend on hash order).
  name_index ids_;
  std::vector<component_info> comps_;  // by index in ids_
  bool any_hidden_ = false;  // some component the payload names is hidden (fixed after the freeze, round 12 F1)
  std::vector<component_obj> top_;  // the top-level component objects, in order
  std::vector<component_severity> shown_ranks_;  // of the shown top-level components
  bool any_shown_component_ = false;
  std::vector<uint32_t> seen_;  // count_affected(): stamp per component index
  uint32_t stamp_ = 0;
  impact_severity worst_impact_ = impact_severity::none_known;  // of the shown active incidents
  bool redact_ = false;
};

}  // namespace

outcome filter_statuspage(filter_context& c) {
  c.plan_disclosure(c.policy.status.disclose);
  status_filter f(c);
  return f.run();
}

}  // namespace keyhole::detail
