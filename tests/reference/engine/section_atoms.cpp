#include "section_atoms.h"

#include <algorithm>

namespace keyhole::detail {
namespace {

// Atoms reachable from the given expressions (iteratively; a named audience
// is followed into its expression once).
std::vector<uint32_t> atoms_from(const compiled_policy& p, std::vector<uint32_t> stack) {
  std::vector<uint8_t> seen(p.exprs.size(), 0);
  std::vector<uint32_t> atoms;
  while (!stack.empty()) {
    uint32_t e = stack.back();
    stack.pop_back();
    if (e == no_expr || seen[e]) continue;
    seen[e] = 1;
    const expr& x = p.exprs[e];
    if (x.kind == expr::op::atom) atoms.push_back(x.index);
    else if (x.kind == expr::op::named) stack.push_back(p.audience_exprs[x.index]);
    for (uint32_t k : x.kids) stack.push_back(k);
  }
  std::sort(atoms.begin(), atoms.end());
  atoms.erase(std::unique(atoms.begin(), atoms.end()), atoms.end());
  return atoms;
}

void add_rule(std::vector<uint32_t>& roots, const rule& r) {
  roots.push_back(r.allow);
  roots.push_back(r.deny);
}

void add_map(std::vector<uint32_t>& roots, const name_map<rule>& rules) {
  for (const auto& [name, r] : rules) add_rule(roots, r);
}

void add_disclose(std::vector<uint32_t>& roots, const std::vector<disclose_entry>& entries) {
  for (const disclose_entry& d : entries) roots.push_back(d.allow);
}

}  // namespace

void collect_section_atoms(compiled_policy& p) {
  std::vector<uint32_t> status, articles;
  const status_section& s = p.status;
  if (s.has_default) add_rule(status, s.default_rule);
  add_map(status, s.components);
  if (s.has_without_components) add_rule(status, s.without_components);
  add_map(status, s.incident_rules);
  add_disclose(status, s.disclose);
  const articles_section& a = p.articles;
  if (a.has_default) add_rule(articles, a.default_rule);
  add_map(articles, a.spaces);
  add_map(articles, a.pages);
  add_map(articles, a.labels);
  add_disclose(articles, a.disclose);
  p.status_atoms = atoms_from(p, std::move(status));
  p.article_atoms = atoms_from(p, std::move(articles));
}

}  // namespace keyhole::detail
