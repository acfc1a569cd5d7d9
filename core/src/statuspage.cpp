// Status payloads (SPEC §5, Atlassian Statuspage API v2 shape).
#include <algorithm>
#include <string>

#include "filter_context.h"
#include "name_index.h"
#include "span_writer.h"
#include "status_fields.h"

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
};

// SPEC §5: a maintenance is an object with a non-null `scheduled_for`,
// wherever it appears (in `incidents` too); every other one is an incident.
enum class event_kind { incident, maintenance };
const char* kind_name(event_kind k) { return k == event_kind::maintenance ? "maintenance" : "incident"; }

// A component object of the payload as the learning pass read it: all the
// rewrite needs, so it looks nothing up again.
struct component_obj {
  uint32_t node;
  uint32_t index;       // in the id index
  uint32_t status;      // its `status` member, or npos
  uint32_t list;        // its `components` member (a group's), or npos
  uint32_t list_first;  // where the indexes of that list's ids start in list_ids_
  uint32_t notable_first = 0;  // its notable members (notable_members) in notable_
  uint8_t notable_count = 0;
  bool walk = true;  // the writer walks every member (too many notable ones, or spaced text)
};

// An incident or maintenance object as the learning pass read it, and
// (after the decisions) whether it is shown.
struct incident_obj {
  uint32_t node;
  uint32_t id;  // its `id` string
  uint32_t status, impact, components, updates;  // members, or npos
  event_kind kind;
  uint32_t copies_first, copies_end;      // its component copies in copies_
  uint32_t affected_first, affected_end;  // its affected components' indexes in affected_ids_
  bool visible = false;
  bool redact = false;  // mixed: redact applies
};

// The kinds disclosure names in a status payload (SPEC §5).
enum class disclose_kind : uint8_t { component, group, incident, maintenance, update, count };
constexpr std::string_view kDiscloseKindNames[] = {"component", "group", "incident", "maintenance", "update"};
disclose_kind kind_of_event(event_kind k) {
  return k == event_kind::maintenance ? disclose_kind::maintenance : disclose_kind::incident;
}

class status_filter {
 public:
  explicit status_filter(filter_context& c) : c_(c), t_(c.t), s_(c.policy.status), cache_(c.field_cache) {
    plan_fields();
  }

  outcome run() {
    if (!t_.is_object(0)) return c_.reject("a status payload is a JSON object");
    if (!t_.unique_keys(0)) return c_.reject("duplicate member in the payload's top level");
    if (t_.member(0, "incident_updates") != npos) return single_resource();

    for (uint32_t m = t_.first_child(0); m != npos; m = t_.next_member(m)) {
      std::string_view k = t_.key(m);
      if (k == "page") page_ = m;
      else if (k == "status") status_ = m;
      else if (k == "components") components_ = m;
      else if (k == "incidents") incidents_ = m;
      else if (k == "scheduled_maintenances") maintenances_ = m;
      else return c_.reject("unknown member '" + std::string(k) + "' in a status payload", m);
    }
    if (status_ != npos && !t_.is_object(status_)) return c_.reject("status must be an object", status_);
    if (status_ != npos && s_.recompute_status && components_ == npos && incidents_ == npos && maintenances_ == npos)
      return c_.reject("status.json carries no components or incidents, so its status cannot be recomputed; filter summary.json instead");

    // 1. Learn every component and group the payload mentions (each object read once).
    if (components_ != npos) {
      if (!t_.is_array(components_)) return c_.reject("components must be an array", components_);
      size_t listed = t_.child_count(components_);
      ids_.reserve(listed);
      comps_.reserve(listed);
      top_.reserve(listed);
      for (uint32_t e = t_.first_child(components_); e != npos; e = t_.next_sibling(components_, e))
        if (!learn_component(e, true)) return outcome::rejected;
    }
    for (uint32_t list : {incidents_, maintenances_}) {
      if (list == npos) continue;
      if (!t_.is_array(list)) return c_.reject("incidents and scheduled_maintenances must be arrays", list);
      if (list == maintenances_) first_maintenance_ = uint32_t(events_.size());
      for (uint32_t e = t_.first_child(list); e != npos; e = t_.next_sibling(list, e))
        if (!learn_incident(e)) return outcome::rejected;
    }
    if (!check_groups()) return outcome::rejected;

    // 2. Decide components, then groups, then every incident and maintenance.
    decide_all();
    if (!rank_shown_components()) return outcome::rejected;
    for (incident_obj& ev : events_)
      if (!decide_event(ev)) return outcome::rejected;
    if (status_ != npos && s_.recompute_status && !t_.unique_keys(status_))
      return c_.reject("duplicate member in status", status_);
    return outcome::ok;
  }

