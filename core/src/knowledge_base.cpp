// Knowledge-base payloads (SPEC §6): Confluence REST v1 lists and search
// results, Confluence v2 pages, JSM knowledge-base articles, single objects.
// Facts of one page: kb_facts.h; the parentId tree: kb_tree.h; what nested
// content objects may keep: kb_sweep.h.
#include <algorithm>
#include <iterator>
#include <string>
#include <vector>

#include "filter_context.h"
#include "kb_facts.h"
#include "kb_sweep.h"
#include "kb_tree.h"
#include "name_index.h"

namespace keyhole::detail {
namespace {

// One list item (or the single content object) while it is being decided.
struct item_view {
  uint32_t item = npos;     // the list entry (a search hit wraps its content)
  uint32_t content = npos;  // the content object decided
  bool jsm = false;
  page_facts self;
  std::string_view space;
  std::string_view space_id;  // a v1 space object's `id` too, when carried
  bool space_known = false;
  bool hidden = false;  // fail closed before any rule is applied
  std::string note;     // the first reason, for explain
  void hide(std::string why) {
    if (!hidden) note = std::move(why);
    hidden = true;
  }
};

// A carried `ancestors` entry, decided along the item's chain.
struct ancestor_entry {
  uint32_t node;
  std::string_view id;
  bool visible;
  bool item_checks;  // its page passes what an item must carry (SPEC §6)
  decision decided;  // with its levels when explaining
};

class kb_filter {
 public:
  explicit kb_filter(filter_context& c)
      : c_(c), t_(c.t), a_(c.policy.articles), spaces_(naming_of(a_)), names_(c), tree_(c, names_), sweep_(c, names_) {}

  outcome run() {
    outcome o = run_checked();
    if (o != outcome::rejected && c_.duplicate_seen) return c_.reject("duplicate member in an object the filter reads");
    return o;
  }

 private:
  // The format was detected from the same members (keyhole.cpp): `values` is
  // a JSM list, `results` a Confluence list, anything else one content object.
  outcome run_checked() {
    if (!t_.is_object(0)) return c_.reject("a knowledge-base payload is a JSON object");
    if (!t_.unique_keys(0)) return c_.reject("duplicate member in the payload's top level");
    uint32_t values = c_.member(0, "values"), results = c_.member(0, "results");
    if (values != npos) return list(values, true);
    if (results != npos) return list(results, false);
    if (c_.member(0, "id") == npos) return c_.reject("unknown knowledge-base payload shape");
    tree_.index_copies(0);
    if (uint32_t at = tree_.misplaced(); at != npos) return c_.reject("copies of a page place it under two parents", at);
    bool shown = decide_item(0, 0, false);
    if (shown) sweep_.run();
    return shown ? outcome::ok : outcome::not_visible;
  }

  outcome list(uint32_t arr, bool jsm) {
    if (!t_.is_array(arr)) return c_.reject("results/values must be an array", arr);
    if (uint32_t odd = unknown_top_level_member(arr); odd != npos)
      return c_.reject("unknown member in a knowledge-base list's top level", odd);
    for (uint32_t e = t_.first_child(arr); e != npos; e = t_.next_sibling(arr, e))
      if (!t_.is_object(e)) return c_.reject("a list item must be an object", e);
      else if (!t_.unique_keys(e)) return c_.reject("duplicate member in a list item", e);
    if (!jsm)
      if (uint32_t dup = tree_.index(arr); dup != npos) return c_.reject("two items of the list have the same id", dup);
    if (jsm)  // one page, one answer: copies could differ in space or chain (review round 6, F2)
      if (uint32_t dup = repeated_page(arr); dup != npos) return c_.reject("two items of the list have the same source.pageId", dup);
    tree_.index_copies(npos);  // JSM entries too: an entry's own facts come from the index (review R3)
    if (uint32_t at = tree_.misplaced(); at != npos) return c_.reject("copies of a page place it under two parents", at);
    size_t kept = 0;
    for (uint32_t e = t_.first_child(arr); e != npos; e = t_.next_sibling(arr, e)) {
      uint32_t content = e;
      uint32_t inner = c_.member(e, "content");
      // A CQL search result wraps the content; decide by it.
      if (!jsm && t_.is_object(inner)) {
        if (!t_.unique_keys(inner)) return c_.reject("duplicate member in a search result's content", inner);
        // A hit names no content of its own (a title and excerpt, no id, no
        // content type); one that does is no shape we know, and deciding it
        // by `content` alone would copy its own page undecided (review round 8, F6).
        if (names_other_content(e, inner)) return c_.reject("a search result names content besides its `content`", e);
        content = inner;
      } else if (!jsm && c_.member(e, "id") == npos) {
        c_.drop(e);  // a space or user hit of a search: not an article
        if (c_.log) c_.record(explained{"article", "", false, {}, "search result without content", {}});
        continue;
      }
      if (decide_item(e, content, jsm)) ++kept;
      else c_.drop(e);
    }
    sweep_.run();
    fix_counts(kept);
    return outcome::ok;
  }

