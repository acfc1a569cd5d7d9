// Status payloads (SPEC §5, Atlassian Statuspage API v2 shape): learning
// the payload and deciding it; status_write.cpp writes the result.
#include <algorithm>
#include <string>

#include "status_filter.h"

namespace keyhole::detail {

// Steps 1 and 2: learn the payload (each object read once), then decide.
// Learning may begin while the tree is built (learn_window, below).
class status_filter : public status_output {
 public:
  explicit status_filter(filter_context& c) : status_output(c) { plan_fields(); }

  outcome run() {
    cache_ = t_.member_fields();  // building may have moved it since the constructor
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
    // A `page` repeating the banner, with nothing to recompute it from, is
    // rejected the same way (review round 9, R9-6).
    if (s_.recompute_status && components_ == npos && incidents_ == npos && maintenances_ == npos && t_.is_object(page_) &&
        (t_.member(page_, "status_indicator") != npos || t_.member(page_, "status_description") != npos))
      return c_.reject("page carries a status but no components or incidents, so it cannot be recomputed");

    // 1. Learn every component and group the payload mentions (each object read once).
    if (components_ != npos) {
      if (!t_.is_array(components_)) return c_.reject("components must be an array", components_);
      // Room for about as many components as the list's bytes hold (a real
      // one is ~300 bytes): counting them would walk every element's node,
      // one cache miss each at 16 MB, before the walk that reads them.
      reserve_components(t_.span(components_).size());
      if (!resume(early_phase::components, components_)) return outcome::rejected;
      for (uint32_t e = early_.first; e != npos; e = t_.next_sibling(components_, e))
        if (!learn_component(e, true)) return outcome::rejected;
    }
    for (uint32_t list : {incidents_, maintenances_}) {
      if (list == npos) continue;
      if (!t_.is_array(list)) return c_.reject("incidents and scheduled_maintenances must be arrays", list);
      early_phase phase = list == maintenances_ ? early_phase::maintenances : early_phase::incidents;
      if (list == maintenances_ && early_.list[size_t(phase)] != list) first_maintenance_ = uint32_t(events_.size());
      if (!resume(phase, list)) return outcome::rejected;
      for (uint32_t e = early_.first; e != npos; e = t_.next_sibling(list, e))
        if (!learn_incident(e)) return outcome::rejected;
    }
    if (!check_groups()) return outcome::rejected;

    // 2. Decide components, then groups, then every incident and maintenance.
    decide_all();
    if (!rank_shown_components()) return outcome::rejected;
    for (incident_obj& ev : events_)
      if (!decide_event(ev)) return outcome::rejected;
    // `page` and `status` are read member by member to decide what is kept
    // (SPEC §8: duplicates in any object read mean no output; review F6).
    if (status_ != npos && !t_.unique_keys(status_)) return c_.reject("duplicate member in status", status_);
    if (t_.is_object(page_) && !t_.unique_keys(page_)) return c_.reject("duplicate member in page", page_);
    return outcome::ok;
  }

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
      if (f == kOtherField) {
        if (!overflow_[k]) overflow_range_[k] = c_.withheld_of(kDiscloseKindNames[k]);
        overflow_[k] = true;
      } else {
        withheld_[k].push_back(withheld_field{f, w.decider});
      }
      withheld_mask_[k].add(f);  // `other` too: such names are compared as text
    }
    // Per kind of object written, the fields whose member needs more than
    // a copy (besides what nests an object): withheld, or read by the rewrite.
    auto mask = [&](disclose_kind k) { return withheld_mask_[size_t(k)]; };
    component_attention_ = mask(disclose_kind::component);
    // A component's `group_id` is a group's id: it follows the group's
    // visibility (round 12 F1) and the `id` disclosure (S-F4).
    bool ids_withheld = component_attention_.has(field_no(sfield::id)) || mask(disclose_kind::group).has(field_no(sfield::id));
    component_attention_.add(field_no(sfield::group_id));
    group_attention_ = component_attention_;
    for (uint8_t i = 0; i < 2; ++i) group_attention_.w[i] |= mask(disclose_kind::group).w[i];
    group_attention_.add(field_no(sfield::components));
    group_attention_.add(field_no(sfield::status));
    const char* status_times[] = {"monitoring_at", "resolved_at", "postmortem_published_at"};
    for (size_t i = 0; i < std::size(status_times); ++i) status_time_fields_[i] = table_.classify_bounded(status_times[i]);
    for (disclose_kind k : {disclose_kind::incident, disclose_kind::maintenance}) {
      field_set& a = event_attention_[k == disclose_kind::maintenance];
      a = mask(k);
      a.add(field_no(sfield::components));
      a.add(field_no(sfield::incident_updates));
      // The times an event's status changed tell the status (R9-7).
      // (API names, so never `other`: that would draw every unknown member in.)
      if (mask(k).has(field_no(sfield::status)))
        for (uint8_t f : status_time_fields_)
          if (f != kOtherField) a.add(f);
    }
    update_attention_ = mask(disclose_kind::update);
    update_attention_.add(field_no(sfield::affected_components));
    update_attention_.add(field_no(sfield::body));
    // `custom_tweet` repeats the body: redacted and disclosed with it (round 12 F3).
    custom_tweet_field_ = table_.classify_bounded("custom_tweet");
    if (custom_tweet_field_ != kOtherField) update_attention_.add(custom_tweet_field_);
    // An update repeats its event's status and id (`incident_id`): the
    // event's disclosure of those covers them there too (S-F4, S-F5).
    incident_id_field_ = table_.classify_bounded("incident_id");
    for (disclose_kind k : {disclose_kind::incident, disclose_kind::maintenance}) {
      if (mask(k).has(field_no(sfield::status))) update_attention_.add(field_no(sfield::status));
      if (mask(k).has(field_no(sfield::id)) && incident_id_field_ != kOtherField) update_attention_.add(incident_id_field_);
    }
    // An affected component repeats its component's name and statuses
    // (`old_status`, `new_status`): their disclosure covers them there too.
    // Its name may hold a group's, so it is always read (round 12 F1:
    // affected_name_disclosure), and a group's statuses are derived from its
    // members with recompute-status (round 12 F2: affected_status_removed).
    auto withheld_for_components = [&](sfield f) {
      return mask(disclose_kind::component).has(field_no(f)) || mask(disclose_kind::group).has(field_no(f));
    };
    affected_attention_.add(field_no(sfield::name));
    if (ids_withheld) affected_attention_.add(field_no(sfield::code));
    old_status_field_ = table_.classify_bounded("old_status");
    new_status_field_ = table_.classify_bounded("new_status");
    if (withheld_for_components(sfield::status) || s_.recompute_status) {
      affected_attention_.add(old_status_field_);
      affected_attention_.add(new_status_field_);
    }
    component_notable_ = group_attention_.w[0];  // fields 0-63; the others are always notable
  }

  bool read(uint32_t obj, uint32_t (&at)[kStructuralFields]) { return read_object(t_, table_, obj, at); }
  static uint32_t at_of(const uint32_t (&at)[kStructuralFields], sfield f) { return at[size_t(f)]; }

  // `top_level`: the object stands in the payload's own `components` list,
  // so it is present (SPEC §5); copies inside incidents are not.
  bool learn_component(uint32_t obj, bool top_level = false) {
    if (!t_.is_object(obj)) return fail("a component must be an object", obj);
    uint32_t at[kStructuralFields];
    notable_members notable;
    notable.mask = component_notable_;
    if (!read_object(t_, table_, obj, at, &notable)) return fail("duplicate member in a component", obj);
    uint32_t id = at_of(at, sfield::id), gid = at_of(at, sfield::group_id), g = at_of(at, sfield::group);
    uint32_t list = at_of(at, sfield::components), status = at_of(at, sfield::status);
    if (!t_.is_string(id)) return fail("a component needs a string id", obj);
    uint32_t self = entry(t_.str(id));
    component_obj o{obj, self, status, list, uint32_t(list_ids_.size()), uint32_t(notable_.size()), notable.count,
                    notable.overflow};
    notable_.insert(notable_.end(), notable.node, notable.node + notable.count);
    if (top_level && s_.recompute_status) {
      o.rank = severity_at<component_severity>(t_, component_statuses, status);
      o.status_given = status != npos && !t_.is_null(status);
    }
    if (top_level) comps_[self].present = true;
    note_name(comps_[self], at_of(at, sfield::name));
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
      uint32_t ahead = ids_.prefetch_pays() ? t_.first_child(list) : npos;
      for (int k = 0; k < kPrefetchAhead && ahead != npos; ++k, ahead = t_.next_sibling(list, ahead))
        prefetch_id(ahead);
      for (uint32_t m = t_.first_child(list); m != npos; m = t_.next_sibling(list, m)) {
        if (!t_.is_string(m)) return fail("a group's components must be a list of ids", m);
        if (ahead != npos) {
          prefetch_id(ahead);
          ahead = t_.next_sibling(list, ahead);
        }
        uint32_t member = entry(t_.str(m));
        list_ids_.push_back(member);  // the rewrite keeps the shown ones
        if (!assign_group(member, self)) return false;
      }
    }
    (top_level ? top_ : copies_).push_back(o);
    return true;
  }

  // Starts fetching the id table's slots for the first copies an incident
  // lists, before they are read: at 16 MB each lookup would otherwise wait
  // on memory in turn. Only a hint: ids the tree left unread are skipped.
  void prefetch_copy_ids(uint32_t list) const {
    const sfield* fields = t_.member_fields();
    if (!fields || !ids_.prefetch_pays()) return;
    int k = 0;
    for (uint32_t e = t_.first_child(list); e != npos && k < kPrefetchAhead; e = t_.next_sibling(list, e), ++k) {
      if (!t_.is_object(e)) continue;
      for (uint32_t m = t_.first_child(e); m != npos; m = t_.next_member(m))
        if (fields[m] == sfield::id) {
          prefetch_id(m);
          break;
        }
    }
  }
  // The prefetch of id node n's slot (the hash is computed again by entry():
  // keeping it would cost a ring of pending hashes for ~15 instructions).
  void prefetch_id(uint32_t n) const {
    if (t_.is_string(n)) ids_.prefetch(name_index::hash(t_.str(n)));
  }

  // The name an object gives its component or group (component_info::name).
  void note_name(component_info& c, uint32_t name) {
    if (!t_.is_string(name)) return;
    if (c.name == npos) c.set_name(name, t_.str(name));
    else if (!c.names_differ && !c.named(t_, t_.str(name))) c.names_differ = true;
  }

  // Rejects the payload; for the bool-returning steps. While the tree is
  // built the rejection waits for run() to reach the same step (resume).
  bool fail(std::string why, uint32_t node = npos) {
    if (early_.learning) {
      early_.failed = true;
      early_.why = std::move(why);
      early_.node = node;
      return false;
    }
    c_.reject(std::move(why), node);
    return false;
  }

  // The index of component or group `id`, added when first named (bounded
  // cost even for ids built to collide: name_index.h). Ids are indexed in
  // the order first named, and a page names them again in that order (a
  // group lists its components, which then follow it), so the index after
  // the last one returned is compared first: a hit costs one comparison and
  // no probe of a table that outgrows the cache at 16 MB.
  // A new id's policy rule is looked up then, with the same hash, while its
  // bytes are in cache (deciding later reads no id text).
  uint32_t entry(std::string_view id) {
    uint32_t next = last_entry_ + 1;
    if (next < ids_.size() && ids_.holds(next, id)) return last_entry_ = next;
    uint64_t h = name_index::hash(id);
    bool inserted = false;
    uint32_t i = ids_.insert(id, h, inserted);
    if (inserted) {
      comps_.emplace_back();
      rules_.push_back(s_.components.find(id, h));
    }
    return last_entry_ = i;
  }

  // entry() for an update's affected code, which mostly names the component
  // its incident has just listed: compared first, so that lookup reads no
  // table (at 16 MB one that has left the cache).
  uint32_t affected_entry(std::string_view code) {
    if (last_entry_ < ids_.size() && ids_.holds(last_entry_, code)) return last_entry_;
    return entry(code);
  }

  // entry() for a group_id: components of one group stand together, so the
  // last group named is remembered and its id compared, not hashed again.
  uint32_t group_entry(std::string_view gid) {
    if (last_group_ == npos || !same_text(gid, last_group_id_)) {
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
                    uint32_t(copies_.size()), 0, uint32_t(affected_ids_.size()), 0,
                    s_.incident_rules.find(t_.str(id))};  // while the id is in cache
    if (s_.recompute_status) note_activity(ev);
    if (list != npos && !t_.is_null(list)) {
      if (!t_.is_array(list)) return fail("an incident's components must be an array", list);
      prefetch_copy_ids(list);
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
      affected_ids_.push_back(t_.is_string(code) ? affected_entry(t_.str(code)) : npos);
    }
    return true;
  }

  // What the banner needs of an event (decide_event), read while its text
  // is in cache.
  void note_activity(incident_obj& ev) const {
    ev.status_given = ev.status != npos && !t_.is_null(ev.status);
    ev.impact_given = ev.impact != npos && !t_.is_null(ev.impact);
    std::string_view status = t_.is_string(ev.status) ? t_.str(ev.status) : std::string_view{};
    ev.active = ev.kind == event_kind::maintenance ? (status == "in_progress" || status == "verifying")
                                                   : (status != "resolved" && status != "postmortem");
    ev.impact_rank = severity_at<impact_severity>(t_, impacts, ev.impact);
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

  // The policy's rule for component or group `i` (null: none), looked up
  // when the id was first named (entry()).
  const rule* component_rule(uint32_t i) const { return rules_[i]; }
  void decide_all() {
    for (uint32_t i = 0; i < comps_.size(); ++i) {
      component_info& info = comps_[i];
      if (info.is_group) continue;
      std::string_view id = ids_.name(i);
      decision d;  // each rule's step is evaluated once per call (rule_steps), traced when explaining
      if (s_.has_default) apply_rule(c_.steps, s_.default_rule, d, c_.tracing, [] { return "default"; });
      if (info.in_group) {
        std::string_view group = ids_.name(info.group);
        if (const rule* r = component_rule(info.group))
          apply_rule(c_.steps, *r, d, c_.tracing, [&] { return "group:" + std::string(group); });
      }
      if (const rule* r = component_rule(i))
        apply_rule(c_.steps, *r, d, c_.tracing, [&] { return "component:" + std::string(id); });
      finish_decision(d, c_.m.who().has_grant("component", id));
      info.visible = d.visible();
      if (c_.log) c_.record(explained{"component", std::string(id), info.visible, std::move(d), {}, {}});
    }
    // A group is shown iff one of its components present at the top level is
    // shown; ids only listed are absent (SPEC §5): the status of a group
    // could otherwise only come from hidden or unknown components.
    // A group with a hidden member has a captured status the viewer cannot
    // derive (round 12 F2: affected_status_removed).
    for (const component_info& member : comps_) {
      if (member.is_group) continue;
      if (!member.visible) any_hidden_component_ = true;
      if (!member.in_group) continue;
      component_info& group = comps_[member.group];
      if (member.present && member.visible) group.visible = true;
      if (member.present) group.member_present = true;
      if (!member.visible) group.member_hidden = true;
    }
    if (c_.log)
      for (uint32_t i = 0; i < comps_.size(); ++i)
        if (comps_[i].is_group)
          c_.record(explained{"group", std::string(ids_.name(i)), comps_[i].visible, {}, {},
                              "shown iff a component of it present at the top level is shown", mixed_mode::show, true});
  }

  // Whether field `f` of an object of `kind`, `given` (present and not
  // null, as learnt), is withheld from this viewer. A derived value (the banner, a group's status) is
  // computed from what the viewer sees only (SPEC §5), so a withheld status
  // or impact counts no more than a hidden component (review finding F5).
  bool unseen(disclose_kind kind, sfield f, bool given) const {
    return given && withheld_mask_[size_t(kind)].has(field_no(f)) && withheld_listed(kind, field_no(f)) != nullptr;
  }

  // Shown top-level components decide the banner and their groups' statuses.
  bool rank_shown_components() {
    if (!s_.recompute_status) return true;
    for (const component_obj& o : top_) {
      const component_info& c = comps_[o.index];
      if (!c.visible || c.is_group) continue;
      any_shown_component_ = true;
      if (unseen(disclose_kind::component, sfield::status, o.status_given)) continue;
      component_severity r = o.rank;
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
        apply_rule(c_.steps, *r, d, c_.tracing,
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
    if (const rule* r = ev.policy_rule)
      apply_rule(c_.steps, *r, d, c_.tracing, [&] { return "rules:" + std::string(id); });
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
    disclose_kind kind = kind_of_event(ev.kind);
    if (unseen(kind, sfield::status, ev.status_given) || unseen(kind, sfield::impact, ev.impact_given)) return true;
    if (!ev.active) return true;
    impact_severity r = ev.impact_rank;
    if (r == impact_severity::none_known)
      return fail("an incident impact is missing or unknown, so the page status cannot be recomputed", ev.node);
    worst_impact_ = std::max(worst_impact_, r);
    return true;
  }

  // Room for about as many components as `bytes` of list hold (a real one
  // is ~300 bytes): counting them would walk every element's node, one cache
  // miss each at 16 MB, before the walk that reads them. Only ever enlarges.
  void reserve_components(size_t bytes) {
    size_t listed = bytes / kBytesPerComponentGuess;
    ids_.reserve(listed);
    comps_.reserve(listed);
    rules_.reserve(listed);
    top_.reserve(listed);
  }

 public:
  // Learning while the tree is built (status_run is json_tree::build's
  // observer). At 16 MB the nodes and text of a list have left the cache by
  // the time the tree is done, and learning waited on memory for every
  // object; a window after it is built they are still there. The lists are
  // learnt in run()'s order (components, then incidents, then maintenances,
  // each element once, in order), so the indexes, decisions and errors are
  // those of learning after the parse: a list is learnt early only when
  // every list before it in that order came before it in the text, and a
  // failure waits for run() to reach it (resume). An element holding a
  // string with an escape stops early learning (that string's view would be
  // in a buffer the build may still move); run() learns the rest.
  void learn_window(uint32_t built, uint32_t open_member, uint32_t open_element) {
    if (early_.phase == early_phase::stopped || built < 2 || !t_.is_object(0)) return;
    early_.learning = true;
    while (early_.phase != early_phase::stopped) {
      uint32_t m = early_.member == npos ? t_.first_child(0) : early_.member;
      if (m == npos || m >= built) break;  // the root's next member is not built yet
      early_.member = m;
      if (!early_.member_read && !learn_member(m, built, m == open_member, open_element)) break;
      early_.member_read = true;
      if (m == open_member || t_.end(m) >= built) break;  // what follows it is not built yet
      early_.member = t_.next_member(m);
      early_.member_read = false;
      if (early_.member == npos) early_.phase = early_phase::stopped;  // the root is done
    }
    early_.learning = false;
  }

 private:
  // The phases of early learning: the lists in the order run() learns them.
  enum class early_phase : uint8_t { components, incidents, maintenances, stopped };
  static early_phase phase_of(std::string_view key) {
    if (key == "components") return early_phase::components;
    if (key == "incidents") return early_phase::incidents;
    if (key == "scheduled_maintenances") return early_phase::maintenances;
    return early_phase::stopped;  // not a list learnt
  }
  struct early_learning {
    early_phase phase = early_phase::components;  // the list looked for or being learnt
    uint32_t member = npos;       // the root member (value node) at hand; npos: none yet
    bool member_read = false;     // it is learnt (or no list): only what follows it is awaited
    uint32_t list[3] = {npos, npos, npos};  // by phase: the list learning began on
    bool done[3] = {};            // by phase: all of that list learnt
    uint32_t next = npos;         // the current phase's next element to learn (npos: none left)
    bool learning = false;        // inside learn_window (fail() defers)
    bool failed = false;          // an element failed: why, at node, reported by resume()
    std::string why;
    uint32_t node = npos;
    uint32_t first = npos;        // resume()'s answer: the first element run() learns
  } early_;

  // Root member `m` (its value node; `open`: not closed yet): learns what is
  // complete of it when it is the current phase's list. False when learning
  // must wait for more of the tree (or stopped).
  bool learn_member(uint32_t m, uint32_t built, bool open, uint32_t open_element) {
    early_phase q = phase_of(t_.key(m));  // the name's node comes before m: built
    if (q == early_phase::stopped) return true;  // page, status or another member
    if (q != early_.phase || !t_.is_array(m)) {  // a list out of run()'s order, repeated, or no list
      early_.phase = early_phase::stopped;
      return false;
    }
    size_t p = size_t(q);
    if (early_.list[p] == npos) {
      if (m + 1 >= built) return false;  // whether it is empty is not built yet
      early_.list[p] = m;
      early_.next = t_.first_child(m);
      if (q == early_phase::components) reserve_components(t_.text_size());
      if (q == early_phase::maintenances) first_maintenance_ = uint32_t(events_.size());
    }
    while (early_.next != npos) {
      uint32_t e = early_.next;
      if (e >= built || e == open_element) return false;  // not complete yet
      uint32_t after = t_.end(e);
      if (after >= built) return false;  // the token after it is not built yet
      if (t_.escapes_within(e, after)) {
        early_.phase = early_phase::stopped;
        return false;
      }
      bool learnt = q == early_phase::components ? learn_component(e, true) : learn_incident(e);
      if (!learnt) {
        early_.phase = early_phase::stopped;  // early_.failed: resume() reports it
        return false;
      }
      early_.next = t_.closes_array(after) ? npos : after;
    }
    if (open) return false;  // its closing bracket is not built yet (an element could still follow)
    early_.done[p] = true;
    early_.phase = early_phase(p + 1);
    return true;
  }

  // Where run() takes up list `list` of `phase`: early_.first is its first
  // element not learnt yet (npos: none). False (rejected) when learning it
  // early failed: the same rejection learning now would meet first.
  bool resume(early_phase phase, uint32_t list) {
    size_t p = size_t(phase);
    early_.first = t_.first_child(list);
    if (early_.list[p] == npos) return true;
    // The root's names are unique by now, so it is the list learnt early;
    // were it not, nothing learnt could be trusted.
    if (early_.list[p] != list) return fail("internal error: a list learnt early is not the payload's");
    if (early_.failed && !early_.done[p]) {  // it failed in this list
      c_.reject(std::move(early_.why), early_.node);
      return false;
    }
    early_.first = early_.done[p] ? npos : early_.next;
    return true;
  }

  static constexpr size_t kBytesPerComponentGuess = 256;
  static constexpr int kPrefetchAhead = 4;
  std::vector<const rule*> rules_;     // component_rule(), by index in ids_ (entry())
  uint32_t last_group_ = npos;         // group_entry()'s memory
  uint32_t last_entry_ = npos;         // entry()'s: npos + 1 is index 0
  std::string_view last_group_id_;
  std::vector<uint32_t> seen_;  // count_affected(): stamp per component index
  uint32_t stamp_ = 0;
};

status_run::status_run(filter_context& c) : c_(c) {}
status_run::~status_run() = default;

void status_run::window_built(uint32_t built, uint32_t open_member, uint32_t open_element) {
  if (!f_) {
    c_.plan_disclosure(c_.policy.status.disclose);
    f_ = std::make_unique<status_filter>(c_);
  }
  f_->learn_window(built, open_member, open_element);
}

outcome status_run::finish() {
  // A single incident's `components` is its copies, not the page's list
  // learnt early as one: learnt again from the start.
  if (f_ && c_.t.is_object(0) && c_.t.member(0, "incident_updates") != npos) f_.reset();
  if (!f_) {
    c_.plan_disclosure(c_.policy.status.disclose);
    f_ = std::make_unique<status_filter>(c_);
  }
  status_filter& f = *f_;
  outcome o = f.run();
  if (o != outcome::ok || c_.tracing || !c_.out) return o;
  if (c_.status_json && !f.can_project()) {
    c_.projection_refused = true;
    return o;
  }
  f.write(*c_.out, c_.status_json);
  return o;
}

outcome filter_statuspage(filter_context& c) {
  status_run run(c);
  return run.finish();
}

}  // namespace keyhole::detail
