#include "kb_tree.h"

namespace keyhole::detail {

uint32_t page_tree::index(uint32_t list) {
  const json_tree& t = c_.t;
  for (uint32_t e = t.first_child(list); e != npos; e = t.next_sibling(list, e)) {
    uint32_t content = c_.member(e, "content");
    uint32_t item = t.is_object(content) ? content : e;
    std::string_view id;
    if (!id_text(t, c_.member(item, "id"), id)) continue;
    auto [node, fresh] = by_id_.try_emplace(id);
    if (!fresh) return e;
    node = item;
  }
  return npos;
}

uint32_t page_tree::node_of(std::string_view id) const {
  const uint32_t* node = by_id_.find(id);
  return node ? *node : npos;
}

// What object `node`'s own `parentId` says: null a root, an id its parent;
// `unknown` when it has none or it cannot be read (told apart by `carried`).
page_tree::link page_tree::parent_id_of(uint32_t node, std::string_view& parent, bool& carried) {
  uint32_t pid = node != npos ? c_.member(node, "parentId") : npos;
  carried = pid != npos;
  if (!carried) return link::unknown;
  if (c_.t.is_null(pid)) return link::root;
  return id_text(c_.t, pid, parent) ? link::parent : link::unknown;
}

// The payload's parentId first (null: a root), then where the payload's other
// copies place the page (an `ancestors` list naming it, review round 6, F3),
// then the policy's map (no entry: a root); with none, the parent is unknown.
page_tree::link page_tree::parent_of(std::string_view id, uint32_t node, std::string_view& parent) {
  bool carried = false;
  if (link own = parent_id_of(node, parent, carried); own != link::unknown) return own;
  // No parentId, or one that cannot be read: what the other copies say decides (round 7).
  if (const placement* p = placed_.find(id)) {
    if (p->unreadable) return link::unreadable;
    if (p->known) {
      parent = p->parent;
      return p->root ? link::root : link::parent;
    }
  }
  if (carried) return link::unknown;
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
  // other object is one when it names content (the sweep's rule). Only
  // containers are visited: a scalar holds no copy.
  enum class held : uint8_t { plain, ancestors, ancestor_entry };
  struct visit_at {
    uint32_t node;
    held as;
  };
  std::vector<visit_at> stack{{0, held::plain}};
  while (!stack.empty()) {
    auto [n, as] = stack.back();
    stack.pop_back();
    if (t.is_array(n)) {
      held inner = as == held::ancestors ? held::ancestor_entry : held::plain;
      for (uint32_t e = t.first_child(n); e != npos; e = t.next_sibling(n, e))
        if (t.is_container(e)) stack.push_back({e, t.is_object(e) ? inner : held::plain});
      continue;
    }
    std::string_view id = own_id(n, as == held::ancestor_entry);
    if (!id.empty() && n != item && node_of(id) != n) copies_[id].push_back(n);
    if (!id.empty()) {
      std::string_view parent;
      bool carried = false;
      if (link own = parent_id_of(n, parent, carried); own != link::unknown) place(id, parent, own == link::root, n);
    }
    for (uint32_t m = t.first_child(n); m != npos; m = t.next_sibling(n, m)) {  // m: a member's value
      if (!t.is_container(m)) continue;
      bool ancestors = t.is_array(m) && t.key(m) == "ancestors";
      if (ancestors) place_chain(id, m);
      stack.push_back({m, ancestors ? held::ancestors : held::plain});
    }
  }
}

// The page an object is a copy of: an ancestors entry by its `id`, any other
// object when it names content (by `id` or `contentId`, review round 5, F3),
// a JSM item by `source.pageId`. Empty when none.
std::string_view page_tree::own_id(uint32_t obj, bool ancestor_entry) {
  const json_tree& t = c_.t;
  std::string_view id;
  uint32_t id_node = npos;
  if (ancestor_entry) return id_text(t, c_.member(obj, "id"), id) ? id : std::string_view();
  if (names_.of(obj, id_node) && id_text(t, id_node, id)) return id;
  uint32_t src = c_.member(obj, "source");
  if (t.is_object(src) && id_text(t, c_.member(src, "pageId"), id)) return id;
  return {};
}

void page_tree::place(std::string_view id, std::string_view parent, bool root, uint32_t by) {
  placement& p = placed_[id];
  if (!p.known) {
    p = placement{true, root, false, parent};
  } else if (p.root != root || (!root && p.parent != parent)) {
    if (misplaced_ == npos) misplaced_ = by;
  }
}

// An `ancestors` list, root first, held by the copy of page `holder` (empty
// when the holder names no page). Below an entry that names no page, the
// pages the list names (and its holder) cannot be placed: they are marked so,
// and hidden (review round 7: they were left with no chain at all).
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
  auto [j, fresh] = joined_.try_emplace(id);
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
  if (const std::vector<uint32_t>* copies = copies_.find(id))
    for (uint32_t e : *copies) join_copy(e);
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
    auto [seen, fresh] = memo_.try_emplace(cur);
    if (!fresh) {
      if (seen.state == visit::in_progress) base.state = chain_state::cycle;
      else base = seen.below;
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
    space_names own;
    bool readable = s->node == npos || space_names_of(c_, s->node, own);
    m.below.leaves_space = base.leaves_space || !readable ||
                           (own.carried() && base.space.carried() && !same_space(own, base.space));
    m.below.space = base.space.carried() ? base.space : own;
    m.state = visit::done;
    base = m.below;
  }
  return memo_[id].up;
}

const level_step& page_tree::step_of_page(std::string_view id) {
  const level& own = level_of(id);
  joined_page& j = joined(id);
  if (!j.has_step) {
    j.step = c_.steps.of(own);
    j.has_step = true;
  }
  return j.step;
}

const level_trace* page_tree::trace_of_page(std::string_view id) {
  const level& own = level_of(id);
  if (own.empty()) return nullptr;
  const level_step& s = step_of_page(id);
  joined_page& j = joined(id);
  if (!j.has_trace) {
    j.trace = trace_of(c_.steps, own, s);
    j.has_trace = true;
  }
  return &j.trace;
}

}  // namespace keyhole::detail
