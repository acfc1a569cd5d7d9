#include "kb_facts.h"

#include <algorithm>
#include <string>
#include <tuple>

#include "name_index.h"
#include "viewer.h"

namespace keyhole::detail {

namespace {

// "0", or digits without a leading zero: the one spelling Confluence writes.
bool plain_integer(std::string_view s) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string_view::npos) return false;
  return s == "0" || s.front() != '0';
}

// A name no reader takes for a number (hand-made payloads, tests): an ASCII
// letter or `_`, then letters, digits, `_` and `-` only; no space anywhere.
bool plain_name(std::string_view s) {
  auto letter = [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_'; };
  if (s.empty() || !letter(s.front())) return false;
  for (char ch : s)
    if (!letter(ch) && !(ch >= '0' && ch <= '9') && ch != '-') return false;
  return true;
}

}  // namespace

bool id_spelling(std::string_view s) { return plain_integer(s) || plain_name(s); }

bool id_text(const json_tree& t, uint32_t n, std::string_view& out) {
  // Ids compare by their text, so every other spelling of a number (50.0,
  // 5e1, -0, "050", " 50") would escape a rule on page 50 (review round 8,
  // F8): it is no id, and what it names is hidden (fail closed).
  if (t.is_string(n)) out = t.str(n);
  else if (n != npos && t.type(n) == jtype::number) out = t.raw(n);
  else return false;
  if (plain_integer(out) || (t.is_string(n) && plain_name(out))) return true;
  out = {};
  return false;
}

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

bool names_content_directly(filter_context& c, uint32_t obj, uint32_t& id, bool& titled) {
  const json_tree& t = c.t;
  static constexpr std::string_view names[] = {"id", "title", "type", "excerpt", "_links", "key", "contentId"};
  uint32_t found[7];
  if (!t.members(obj, names, found)) c.duplicate_seen = true;
  auto [id_node, title, type, excerpt, links, key, content_id] = found;
  if (id_node == npos) id_node = content_id;  // names a page by `contentId` (the sweep then removes it whole)
  id = id_node;
  titled = title != npos || excerpt != npos;
  if (t.is_string(type) && content_type(t.str(type))) return true;
  if (id_node == npos) return false;
  if (titled) return true;
  // An `id` with what only content carries: a body (or its rendered macros),
  // read restrictions, ancestors, children (review round 6, F4: a copy with
  // none of the above was neither joined nor reduced, and kept a hidden
  // page's body and a deny label). With a `key` (a space, a content
  // property) only those count (round 7): a space carries labels, history and
  // a link to itself, a content property a version.
  static constexpr std::string_view facts[] = {"body",     "restrictions", "ancestors", "children", "macroRenderedOutput",
                                               "metadata", "labels",       "version"};
  uint32_t carried[8];
  if (!t.members(obj, facts, carried)) c.duplicate_seen = true;
  for (size_t i = 0; i < 5; ++i)
    if (carried[i] != npos) return true;
  if (key != npos) return false;
  for (size_t i = 5; i < 8; ++i)
    if (carried[i] != npos) return true;
  if (t.is_object(links) && c.member(links, "webui") != npos) return true;
  return c.member(obj, "history") != npos;
}

// A page named without an `id`: a JSM article's `source.pageId` (what
// page_tree::own_id indexes as that page's copy), or a search hit's title
// and excerpt around a `content` that names content, which spell that
// content's (review round 12, F2: both were copied whole for a hidden page).
// One level of wrapping: a wrapper's wrapper is no shape Confluence writes.
bool names_content_elsewhere(filter_context& c, uint32_t obj, bool titled, uint32_t& id) {
  const json_tree& t = c.t;
  uint32_t src = c.member(obj, "source");
  if (uint32_t page = t.is_object(src) ? c.member(src, "pageId") : npos; page != npos) {
    id = page;
    return true;
  }
  uint32_t inner = c.member(obj, "content");
  bool inner_titled = false;
  return titled && t.is_object(inner) && names_content_directly(c, inner, id, inner_titled);
}

}  // namespace

bool names_content(filter_context& c, uint32_t obj, uint32_t& id) {
  bool titled = false;
  if (names_content_directly(c, obj, id, titled)) return true;
  return names_content_elsewhere(c, obj, titled, id);
}

bool optional_id_text(const json_tree& t, uint32_t n, std::string_view& out) {
  out = {};
  return n == npos || t.is_null(n) || id_text(t, n, out);
}

