// The page tree of a knowledge-base payload that carries no `ancestors`
// (Confluence v2 `parentId`, completed by the policy's `parents` map; JSM by
// the map alone). Each page's chain is resolved once, iteratively, and kept as
// one composed step, so n pages cost O(n) however deep the tree (finding D1).
#pragma once

#include <string_view>
#include <unordered_map>
#include <vector>

#include "kb_facts.h"

namespace keyhole::detail {

enum class chain_state : uint8_t {
  complete,  // every ancestor up to a root (parentId null, or no parent in the map) is known
  broken,    // a parent that neither the payload nor the policy's map places
  cycle,     // the parent links loop
  unestablished,  // fixed after the freeze (round 7): named below an unreadable list entry
};

struct chain {
  chain_state state = chain_state::complete;
  level_step above;                  // the ancestors' levels, root first, as one step
  bool unknown_restriction = false;  // an ancestor names restrictions it does not carry
  bool labels_in_part = false;       // an ancestor carries its labels in part (page_facts)
  uint32_t depth = 0;                // known ancestors
  // fixed after the freeze (round 12, F5): the root-most space a carried
  // ancestor names, and whether another one names a different or unreadable space
  bool space_carried = false, leaves_space = false;
  std::string_view space_key, space_id;
};

class page_tree {
 public:
  explicit page_tree(filter_context& c) : c_(c), a_(c.policy.articles) {}

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
  // Fixed after the freeze (round 6, F3): the first object whose page the
  // copies place under two parents, or npos.
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
  void place(std::string_view id, std::string_view parent, bool root, uint32_t by);
  void place_chain(std::string_view holder, uint32_t list);
  struct placement {
    bool known = false, root = false;
    bool unreadable = false;
    std::string_view parent;
  };
  std::unordered_map<std::string_view, placement> placed_;
  uint32_t misplaced_ = npos;

  filter_context& c_;
  const articles_section& a_;
  std::unordered_map<std::string_view, uint32_t> by_id_;
  std::unordered_map<std::string_view, memo> memo_;
  std::unordered_map<std::string_view, std::vector<uint32_t>> copies_;  // index_copies(), by page id
  struct joined_page {
    page_facts facts;
    level own;  // page_level() of facts, once has_level
    level_step step;  // step_of(own), once has_step
    bool has_level = false, has_step = false;
  };
  std::unordered_map<std::string_view, joined_page> joined_;  // facts_of(), level_of(), step_of_page()
  joined_page& joined(std::string_view id);                     // the entry, its facts read on first use
};

}  // namespace keyhole::detail
