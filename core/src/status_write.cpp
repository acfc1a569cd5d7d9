// The status filter's output (step 3): every member's fate from its field
// number, written in document order; kept runs are copied as spans.
#include <algorithm>

#include "status_filter.h"

namespace keyhole::detail {
namespace {

// What a withheld member with no entry to supply a text gets: removal
// (a hidden group's name or id in a copy, round 12 F1).
const disclose_entry kRemovedWithoutText{};

}  // namespace

// Whether the status.json projection (SPEC §5) has what it needs: a status
// object and components.
bool status_output::can_project() const {
  return t_.is_object(t_.member(0, "status")) && t_.member(0, "components") != npos;
}

// Room for the output, so that the writer rarely regrows it: the payload
// less the hidden components and events, which go whole (their text is
// skipped, never replaced), and an eighth more for what the writer adds (a
// group's derived status, a banner, a disclosure's replacement text may be
// longer than what they replace; the EarlyLearning pages add 0.1%), never
// more than the payload's own size, which was reserved before. Past the
// room the string grows, which costs time and a copy, never bytes of output.
// Below kBoundFrom the payload's size is reserved as it is: the loop over
// every object costs more than the memory it saves. Above it the room not
// reserved is memory a WebAssembly instance never gives back (a 16 MB
// summary of which half is hidden: wasm memory 71.9 -> 67.9 MiB).
size_t status_output::output_bound() const {
  constexpr size_t kBoundFrom = 1 << 20;
  size_t whole = t_.span(0).size() + 64;
  if (whole < kBoundFrom || single_) return whole;
  size_t kept = whole;
  for (const component_obj& o : top_)
    if (!comps_[o.index].visible) kept -= t_.span(o.node).size();
  for (const incident_obj& ev : events_)
    if (!ev.visible) kept -= t_.span(ev.node).size();
  return std::min(whole, kept + kept / 8);
}

// The output, in document order, as decided.
void status_output::write(std::string& out, bool status_json) {
  out.reserve(output_bound());
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

// A withheld member: removed, or its value replaced by the entry's text.
void status_output::write_withheld(span_writer& w, span_writer::list& l, uint32_t m, const disclose_entry* d) {
  if (!d->has_replace) return w.skip(l);
  w.start(l, m);
  w.text(d->replace_raw);
}

// `page` describes the page (id, name, url, time zone); nothing that could
// hold a resource is copied. A webhook's `page` also repeats the banner
// (`status_indicator`, `status_description`): with recompute-status those
// are the derived banner's, as in `status` (review finding S-F2).
void status_output::write_page(span_writer& w, span_writer::list& root, uint32_t page) {
  if (!t_.is_object(page)) return holds_an_object(page) ? w.skip(root) : w.keep(root, page);
  w.start(root, page);
  span_writer::list l = w.open(page);
  for (uint32_t m = t_.first_child(page); m != npos; m = t_.next_member(m)) {
    std::string_view k = s_.recompute_status ? t_.key(m) : std::string_view{};
    if (k == "status_indicator" || k == "status_description") write_banner_member(w, l, m, k == "status_indicator");
    else holds_an_object(m) ? w.skip(l) : w.keep(l, m);
  }
  w.close(l);
}

// The banner: the filter reads at most its indicator and description, so,
// as in `page`, what nests an object is not copied; with recompute-status
// both are derived from what the viewer sees.
void status_output::write_status(span_writer& w, span_writer::list& root, uint32_t status) {
  w.start(root, status);
  span_writer::list l = w.open(status);
  for (uint32_t m = t_.first_child(status); m != npos; m = t_.next_member(m)) {
    std::string_view k = s_.recompute_status ? t_.key(m) : std::string_view{};
    if (k == "indicator" || k == "description") write_banner_member(w, l, m, k == "indicator");
    else holds_an_object(m) ? w.skip(l) : w.keep(l, m);
  }
  w.close(l);
}

// Member `m` as the derived banner's indicator or description.
void status_output::write_banner_member(span_writer& w, span_writer::list& l, uint32_t m, bool indicator) {
  banner b = any_shown_component_ ? banner_of(shown_ranks_) : banner_of(worst_impact_);
  w.start(l, m);
  w.text(json_string(indicator ? b.indicator : b.description));
}

void status_output::write_components(span_writer& w, span_writer::list& root, uint32_t list) {
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
void status_output::write_component(span_writer& w, span_writer::list& parent, const component_obj& o) {
  const component_info& info = comps_[o.index];
  if (!info.visible) return w.skip(parent);
  w.start(parent, o.node);
  span_writer::list l = w.open(o.node);
  const field_set& attention = info.is_group ? group_attention_ : component_attention_;
  if (o.walk || !t_.compact()) {  // spaced text: known only once the tree is built, after learning began
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

void status_output::write_group_list(span_writer& w, span_writer::list& parent, const component_obj& o) {
  w.start(parent, o.list);
  span_writer::list l = w.open(o.list);
  uint32_t k = o.list_first;
  for (uint32_t e = t_.first_child(o.list); e != npos; e = t_.next_sibling(o.list, e)) {
    if (!visible_index(list_ids_[k++])) w.skip(l);
    // Each entry is a component's id: its `id` disclosure covers it (S-F4).
    else if (const disclose_entry* d = withheld(disclose_kind::component, field_no(sfield::id), e)) write_withheld(w, l, e, d);
    else w.keep(l, e);
  }
  w.close(l);
}

// A shown group has a shown present member, so `worst` is known; fail towards "operational" anyway.
const std::string& status_output::status_literal(component_severity worst) {
  size_t i = size_t(std::max(worst, component_severity::operational));
  if (status_literals_[i].empty()) status_literals_[i] = json_string(component_statuses[i]);
  return status_literals_[i];
}

void status_output::write_events(span_writer& w, span_writer::list& root, uint32_t list, uint32_t first) {
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
void status_output::write_event(span_writer& w, const incident_obj& ev) {
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
    else if (const disclose_entry* d = event_disclosure(ev, f, m)) write_withheld(w, l, m, d);
    else if (m == ev.components && t_.is_array(m)) write_copies(w, l, ev);
    else if (m == ev.updates && t_.is_array(m)) write_updates(w, l, ev);
    else w.keep(l, m);
  }
  w.close(l);
}

void status_output::write_copies(span_writer& w, span_writer::list& parent, const incident_obj& ev) {
  w.start(parent, ev.components);
  span_writer::list l = w.open(ev.components);
  for (uint32_t k = ev.copies_first; k < ev.copies_end; ++k) write_component(w, l, copies_[k]);
  w.close(l);
}

void status_output::write_updates(span_writer& w, span_writer::list& parent, const incident_obj& ev) {
  w.start(parent, ev.updates);
  span_writer::list l = w.open(ev.updates);
  uint32_t affected = ev.affected_first;  // the next affected component's index
  for (uint32_t u = t_.first_child(ev.updates); u != npos; u = t_.next_sibling(ev.updates, u)) {
    w.start(l, u);
    write_update(w, u, ev, affected);
  }
  w.close(l);
}

// One update: `mixed: redact` first, disclosure of `update` after (SPEC §5),
// then the unread-nested rule; its affected components keep the shown ones.
// A body redacted without `redact-text` is removed, and disclosure leaves an
// absent member alone; one redacted to the text is then disclosed like any
// body (a withheld one removed or replaced). `custom_tweet`, the body's copy,
// goes the same way (round 12 F3). `affected` runs over the learnt
// indexes of the event's affected components, whether or not this update's
// list is written.
void status_output::write_update(span_writer& w, uint32_t u, const incident_obj& ev, uint32_t& affected) {
  const bool redact = ev.redact;
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
    bool redacted = redact && redacted_member(ev, f, m);
    if (f != field_no(sfield::affected_components) && holds_an_object(m)) w.skip(l);
    else if (redacted && !s_.has_redact_text) w.skip(l);
    else if (const disclose_entry* d = update_disclosure(ev, f, m)) write_withheld(w, l, m, d);
    else if (redacted) write_redacted(w, l, m);
    else if (affected_list) write_affected_list(w, l, m, first);
    else w.keep(l, m);
  }
  w.close(l);
}

// Whether `mixed: redact` replaces member `m` (field `f`) of an update of
// `ev`: its body, and `custom_tweet`, the text Statuspage posts for the
// update, which repeats the body (round 12 F3). Null ones say nothing.
bool status_output::redacted_member(const incident_obj& ev, uint8_t f, uint32_t m) const {
  bool text = f == field_no(sfield::body) || (f == custom_tweet_field_ && f != kOtherField);
  return ev.redact && text && !t_.is_null(m);
}

// What withholds member `m` (field `f`) of event `ev`: its own entries,
// then, for the times its status changed (`monitoring_at`, `resolved_at`,
// `postmortem_published_at`: a non-null one tells the status), its
// `status` entries (review round 9, R9-7).
const disclose_entry* status_output::event_disclosure(const incident_obj& ev, uint8_t f, uint32_t m) const {
  if (const disclose_entry* d = withheld(kind_of_event(ev.kind), f, m)) return d;
  if (f != kOtherField && std::find(std::begin(status_time_fields_), std::end(status_time_fields_), f) != std::end(status_time_fields_))
    return withheld(kind_of_event(ev.kind), field_no(sfield::status), m);
  return nullptr;
}

// What withholds member `m` (field `f`) of an update of `ev`: the update's
// own entries first, then its event's for what an update repeats of it: its
// `status` (the event's status at that time) and `incident_id` (the event's
// `id`), so withholding those on the event withholds them everywhere
// (review finding S-F5, S-F4); and, for `custom_tweet`, the update's own
// `body` entries, since it repeats the body (round 12 F3).
const disclose_entry* status_output::update_disclosure(const incident_obj& ev, uint8_t f, uint32_t m) const {
  if (const disclose_entry* d = withheld(disclose_kind::update, f, m)) return d;
  if (f == field_no(sfield::status)) return withheld(kind_of_event(ev.kind), f, m);
  if (f == custom_tweet_field_ && f != kOtherField) return withheld(disclose_kind::update, field_no(sfield::body), m);
  if (f == incident_id_field_) return withheld(kind_of_event(ev.kind), field_no(sfield::id), m);
  return nullptr;
}

// `mixed: redact` with `redact-text`: an update's body replaced by it.
void status_output::write_redacted(span_writer& w, span_writer::list& l, uint32_t body) {
  w.start(l, body);
  w.text(s_.redact_text_raw);
}

void status_output::write_affected_list(span_writer& w, span_writer::list& parent, uint32_t list, uint32_t first) {
  w.start(parent, list);
  span_writer::list l = w.open(list);
  uint32_t k = first;
  for (uint32_t a = t_.first_child(list); a != npos; a = t_.next_sibling(list, a)) {
    uint32_t index = affected_ids_[k++];
    if (!visible_index(index)) {
      w.skip(l);
      continue;
    }
    w.start(l, a);
    write_affected(w, a, comps_[index]);
  }
  w.close(l);
}

// The disclosure of field `f` of a component, or of a group (`group`):
// the group's entry, when it withholds the field, as on a group's own object.
const disclose_entry* status_output::component_disclosure(bool group, sfield f, uint32_t m) const {
  const disclose_entry* d = withheld(disclose_kind::component, field_no(f), m);
  if (group)
    if (const disclose_entry* g = withheld(disclose_kind::group, field_no(f), m)) d = g;
  return d;
}

// What withholds an affected component's `name` from the viewer. The name
// is its component's (or, when the code is a group's, its group's). For a
// grouped component Statuspage writes "<group name> - <component name>",
// and the payload need not say which group (an incident's `components` may
// be `[]`, a component may have moved). So a component's entry keeps any
// other text than the name its own objects give (which the viewer sees
// anyway) only while the viewer may know its group's name and `group.name`
// is not withheld (group_named_for_viewer): otherwise the text may hold the
// name of a group the viewer may not see (review findings S-F1, round 9
// R9-2, round 12 F1). A `group.name` entry that withholds it supplies the
// text; with none, the name is removed.
const disclose_entry* status_output::affected_name_disclosure(const component_info& c, uint32_t m) const {
  const disclose_entry* d = component_disclosure(c.is_group, sfield::name, m);
  if (d || c.is_group || is_own_name(c, m)) return d;
  if (const disclose_entry* g = withheld(disclose_kind::group, field_no(sfield::name), m)) return g;
  return group_named_for_viewer(c) || t_.is_null(m) ? nullptr : &kRemovedWithoutText;
}

// Whether the viewer may know the name and id of component `c`'s group: the
// group is shown; or no component of it stands at the payload's top level
// (incidents.json, a single incident: SPEC §5 then hides the group object,
// for its status could only come from components it cannot see) and the
// viewer sees every component the payload places in it, so nothing of the
// group is hidden from them (round 12 F1). With no group known, the name
// may be any group's: only a viewer who sees every component of the payload.
bool status_output::group_named_for_viewer(const component_info& c) const {
  if (!c.in_group) return !any_hidden_component_;
  const component_info& group = comps_[c.group];
  return group.visible || (!group.member_present && !group.member_hidden);
}

// Whether an affected entry's status member `m` (`old_status`, `new_status`)
// is removed: with recompute-status a group's status is derived from the
// members the viewer sees, and a captured one of a group with a hidden
// member may come from that member (round 12 F2). Removed, not rewritten:
// the status at the update's time cannot be derived from today's.
bool status_output::affected_status_removed(const component_info& c, uint32_t m) const {
  return s_.recompute_status && c.is_group && c.member_hidden && !t_.is_null(m);
}

// Whether string `name` is the name the component's objects give (one name:
// objects giving two leave none known).
bool status_output::is_own_name(const component_info& c, uint32_t name) const {
  return !c.names_differ && t_.is_string(name) && c.named(t_, t_.str(name));
}

// A shown affected component: the name, code and statuses it repeats
// (`old_status`, `new_status`) follow the `name`, `id` and `status`
// disclosure of its component, or of its group when the code is a group's
// (docs/decisions.md; review findings F4, B1, S-F1, S-F4); a group's
// statuses go while one of its members is hidden (round 12 F2); what nests
// an object goes.
void status_output::write_affected(span_writer& w, uint32_t a, const component_info& c) {
  span_writer::list l = w.open(a);
  for (uint32_t m = t_.first_child(a); m != npos; m = t_.next_member(m)) {
    uint8_t f = uint8_t(cache_[m]);
    if (plain(affected_attention_, f, m)) {
      w.keep(l, m);
      continue;
    }
    const disclose_entry* d = nullptr;
    bool status = f == old_status_field_ || f == new_status_field_;
    if (f == field_no(sfield::name)) d = affected_name_disclosure(c, m);
    else if (f == field_no(sfield::code)) d = component_disclosure(c.is_group, sfield::id, m);
    else if (status) d = component_disclosure(c.is_group, sfield::status, m);
    if (holds_an_object(m) || (status && affected_status_removed(c, m))) w.skip(l);
    else if (d) write_withheld(w, l, m, d);
    else w.keep(l, m);
  }
  w.close(l);
}

status_output::banner status_output::banner_of(const std::vector<component_severity>& shown) {
  // Shown components whose statuses are all withheld: nothing seen is amiss.
  if (shown.empty()) return {"none", "All Systems Operational"};
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

status_output::banner status_output::banner_of(impact_severity worst) {
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

void status_output::write_component_member(span_writer& w, span_writer::list& l, const component_obj& o,
                                           const component_info& info, const field_set& attention, uint32_t m) {
  uint8_t f = uint8_t(cache_[m]);
  if (plain(attention, f, m)) return w.keep(l, m);
  const disclose_entry* d = withheld(disclose_kind::component, f, m);
  bool nested = f != field_no(sfield::components) && holds_an_object(m);
  if (info.is_group)
    if (const disclose_entry* g = withheld(disclose_kind::group, f, m)) d = g, nested = false;
  if (!d && f == field_no(sfield::group_id)) d = group_id_disclosure(info, m);
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

// A component's `group_id` is its group's id: removed while the viewer may
// not know that group (group_named_for_viewer), since it names a resource
// the viewer may not see (round 12 F1). A group is a component object too:
// the `id` disclosure of components, then of groups, covers it (S-F4).
const disclose_entry* status_output::group_id_disclosure(const component_info& c, uint32_t m) const {
  if (c.in_group && !group_named_for_viewer(c) && !t_.is_null(m)) return &kRemovedWithoutText;
  if (const disclose_entry* d = withheld(disclose_kind::component, field_no(sfield::id), m)) return d;
  return withheld(disclose_kind::group, field_no(sfield::id), m);
}

}  // namespace keyhole::detail
