// What the knowledge-base filter reads from one content object or ancestor
// entry (SPEC §6): its id, labels and carried read restrictions, and the
// level they make in a page's chain.
#pragma once

#include <string_view>
#include <vector>

#include "filter_context.h"

namespace keyhole::detail {

// An id may be written as a string or a number; both compare by their text.
bool id_text(const json_tree& t, uint32_t n, std::string_view& out);

// Whether object `obj` names a piece of content: a content `type`, or an
// `id` with a title, an excerpt or a web link (`_links.webui`; a space, which
// has a `key`, links to itself and is not content). `id` is then its `id`
// (or `contentId`) member, npos when it has neither. One rule for the copies
// a page is decided with (kb_tree.h) and the copies the sweep reduces.
bool names_content(filter_context& c, uint32_t obj, uint32_t& id);
// The space an object names (`space.key` / `space.id` / `spaceId`), both
// empty for none; false when it names one that cannot be read.
bool space_of(filter_context& c, uint32_t obj, std::string_view& key, std::string_view& id);
bool spaces_match(std::string_view key_a, std::string_view id_a, std::string_view key_b, std::string_view id_b);

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
  // fixed after the freeze (round 8, F2): whether a copy carries whole
  // restrictions, and whether one names them only under `_expandable`.
  bool restrictions_carried = false, restrictions_unexpanded = false;
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
