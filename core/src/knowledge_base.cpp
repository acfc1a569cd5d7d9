// Knowledge-base payloads (SPEC §6): Confluence REST v1 lists and search
// results, Confluence v2 pages, JSM knowledge-base articles, single objects.
#include <algorithm>
#include <string>
#include <unordered_map>

#include "filter_context.h"

namespace keyhole::detail {
namespace {

// An id may be written as a string or a number; both compare by their text.
bool id_text(const json_tree& t, uint32_t n, std::string_view& out) {
  if (t.is_string(n)) { out = t.str(n); return !out.empty(); }
  if (n != npos && t.type(n) == jtype::number) { out = t.raw(n); return true; }
  return false;
}

enum class restriction { none, listed, unknown };

struct page_facts {
  std::string_view id;
  bool labels_known = false;
  std::vector<std::string_view> labels;
  restriction restrict = restriction::none;
  bool restriction_denies = false;
  uint32_t node = npos;  // the ancestors[] entry, when the payload carries one
};

class kb_filter {
 public:
  explicit kb_filter(filter_context& c) : c_(c), t_(c.t), a_(c.policy.articles) {}

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
    index_items(npos, false);
    bool shown = decide_item(0, 0, false);
    return shown ? outcome::ok : outcome::not_visible;
  }

  outcome list(uint32_t arr, bool jsm) {
    if (!t_.is_array(arr)) return c_.reject("results/values must be an array", arr);
    for (uint32_t e = t_.first_child(arr); e != npos; e = t_.next_sibling(arr, e))
      if (!t_.is_object(e)) return c_.reject("a list item must be an object", e);
      else if (!t_.unique_keys(e)) return c_.reject("duplicate member in a list item", e);
    index_items(arr, jsm);
    size_t kept = 0;
    for (uint32_t e = t_.first_child(arr); e != npos; e = t_.next_sibling(arr, e)) {
      uint32_t content = e;
      uint32_t inner = c_.member(e, "content");
      // A CQL search result wraps the content; decide by it.
      if (!jsm && t_.is_object(inner)) {
        if (!t_.unique_keys(inner)) return c_.reject("duplicate member in a search result's content", inner);
        content = inner;
      } else if (!jsm && c_.member(e, "id") == npos) {
        c_.drop(e);  // a space or user hit of a search: not an article
        c_.record("article", "", false, decision{}, "search result without content");
        continue;
      }
      if (decide_item(e, content, jsm)) ++kept;
      else c_.drop(e);
    }
    // Counts must not reveal hidden items.
    std::string count = std::to_string(kept);
    uint32_t size = c_.member(0, "size");
    if (size != npos) c_.replace(size, count);
    uint32_t total = c_.member(0, "totalSize");
    if (total != npos) {
      uint32_t links = c_.member(0, "_links");
      bool complete = !t_.is_object(links) || c_.member(links, "next") == npos;
      if (complete) c_.replace(total, count);
      else c_.drop(total);
    }
    return outcome::ok;
  }

  // Items of the payload by id, so v2 parentId chains can be followed.
  void index_items(uint32_t arr, bool jsm) {
    if (arr == npos || jsm) return;
    for (uint32_t e = t_.first_child(arr); e != npos; e = t_.next_sibling(arr, e)) {
      std::string_view id;
      if (id_text(t_, c_.member(e, "id"), id)) by_id_.emplace(id, e);
    }
  }

  // Reads labels and embedded restrictions of a content object or ancestor entry.
  void read_facts(uint32_t obj, page_facts& f) {
    uint32_t md = c_.member(obj, "metadata");
    uint32_t labels = t_.is_object(md) ? c_.member(md, "labels") : c_.member(obj, "labels");
    uint32_t lr = t_.is_object(labels) ? c_.member(labels, "results") : npos;
    if (t_.is_array(lr)) {
      f.labels_known = true;
      for (uint32_t l = t_.first_child(lr); l != npos; l = t_.next_sibling(lr, l)) {
        uint32_t name = c_.member(l, "name");
        if (t_.is_string(name)) f.labels.push_back(t_.str(name));
      }
    }
    if (!a_.embedded_restrictions) return;
    uint32_t rs = c_.member(obj, "restrictions");
    if (rs == npos) return;
    uint32_t read = c_.member(rs, "read");
    uint32_t rr = c_.member(read, "restrictions");
    uint32_t users = c_.member(c_.member(rr, "user"), "results");
    uint32_t groups = c_.member(c_.member(rr, "group"), "results");
    if (!t_.is_array(users) || !t_.is_array(groups)) {
      f.restrict = restriction::unknown;  // e.g. only named under _expandable
      return;
    }
    if (t_.first_child(users) == npos && t_.first_child(groups) == npos) return;
    f.restrict = restriction::listed;
    const viewer& v = c_.m.who();
    bool listed = false;
    if (v.signed_in)
      for (uint32_t u = t_.first_child(users); u != npos; u = t_.next_sibling(users, u)) {
        uint32_t acc = c_.member(u, "accountId");
        if (t_.is_string(acc) && t_.str(acc) == v.sub) listed = true;
      }
    for (uint32_t g = t_.first_child(groups); g != npos; g = t_.next_sibling(groups, g)) {
      uint32_t name = c_.member(g, "name");
      if (t_.is_string(name) && v.in_group(t_.str(name))) listed = true;
    }
    f.restriction_denies = !listed;
  }