  // Beside the list, a list's top level holds what Confluence and JSM write
  // there: counts, links, the query. Any other member is data the filter does
  // not understand, which is never passed through, so the payload is an
  // unknown format (exit 3), as a status payload with one is (review round 12,
  // F2: an `extra` object spelt a hidden page's title). The members known
  // hold scalars, or an object or list of them: anything nested deeper goes.
  // Returns the first unknown member, or npos.
  uint32_t unknown_top_level_member(uint32_t list) {
    static constexpr std::string_view known[] = {"start",      "limit",      "size",         "totalSize", "_links",
                                                 "_expandable", "_expands",  "cqlQuery",     "searchDuration",
                                                 "isLastPage", "meta",       "restrictionsHash"};
    for (uint32_t m = t_.first_child(0); m != npos; m = t_.next_sibling(0, m)) {
      if (m == list) continue;
      if (std::find(std::begin(known), std::end(known), t_.key(m)) == std::end(known)) return m;
      if (t_.is_container(m))
        for (uint32_t k = t_.first_child(m); k != npos; k = t_.next_sibling(m, k))
          if (t_.is_container(k)) c_.drop(k);
    }
    return npos;
  }

  // Whether search hit `hit` names content other than through its `content`
  // `inner` (its title and excerpt spell the content's: names_content).
  bool names_other_content(uint32_t hit, uint32_t inner) {
    uint32_t own = npos, wrapped = npos;
    if (!names_.of(hit, own)) return false;
    return !names_.of(inner, wrapped) || own != wrapped;
  }

  // The first JSM item whose `source.pageId` an earlier item already has, or npos.
  uint32_t repeated_page(uint32_t arr) {
    name_index seen;  // page ids are the payload's: bounded probing (id_map.h)
    for (uint32_t e = t_.first_child(arr); e != npos; e = t_.next_sibling(arr, e)) {
      uint32_t src = c_.member(e, "source");
      std::string_view id;
      if (!t_.is_object(src) || !id_text(t_, c_.member(src, "pageId"), id)) continue;  // hidden: no source.pageId
      bool fresh = false;
      seen.insert(id, fresh);
      if (!fresh) return e;
    }
    return npos;
  }

  // Counts must not reveal hidden items.
  void fix_counts(size_t kept) {
    std::string count = std::to_string(kept);
    uint32_t size = c_.member(0, "size");
    if (size != npos) c_.replace(size, count);
    uint32_t total = c_.member(0, "totalSize");
    if (total == npos) return;
    uint32_t links = c_.member(0, "_links");
    bool complete = !t_.is_object(links) || c_.member(links, "next") == npos;
    if (complete) c_.replace(total, count);
    else c_.drop(total);
  }

  // The item's id, space, labels and restrictions, and the fail-closed rules
  // that hide it before any rule applies (SPEC §6).
  void read_item(item_view& v) {
    if (v.jsm) {
      uint32_t src = c_.member(v.content, "source");
      if (!t_.is_object(src) || !t_.unique_keys(src) || !id_text(t_, c_.member(src, "pageId"), v.self.id))
        v.hide("no source.pageId");
      uint32_t sk = t_.is_object(src) ? c_.member(src, "spaceKey") : npos;
      // JSM names the space by key only (key_space_carried).
      if (t_.is_string(sk)) v.space = t_.str(sk), v.space_known = key_space_carried(v.space);
      // What other copies of the page carry binds it as it binds its
      // children (an `ancestors` entry's restrictions; review round 5, F1).
      if (!v.self.id.empty()) join_facts(v.self, tree_.facts_of(v.self.id));
      if (!a_.labels.empty()) v.hide("labels not carried by the payload");
    } else {
      uint32_t type = c_.member(v.content, "type");
      if (type != npos && !(t_.is_string(type) && (t_.str(type) == "page" || t_.str(type) == "blogpost")))
        v.hide("not a page or blog post");
      else if (belongs_to_content(v.content))
        v.hide("an attachment, comment or task of other content, not a page or blog post");
      if (!id_text(t_, c_.member(v.content, "id"), v.self.id)) v.hide("no id, or one not written as plain integer text");
      read_space(v);
      read_facts(c_, v.content, facts_of::item, v.self);
      // What other copies of this page carry binds it too (its ancestors
      // entries under other items; review R1). Confluence ids are unique per
      // list, so this is linear in the entries.
      if (!v.self.id.empty()) {
        join_facts(v.self, tree_.facts_of(v.self.id));
        keep_each_label_once(v.self);  // the item's own labels are among the joined ones
      }
      if (!a_.labels.empty() && (!v.self.labels_known || v.self.labels_in_part))
        v.hide("labels not carried by the payload");
    }
    if (!a_.spaces.empty() && !v.space_known) v.hide("space not carried by the payload");
    if (v.self.restrict == restriction::unknown) v.hide("restrictions not carried");
  }

