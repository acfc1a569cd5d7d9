#include "kb_sweep.h"

#include <algorithm>
#include <iterator>
#include <string>

#include "kb_facts.h"

namespace keyhole::detail {

void content_sweep::decided(std::string_view id, bool shown, bool whole) {
  auto [known, fresh] = shown_.try_emplace(id);
  known.shown = fresh ? shown : known.shown && shown;
  known.whole = known.whole || (shown && whole);
}

void content_sweep::strip_to_id(uint32_t entry) {
  const json_tree& t = c_.t;
  for (uint32_t m = t.first_child(entry); m != npos; m = t.next_sibling(entry, m))
    if (t.key(m) != "id") c_.drop(m);
  roles_[entry] = node_role::settled;
}

void content_sweep::search_hit(uint32_t hit, const std::vector<std::string_view>& ancestors, bool carried) {
  hits_.push_back(hit_ancestors{hit, hit_ids_.size(), ancestors.size(), carried});
  hit_ids_.insert(hit_ids_.end(), ancestors.begin(), ancestors.end());
}

bool content_sweep::shown_id(std::string_view id) const {
  const verdict* known = shown_.find(id);
  return known && known->shown;
}

// `resultParentContainer` names the parent and `breadcrumbs` every ancestor
// (titles and URLs, no ids): kept only when the hit's content carries its
// ancestors and the final verdict on each id named shows it, and the title
// is not withheld (findings K4, K5; round 12, F1). What is kept is marked
// (and still walked: a copy of content inside is decided as anywhere); the
// walk removes every other such member.
void content_sweep::settle_search_hits() {
  bool title_withheld = c_.withholds("article", "title");
  for (const hit_ancestors& h : hits_) {
    auto first = hit_ids_.begin() + static_cast<std::ptrdiff_t>(h.first);
    auto last = first + static_cast<std::ptrdiff_t>(h.count);
    bool all_shown = h.carried && !title_withheld && std::all_of(first, last, [&](std::string_view id) { return shown_id(id); });
    bool parent_shown = h.carried && !title_withheld && h.count > 0 && shown_id(*(last - 1));
    if (uint32_t rpc = c_.member(h.hit, "resultParentContainer"); rpc != npos && parent_shown) hit_member_kept_[rpc] = true;
    if (uint32_t crumbs = c_.member(h.hit, "breadcrumbs"); crumbs != npos && all_shown) hit_member_kept_[crumbs] = true;
  }
}

// `resultParentContainer` and `breadcrumbs` other than a shown hit's own,
// kept above (on a content item, inside a hit's `content`, nested
// anywhere): nothing decided them, and they name pages by title only (round
// 12, F3).
void content_sweep::drop_undecided_hit_members(uint32_t obj) {
  for (std::string_view name : {"resultParentContainer", "breadcrumbs"})
    if (uint32_t m = c_.member(obj, name); m != npos && !hit_member_kept_[m]) c_.drop(m);
}

content_sweep::copy_keeps content_sweep::keeps(uint32_t id_node) const {
  std::string_view id;
  if (!id_text(c_.t, id_node, id)) return copy_keeps::id;
  const verdict* known = shown_.find(id);
  if (!known || !known->shown) return copy_keeps::id;
  return known->whole ? copy_keeps::whole : copy_keeps::entry;
}

// A page shown only as an ancestor entry was decided without what an item
// must carry (its restrictions, its labels under label rules): its id,
// title and links may be shown, as in the entry, its body, excerpt, labels
// and everything else may not (review round 8, F2: a `space.homepage` copy
// kept its body under restrictions named only under `_expandable`).
void content_sweep::reduce_to_entry(uint32_t obj) {
  const json_tree& t = c_.t;
  static constexpr std::string_view kept[] = {"id", "type", "status", "title", "_links", "_expandable"};
  for (uint32_t m = t.first_child(obj); m != npos; m = t.next_sibling(obj, m)) {
    std::string_view k = t.key(m);
    if (std::find(std::begin(kept), std::end(kept), k) == std::end(kept)) c_.drop(m);
    else if (k == "_links" || k == "_expandable") keep_scalars(m, false);
    else if (t.is_container(m)) c_.drop(m);
  }
}

// What a reduced object keeps is what Confluence writes there: scalars, and
// (`nested_links`) a `_links` / `_expandable` object of them; anything else
// could carry a page's text (review round 10, R10-3). Not an object: dropped.
void content_sweep::keep_scalars(uint32_t obj, bool nested_links) {
  const json_tree& t = c_.t;
  if (!t.is_object(obj)) return c_.drop(obj);
  for (uint32_t m = t.first_child(obj); m != npos; m = t.next_sibling(obj, m)) {
    if (!t.is_container(m)) continue;
    std::string_view k = t.key(m);
    if (nested_links && (k == "_links" || k == "_expandable")) keep_scalars(m, false);
    else c_.drop(m);
  }
}

// A kept content object other than an item: the viewer's `article.*`
// disclosure applies to it too (SPEC §5 "wherever it appears"), and a
// withheld title takes the links that spell it.
void content_sweep::disclose_copy(uint32_t obj) {
  c_.disclose("article", obj);
  if (!c_.withholds("article", "title")) return;
  const json_tree& t = c_.t;
  uint32_t links = c_.member(obj, "_links");
  if (t.is_object(links))
    for (std::string_view name : {"webui", "editui", "edituiv2"})
      if (uint32_t m = c_.member(links, name); m != npos) c_.drop(m);
}

// Expanded `children` / `descendants` of a kept page name other pages this
// filter has not decided (so they go), and attachments and comments, which
// are shown with the page they belong to: `children` lists the page's own,
// `descendants` those of every page below, so an entry is kept only when its
// `container` is this page (or, among `children`, names no container).
void content_sweep::keep_own_children(uint32_t obj, std::vector<uint32_t>& own) {
  const json_tree& t = c_.t;
  std::string_view self;
  bool has_id = id_text(t, c_.member(obj, "id"), self);
  for (std::string_view name : {"children", "descendants"}) {
    uint32_t m = c_.member(obj, name);
    if (!t.is_object(m)) continue;
    for (uint32_t k = t.first_child(m); k != npos; k = t.next_sibling(m, k)) {
      std::string_view key = t.key(k);
      if (key == "_expandable" || key == "_links") continue;
      if (key != "attachment" && key != "comment") {
        c_.drop(k);
        continue;
      }
      uint32_t results = c_.member(k, "results");
      if (!t.is_array(results)) continue;
      size_t entries = 0, others = 0;
      for (uint32_t e = t.first_child(results); e != npos; e = t.next_sibling(results, e)) {
        ++entries;
        uint32_t type = t.is_object(e) ? c_.member(e, "type") : npos;
        if (!t.is_string(type) || t.str(type) != key || roles_[e] != node_role::undecided) continue;
        uint32_t container = c_.member(e, "container");
        std::string_view in;
        bool mine = container == npos ? name == "children"
                                      : has_id && id_text(t, c_.member(container, "id"), in) && in == self;
        if (mine) {
          own.push_back(e);
        } else {  // another page's, which this filter has not decided: it goes whole,
          c_.drop(e);  // and the count with it (review round 5, F4: stubs showed
          ++others;    // that hidden pages below held attachments, and how many)
        }
      }
      if (others) recount(k, entries - others);
    }
  }
}

// `childTypes` says which kinds of children a page has (`page: {value:
// true}`): for child pages, which this filter does not decide, that would
// show that hidden children exist (review round 8, F10). Only the page's own
// attachments and comments, shown with it, keep their entry; so do the links.
void content_sweep::keep_own_child_types(uint32_t obj) {
  const json_tree& t = c_.t;
  uint32_t types = c_.member(obj, "childTypes");
  if (!t.is_object(types)) return;
  for (uint32_t k = t.first_child(types); k != npos; k = t.next_sibling(types, k)) {
    std::string_view key = t.key(k);
    if (key == "attachment" || key == "comment") keep_child_type(k);
    else if (key == "_expandable" || key == "_links") keep_scalars(k, false);
    else c_.drop(k);
  }
}

// A `childTypes` entry the page keeps: whether it has such children, and links.
void content_sweep::keep_child_type(uint32_t entry) {
  const json_tree& t = c_.t;
  if (!t.is_object(entry)) return c_.drop(entry);
  for (uint32_t m = t.first_child(entry); m != npos; m = t.next_sibling(entry, m)) {
    std::string_view k = t.key(m);
    if (k == "_links") keep_scalars(m, false);
    else if (k != "value" || t.is_container(m)) c_.drop(m);
  }
}

// A collection whose entries were removed: `size` says what is left, and a
// `totalSize` (entries past this page of the list too) cannot be known.
void content_sweep::recount(uint32_t collection, size_t left) {
  if (uint32_t size = c_.member(collection, "size"); size != npos) c_.replace(size, std::to_string(left));
  if (uint32_t total = c_.member(collection, "totalSize"); total != npos) c_.drop(total);
}

void content_sweep::run() {
  const json_tree& t = c_.t;
  settle_search_hits();
  std::vector<uint32_t> stack{0}, own;
  while (!stack.empty()) {
    uint32_t n = stack.back();
    stack.pop_back();
    if (c_.edited_at(n)) continue;  // dropped or replaced: nothing of it is written
    if (t.is_object(n)) {
      node_role role = roles_[n];
      if (role == node_role::settled) continue;
      uint32_t id = npos;
      bool content = role != node_role::item && names_.of(n, id);
      copy_keeps what = content ? keeps(id) : copy_keeps::whole;
      std::string_view id_value;
      // Its own `id`: a wrapper named by its content's, or a copy by
      // `source.pageId` or `contentId`, has nothing left to be reduced to.
      bool by_id = id != npos && c_.member(n, "id") == id && id_text(t, id, id_value);
      if (what != copy_keeps::whole && !by_id) {
        c_.drop(n);  // nothing left to name it by (a `contentId`, or no id)
        continue;
      }
      if (what == copy_keeps::id) {
        strip_to_id(n);
        continue;
      }
      if (what == copy_keeps::entry) reduce_to_entry(n);  // no children left to keep
      if (content) disclose_copy(n);
      own.clear();
      if (what == copy_keeps::whole) {
        keep_own_children(n, own);
        keep_own_child_types(n);
      }
      for (uint32_t e : own) {
        roles_[e] = node_role::item;  // shown with its page, and
        disclose_copy(e);             // disclosed as content here
      }
      drop_undecided_hit_members(n);
    } else if (!t.is_array(n)) {
      continue;
    }
    for (uint32_t k = t.first_child(n); k != npos; k = t.next_sibling(n, k)) stack.push_back(k);
  }
}

}  // namespace keyhole::detail
