#include "kb_sweep.h"

#include <string>

#include "kb_facts.h"

namespace keyhole::detail {

namespace {
// A reduced object keeps scalars, and (`nested_links`) `_links` /
// `_expandable` objects of them (fixed after the freeze, review round 10, R10-3).
void keep_scalars(filter_context& c, uint32_t obj, bool nested_links) {
  const json_tree& t = c.t;
  if (!t.is_object(obj)) return c.drop(obj);
  for (uint32_t m = t.first_child(obj); m != npos; m = t.next_sibling(obj, m)) {
    if (!t.is_object(m) && !t.is_array(m)) continue;
    std::string_view k = t.key(m);
    if (nested_links && (k == "_links" || k == "_expandable")) keep_scalars(c, m, false);
    else c.drop(m);
  }
}
}  // namespace

void content_sweep::decided(std::string_view id, bool shown, bool whole) {
  auto [it, fresh] = shown_.try_emplace(id, shown);
  if (!fresh) it->second = it->second && shown;
  if (shown && whole) whole_[id] = true;
}

bool content_sweep::whole_id(uint32_t id_node) const {
  std::string_view id;
  return id_text(c_.t, id_node, id) && whole_.count(id);
}

void content_sweep::strip_to_id(uint32_t entry) {
  const json_tree& t = c_.t;
  for (uint32_t m = t.first_child(entry); m != npos; m = t.next_sibling(entry, m))
    if (t.key(m) != "id") c_.drop(m);
  roles_[entry] = node_role::settled;
}

bool content_sweep::shown_id(uint32_t id_node) const {
  std::string_view id;
  if (!id_text(c_.t, id_node, id)) return false;
  auto it = shown_.find(id);
  return it != shown_.end() && it->second;
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
        } else {  // fixed after the freeze (round 5, F4): another page's entry goes whole
          c_.drop(e);
          ++others;
        }
      }
      if (others) {  // and the counts with it
        if (uint32_t size = c_.member(k, "size"); size != npos) c_.replace(size, std::to_string(entries - others));
        if (uint32_t total = c_.member(k, "totalSize"); total != npos) c_.drop(total);
      }
    }
  }
}

void content_sweep::run() {
  const json_tree& t = c_.t;
  bool title_withheld = c_.withholds("article", "title");
  for (const hit_record& h : hits_) {  // fixed after the freeze (round 12, F1)
    bool all = h.carried && !title_withheld;
    for (std::string_view id : h.ancestors) {
      auto it = shown_.find(id);
      all = all && it != shown_.end() && it->second;
    }
    bool parent = false;
    if (h.carried && !title_withheld && !h.ancestors.empty()) {
      auto it = shown_.find(h.ancestors.back());
      parent = it != shown_.end() && it->second;
    }
    uint32_t rpc = c_.member(h.hit, "resultParentContainer"), crumbs = c_.member(h.hit, "breadcrumbs");
    if (rpc != npos && parent) kept_extras_.insert(rpc);
    if (crumbs != npos && all) kept_extras_.insert(crumbs);
  }
  std::vector<uint32_t> stack{0}, own;
  while (!stack.empty()) {
    uint32_t n = stack.back();
    stack.pop_back();
    if (c_.edited_at(n)) continue;  // dropped or replaced: nothing of it is written
    if (t.is_object(n)) {
      node_role role = roles_[n];
      if (role == node_role::settled) continue;
      uint32_t id = npos;
      bool content = role != node_role::item && names_content(c_, n, id);
      if (content && !shown_id(id)) {
        std::string_view id_value;  // fixed after the freeze (round 12, F2): only by its own `id`
        if (id_text(t, id, id_value) && c_.member(n, "id") == id) strip_to_id(n);
        else c_.drop(n);  // nothing left to name it by
        continue;
      }
      bool entry_only = content && !whole_id(id);  // fixed after the freeze (round 8, F2)
      if (entry_only && c_.member(n, "id") != id) {
        c_.drop(n);
        continue;
      }
      if (entry_only)
        for (uint32_t m = t.first_child(n); m != npos; m = t.next_sibling(n, m)) {
          std::string_view k = t.key(m);
          if (k != "id" && k != "type" && k != "status" && k != "title" && k != "_links" && k != "_expandable") c_.drop(m);
          else if (k == "_links" || k == "_expandable") keep_scalars(c_, m, false);  // fixed after the freeze (R10-3)
          else if (t.is_object(m) || t.is_array(m)) c_.drop(m);
        }
      if (content) disclose_copy(n);
      own.clear();
      if (!entry_only) keep_own_children(n, own);
      // fixed after the freeze (round 8, F10): `childTypes` keeps only the
      // page's own attachments and comments.
      if (uint32_t ct = c_.member(n, "childTypes"); !entry_only && t.is_object(ct))
        for (uint32_t k = t.first_child(ct); k != npos; k = t.next_sibling(ct, k)) {
          std::string_view key = t.key(k);
          if (key != "attachment" && key != "comment" && key != "_expandable" && key != "_links") c_.drop(k);
          else if (key != "attachment" && key != "comment") keep_scalars(c_, k, false);  // fixed after the freeze (R10-3)
          else if (!t.is_object(k)) c_.drop(k);
          else
            for (uint32_t m = t.first_child(k); m != npos; m = t.next_sibling(k, m)) {
              if (t.key(m) == "_links") keep_scalars(c_, m, false);
              else if (t.key(m) != "value" || t.is_object(m) || t.is_array(m)) c_.drop(m);
            }
        }
      for (uint32_t e : own) {
        roles_[e] = node_role::item;  // shown with its page, and
        disclose_copy(e);             // disclosed as content here
      }
      for (std::string_view name : {"resultParentContainer", "breadcrumbs"}) {  // fixed after the freeze (round 12, F3)
        uint32_t m = c_.member(n, name);
        if (m != npos && !kept_extras_.count(m)) c_.drop(m);
      }
    } else if (!t.is_array(n)) {
      continue;
    }
    for (uint32_t k = t.first_child(n); k != npos; k = t.next_sibling(n, k)) stack.push_back(k);
  }
}

}  // namespace keyhole::detail