  // The item's space: a v1 `space` object's key and id, a v2 `spaceId`
  // (which names count as carried: key_space_carried, id_space_carried). An
  // id given but not readable (`65538.0`, `"065538"`), or two that differ,
  // leave the space not carried (review round 10, R10-1).
  void read_space(item_view& v) {
    uint32_t sp = c_.member(v.content, "space"), sid = c_.member(v.content, "spaceId");
    std::string_view id;
    if (!optional_id_text(t_, sid, id)) return;
    if (!t_.is_object(sp)) {
      if (!id.empty()) v.space = id, v.space_known = id_space_carried(id);
      return;
    }
    if (!t_.unique_keys(sp)) v.hide("duplicate member in space");
    std::string_view own_id;
    if (!optional_id_text(t_, c_.member(sp, "id"), own_id) || (!id.empty() && !own_id.empty() && id != own_id)) return;
    v.space_id = own_id.empty() ? id : own_id;
    uint32_t key = c_.member(sp, "key");
    if (t_.is_string(key)) {
      v.space = t_.str(key);
      v.space_known = !v.space_id.empty() || key_space_carried(v.space);
    } else if (!v.space_id.empty()) {
      v.space = v.space_id, v.space_id = {};
      v.space_known = id_space_carried(v.space);
    }
  }

  // Whether ancestors entry `e` is in the item's space: a tree stays in one
  // space, and the entry is decided on the item's space level, so an entry
  // naming another space (or one not readable) hides the item (review round
  // 11, F1: a `SECRET` ancestor under a `KB` item was shown).
  bool in_items_space(const item_view& v, uint32_t e) {
    space_names entry;
    if (!space_names_of(c_, e, entry)) return false;
    return !entry.carried() || same_space(entry, space_names{v.space, v.space_id});  // none carried: the item's
  }

  // The same for a chain of parent links: a parent the payload carries in
  // another space than its child hides the item (review round 12, F5).
  bool chain_leaves_space(const item_view& v, const chain& ch) const {
    return ch.leaves_space || (ch.space.carried() && !same_space(ch.space, space_names{v.space, v.space_id}));
  }

  // A space named by key only (JSM's `spaceKey`, a v1 space without `id`)
  // counts as carried when the policy names that key or names no space by
  // id; one named by id only (v2's `spaceId`) when the policy names that id
  // or names every space by id: a rule by the other name cannot be matched
  // against it (review round 8, F3).
  bool key_space_carried(std::string_view key) const { return a_.spaces.find(key) || !spaces_.some_by_id; }
  bool id_space_carried(std::string_view id) const { return a_.spaces.find(id) || spaces_.every_by_id; }

  // How the policy names its spaces, read once per call, not per item.
  struct space_naming {
    bool some_by_id = false, every_by_id = true;  // a numeric space id (v2's `spaceId`)
  };
  static space_naming naming_of(const articles_section& a) {
    space_naming n;
    for (const auto& [name, r] : a.spaces) {
      bool by_id = !name.empty() && name.find_first_not_of("0123456789") == std::string_view::npos;
      n.some_by_id = n.some_by_id || by_id;
      n.every_by_id = n.every_by_id && by_id;
    }
    return n;
  }

  // The space's level: the rules naming it by key and, for a v1 space
  // object, by id (review round 8, F3); merged as a label's rule merges.
  level space_level(const item_view& v) const {
    level l{"space:" + std::string(v.space), {}};
    if (const rule* r = a_.spaces.find(v.space)) l.rules.push_back(r);
    if (!v.space_id.empty() && v.space_id != v.space)
      if (const rule* r = a_.spaces.find(v.space_id)) l.rules.push_back(r);
    return l;
  }

