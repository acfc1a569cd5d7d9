#include "kb_sweep.h"

#include "kb_facts.h"

namespace keyhole::detail {
namespace {

// Confluence content types (v1 `type`, v2 objects): an object with one of
// these names a piece of content even without a title.
bool content_type(std::string_view type) {
  static constexpr std::string_view kinds[] = {"page",     "blogpost", "comment",  "attachment", "folder",
                                               "whiteboard", "database", "embed",  "custom"};
  for (std::string_view k : kinds)
    if (type == k) return true;
  return false;
}

}  // namespace

void content_sweep::decided(std::string_view id, bool shown) {
  auto [it, fresh] = shown_.try_emplace(id, shown);
  if (!fresh) it->second = it->second && shown;
}

void content_sweep::strip_to_id(uint32_t entry) {
  const json_tree& t = c_.t;
  for (uint32_t m = t.first_child(entry); m != npos; m = t.next_sibling(entry, m))
    if (t.key(m) != "id") c_.drop(m);
  roles_[entry] = node_role::settled;
}

bool content_sweep::names_content(uint32_t obj, uint32_t& id) {
  static constexpr std::string_view names[] = {"id", "title", "type"};
  uint32_t found[3];
  if (!c_.t.members(obj, names, found)) c_.duplicate_seen = true;
  id = found[0];
  if (found[0] != npos && found[1] != npos) return true;
  return c_.t.is_string(found[2]) && content_type(c_.t.str(found[2]));
}

bool content_sweep::shown_id(uint32_t id_node) const {
  std::string_view id;
  if (!id_text(c_.t, id_node, id)) return false;
  auto it = shown_.find(id);
  return it != shown_.end() && it->second;
}

// Expanded `children` / `descendants` of a shown page name other pages this
// filter has not decided (so they go), and the page's own attachments and
// comments, which are shown with it.
void content_sweep::keep_own_children(uint32_t obj) {
  const json_tree& t = c_.t;
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
      // Only entries of that very type: anything else in the list is decided
      // as whatever content it names.
      uint32_t results = c_.member(k, "results");
      if (t.is_array(results))
        for (uint32_t e = t.first_child(results); e != npos; e = t.next_sibling(results, e)) {
          uint32_t type = t.is_object(e) ? c_.member(e, "type") : npos;
          if (t.is_string(type) && t.str(type) == key && roles_[e] == node_role::undecided) roles_[e] = node_role::shown;
        }
    }
  }
}

void content_sweep::run() {
  const json_tree& t = c_.t;
  std::vector<uint32_t> stack{0};
  while (!stack.empty()) {
    uint32_t n = stack.back();
    stack.pop_back();
    if (c_.edited_at(n)) continue;  // dropped or replaced: nothing of it is written
    if (t.is_object(n)) {
      if (roles_[n] == node_role::settled) continue;
      uint32_t id = npos;
      if (roles_[n] == node_role::undecided && names_content(n, id) && !shown_id(id)) {
        std::string_view id_value;
        if (id_text(t, id, id_value)) strip_to_id(n);
        else c_.drop(n);  // nothing left to name it by
        continue;
      }
      keep_own_children(n);
    } else if (!t.is_array(n)) {
      continue;
    }
    for (uint32_t k = t.first_child(n); k != npos; k = t.next_sibling(n, k)) stack.push_back(k);
  }
}

}  // namespace keyhole::detail
