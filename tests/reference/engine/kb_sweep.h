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
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "filter_context.h"

namespace keyhole::detail {

// How the sweep treats a node the filter already decided.
enum class node_role : uint8_t {
  undecided,  // decide it here if it names content
  item,       // a shown item (disclosed already), or a page's own comment: walk inside it
  settled,    // decided and already reduced: leave it
};

class content_sweep {
 public:
  explicit content_sweep(filter_context& c) : c_(c), roles_(c.t.size(), node_role::undecided) {}

  // Records a page decision of this payload (an item or an ancestor entry);
  // a page is shown only when every decision on its id says so.
  // fixed after the freeze (round 8, F2): `whole` when the page passed an
  // item's checks; a page shown only as an ancestor keeps an entry's members.
  void decided(std::string_view id, bool shown, bool whole);
  void set_role(uint32_t node, node_role r) { roles_[node] = r; }
  // Drops every member of `entry` but its `id`.
  void strip_to_id(uint32_t entry);
  // fixed after the freeze (round 12, F1, F3): a shown search hit, its
  // content's ancestor ids (root first) and whether it carries `ancestors`;
  // run() decides its `resultParentContainer` / `breadcrumbs` by the final
  // verdicts and removes those members everywhere else.
  void search_hit(uint32_t hit, std::vector<std::string_view> ancestors, bool carried) {
    hits_.push_back(hit_record{hit, std::move(ancestors), carried});
  }
  // The walk; call once, after every item is decided.
  void run();

 private:
  bool shown_id(uint32_t id_node) const;
  bool whole_id(uint32_t id_node) const;
  void keep_own_children(uint32_t obj, std::vector<uint32_t>& own);
  void disclose_copy(uint32_t obj);

  filter_context& c_;
  std::vector<node_role> roles_;
  std::unordered_map<std::string_view, bool> shown_;
  std::unordered_map<std::string_view, bool> whole_;
  struct hit_record {
    uint32_t hit;
    std::vector<std::string_view> ancestors;
    bool carried;
  };
  std::vector<hit_record> hits_;
  std::unordered_set<uint32_t> kept_extras_;
};

}  // namespace keyhole::detail
