// What the knowledge-base filter reads from one content object or ancestor
// entry (SPEC §6): its id, labels and carried read restrictions, and the
// level they make in a page's chain.
#pragma once

#include <string_view>
#include <vector>

#include "filter_context.h"

namespace keyhole::detail {

// An id may be written as a string or a number; both compare by their text.
// Only plain integer text ("0", or digits without a leading zero) is an id,
// and, in a string, a plain name (a letter or `_`, then letters, digits, `_`,
// `-`); any other spelling is none (review round 8, F8): `out` is then empty.
bool id_text(const json_tree& t, uint32_t n, std::string_view& out);
// Whether `s`, written as a string, is an id spelling id_text() accepts (the
// policy's page ids must be: another spelling could never match).
bool id_spelling(std::string_view s);
// An id member that may be left out: absent or null gives none (true, `out`
// empty), plain id text gives it, anything else is not readable (false).
bool optional_id_text(const json_tree& t, uint32_t n, std::string_view& out);

// Whether object `obj` names a piece of content: a content `type`, or an
// `id` with a title, an excerpt, a web link (`_links.webui`) or what only
// content carries (a body, labels, restrictions, ancestors, a version or
// history, children); a space, which has a `key`, is not content. Also an
// object naming a page by `source.pageId` (a JSM article), and a titled or
// excerpted wrapper around a `content` that names content (a search hit:
// review round 12, F2). `id` is then its `id` (or `contentId`) member, the
// `pageId` or the wrapped content's id, npos when it has none: the sweep
// reduces only by an object's own `id` and removes the others. One rule for
// the copies a page is decided with (kb_tree.h) and the copies the sweep reduces.
bool names_content(filter_context& c, uint32_t obj, uint32_t& id);

// names_content() of each object, worked out once per payload: the copies
// index (kb_tree.h) asks before the decisions and the sweep (kb_sweep.h)
// after them, of the same objects.
class content_names {
 public:
  explicit content_names(filter_context& c) : c_(c), id_(c.t.size(), kUnasked) {}
  bool of(uint32_t obj, uint32_t& id) {
    uint32_t& known = id_[obj];
    if (known == kUnasked) known = names_content(c_, obj, id) ? id : kNoContent;
    id = known == kNoContent ? npos : known;
    return known != kNoContent;
  }

 private:
  // An object names content with no id (a content `type` alone) as npos.
  static constexpr uint32_t kUnasked = npos - 1, kNoContent = npos - 2;
  filter_context& c_;
  std::vector<uint32_t> id_;  // per node: kUnasked, kNoContent, or its id node (npos: none)
};

// The space a content object names: its `space` object's `key` and `id`, or
// its `spaceId`; both empty when it names none.
struct space_names {
  std::string_view key, id;
  bool carried() const { return !key.empty() || !id.empty(); }
};
// Reads them; false when the object names a space that cannot be read (an
// id not plain integer text, two ids that differ, a `space` that is no object
// or names neither key nor id).
bool space_names_of(filter_context& c, uint32_t obj, space_names& out);
// Whether two carried spaces are one: a name of one is a name of the other.
bool same_space(const space_names& a, const space_names& b);

// Read restrictions as the payload carries them.
enum class restriction {
  none,     // not restricted (empty lists), or the format never carries them
  listed,   // users and groups listed: everyone else is denied
  unknown,  // named but not carried (unexpanded): fail closed
};

struct page_facts {
  std::string_view id;
  bool labels_known = false;
  // Labels carried but not all readable (the list paged, or an entry without
  // a name): unlike labels not carried at all, a deny may be among the ones
  // missing, so an item is hidden and, under label rules, so is everything
  // below an ancestor entry with them (review finding A1).
  bool labels_in_part = false;
  std::vector<std::string_view> labels;
  restriction restrict = restriction::none;
  bool restriction_denies = false;  // listed, and the viewer is none of them
  // Whether a copy carries whole read restrictions (listed or empty lists),
  // and whether one only names them under its `_expandable`: an item is
  // hidden for the latter, an ancestor entry is decided without them, so a
  // page shown only as an ancestor shows its body only when they are carried
  // somewhere (review round 8, F2).
  bool restrictions_carried = false;
  bool restrictions_unexpanded = false;
  uint32_t node = npos;             // the object read, when the payload carries one
};

// Whose facts are read: an item's restrictions named only under its
// `_expandable` are unknown (SPEC §6, amended); an ancestor entry's add nothing.
enum class facts_of { item, ancestor };

// Reads labels and carried read restrictions of content object `obj` into `f`.
void read_facts(filter_context& c, uint32_t obj, facts_of whose, page_facts& f);

// Joins what another copy of the same page carries into `into`: labels
// joined, labels in part and unknown restrictions sticking, carried
// restrictions binding as the first copy's would.
void join_facts(page_facts& into, const page_facts& other);
// Drops repeated labels, keeping each first one in place (copies repeat them).
void keep_each_label_once(page_facts& f);

// The page's own level: its rule and its labels' rules, merged (SPEC §4), and
// the deny of its carried restrictions.
level page_level(const articles_section& a, const page_facts& f);

}  // namespace keyhole::detail