bool space_names_of(filter_context& c, uint32_t obj, space_names& out) {
  const json_tree& t = c.t;
  out = {};
  uint32_t sp = c.member(obj, "space"), sid = c.member(obj, "spaceId");
  bool no_space = sp == npos || t.is_null(sp);
  if (!optional_id_text(t, sid, out.id)) return false;
  if (no_space) return true;
  if (!t.is_object(sp) || !t.unique_keys(sp)) return false;
  std::string_view own;
  if (!optional_id_text(t, c.member(sp, "id"), own)) return false;
  if (!own.empty() && !out.id.empty() && own != out.id) return false;
  if (!own.empty()) out.id = own;
  uint32_t key = c.member(sp, "key");
  if (!t.is_string(key)) return !out.id.empty();
  out.key = t.str(key);
  return !out.key.empty();
}

bool same_space(const space_names& a, const space_names& b) {
  for (std::string_view x : {a.key, a.id})
    for (std::string_view y : {b.key, b.id})
      if (!x.empty() && x == y) return true;
  return false;
}

namespace {

// Whether a count member of a collection (`size`, `totalSize`, `start`) is
// absent, null, or exactly `want` as an integer's text; anything else counts
// against the collection being whole.
bool count_member_is(filter_context& c, uint32_t collection, std::string_view name, size_t want) {
  const json_tree& t = c.t;
  uint32_t v = c.member(collection, name);
  return v == npos || t.is_null(v) || (t.type(v) == jtype::number && t.raw(v) == std::to_string(want));
}

// Whether a member `flag` of object `obj` is absent, null or false (a
// collection's `meta.hasMore`), or a link `next` absent or null.
bool absent_or(filter_context& c, uint32_t obj, std::string_view name, jtype allowed) {
  const json_tree& t = c.t;
  uint32_t v = c.member(obj, name);
  return v == npos || t.is_null(v) || t.type(v) == allowed;
}

// Whether a Confluence collection (`results` and its paging members) carries
// every entry. A later page (`_links.next`, `meta.hasMore`), an earlier one
// (`start` past 0) or a count beyond the entries carried (`size`,
// `totalSize`) means some are not carried, and a list in part says nothing
// for sure about the rest: such labels or restrictions are not carried
// (SPEC §6, fail closed). Confluence pages its lists at `limit` entries.
bool carried_whole(filter_context& c, uint32_t collection, uint32_t results) {
  const json_tree& t = c.t;
  size_t n = t.child_count(results);
  if (!count_member_is(c, collection, "size", n) || !count_member_is(c, collection, "totalSize", n) ||
      !count_member_is(c, collection, "start", 0))
    return false;
  for (auto [member, inner, allowed] : {std::tuple{"_links", "next", jtype::null_value},
                                        std::tuple{"meta", "hasMore", jtype::false_value}}) {
    uint32_t o = c.member(collection, member);
    if (o == npos || t.is_null(o)) continue;
    if (!t.is_object(o) || !absent_or(c, o, inner, allowed)) return false;
  }
  return true;
}

// Labels: v1 carries them under `metadata.labels`, v2 as `labels`. Absent
// (or null) they are not carried; present, they must be one whole, readable
// list, else they are carried in part (review findings A1, P2, P3): a list
// without a `results` array, a paged one, or both spellings at once (which
// one holds the page's labels would be a guess).
void read_labels(filter_context& c, uint32_t obj, page_facts& f) {
  const json_tree& t = c.t;
  uint32_t md = c.member(obj, "metadata");
  uint32_t in_metadata = t.is_object(md) ? c.member(md, "labels") : npos;
  uint32_t top = c.member(obj, "labels");
  if (t.is_null(in_metadata)) in_metadata = npos;
  if (t.is_null(top)) top = npos;
  if (in_metadata == npos && top == npos) return;
  uint32_t labels = in_metadata != npos ? in_metadata : top;
  uint32_t list = t.is_object(labels) ? c.member(labels, "results") : npos;
  if ((in_metadata != npos && top != npos) || !t.is_array(list) || !carried_whole(c, labels, list)) {
    f.labels_in_part = true;
    return;
  }
  // A label is matched by its `name` (SPEC §4): an entry without one cannot be
  // read, so the labels are carried in part (fail closed).
  for (uint32_t l = t.first_child(list); l != npos; l = t.next_sibling(list, l)) {
    uint32_t name = c.member(l, "name");
    if (!t.is_string(name)) {
      f.labels.clear();
      f.labels_in_part = true;
      return;
    }
    f.labels.push_back(t.str(name));
  }
  f.labels_known = true;
}

// Whether the viewer is one of the listed users (by accountId) or groups.
bool viewer_listed(filter_context& c, uint32_t users, uint32_t groups) {
  const json_tree& t = c.t;
  const viewer& v = c.m.who();
  bool listed = false;
  if (v.signed_in)
    for (uint32_t u = t.first_child(users); u != npos; u = t.next_sibling(users, u)) {
      uint32_t acc = c.member(u, "accountId");
      if (t.is_string(acc) && t.str(acc) == v.sub) listed = true;
    }
  for (uint32_t g = t.first_child(groups); g != npos; g = t.next_sibling(groups, g)) {
    uint32_t name = c.member(g, "name");
    if (t.is_string(name) && v.in_group(t.str(name))) listed = true;
  }
  return listed;
}

// Confluence v1 names what it did not expand under `_expandable`.
bool named_unexpanded(filter_context& c, uint32_t obj, std::string_view member) {
  uint32_t ex = c.member(obj, "_expandable");
  return c.t.is_object(ex) && c.member(ex, member) != npos;
}

}  // namespace

