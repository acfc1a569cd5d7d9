#include "kb_tree.h"

namespace keyhole::detail {

uint32_t page_tree::index(uint32_t list) {
  const json_tree& t = c_.t;
  for (uint32_t e = t.first_child(list); e != npos; e = t.next_sibling(list, e)) {
    uint32_t content = c_.member(e, "content");
    uint32_t item = t.is_object(content) ? content : e;
    std::string_view id;
    if (id_text(t, c_.member(item, "id"), id) && !by_id_.emplace(id, item).second) return e;
  }
  return npos;
}

uint32_t page_tree::node_of(std::string_view id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? npos : it->second;
}

// The payload's parentId first (null: a root), then the policy's map (no
// entry: a root); with neither, the parent is unknown.
page_tree::link page_tree::parent_of(std::string_view id, uint32_t node, std::string_view& parent) {
  uint32_t pid = node != npos ? c_.member(node, "parentId") : npos;
  if (pid != npos) {
    if (c_.t.is_null(pid)) return link::root;
    if (id_text(c_.t, pid, parent)) return link::parent;
  }
  if (auto p = placed_.find(id); p != placed_.end()) {  // fixed after the freeze (rounds 6 F3, 7)
    if (p->second.unreadable) return link::unreadable;
    if (p->second.known) {
      parent = p->second.parent;
      return p->second.root ? link::root : link::parent;
    }
  }
  if (pid != npos) return link::unknown;
  if (!a_.has_parents) return link::unknown;
  if (const std::string* p = a_.parents.find(id)) {
    parent = *p;
    return link::parent;
  }
  // A page the map names only as a parent, or maps to null, is a root; a page
  // it does not name at all is unknown (fail closed, not a root).
  return a_.parent_pages.find(id) ? link::root : link::unknown;
}

void page_tree::index_copies(uint32_t item) {
  const json_tree& t = c_.t;
  // An entry of an `ancestors` array is a copy whatever else it carries; any
  // other object is one when it names content (the sweep's rule). Fixed after
  // the freeze (round 6, F3): every `ancestors` list and `parentId` places pages.
  struct visit_at {
    uint32_t node;
    bool ancestor_entry;
  };
  std::vector<visit_at> stack{{0, false}};
  while (!stack.empty()) {
    auto [n, entry] = stack.back();
    stack.pop_back();
    if (t.is_object(n)) {
      uint32_t id_node = npos;
      std::string_view id;
      bool copy = entry ? id_text(t, c_.member(n, "id"), id)
                        : names_content(c_, n, id_node) && id_text(t, id_node, id);  // `id` or `contentId` (fixed after the freeze: round 5, F3)
      if (!copy && !entry) {
        uint32_t src = c_.member(n, "source");
        if (t.is_object(src) && id_text(t, c_.member(src, "pageId"), id)) copy = true, id_node = npos;
        if (copy) {
          if (!id.empty())
            for (uint32_t m = t.first_child(n); m != npos; m = t.next_sibling(n, m))
              if (t.is_array(m) && t.key(m) == "ancestors") place_chain(id, m);
          copy = false;  // a JSM item is not a copy of itself
        }
      }
      if (copy && n != item && node_of(id) != n) copies_[id].push_back(n);
      if (copy || (id_text(t, id_node, id) && !entry)) {
        if (uint32_t pid = c_.member(n, "parentId"); pid != npos) {
          std::string_view parent;
          if (t.is_null(pid)) place(id, {}, true, n);
          else if (id_text(t, pid, parent)) place(id, parent, false, n);
        }
      }
      for (uint32_t m = t.first_child(n); m != npos; m = t.next_sibling(n, m)) {
        bool ancestors = t.is_array(m) && t.key(m) == "ancestors";
        if (!ancestors) {
          stack.push_back({m, false});
          continue;
        }
        if (copy || node_of(id) == n || n == item) place_chain(id, m);
        for (uint32_t e = t.first_child(m); e != npos; e = t.next_sibling(m, e)) stack.push_back({e, true});
      }
    } else if (t.is_array(n)) {
      for (uint32_t e = t.first_child(n); e != npos; e = t.next_sibling(n, e)) stack.push_back({e, false});
    }
  }
}

void page_tree::place(std::string_view id, std::string_view parent, bool root, uint32_t by) {
  placement& p = placed_[id];
  if (!p.known) p = placement{true, root, false, parent};
  else if ((p.root != root || (!root && p.parent != parent)) && misplaced_ == npos) misplaced_ = by;
}

void page_tree::place_chain(std::string_view holder, uint32_t list) {
  const json_tree& t = c_.t;
  std::string_view above;
  bool first = true, broken = false;
  auto next = [&](std::string_view id) {
    if (broken) placed_[id].unreadable = true;
    else place(id, above, first, list);
    above = id;
    first = false;
  };
  for (uint32_t e = t.first_child(list); e != npos; e = t.next_sibling(list, e)) {
    std::string_view id;
    if (t.is_object(e) && id_text(t, c_.member(e, "id"), id)) next(id);
    else broken = true;
  }
  if (!holder.empty()) next(holder);
}

page_tree::joined_page& page_tree::joined(std::string_view id) {
  auto [it, fresh] = joined_.try_emplace(id);
  joined_page& j = it->second;
  if (!fresh) return j;
  page_facts& f = j.facts;
  f.id = id;
  f.node = node_of(id);
  auto join_copy = [&](uint32_t node) {
    page_facts copy;
    read_facts(c_, node, facts_of::ancestor, copy);
    join_facts(f, copy);
  };
  if (f.node != npos) join_copy(f.node);
  if (auto c = copies_.find(id); c != copies_.end())
    for (uint32_t e : c->second) join_copy(e);
  keep_each_label_once(f);
  return j;
}

const page_facts& page_tree::facts_of(std::string_view id) { return joined(id).facts; }

const level& page_tree::level_of(std::string_view id) {
  joined_page& j = joined(id);
  if (!j.has_level) {
    j.own = page_level(a_, j.facts);
    j.has_level = true;
  }
  return j.own;
}

chain page_tree::above(std::string_view id, uint32_t node) {
  // Walk up until a page already resolved, a root, an unknown parent or a
  // page seen on this walk (a cycle); then resolve the walk top-down.
  struct step {
    std::string_view id;
    uint32_t node;
  };
  std::vector<step> path;
  chain base;  // the chain above the topmost page of the walk
  for (std::string_view cur = id;;) {
    auto [it, fresh] = memo_.try_emplace(cur);
    if (!fresh) {
      if (it->second.state == visit::in_progress) base.state = chain_state::cycle;
      else base = it->second.below;
      break;
    }
    path.push_back(step{cur, node});
    std::string_view parent;
    link l = parent_of(cur, node, parent);
    if (l == link::root) break;
    if (l == link::unknown || l == link::unreadable) {
      base.state = l == link::unknown ? chain_state::broken : chain_state::unestablished;
      break;
    }
    cur = parent;
    node = node_of(parent);
  }
  // Top-down: every page of the walk inherits the chain's state and adds its
  // own level for the page below it.
  for (auto s = path.rbegin(); s != path.rend(); ++s) {
    memo& m = memo_[s->id];
    const page_facts& f = facts_of(s->id);
    m.up = base;
    m.below.state = base.state;
    m.below.above = compose(base.above, step_of_page(s->id));
    m.below.unknown_restriction = base.unknown_restriction || f.restrict == restriction::unknown;
    m.below.labels_in_part = base.labels_in_part || f.labels_in_part;
    m.below.depth = base.depth + 1;
    std::string_view key, sid;
    bool readable = s->node == npos || space_of(c_, s->node, key, sid);
    bool carried = !key.empty() || !sid.empty();
    m.below.leaves_space = base.leaves_space || !readable ||
                           (carried && base.space_carried && !spaces_match(key, sid, base.space_key, base.space_id));
    m.below.space_carried = base.space_carried || carried;
    m.below.space_key = base.space_carried ? base.space_key : key;
    m.below.space_id = base.space_carried ? base.space_id : sid;
    m.state = visit::done;
    base = m.below;
  }
  return memo_[id].up;
}

const level_step& page_tree::step_of_page(std::string_view id) {
  const level& own = level_of(id);
  joined_page& j = joined(id);
  if (!j.has_step) {
    j.step = step_of(c_.m, own);
    j.has_step = true;
  }
  return j.step;
}

}  // namespace keyhole::detail
