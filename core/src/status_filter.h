// The status filter's state between its steps (statuspage.cpp learns and
// decides, status_write.cpp writes): the objects the learning pass read, the
// decisions, and what the writer needs to apply them. Internal to the core.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "audience.h"
#include "filter_context.h"
#include "name_index.h"
#include "span_writer.h"
#include "status_fields.h"
#include "text_words.h"

namespace keyhole::detail {

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
inline constexpr std::string_view component_statuses[] = {"operational", "under_maintenance", "degraded_performance",
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
inline constexpr std::string_view impacts[] = {"none", "maintenance", "minor", "major", "critical"};

// The severity named `s` in `names` (indexed by severity), or the enum's -1
// value when `names` does not list it.
template <class Severity, size_t N>
inline Severity severity_of(const std::string_view (&names)[N], std::string_view s) {
  for (size_t i = 0; i < N; ++i)
    if (names[i] == s) return static_cast<Severity>(i);
  return static_cast<Severity>(-1);
}
// The severity of string node `n` (unknown when `n` is absent or no string).
template <class Severity, size_t N>
inline Severity severity_at(const json_tree& t, const std::string_view (&names)[N], uint32_t n) {
  return t.is_string(n) ? severity_of<Severity>(names, t.str(n)) : static_cast<Severity>(-1);
}

inline std::string json_string(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

struct component_info {
  uint32_t group = npos;  // index of the group in comps_, when in one
  // Its `name` (a string node) as its objects give it (status_filter::
  // note_name; status_output::affected_name_disclosure); names_differ: two
  // objects give two names, so the name is not known.
  uint32_t name = npos;
  uint32_t name_size = 0;
  bool names_differ = false;
  bool member_hidden = false;   // a group with a component the viewer may not see (status_output::affected_status_removed)
  bool member_present = false;  // a group with a component at the payload's top level (status_output::group_named_for_viewer)
  component_severity worst = component_severity::unknown;  // a group's worst shown member status, unknown: none
  bool in_group = false;
  bool is_group = false;      // group: true, a components list, or named as a group_id
  bool says_not_group = false;  // group: false
  bool present = false;       // a component object at the top level (SPEC §5 groups)
  bool visible = false;
  text_words name_words;  // the name's bytes, when it has at most 16 (text_words.h)

  void set_name(uint32_t node, std::string_view text) {
    name = node;
    name_size = uint32_t(text.size());
    if (text_words::fits(text.size())) name_words = text_words::of(text);
  }
  // Whether `text` is the name set first: a name of up to 16 bytes is
  // compared by its words, not by the first object's text, which at 16 MB
  // has left the cache by the time an incident's copy names it again.
  bool named(const json_tree& t, std::string_view text) const {
    if (name == npos || text.size() != name_size) return false;
    return text_words::fits(text.size()) ? name_words.same(text) : same_text(t.str(name), text);
  }
};

// SPEC §5: a maintenance is an object with a non-null `scheduled_for`,
// wherever it appears (in `incidents` too); every other one is an incident.
enum class event_kind { incident, maintenance };
inline const char* kind_name(event_kind k) { return k == event_kind::maintenance ? "maintenance" : "incident"; }

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
  bool walk = true;  // the writer walks every member (too many notable ones; spaced text: status_output::write_component)
  // With recompute-status, a top-level component's `status` as learnt, so
  // ranking reads no text again (at 16 MB it has left the cache by then):
  // its severity, and whether the member is there and not null.
  component_severity rank = component_severity::unknown;
  bool status_given = false;
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
  const rule* policy_rule = nullptr;  // the policy's rule for its id (incident_rules), looked up as it was read
  // With recompute-status, as learnt (status_filter::decide_event): whether
  // it is active, its impact's severity, and whether its `status` and
  // `impact` are there and not null.
  bool active = false, status_given = false, impact_given = false;
  impact_severity impact_rank = impact_severity::none_known;
  bool visible = false;
  bool redact = false;  // mixed: redact applies
};

// The kinds disclosure names in a status payload (SPEC §5).
enum class disclose_kind : uint8_t { component, group, incident, maintenance, update, count };
inline constexpr std::string_view kDiscloseKindNames[] = {"component", "group", "incident", "maintenance", "update"};
inline disclose_kind kind_of_event(event_kind k) {
  return k == event_kind::maintenance ? disclose_kind::maintenance : disclose_kind::incident;
}

struct withheld_field {
  uint8_t field;
  const disclose_entry* decider;
};

// What the learning pass read and the decisions, and the helpers both the
// deciding and the writing steps use.
struct status_facts {
  explicit status_facts(filter_context& c) : c_(c), t_(c.t), s_(c.policy.status), cache_(c.t.member_fields()) {}

  // Whether member `m` (field `f`) is copied as it is without further look:
  // no field of `attention`, and a scalar (nothing nested to judge).
  bool plain(const field_set& attention, uint8_t f, uint32_t m) const {
    return !attention.has(f) && !t_.is_object(m) && !t_.is_array(m);
  }

  // The entry that withholds member `m` (field `f`) of an object of `kind`
  // from this viewer, or null. Absent and null members are left alone.
  const disclose_entry* withheld(disclose_kind kind, uint8_t f, uint32_t m) const {
    if (!withheld_mask_[size_t(kind)].has(f) || t_.is_null(m)) return nullptr;
    if (const disclose_entry* d = withheld_listed(kind, f)) return d;
    if (f != kOtherField || !overflow_[size_t(kind)]) return nullptr;
    // A name the table had no room for: binary search among the kind's
    // withheld fields (sorted by member), so a policy withholding W names
    // costs each unknown member O(log W), not O(W).
    auto [first, last] = overflow_range_[size_t(kind)];
    std::string_view name = t_.key(m);
    auto w = std::lower_bound(first, last, name,
                              [](const filter_context::withheld_field& x, std::string_view n) { return x.member < n; });
    return w != last && w->member == name ? w->decider : nullptr;
  }

  // withheld() for a field of the API whose member is present and not null
  // (the learning pass noted so while its text was in cache): no tree read.
  const disclose_entry* withheld_listed(disclose_kind kind, uint8_t f) const {
    for (const withheld_field& w : withheld_[size_t(kind)])
      if (w.field == f) return w.decider;
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

  bool visible_index(uint32_t i) const { return i != npos && comps_[i].visible; }

  filter_context& c_;
  const json_tree& t_;
  const status_section& s_;
  sfield* cache_;  // (set again once the tree is built: building may move it) each member's field, by value node (the tree classified them; read_object settles the rest)
  field_table table_;
  std::vector<withheld_field> withheld_[size_t(disclose_kind::count)];
  field_set withheld_mask_[size_t(disclose_kind::count)];
  bool overflow_[size_t(disclose_kind::count)] = {};
  // Per kind with overflow_, its withheld fields (c_.withheld_of, found once per call).
  std::pair<std::vector<filter_context::withheld_field>::const_iterator,
            std::vector<filter_context::withheld_field>::const_iterator>
      overflow_range_[size_t(disclose_kind::count)];
  field_set component_attention_, group_attention_, event_attention_[2], update_attention_, affected_attention_;
  bool single_ = false;
  uint32_t page_ = npos, status_ = npos, components_ = npos, incidents_ = npos, maintenances_ = npos;
  // Components and groups, indexed in the order the payload first names them
  // (so explain output and error messages do not depend on hash order).
  name_index ids_;
  std::vector<component_info> comps_;  // by index in ids_
  std::vector<component_obj> top_;     // the top-level component objects, in order
  std::vector<component_obj> copies_;  // the copies inside incidents, in order
  std::vector<uint32_t> list_ids_;     // groups' `components` lists: each id's index, in order
  std::vector<uint32_t> notable_;      // component objects' notable members, in order
  uint64_t component_notable_ = 0;     // the fields a component's writer looks at (0-63)
  std::vector<incident_obj> events_;   // incidents, then maintenances, in order
  uint32_t first_maintenance_ = 0;     // where the maintenances start in events_
  std::vector<uint32_t> affected_ids_;  // each affected component's index (npos: code no string), in order
  std::vector<component_severity> shown_ranks_;  // of the shown top-level components whose status the viewer sees
  bool any_hidden_component_ = false;  // the viewer may not see some component the payload names (group_named_for_viewer)
  bool any_shown_component_ = false;  // a top-level component (not a group) is shown: the banner comes from components
  uint8_t old_status_field_ = kOtherField, new_status_field_ = kOtherField;  // affected components' statuses
  uint8_t incident_id_field_ = kOtherField;  // an update's copy of its event's id
  uint8_t custom_tweet_field_ = kOtherField;  // an update's copy of its body (round 12 F3)
  // An event's times of status changes (status_output::event_disclosure).
  uint8_t status_time_fields_[3] = {kOtherField, kOtherField, kOtherField};
  impact_severity worst_impact_ = impact_severity::none_known;  // of the shown active incidents
  std::string status_literals_[std::size(component_statuses)];
};

// Step 3: the output, written in document order as decided.
class status_output : public status_facts {
 public:
  using status_facts::status_facts;

  // The page banner (`status.indicator`, `status.description`), from the
  // shown components when there are any, else from the shown active incidents.
  struct banner {
    std::string_view indicator, description;
  };

  // Each writes one part of the payload; status_write.cpp says how.
  bool can_project() const;
  void write(std::string& out, bool status_json);
  size_t output_bound() const;
  static void write_withheld(span_writer& w, span_writer::list& l, uint32_t m, const disclose_entry* d);
  void write_page(span_writer& w, span_writer::list& root, uint32_t page);
  void write_status(span_writer& w, span_writer::list& root, uint32_t status);
  void write_banner_member(span_writer& w, span_writer::list& l, uint32_t m, bool indicator);
  void write_components(span_writer& w, span_writer::list& root, uint32_t list);
  void write_component(span_writer& w, span_writer::list& parent, const component_obj& o);
  void write_group_list(span_writer& w, span_writer::list& parent, const component_obj& o);
  const std::string& status_literal(component_severity worst);
  void write_events(span_writer& w, span_writer::list& root, uint32_t list, uint32_t first);
  void write_event(span_writer& w, const incident_obj& ev);
  void write_copies(span_writer& w, span_writer::list& parent, const incident_obj& ev);
  void write_updates(span_writer& w, span_writer::list& parent, const incident_obj& ev);
  void write_update(span_writer& w, uint32_t u, const incident_obj& ev, uint32_t& affected);
  const disclose_entry* update_disclosure(const incident_obj& ev, uint8_t f, uint32_t m) const;
  const disclose_entry* event_disclosure(const incident_obj& ev, uint8_t f, uint32_t m) const;
  void write_redacted(span_writer& w, span_writer::list& l, uint32_t body);
  void write_affected_list(span_writer& w, span_writer::list& parent, uint32_t list, uint32_t first);
  void write_affected(span_writer& w, uint32_t a, const component_info& c);
  const disclose_entry* component_disclosure(bool group, sfield f, uint32_t m) const;
  const disclose_entry* affected_name_disclosure(const component_info& c, uint32_t m) const;
  bool is_own_name(const component_info& c, uint32_t name) const;
  bool group_named_for_viewer(const component_info& c) const;
  bool affected_status_removed(const component_info& c, uint32_t m) const;
  bool redacted_member(const incident_obj& ev, uint8_t f, uint32_t m) const;
  const disclose_entry* group_id_disclosure(const component_info& c, uint32_t m) const;
  static banner banner_of(const std::vector<component_severity>& shown);
  static banner banner_of(impact_severity worst);
  void write_component_member(span_writer& w, span_writer::list& l, const component_obj& o, const component_info& info,
                              const field_set& attention, uint32_t m);
};

}  // namespace keyhole::detail