void read_facts(filter_context& c, uint32_t obj, facts_of whose, page_facts& f) {
  read_labels(c, obj, f);
  if (!c.policy.articles.embedded_restrictions) return;
  const json_tree& t = c.t;
  uint32_t rs = c.member(obj, "restrictions");
  if (rs == npos) {
    // Not carried. An item whose restrictions exist but were not asked for is
    // hidden (SPEC §6, amended: finding R1); an ancestor entry adds nothing.
    f.restrictions_unexpanded = named_unexpanded(c, obj, "restrictions");
    if (whose == facts_of::item && f.restrictions_unexpanded) f.restrict = restriction::unknown;
    return;
  }
  uint32_t read = c.member(rs, "read");
  uint32_t rr = c.member(read, "restrictions");
  uint32_t user = c.member(rr, "user"), group = c.member(rr, "group");
  uint32_t users = c.member(user, "results"), groups = c.member(group, "results");
  if (!t.is_array(users) || !t.is_array(groups) || !carried_whole(c, user, users) || !carried_whole(c, group, groups)) {
    f.restrict = restriction::unknown;  // a list left unexpanded, or carried in part
    return;
  }
  f.restrictions_carried = true;
  if (t.first_child(users) == npos && t.first_child(groups) == npos) return;  // empty: no restriction
  f.restrict = restriction::listed;
  f.restriction_denies = !viewer_listed(c, users, groups);
}

void join_facts(page_facts& into, const page_facts& other) {
  if (other.labels_known) {
    into.labels_known = true;
    into.labels.insert(into.labels.end(), other.labels.begin(), other.labels.end());
  }
  into.labels_in_part = into.labels_in_part || other.labels_in_part;
  into.restrictions_carried = into.restrictions_carried || other.restrictions_carried;
  into.restrictions_unexpanded = into.restrictions_unexpanded || other.restrictions_unexpanded;
  if (other.restrict == restriction::unknown) {
    into.restrict = restriction::unknown;
  } else if (other.restrict == restriction::listed && into.restrict != restriction::unknown) {
    into.restrict = restriction::listed;
    into.restriction_denies = into.restriction_denies || other.restriction_denies;
  }
}

void keep_each_label_once(page_facts& f) {
  name_index seen;  // labels are the payload's: bounded probing (id_map.h)
  std::erase_if(f.labels, [&](std::string_view l) {
    bool fresh = false;
    seen.insert(l, fresh);
    return !fresh;
  });
}

// The rule for label `name`. Confluence folds labels to lower case (and a
// policy's label names must be, policy_compile.cpp); a payload spelling one
// otherwise is matched folded, so it cannot escape the rule (review round
// 8, F9).
static const rule* label_rule(const articles_section& a, std::string_view name) {
  if (std::none_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) return a.labels.find(name);
  return a.labels.find(ascii_lower(name));
}

level page_level(const articles_section& a, const page_facts& f) {
  level l;
  l.name = "page:" + std::string(f.id);
  if (const rule* r = a.pages.find(f.id)) l.rules.push_back(r);
  for (auto name : f.labels)
    if (const rule* r = label_rule(a, name)) l.rules.push_back(r);
  l.has_restriction = f.restrict == restriction::listed;
  l.restriction_denies = f.restriction_denies;
  return l;
}

}  // namespace keyhole::detail