  // Whether the status.json projection (SPEC §5) has what it needs: a status
  // object and components.
  bool can_project() const {
    return t_.is_object(t_.member(0, "status")) && t_.member(0, "components") != npos;
  }

  // 3. The output, in document order, as decided.
  void write(std::string& out, bool status_json) {
    out.reserve(t_.span(0).size() + 64);
    span_writer w(t_, out);
    if (single_) return write_event(w, events_[0]);
    span_writer::list root = w.open(0);
    uint32_t first_incident = 0;
    for (uint32_t m = t_.first_child(0); m != npos; m = t_.next_member(m)) {
      if (m == page_) write_page(w, root, m);
      else if (m == status_) write_status(w, root, m);
      else if (status_json) w.skip(root);
      else if (m == components_) write_components(w, root, m);
      else if (m == incidents_) write_events(w, root, m, first_incident);
      else if (m == maintenances_) write_events(w, root, m, first_maintenance_);
    }
    w.close(root);
  }

 private:
  // A webhook-style payload: one incident or maintenance object. It is one
  // resource, so the lists of a page payload have no place in it: copying
  // them unread would leak them (finding S3), so such a payload is rejected.
  outcome single_resource() {
    single_ = true;
    for (std::string_view list : {"incidents", "scheduled_maintenances", "page"})
      if (uint32_t m = t_.member(0, list); m != npos)
        return c_.reject("a single incident or maintenance object carries '" + std::string(list) + "'", m);
    if (uint32_t st = t_.member(0, "status"); t_.is_object(st))
      return c_.reject("a single incident or maintenance object carries a page status object", st);
    if (!learn_incident(0)) return outcome::rejected;
    if (!check_groups()) return outcome::rejected;
    decide_all();
    decide_incident(events_[0]);
    return events_[0].visible ? outcome::ok : outcome::not_visible;
  }

  // Disclosure by field number: for each kind, the withheld fields and the
  // entry that decides each (SPEC §5). Names the field table had no room
  // for are compared as text (overflow_).
  void plan_fields() {
    std::vector<std::string_view> extra;
    for (const auto& w : c_.withheld) extra.push_back(w.member);
    table_.build(extra);
    for (const auto& w : c_.withheld) {
      size_t k = 0;
      while (k < size_t(disclose_kind::count) && kDiscloseKindNames[k] != w.kind) ++k;
      if (k == size_t(disclose_kind::count)) continue;  // another format's kind
      uint8_t f = table_.classify_bounded(w.member);
      if (f == kOtherField) overflow_[k] = true;
      else withheld_[k].push_back(withheld_field{f, w.decider});
      withheld_mask_[k].add(f);  // `other` too: such names are compared as text
    }
    // Per kind of object written, the fields whose member needs more than
    // a copy (besides what nests an object): withheld, or read by the rewrite.
    auto mask = [&](disclose_kind k) { return withheld_mask_[size_t(k)]; };
    component_attention_ = mask(disclose_kind::component);
    group_attention_ = component_attention_;
    for (uint8_t i = 0; i < 2; ++i) group_attention_.w[i] |= mask(disclose_kind::group).w[i];
    group_attention_.add(field_no(sfield::components));
    group_attention_.add(field_no(sfield::status));
    for (disclose_kind k : {disclose_kind::incident, disclose_kind::maintenance}) {
      field_set& a = event_attention_[k == disclose_kind::maintenance];
      a = mask(k);
      a.add(field_no(sfield::components));
      a.add(field_no(sfield::incident_updates));
    }
    update_attention_ = mask(disclose_kind::update);
    update_attention_.add(field_no(sfield::affected_components));
    update_attention_.add(field_no(sfield::body));
    if (mask(disclose_kind::component).has(field_no(sfield::name))) affected_attention_.add(field_no(sfield::name));
    component_notable_ = group_attention_.w[0];  // fields 0-63; the others are always notable
  }
  // Whether member `m` (field `f`) is copied as it is without further look:
  // no field of `attention`, and a scalar (nothing nested to judge).
  bool plain(const field_set& attention, uint8_t f, uint32_t m) const {
    return !attention.has(f) && !t_.is_object(m) && !t_.is_array(m);
  }
  struct withheld_field {
    uint8_t field;
    const disclose_entry* decider;
  };