  // Whether a Confluence object is an attachment, a comment or a task (v2
  // writes no `type`): it names the content it belongs to, or carries what
  // only a file or a comment does. Such an item is hidden like v1's typed
  // ones; decided as a page by its own id, it was shown though its page was
  // hidden by a label (review round 8, F4).
  bool belongs_to_content(uint32_t obj) {
    static constexpr std::string_view containers[] = {"pageId",       "blogPostId",      "customContentId",
                                                      "attachmentId", "parentCommentId", "localId"};
    static constexpr std::string_view own[] = {"mediaType",    "mediaTypeDescription", "fileId",
                                               "fileSize",     "downloadLink",         "resolutionStatus"};
    uint32_t found[2][6];  // members() reads at most 8 names at once
    if (!t_.members(obj, containers, found[0]) || !t_.members(obj, own, found[1])) c_.duplicate_seen = true;
    return std::any_of(&found[0][0], &found[0][0] + 12, [](uint32_t m) { return m != npos; });
  }

  // Whether a page decided as an ancestor carries, over its copies, what an
  // item must (SPEC §6): restrictions known (carried by a copy, or named by
  // none) and, under label rules, its labels. An entry is decided without
  // them ("adds nothing", "its labels when the payload carries them"), which
  // justifies its id and title, not its body (review round 8, F2). Its space
  // is the item's, and its chain the entries above it.
  bool passes_item_checks(const page_facts& f) const {
    if (f.restrict == restriction::unknown) return false;
    if (f.restrictions_unexpanded && !f.restrictions_carried) return false;
    return a_.labels.empty() || (f.labels_known && !f.labels_in_part);
  }

  // Whether the policy has rules for pages other than `id` (SPEC §6).
  bool needs_ancestors(std::string_view id) const {
    size_t n = a_.pages.size();
    return n > 1 || (n == 1 && !a_.pages.find(id));
  }

  // Carried `ancestors`, root first: each applied in turn, so each entry is
  // decided on its own prefix of the chain (one pass, linear).
  bool carried_ancestors(item_view& v, uint32_t anc, decision& d) {
    if (!t_.is_array(anc)) {
      v.hide("ancestors carried but not readable");
      return false;
    }
    size_t outer = d.trace.size();  // explain: the levels above the chain (default, space)
    level_step above;               // the entries before this one, as one step
    size_t depth = 0;
    for (uint32_t e = t_.first_child(anc); e != npos; e = t_.next_sibling(anc, e), ++depth) {
      std::string_view id;
      if (!t_.is_object(e) || !id_text(t_, c_.member(e, "id"), id)) {
        v.hide("ancestors carried but not readable");
        return false;
      }
      if (!in_items_space(v, e)) {
        v.hide("an ancestor in another space");
        return false;
      }
      // What the payload carries for this page anywhere: this entry, the
      // item with its id, the entries naming it under other items.
      const page_facts& f = tree_.facts_of(id);
      if (f.restrict == restriction::unknown) {
        v.hide("an ancestor's restrictions are not carried");
        return false;
      }
      if (f.labels_in_part && !a_.labels.empty()) {
        v.hide("an ancestor's labels are carried in part");
        return false;
      }
      const level_step& own = tree_.step_of_page(id);
      apply_step(own, d);
      decision alone{d.allowed, d.denied, false, {}};
      if (c_.tracing) trace_entry(d, alone, outer, above, depth, tree_.trace_of_page(id));
      above = compose(above, own);
      finish_decision(alone, c_.m.who().has_grant("article", f.id));
      bool visible = alone.visible();
      carried_.push_back(ancestor_entry{e, f.id, visible, passes_item_checks(f), std::move(alone)});
    }
    return true;
  }

  // Explain: the item's chain gets the entry's own level (its rules traced
  // once per page); the entry's own record the levels above the chain, the
  // entries above it as one composed step and its own level, so that a chain
  // k long explains in O(k), not O(k²) (review round 6, F5: 4,000 ancestors
  // wrote 757 MB).
  void trace_entry(decision& item, decision& entry, size_t outer, const level_step& above, size_t depth,
                   const level_trace* own) {
    if (own) item.trace.push_back(*own);
    entry.trace.assign(item.trace.begin(), item.trace.begin() + outer);
    if (depth > 0)
      entry.trace.push_back(level_trace{"ancestors:" + std::to_string(depth), above.reset, above.allow, above.deny, {}, {}});
    if (own) entry.trace.push_back(*own);
  }

