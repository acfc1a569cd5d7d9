// The page tree of a knowledge-base payload that carries no `ancestors`
// (Confluence v2 `parentId`, completed by the policy's `parents` map; JSM by
// the map alone). Each page's chain is resolved once, iteratively, and kept as
// one composed step, so n pages cost O(n) however deep the tree (finding D1).
#pragma once

#include <string_view>
#include <vector>

#include "id_map.h"
#include "kb_facts.h"

namespace keyhole::detail {

enum class chain_state : uint8_t {
  complete,  // every ancestor up to a root (parentId null, or no parent in the map) is known
  broken,    // a parent that neither the payload nor the policy's map places
  cycle,     // the parent links loop
  // A copy's `ancestors` list names a page of the chain below an entry it
  // cannot read (review round 7): the payload says the page has ancestors
  // and does not say which, so it is hidden whatever the policy's rules.
  unestablished,
};

struct chain {
  chain_state state = chain_state::complete;
  level_step above;                  // the ancestors' levels, root first, as one step
  bool unknown_restriction = false;  // an ancestor names restrictions it does not carry
  bool labels_in_part = false;       // an ancestor carries its labels in part (page_facts)
  uint32_t depth = 0;                // known ancestors
  // A tree stays in one space (review round 12, F5, as round 11 F1 for
  // `ancestors`): the space the ancestors carried in the payload name (the
  // root-most one), and whether one of them names another or one that cannot
  // be read. Ancestors that carry no space are in their child's.
  space_names space;
  bool leaves_space = false;
};

class page_tree {
 public:
  page_tree(filter_context& c, content_names& names) : c_(c), a_(c.policy.articles), names_(names) {}

  // Indexes the items of a Confluence list by id (a search hit by its
  // content's; JSM items have none). Npos, or the first item whose id an
  // earlier item already has: the payload is then inconsistent (one page's
  // facts could differ by copy, and the answer would depend on their order).
  uint32_t index(uint32_t list);
  // The item object (the content of a search hit) with this id, or npos.
  uint32_t node_of(std::string_view id) const;
  // Indexes every copy of a page the payload carries besides the items: each
  // `ancestors` entry, and each other object that names content by its `id`
  // (a `space.homepage`, a `container`, expanded `children`), in one walk
  // over the whole payload; `item` is the single content object (npos for a
  // list, whose items index() found). A page is then decided with what the
  // payload carries for it anywhere (SPEC §6: an ancestor is decided exactly
  // as an item would be, its labels when the payload carries them; review
  // findings P1, R2: a deny label on one copy of a parent bound only the
  // children that copy was found under).
  void index_copies(uint32_t item);
  // Where the copies place each page: every `ancestors` list places its
  // entries (the first at a root, each under the one before) and the object
  // holding it (under the last entry, or at a root when the list is empty);
  // a `parentId` places its object. Found by index_copies(). The first object
  // whose page is placed under two different parents, or npos: one page would
  // get two answers (review round 6, F3), so the payload is rejected.
  uint32_t misplaced() const { return misplaced_; }
  // The facts of page `id` joined over the item with that id and every
  // copy naming it, read once per id (linear in the entries),
  // each label once; and the page's own level from them, made once per id
  // (a page named under n items costs its labels once, not n times).
  const page_facts& facts_of(std::string_view id);
  const level& level_of(std::string_view id);
  // That level as one step, made once per id: applied to every item under
  // the page at O(1), however many label rules it holds (review R4).
  const level_step& step_of_page(std::string_view id);
  // For explain: that level's trace, made once per id (nullptr when the
  // level is empty, which apply_level does not record): an ancestor shared
  // by n items is traced once, not n times over its rules.
  const level_trace* trace_of_page(std::string_view id);
  // The chain above page `id`; `node` is its object when the payload carries it.
  chain above(std::string_view id, uint32_t node);

 private:
  enum class visit : uint8_t { in_progress, done };
  struct memo {
    visit state = visit::in_progress;
    chain up;     // the chain above this page
    chain below;  // the chain its children see: up, then the page's own level
  };
  enum class link : uint8_t { root, parent, unknown, unreadable };
  link parent_of(std::string_view id, uint32_t node, std::string_view& parent);
  link parent_id_of(uint32_t node, std::string_view& parent, bool& carried);
  void place(std::string_view id, std::string_view parent, bool root, uint32_t by);
  void place_chain(std::string_view holder, uint32_t list);
  std::string_view own_id(uint32_t obj, bool ancestor_entry);

  filter_context& c_;
  const articles_section& a_;
  content_names& names_;
  id_map<uint32_t> by_id_;
  id_map<memo> memo_;
  id_map<std::vector<uint32_t>> copies_;  // index_copies(), by page id
  struct placement {
    bool known = false, root = false;
    bool unreadable = false;  // named below an entry of a list that cannot be read
    std::string_view parent;
  };
  id_map<placement> placed_;  // place(), by page id
  uint32_t misplaced_ = npos;
  struct joined_page {
    page_facts facts;
    level own;  // page_level() of facts, once has_level
    level_step step;  // rule_steps::of(own), once has_step
    level_trace trace;  // trace_of(own), once has_trace
    bool has_level = false, has_step = false, has_trace = false;
  };
  id_map<joined_page> joined_;  // facts_of(), level_of(), step_of_page()
  joined_page& joined(std::string_view id);                     // the entry, its facts read on first use
};

}  // namespace keyhole::detail
