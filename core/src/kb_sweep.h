// What the knowledge-base filter does not decide is not copied (findings
// K2–K4): after every item is decided, one walk over the whole payload finds
// each nested object that names a piece of content (an `id` with a `title`,
// or a content `type`) and decides it as that content: kept when this payload
// decided that page shown, else reduced to its `id` (removed when it has
// none). Expanded `children` / `descendants` keep only the page's own
// attachments and comments. Every content object kept gets `article.*`
// disclosure, so a withheld title goes from every copy. docs/decisions.md
// lists the members.
#pragma once

#include <string_view>
#include <vector>

#include "id_map.h"
#include "kb_facts.h"

namespace keyhole::detail {

// How the sweep treats a node the filter already decided.
enum class node_role : uint8_t {
  undecided,  // decide it here if it names content
  item,       // a shown item (disclosed already), or a page's own comment: walk inside it
  settled,    // decided and already reduced: leave it
};

class content_sweep {
 public:
  content_sweep(filter_context& c, content_names& names)
      : c_(c), names_(names), roles_(c.t.size(), node_role::undecided), hit_member_kept_(c.t.size(), false) {}

  // Records a page decision of this payload (an item or an ancestor entry);
  // a page is shown only when every decision on its id says so. `whole`: the
  // page passed an item's fail-closed checks (SPEC §6), so its copies may
  // keep all they carry; a page shown only along a chain, without them, keeps
  // what an ancestor entry needs (review round 8, F2).
  void decided(std::string_view id, bool shown, bool whole);
  void set_role(uint32_t node, node_role r) { roles_[node] = r; }
  // Drops every member of `entry` but its `id`.
  void strip_to_id(uint32_t entry);
  // A shown search hit whose content carries `ancestors` (`carried`) with
  // these ids, root first. Its `resultParentContainer` and `breadcrumbs`
  // spell its ancestors' titles without their ids, so run() keeps them only
  // when every decision on those ids said shown (review round 12, F1: decided
  // on the item's chain alone, they kept a parent the payload hid); anywhere
  // else they are removed (F3).
  void search_hit(uint32_t hit, const std::vector<std::string_view>& ancestors, bool carried);
  // The walk; call once, after every item is decided.
  void run();

 private:
  // What a copy of a page keeps: only its id, the members that place it in a
  // chain, or everything (each still decided and disclosed by the walk).
  enum class copy_keeps : uint8_t { id, entry, whole };
  struct verdict {
    bool shown = false;  // every decision on the id said shown
    bool whole = false;  // one of them passed an item's checks
  };
  copy_keeps keeps(uint32_t id_node) const;
  bool shown_id(std::string_view id) const;
  void settle_search_hits();
  void drop_undecided_hit_members(uint32_t obj);
  void reduce_to_entry(uint32_t obj);
  void keep_scalars(uint32_t obj, bool nested_links);
  void keep_child_type(uint32_t entry);
  void keep_own_children(uint32_t obj, std::vector<uint32_t>& own);
  void keep_own_child_types(uint32_t obj);
  void recount(uint32_t collection, size_t left);
  void disclose_copy(uint32_t obj);

  filter_context& c_;
  content_names& names_;
  std::vector<node_role> roles_;
  id_map<verdict> shown_;  // set by the first decided()
  struct hit_ancestors {
    uint32_t hit;
    size_t first, count;  // in hit_ids_
    bool carried;
  };
  std::vector<hit_ancestors> hits_;
  std::vector<bool> hit_member_kept_;  // per node: a shown hit's member settle_search_hits() keeps
  std::vector<std::string_view> hit_ids_;
};

}  // namespace keyhole::detail