  level page_level(const page_facts& f) const {
    level l;
    l.name = "page:" + std::string(f.id);
    if (const rule* r = a_.pages.find(f.id)) l.rules.push_back(r);
    for (auto name : f.labels)
      if (const rule* r = a_.labels.find(name)) l.rules.push_back(r);
    l.has_restriction = f.restrict == restriction::listed;
    l.restriction_denies = f.restriction_denies;
    return l;
  }

  // The ancestors of a page, root first. False when they cannot be established.
  bool ancestors_of(uint32_t content, std::string_view id, std::vector<page_facts>& out) {
    uint32_t anc = c_.member(content, "ancestors");
    if (anc != npos) {
      // Carried ancestors must all be readable: an entry the filter cannot
      // decide could not be reduced to its id, so the item is hidden instead.
      if (!t_.is_array(anc)) {
        malformed_ancestors_ = true;
        return false;
      }
      for (uint32_t e = t_.first_child(anc); e != npos; e = t_.next_sibling(anc, e)) {
        page_facts f;
        if (!t_.is_object(e) || !id_text(t_, c_.member(e, "id"), f.id)) {
          malformed_ancestors_ = true;
          return false;
        }
        f.node = e;
        read_facts(e, f);
        out.push_back(f);
      }
      return true;
    }
    // Otherwise follow parent links: the payload's parentId, then the policy's map.
    std::vector<std::string_view> chain;
    std::string_view cur = id;
    uint32_t cur_node = content;
    for (size_t steps = 0; steps < 4096; ++steps) {
      std::string_view parent;
      bool root = false;
      uint32_t pid = cur_node != npos ? c_.member(cur_node, "parentId") : npos;
      if (pid != npos) {
        if (t_.is_null(pid)) root = true;
        else if (!id_text(t_, pid, parent)) return false;
      } else if (a_.has_parents) {
        const std::string* p = a_.parents.find(cur);
        if (!p) root = true;
        else parent = *p;
      } else {
        return false;
      }
      if (root) break;
      if (std::find(chain.begin(), chain.end(), parent) != chain.end() || parent == id) return false;
      chain.push_back(parent);
      cur = parent;
      auto it = by_id_.find(parent);
      cur_node = it == by_id_.end() ? npos : it->second;
    }
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      page_facts f;
      f.id = *it;
      auto node = by_id_.find(*it);
      if (node != by_id_.end()) read_facts(node->second, f);
      out.push_back(f);
    }
    return true;
  }

  bool needs_ancestors(std::string_view id) const {
    for (const auto& [page, r] : a_.pages)
      if (page != id) return true;
    return false;
  }