  // The entry that withholds member `m` (field `f`) of an object of `kind`
  // from this viewer, or null. Absent and null members are left alone.
  const disclose_entry* withheld(disclose_kind kind, uint8_t f, uint32_t m) const {
    if (!withheld_mask_[size_t(kind)].has(f) || t_.is_null(m)) return nullptr;
    const auto& list = withheld_[size_t(kind)];
    for (const withheld_field& w : list)
      if (w.field == f) return w.decider;
    if (f != kOtherField || !overflow_[size_t(kind)]) return nullptr;
    auto [first, last] = c_.withheld_of(kDiscloseKindNames[size_t(kind)]);
    std::string_view name = t_.key(m);
    for (auto w = first; w != last; ++w)
      if (w->member == name) return w->decider;
    return nullptr;
  }

  // What the filter does not read is not copied through (a resource's copy
  // could hide there): a member it does not decide is kept when it holds
  // scalars or lists of them at any depth, and removed when it holds a
  // non-empty object. Real Statuspage objects nest nothing else.
  bool holds_an_object(uint32_t n) const {
    if (!t_.is_object(n) && !t_.is_array(n)) return false;
    // Node by node (a container's first child follows it, its closing
    // bracket ends it; a scalar is one node).
    for (uint32_t k = n, end = t_.end(n); k < end; k = t_.is_object(k) || t_.is_array(k) ? k + 1 : t_.end(k))
      if (t_.is_object(k) && t_.first_child(k) != npos) return true;
    return false;
  }

  bool read(uint32_t obj, uint32_t (&at)[kStructuralFields]) { return read_object(t_, table_, cache_, obj, at); }
  static uint32_t at_of(const uint32_t (&at)[kStructuralFields], sfield f) { return at[size_t(f)]; }

  // `top_level`: the object stands in the payload's own `components` list,
  // so it is present (SPEC §5); copies inside incidents are not.
  bool learn_component(uint32_t obj, bool top_level = false) {
    if (!t_.is_object(obj)) return fail("a component must be an object", obj);
    uint32_t at[kStructuralFields];
    notable_members notable;
    notable.mask = component_notable_;
    if (!read_object(t_, table_, cache_, obj, at, &notable)) return fail("duplicate member in a component", obj);
    uint32_t id = at_of(at, sfield::id), gid = at_of(at, sfield::group_id), g = at_of(at, sfield::group);
    uint32_t list = at_of(at, sfield::components), status = at_of(at, sfield::status);
    if (!t_.is_string(id)) return fail("a component needs a string id", obj);
    uint32_t self = entry(t_.str(id));
    component_obj o{obj, self, status, list, uint32_t(list_ids_.size()), uint32_t(notable_.size()), notable.count,
                    notable.overflow || !t_.compact()};
    notable_.insert(notable_.end(), notable.node, notable.node + notable.count);
    if (top_level) comps_[self].present = true;
    if (gid != npos && !t_.is_null(gid)) {
      if (!t_.is_string(gid)) return fail("group_id must be a string or null", gid);
      if (!assign_group(self, group_entry(t_.str(gid)))) return false;
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
        uint32_t member = entry(t_.str(m));
        list_ids_.push_back(member);  // the rewrite keeps the shown ones
        if (!assign_group(member, self)) return false;
      }
    }
    (top_level ? top_ : copies_).push_back(o);
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

  // entry() for a group_id: components of one group stand together, so the
  // last group named is remembered and its id compared, not hashed again.
  uint32_t group_entry(std::string_view gid) {
    if (last_group_ == npos || gid != last_group_id_) {
      last_group_ = entry(gid);
      last_group_id_ = gid;
    }
    return last_group_;
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
    uint32_t at[kStructuralFields];
    if (!read(obj, at)) return fail("duplicate member in an incident", obj);
    uint32_t id = at_of(at, sfield::id), list = at_of(at, sfield::components);
    uint32_t updates = at_of(at, sfield::incident_updates), scheduled = at_of(at, sfield::scheduled_for);
    if (!t_.is_string(id)) return fail("an incident needs a string id", obj);
    incident_obj ev{obj, id, at_of(at, sfield::status), at_of(at, sfield::impact), list, updates,
                    scheduled != npos && !t_.is_null(scheduled) ? event_kind::maintenance : event_kind::incident,
                    uint32_t(copies_.size()), 0, uint32_t(affected_ids_.size()), 0};
    if (list != npos && !t_.is_null(list)) {
      if (!t_.is_array(list)) return fail("an incident's components must be an array", list);
      for (uint32_t e = t_.first_child(list); e != npos; e = t_.next_sibling(list, e))
        if (!learn_component(e)) return false;
    }
    ev.copies_end = uint32_t(copies_.size());
    if (updates != npos && !t_.is_null(updates)) {
      if (!t_.is_array(updates)) return fail("incident_updates must be an array", updates);
      for (uint32_t u = t_.first_child(updates); u != npos; u = t_.next_sibling(updates, u))
        if (!learn_update(u)) return false;
    }
    ev.affected_end = uint32_t(affected_ids_.size());
    events_.push_back(ev);
    return true;
  }

