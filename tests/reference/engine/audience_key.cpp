// The audience key (SPEC §10): a hash of exactly what can decide a payload of
// the given format for this viewer.
#include <algorithm>

#include "compiled_viewer.h"
#include "sha256.h"

namespace keyhole::detail {

std::string audience_key_of(const compiled_policy& p, const viewer& who, const matcher& m, payload_format format) {
  if (p.canonical_hash().empty()) return {};
  // Hash of: the policy's canonical content, the matched atoms, the grants,
  // and (when payload restrictions can name the viewer) sub and groups; each
  // field length-prefixed so no two field lists hash alike.
  sha256 h;
  auto field = [&](std::string_view s) {
    std::string len = std::to_string(s.size()) + ":";
    h.update(len);
    h.update(s);
  };
  field("keyhole-audience-v1");
  field(p.canonical_hash());
  // The atoms and grants of the section that decides this format (status
  // formats: the status section and component/incident/maintenance grants;
  // knowledge-base formats: the articles section and article grants; auto:
  // both), so a combined policy keys a status page per status audience.
  bool status = format != payload_format::confluence && format != payload_format::jsm;
  bool articles = format != payload_format::statuspage;
  field(status && articles ? "any" : status ? "statuspage" : "knowledge-base");
  std::vector<std::string_view> matched;
  auto add_matched = [&](const std::vector<uint32_t>& atoms) {
    for (uint32_t i : atoms)
      if (m.atom_matched(i)) matched.push_back(p.atoms[i].text);
  };
  if (status) add_matched(p.status_atoms);
  if (articles) add_matched(p.article_atoms);
  std::sort(matched.begin(), matched.end());
  matched.erase(std::unique(matched.begin(), matched.end()), matched.end());
  field("atoms");
  for (auto a : matched) field(a);
  field("grants");
  for (auto& g : who.grants) {
    bool article = g.compare(0, 8, "article:") == 0;
    if (article ? articles : status) field(g);
  }
  // Embedded restrictions are on by default, with or without an articles
  // section: a knowledge-base payload's read restrictions can then decide by
  // sub and groups, so they are part of its key (finding E2). Status payloads
  // carry none, so their key stays per audience.
  if (p.articles.embedded_restrictions && articles) {
    field("restrictions");
    field(who.signed_in ? who.sub : std::string());
    for (auto& g : who.groups) field(g);  // a sorted set (viewer.h)
  }
  auto d = h.finish();
  return "kh1-" + to_hex(d.data(), 16);
}

}  // namespace keyhole::detail