  // Ancestors from parent links (v2 parentId, the policy's parents map). A
  // cycle hides the item; so does a chain broken below a page the policy has
  // a rule for; else the known part of the chain applies (its denies stick).
  bool linked_ancestors(item_view& v, decision& d) {
    chain ch = tree_.above(v.self.id, v.content);
    if (ch.state == chain_state::cycle) v.hide("the parent links form a cycle");
    else if (ch.state == chain_state::unestablished) v.hide("ancestors cannot be established");
    else if (chain_leaves_space(v, ch)) v.hide("an ancestor in another space");
    else if (ch.unknown_restriction) v.hide("an ancestor's restrictions are not carried");
    else if (ch.labels_in_part && !a_.labels.empty()) v.hide("an ancestor's labels are carried in part");
    else if (ch.state == chain_state::broken && needs_ancestors(v.self.id)) v.hide("ancestors cannot be established");
    if (v.hidden) return false;
    if (c_.tracing && ch.depth > 0)  // explain: the chain as the one step that decides (linear)
      d.trace.push_back(level_trace{"ancestors:" + std::to_string(ch.depth), ch.above.reset, ch.above.allow,
                                    ch.above.deny, {}, {}});
    apply_step(ch.above, d);
    return true;
  }

  // Decides one item; applies disclosure and ancestor stripping when shown.
  bool decide_item(uint32_t item, uint32_t content, bool jsm) {
    item_view v;
    v.item = item, v.content = content, v.jsm = jsm;
    read_item(v);
    carried_.clear();
    decision d;
    bool shown = false;
    if (!v.hidden) {
      if (a_.has_default) apply_level(c_.steps, level{"default", {&a_.default_rule}}, d, c_.tracing);
      if (v.space_known)
        if (level space = space_level(v); !space.rules.empty()) apply_level(c_.steps, space, d, c_.tracing);
      uint32_t anc = c_.member(content, "ancestors");
      bool chain_known = anc != npos ? carried_ancestors(v, anc, d) : linked_ancestors(v, d);
      if (chain_known) {
        apply_level(c_.steps, page_level(a_, v.self), d, c_.tracing);
        finish_decision(d, c_.m.who().has_grant("article", v.self.id));
        shown = d.visible();
      }
    }
    if (!v.self.id.empty()) sweep_.decided(v.self.id, shown, true);  // shown: it passed the item checks
    if (shown) finish_shown(v);
    if (c_.log) c_.record(explained{"article", std::string(v.self.id), shown, std::move(d), v.hidden ? v.note : "", {}});
    return shown;
  }

  // A shown item: its hidden ancestors keep only their id, a search hit's
  // parent names are left to the sweep (every verdict known then), and
  // disclosure applies.
  void finish_shown(const item_view& v) {
    for (const ancestor_entry& a : carried_) {
      sweep_.decided(a.id, a.visible, a.item_checks);
      // A shown entry is left to the sweep, which keeps it only if every
      // decision on its id (as an item too) says shown.
      if (!a.visible) sweep_.strip_to_id(a.node);
      if (c_.log)
        c_.record(explained{"ancestor", std::string(a.id), a.visible, a.decided, {}, "of page " + std::string(v.self.id)});
    }
    sweep_.set_role(v.item, node_role::item);
    sweep_.set_role(v.content, node_role::item);
    if (v.item != v.content) {
      std::vector<std::string_view> ancestor_ids;
      for (const ancestor_entry& a : carried_) ancestor_ids.push_back(a.id);
      sweep_.search_hit(v.item, ancestor_ids, c_.member(v.content, "ancestors") != npos);
    }
    bool title_withheld = c_.withholds("article", "title");
    c_.disclose("article", v.item);
    if (v.item != v.content) c_.disclose("article", v.content);
    if (title_withheld) {
      drop_title_links(v.item);
      if (v.item != v.content) drop_title_links(v.content);
    }
  }

  // Links whose path spells the title (`/spaces/KB/pages/1/Title`) go with it.
  void drop_title_links(uint32_t obj) {
    uint32_t url = c_.member(obj, "url");
    if (url != npos) c_.drop(url);
    uint32_t links = c_.member(obj, "_links");
    if (!t_.is_object(links)) return;
    for (std::string_view name : {"webui", "editui", "edituiv2"}) {
      uint32_t m = c_.member(links, name);
      if (m != npos) c_.drop(m);
    }
  }

  filter_context& c_;
  const json_tree& t_;
  const articles_section& a_;
  space_naming spaces_;
  content_names names_;  // before tree_ and sweep_, which share it
  page_tree tree_;
  content_sweep sweep_;
  std::vector<ancestor_entry> carried_;  // of the item being decided
};

}  // namespace

outcome filter_knowledge_base(filter_context& c) {
  c.plan_disclosure(c.policy.articles.disclose);
  kb_filter f(c);
  return f.run();
}

}  // namespace keyhole::detail