  // Decides one item; applies disclosure and ancestor stripping when shown.
  bool decide_item(uint32_t item, uint32_t content, bool jsm) {
    page_facts self;
    std::string_view space;
    bool space_known = false;
    std::string note;
    bool hidden = false;
    auto hide = [&](std::string why) { hidden = true; if (note.empty()) note = std::move(why); };

    if (jsm) {
      uint32_t src = c_.member(content, "source");
      if (!t_.is_object(src) || !t_.unique_keys(src) || !id_text(t_, c_.member(src, "pageId"), self.id))
        hide("no source.pageId");
      uint32_t sk = t_.is_object(src) ? c_.member(src, "spaceKey") : npos;
      if (t_.is_string(sk)) { space = t_.str(sk); space_known = true; }
    } else {
      uint32_t type = c_.member(content, "type");
      if (type != npos && !(t_.is_string(type) && (t_.str(type) == "page" || t_.str(type) == "blogpost")))
        hide("not a page or blog post");
      if (!id_text(t_, c_.member(content, "id"), self.id)) hide("no id");
      uint32_t sp = c_.member(content, "space");
      if (t_.is_object(sp)) {
        if (!t_.unique_keys(sp)) hide("duplicate member in space");
        uint32_t key = c_.member(sp, "key");
        if (t_.is_string(key)) { space = t_.str(key); space_known = true; }
      } else if (id_text(t_, c_.member(content, "spaceId"), space)) {
        space_known = true;
      }
      read_facts(content, self);
    }

    if (!a_.spaces.empty() && !space_known) hide("space not carried by the payload");
    if (!a_.labels.empty() && !self.labels_known && !jsm) hide("labels not carried by the payload");
    if (!a_.labels.empty() && jsm) hide("labels not carried by the payload");
    if (self.restrict == restriction::unknown) hide("read restrictions not expanded");

    std::vector<page_facts> ancestors;
    malformed_ancestors_ = false;
    bool ancestors_known = !hidden && ancestors_of(content, self.id, ancestors);
    if (!hidden && !ancestors_known) {
      ancestors.clear();
      if (malformed_ancestors_) hide("ancestors carried but not readable");
      else if (needs_ancestors(self.id)) hide("ancestors cannot be established");
    }
    for (const auto& a : ancestors)
      if (a.restrict == restriction::unknown) hide("an ancestor's read restrictions are not expanded");

    decision d;
    bool shown = false;
    if (!hidden) {
      std::vector<level> chain;
      if (a_.has_default) chain.push_back(level{"default", {&a_.default_rule}});
      if (space_known)
        if (const rule* r = a_.spaces.find(space)) chain.push_back(level{"space:" + std::string(space), {r}});
      size_t prefix = chain.size();
      for (const auto& a : ancestors) chain.push_back(page_level(a));
      chain.push_back(page_level(self));
      for (const auto& l : chain) apply_level(c_.m, l, d, c_.tracing);
      finish_decision(d, c_.m.who().has_grant("article", self.id));
      shown = d.visible();
      if (shown) {
        // Ancestors the viewer may not see keep only their id.
        bool parent_hidden = false;
        for (size_t k = 0; k < ancestors.size(); ++k) {
          decision ad;
          for (size_t i = 0; i < prefix + k + 1; ++i) apply_level(c_.m, chain[i], ad, false);
          finish_decision(ad, c_.m.who().has_grant("article", ancestors[k].id));
          bool visible = ad.visible();
          if (c_.log) c_.record("ancestor", ancestors[k].id, visible, std::move(ad), "of page " + std::string(self.id));
          if (!visible && ancestors[k].node != npos) strip_to_id(ancestors[k].node);
          if (k + 1 == ancestors.size()) parent_hidden = !visible;
        }
        // A search hit names its parent's title; drop it when the parent is hidden.
        if (parent_hidden && item != content) {
          uint32_t rpc = c_.member(item, "resultParentContainer");
          if (rpc != npos) c_.drop(rpc);
        }
        drop_other_pages(content);
        c_.disclose("article", item);
      }
    }
    if (c_.log) c_.record("article", self.id, shown, std::move(d), note);
    return shown;
  }

  // Expanded `children` / `descendants` list other pages (with their titles)
  // that this filter has not decided; only the page's own attachments and
  // comments stay (docs/decisions.md).
  void drop_other_pages(uint32_t content) {
    for (std::string_view name : {"children", "descendants"}) {
      uint32_t m = c_.member(content, name);
      if (!t_.is_object(m)) continue;
      for (uint32_t k = t_.first_child(m); k != npos; k = t_.next_sibling(m, k)) {
        std::string_view key = t_.key(k);
        if (key != "attachment" && key != "comment" && key != "_expandable" && key != "_links") c_.drop(k);
      }
    }
  }

  void strip_to_id(uint32_t entry) {
    for (uint32_t m = t_.first_child(entry); m != npos; m = t_.next_sibling(entry, m))
      if (t_.key(m) != "id") c_.drop(m);
  }

  filter_context& c_;
  const json_tree& t_;
  const articles_section& a_;
  std::unordered_map<std::string_view, uint32_t> by_id_;
  bool malformed_ancestors_ = false;
};

}  // namespace

outcome filter_knowledge_base(filter_context& c) {
  c.plan_disclosure(c.policy.articles.disclose);
  kb_filter f(c);
  return f.run();
}

}  // namespace keyhole::detail