  // An update's affected components: each one's index (npos when its code is
  // no string), in order, for counting and for the rewrite.
  bool learn_update(uint32_t u) {
    if (!t_.is_object(u)) return fail("an incident update must be an object", u);
    uint32_t at[kStructuralFields];
    if (!read(u, at)) return fail("duplicate member in an incident update", u);
    uint32_t affected = at_of(at, sfield::affected_components);
    if (affected == npos || t_.is_null(affected)) return true;
    if (!t_.is_array(affected)) return fail("affected_components must be an array", affected);
    for (uint32_t a = t_.first_child(affected); a != npos; a = t_.next_sibling(affected, a)) {
      if (!t_.is_object(a)) return fail("an affected component must be an object", a);
      uint32_t in_a[kStructuralFields];
      if (!read(a, in_a)) return fail("duplicate member in an affected component", a);
      uint32_t code = at_of(in_a, sfield::code);
      affected_ids_.push_back(t_.is_string(code) ? entry(t_.str(code)) : npos);
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

  // The policy's rule for component or group `i`, looked up once per index
  // (every component of a group asks for the group's).
  const rule* component_rule(uint32_t i) {
    if (rules_.size() < comps_.size()) rules_.resize(comps_.size(), kNotLooked);
    if (rules_[i] == kNotLooked) rules_[i] = s_.components.find(ids_.name(i));
    return rules_[i];
  }
  // The step of the default rule, and of group `g`'s rule (null when the
  // policy has none), evaluated once per call: every component of a group
  // goes through the same two.
  const level_step& default_step() {
    if (!default_step_known_) {
      const rule* r = &s_.default_rule;
      default_step_ = step_of(c_.m, &r, 1, false);
      default_step_known_ = true;
    }
    return default_step_;
  }
  const level_step* group_step(uint32_t g) {
    if (group_steps_.size() < comps_.size()) group_steps_.resize(comps_.size());
    auto& [known, has, step] = group_steps_[g];
    if (!known) {
      known = true;
      const rule* r = component_rule(g);
      has = r != nullptr;
      if (r) step = step_of(c_.m, &r, 1, false);
    }
    return has ? &step : nullptr;
  }
  struct memo_step {
    bool known = false, has = false;
    level_step step;
  };
  static inline const rule* const kNotLooked = reinterpret_cast<const rule*>(uintptr_t(1));

  void decide_all() {
    for (uint32_t i = 0; i < comps_.size(); ++i) {
      component_info& info = comps_[i];
      if (info.is_group) continue;
      std::string_view id = ids_.name(i);
      decision d;
      if (!c_.tracing) {  // the same steps, each rule's evaluated once per call
        if (s_.has_default) apply_step(default_step(), d);
        if (info.in_group)
          if (const level_step* g = group_step(info.group)) apply_step(*g, d);
        if (const rule* r = component_rule(i)) apply_rules(c_.m, &r, 1, false, d);
        finish_decision(d, c_.m.who().has_grant("component", id));
        info.visible = d.visible();
        continue;
      }
      if (s_.has_default) apply_rule(c_.m, s_.default_rule, d, c_.tracing, [] { return "default"; });
      if (info.in_group) {
        std::string_view group = ids_.name(info.group);
        if (const rule* r = component_rule(info.group))
          apply_rule(c_.m, *r, d, c_.tracing, [&] { return "group:" + std::string(group); });
      }
      if (const rule* r = component_rule(i))
        apply_rule(c_.m, *r, d, c_.tracing, [&] { return "component:" + std::string(id); });
      finish_decision(d, c_.m.who().has_grant("component", id));
      info.visible = d.visible();
      if (c_.log) c_.record(explained{"component", std::string(id), info.visible, std::move(d), {}, {}});
    }
    // A group is shown iff one of its components present at the top level is
    // shown; ids only listed are absent (SPEC §5): the status of a group
    // could otherwise only come from hidden or unknown components.
    for (const component_info& member : comps_)
      if (!member.is_group && member.in_group && member.present && member.visible) comps_[member.group].visible = true;
    if (c_.log)
      for (uint32_t i = 0; i < comps_.size(); ++i)
        if (comps_[i].is_group)
          c_.record(explained{"group", std::string(ids_.name(i)), comps_[i].visible, {}, {},
                              "shown iff a component of it present at the top level is shown", mixed_mode::show, true});
  }

  bool visible_index(uint32_t i) const { return i != npos && comps_[i].visible; }

  // Shown top-level components decide the banner and their groups' statuses.
  bool rank_shown_components() {
    if (!s_.recompute_status) return true;
    for (const component_obj& o : top_) {
      const component_info& c = comps_[o.index];
      if (!c.visible || c.is_group) continue;
      auto r = severity_at<component_severity>(t_, component_statuses, o.status);
      if (r == component_severity::unknown)
        return fail("a component status is missing or unknown, so the page status cannot be recomputed", o.node);
      shown_ranks_.push_back(r);
      if (c.in_group) comps_[c.group].worst = std::max(comps_[c.group].worst, r);
    }
    return true;
  }

  // The distinct affected components of an incident (SPEC §5: the union of
  // `components[].id` and `incident_updates[].affected_components[].code`),
  // counted as {distinct, shown}, from the indexes learnt. Distinct by index
  // with a per-incident stamp, so an incident naming n components costs O(n)
  // (finding D2).
  std::pair<size_t, size_t> count_affected(const incident_obj& ev) {
    ++stamp_;
    if (stamp_ == 0) {  // wrapped: clear the stamps once
      std::fill(seen_.begin(), seen_.end(), 0);
      stamp_ = 1;
    }
    seen_.resize(comps_.size(), 0);
    size_t distinct = 0, n_shown = 0;
    auto add = [&](uint32_t i) {
      if (i == npos || seen_[i] == stamp_) return;  // npos: a code that is no string
      seen_[i] = stamp_;
      ++distinct;
      n_shown += comps_[i].visible ? 1 : 0;
    };
    for (uint32_t k = ev.copies_first; k < ev.copies_end; ++k) add(copies_[k].index);
    for (uint32_t k = ev.affected_first; k < ev.affected_end; ++k) add(affected_ids_[k]);
    return {distinct, n_shown};
  }

  // Decides one incident or maintenance (SPEC §5).
  void decide_incident(incident_obj& ev) {
    std::string_view id = t_.str(ev.id);
    auto [n_affected, n_shown] = count_affected(ev);
    decision d;
    bool some_hidden = n_shown < n_affected;
    std::string note;
    mixed_mode mixed_applied = mixed_mode::show;
    if (n_affected == 0) {
      const rule* r = s_.has_without_components ? &s_.without_components : (s_.has_default ? &s_.default_rule : nullptr);
      if (r)
        apply_rule(c_.m, *r, d, c_.tracing,
                   [&] { return s_.has_without_components ? "without-components" : "default"; });
      if (c_.log) note = "no affected components";
    } else {
      bool base = s_.visibility == visibility_mode::any_component ? n_shown > 0 : n_shown == n_affected;
      if (base && some_hidden && s_.mixed == mixed_mode::hide) {
        base = false;
        mixed_applied = mixed_mode::hide;
      }
      d.allowed = base;
      if (c_.log) note = std::to_string(n_shown) + " of " + std::to_string(n_affected) + " affected components shown";
      if (c_.tracing) d.trace.push_back(level_trace{"components", false, base, false, {}, {}});
    }
    if (const rule* r = s_.incident_rules.find(id))
      apply_rule(c_.m, *r, d, c_.tracing, [&] { return "rules:" + std::string(id); });
    finish_decision(d, c_.m.who().has_grant(kind_name(ev.kind), id));
    ev.visible = d.visible();
    ev.redact = ev.visible && some_hidden && s_.mixed == mixed_mode::redact;
    if (ev.redact) mixed_applied = mixed_mode::redact;
    if (c_.log) c_.record(explained{kind_name(ev.kind), std::string(id), ev.visible, std::move(d), {}, note, mixed_applied});
  }

  // Decides an incident of a page payload; a shown active one drives the
  // banner (unresolved incidents, in-progress maintenances).
  bool decide_event(incident_obj& ev) {
    decide_incident(ev);
    if (!ev.visible || !s_.recompute_status) return true;
    std::string_view status = t_.is_string(ev.status) ? t_.str(ev.status) : std::string_view{};
    bool active = ev.kind == event_kind::maintenance ? (status == "in_progress" || status == "verifying")
                                                     : (status != "resolved" && status != "postmortem");
    if (!active) return true;
    auto r = severity_at<impact_severity>(t_, impacts, ev.impact);
    if (r == impact_severity::none_known)
      return fail("an incident impact is missing or unknown, so the page status cannot be recomputed", ev.node);
    worst_impact_ = std::max(worst_impact_, r);
    return true;
  }

  // ---- The writer (step 3): every member's fate from its field number.

  // A withheld member: removed, or its value replaced by the entry's text.
  static void write_withheld(span_writer& w, span_writer::list& l, uint32_t m, const disclose_entry* d) {
    if (!d->has_replace) return w.skip(l);
    w.start(l, m);
    w.text(d->replace_raw);
  }

  // `page` describes the page (id, name, url, time zone); the filter reads
  // nothing in it, so nothing that could hold a resource is copied.
  void write_page(span_writer& w, span_writer::list& root, uint32_t page) {
    if (!t_.is_object(page)) return holds_an_object(page) ? w.skip(root) : w.keep(root, page);
    w.start(root, page);
    span_writer::list l = w.open(page);
    for (uint32_t m = t_.first_child(page); m != npos; m = t_.next_member(m))
      holds_an_object(m) ? w.skip(l) : w.keep(l, m);
    w.close(l);
  }

  // The banner: the filter reads at most its indicator and description, so,
  // as in `page`, what nests an object is not copied; with recompute-status
  // both are derived from what the viewer sees.
  void write_status(span_writer& w, span_writer::list& root, uint32_t status) {
    auto [indicator, description] = shown_ranks_.empty() ? banner_of(worst_impact_) : banner_of(shown_ranks_);
    w.start(root, status);
    span_writer::list l = w.open(status);
    for (uint32_t m = t_.first_child(status); m != npos; m = t_.next_member(m)) {
      std::string_view k = s_.recompute_status ? t_.key(m) : std::string_view{};
      if (k == "indicator" || k == "description") {
        w.start(l, m);
        w.text(json_string(k == "indicator" ? indicator : description));
      } else {
        holds_an_object(m) ? w.skip(l) : w.keep(l, m);
      }
    }
    w.close(l);
  }

  void write_components(span_writer& w, span_writer::list& root, uint32_t list) {
    w.start(root, list);
    span_writer::list l = w.open(list);
    size_t i = 0;
    for (uint32_t e = t_.first_child(list); e != npos; e = t_.next_sibling(list, e), ++i)
      write_component(w, l, top_[i]);
    w.close(l);
  }

  // One component object, at the top level or copied into an incident: hidden
  // ones go; a shown group keeps only shown ids and gets a derived status.
  // Per member, in the order the filter has always applied them: disclosure
  // of `component`, the unread-nested rule, disclosure of `group`, then the
  // group's list and derived status for what is still untouched.
  void write_component(span_writer& w, span_writer::list& parent, const component_obj& o) {
    const component_info& info = comps_[o.index];
    if (!info.visible) return w.skip(parent);
    w.start(parent, o.node);
    span_writer::list l = w.open(o.node);
    const field_set& attention = info.is_group ? group_attention_ : component_attention_;
    if (o.walk) {
      for (uint32_t m = t_.first_child(o.node); m != npos; m = t_.next_member(m))
        write_component_member(w, l, o, info, attention, m);
    } else {
      // Compact text: only the notable members are looked at; the members
      // between them are kept as one run of text (a member's key starts one
      // comma after the previous value ends).
      uint32_t next = t_.first_child(o.node);
      for (uint32_t k = o.notable_first; k < o.notable_first + o.notable_count; ++k) {
        uint32_t m = notable_[k];
        if (plain(attention, uint8_t(cache_[m]), m)) continue;  // notable for a group only: stays in the run
        if (next != m) w.keep_until(l, next, t_.raw_key(m).data() - 1);
        write_component_member(w, l, o, info, attention, m);
        next = t_.next_member(m);
      }
      if (next != npos) {
        std::string_view whole = t_.span(o.node);
        w.keep_until(l, next, whole.data() + whole.size() - 1);  // up to the closing brace
      }
    }
    w.close(l);
  }
  void write_component_member(span_writer& w, span_writer::list& l, const component_obj& o,
                              const component_info& info, const field_set& attention, uint32_t m) {
    uint8_t f = uint8_t(cache_[m]);
    if (plain(attention, f, m)) return w.keep(l, m);
    const disclose_entry* d = withheld(disclose_kind::component, f, m);
    bool nested = f != field_no(sfield::components) && holds_an_object(m);
    if (info.is_group)
      if (const disclose_entry* g = withheld(disclose_kind::group, f, m)) d = g, nested = false;
    if (nested) w.skip(l);
    else if (d) write_withheld(w, l, m, d);
    else if (info.is_group && m == o.list && t_.is_array(m)) write_group_list(w, l, o);
    else if (info.is_group && m == o.status && s_.recompute_status) {
      w.start(l, m);
      w.text(status_literal(info.worst));
    } else {
      w.keep(l, m);
    }
  }

  void write_group_list(span_writer& w, span_writer::list& parent, const component_obj& o) {
    w.start(parent, o.list);
    span_writer::list l = w.open(o.list);
    uint32_t k = o.list_first;
    for (uint32_t e = t_.first_child(o.list); e != npos; e = t_.next_sibling(o.list, e))
      visible_index(list_ids_[k++]) ? w.keep(l, e) : w.skip(l);
    w.close(l);
  }

  // A shown group has a shown present member, so `worst` is known; fail towards "operational" anyway.
  const std::string& status_literal(component_severity worst) {
    size_t i = size_t(std::max(worst, component_severity::operational));
    if (status_literals_[i].empty()) status_literals_[i] = json_string(component_statuses[i]);
    return status_literals_[i];
  }

  void write_events(span_writer& w, span_writer::list& root, uint32_t list, uint32_t first) {
    w.start(root, list);
    span_writer::list l = w.open(list);
    uint32_t k = first;
    for (uint32_t e = t_.first_child(list); e != npos; e = t_.next_sibling(list, e)) {
      const incident_obj& ev = events_[k++];
      if (!ev.visible) {
        w.skip(l);
        continue;
      }
      w.start(l, e);
      write_event(w, ev);
    }
    w.close(l);
  }

  // A shown incident or maintenance: its component lists keep shown
  // components, updates are redacted (mixed: redact) and disclosed, and
  // what nests objects unread goes.
  void write_event(span_writer& w, const incident_obj& ev) {
    span_writer::list l = w.open(ev.node);
    const field_set& attention = event_attention_[ev.kind == event_kind::maintenance];
    for (uint32_t m = t_.first_child(ev.node); m != npos; m = t_.next_member(m)) {
      uint8_t f = uint8_t(cache_[m]);
      if (plain(attention, f, m)) {
        w.keep(l, m);
        continue;
      }
      bool read_list = f == field_no(sfield::components) || f == field_no(sfield::incident_updates);
      if (!read_list && holds_an_object(m)) w.skip(l);
      else if (const disclose_entry* d = withheld(kind_of_event(ev.kind), f, m)) write_withheld(w, l, m, d);
      else if (m == ev.components && t_.is_array(m)) write_copies(w, l, ev);
      else if (m == ev.updates && t_.is_array(m)) write_updates(w, l, ev);
      else w.keep(l, m);
    }
    w.close(l);
  }

  void write_copies(span_writer& w, span_writer::list& parent, const incident_obj& ev) {
    w.start(parent, ev.components);
    span_writer::list l = w.open(ev.components);
    for (uint32_t k = ev.copies_first; k < ev.copies_end; ++k) write_component(w, l, copies_[k]);
    w.close(l);
  }

  void write_updates(span_writer& w, span_writer::list& parent, const incident_obj& ev) {
    w.start(parent, ev.updates);
    span_writer::list l = w.open(ev.updates);
    uint32_t affected = ev.affected_first;  // the next affected component's index
    for (uint32_t u = t_.first_child(ev.updates); u != npos; u = t_.next_sibling(ev.updates, u)) {
      w.start(l, u);
      write_update(w, u, ev.redact, affected);
    }
    w.close(l);
  }

  // One update: `mixed: redact` first, disclosure of `update` after, then
  // the unread-nested rule; its affected components keep the shown ones.
  // `affected` runs over the learnt indexes of the event's affected
  // components, whether or not this update's list is written.
  void write_update(span_writer& w, uint32_t u, bool redact, uint32_t& affected) {
    span_writer::list l = w.open(u);
    for (uint32_t m = t_.first_child(u); m != npos; m = t_.next_member(m)) {
      uint8_t f = uint8_t(cache_[m]);
      if (plain(update_attention_, f, m)) {
        w.keep(l, m);
        continue;
      }
      bool affected_list = f == field_no(sfield::affected_components) && t_.is_array(m);
      uint32_t first = affected;
      if (affected_list) affected += uint32_t(t_.child_count(m));
      if (f != field_no(sfield::affected_components) && holds_an_object(m)) w.skip(l);
      else if (const disclose_entry* d = withheld(disclose_kind::update, f, m)) write_withheld(w, l, m, d);
      else if (redact && f == field_no(sfield::body) && !t_.is_null(m)) write_redacted(w, l, m);
      else if (affected_list) write_affected_list(w, l, m, first);
      else w.keep(l, m);
    }
    w.close(l);
  }
  // `mixed: redact`: an update's body replaced by `redact-text`, or removed when there is none.
  void write_redacted(span_writer& w, span_writer::list& l, uint32_t body) {
    if (!s_.has_redact_text) return w.skip(l);
    w.start(l, body);
    w.text(s_.redact_text_raw);
  }

  void write_affected_list(span_writer& w, span_writer::list& parent, uint32_t list, uint32_t first) {
    w.start(parent, list);
    span_writer::list l = w.open(list);
    uint32_t k = first;
    for (uint32_t a = t_.first_child(list); a != npos; a = t_.next_sibling(list, a)) {
      if (!visible_index(affected_ids_[k++])) {
        w.skip(l);
        continue;
      }
      w.start(l, a);
      write_affected(w, a);
    }
    w.close(l);
  }

  // A shown affected component: `component.name` rules also cover the name
  // repeated here (docs/decisions.md); what nests an object goes.
  void write_affected(span_writer& w, uint32_t a) {
    span_writer::list l = w.open(a);
    for (uint32_t m = t_.first_child(a); m != npos; m = t_.next_member(m)) {
      uint8_t f = uint8_t(cache_[m]);
      if (plain(affected_attention_, f, m)) {
        w.keep(l, m);
        continue;
      }
      const disclose_entry* d = f == field_no(sfield::name) ? withheld(disclose_kind::component, f, m) : nullptr;
      if (holds_an_object(m)) w.skip(l);
      else if (d) write_withheld(w, l, m, d);
      else w.keep(l, m);
    }
    w.close(l);
  }

  // The page banner (`status.indicator`, `status.description`), from the
  // shown components when there are any, else from the shown active incidents.
  struct banner {
    std::string_view indicator, description;
  };
  static banner banner_of(const std::vector<component_severity>& shown) {
    component_severity worst = *std::max_element(shown.begin(), shown.end());
    bool all_major = std::all_of(shown.begin(), shown.end(),
                                 [](component_severity r) { return r == component_severity::major_outage; });
    switch (worst) {
      case component_severity::operational: return {"none", "All Systems Operational"};
      case component_severity::under_maintenance: return {"maintenance", "Service Under Maintenance"};
      case component_severity::degraded_performance: return {"minor", "Partially Degraded Service"};
      case component_severity::partial_outage: return {"minor", "Minor Service Outage"};
      case component_severity::unknown:  // never recorded (rank_shown_components rejects it): the most severe
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

  filter_context& c_;
  const json_tree& t_;
  const status_section& s_;
  sfield* cache_;  // each read member's field, by value node
  field_table table_;
  std::vector<withheld_field> withheld_[size_t(disclose_kind::count)];
  field_set withheld_mask_[size_t(disclose_kind::count)];
  bool overflow_[size_t(disclose_kind::count)] = {};
  field_set component_attention_, group_attention_, event_attention_[2], update_attention_, affected_attention_;
  bool single_ = false;
  uint32_t page_ = npos, status_ = npos, components_ = npos, incidents_ = npos, maintenances_ = npos;
  // Components and groups, indexed in the order the payload first names them
  // (so explain output and error messages do not depend on hash order).
  name_index ids_;
  std::vector<component_info> comps_;  // by index in ids_
  std::vector<const rule*> rules_;     // component_rule(), by index in ids_
  std::vector<memo_step> group_steps_;  // group_step(), by index in ids_
  level_step default_step_;
  bool default_step_known_ = false;
  uint32_t last_group_ = npos;         // group_entry()'s memory
  std::string_view last_group_id_;
  std::vector<component_obj> top_;     // the top-level component objects, in order
  std::vector<component_obj> copies_;  // the copies inside incidents, in order
  std::vector<uint32_t> list_ids_;     // groups' `components` lists: each id's index, in order
  std::vector<uint32_t> notable_;      // component objects' notable members, in order
  uint64_t component_notable_ = 0;     // the fields a component's writer looks at (0-63)
  std::vector<incident_obj> events_;   // incidents, then maintenances, in order
  uint32_t first_maintenance_ = 0;     // where the maintenances start in events_
  std::vector<uint32_t> affected_ids_;  // each affected component's index (npos: code no string), in order
  std::vector<component_severity> shown_ranks_;  // of the shown top-level components
  std::vector<uint32_t> seen_;  // count_affected(): stamp per component index
  uint32_t stamp_ = 0;
  impact_severity worst_impact_ = impact_severity::none_known;  // of the shown active incidents
  std::string status_literals_[std::size(component_statuses)];
};

}  // namespace

outcome filter_statuspage(filter_context& c) {
  c.plan_disclosure(c.policy.status.disclose);
  status_filter f(c);
  outcome o = f.run();
  if (o != outcome::ok || c.tracing || !c.out) return o;
  if (c.status_json && !f.can_project()) {
    c.projection_refused = true;
    return o;
  }
  f.write(*c.out, c.status_json);
  return o;
}

}  // namespace keyhole::detail
