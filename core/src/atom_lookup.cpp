#include "atom_lookup.h"

namespace keyhole::detail {

void atom_text(atom_kind kind, std::string_view key, std::string_view value, std::string& out) {
  auto with = [&](std::string_view prefix) {
    out.assign(prefix);
    out.append(value);
  };
  switch (kind) {
    case atom_kind::everyone: out = "everyone"; return;
    case atom_kind::anonymous: out = "anonymous"; return;
    case atom_kind::signed_in: out = "signed-in"; return;
    case atom_kind::verified: out = "verified"; return;
    case atom_kind::user: return with("user:");
    case atom_kind::email: return with("email:");
    case atom_kind::domain: return with("domain:");
    case atom_kind::domain_tree: return with("domain:*.");
    case atom_kind::group: return with("group:");
    case atom_kind::group_any: out = "group:*"; return;
    case atom_kind::org: return with("org:");
    case atom_kind::org_any: out = "org:*"; return;
    case atom_kind::role: return with("role:");
    case atom_kind::role_any: out = "role:*"; return;
    case atom_kind::account: return with("account:");
    case atom_kind::attr:
      out.assign("attr:");
      out.append(key);
      out.push_back('=');
      out.append(value);
      return;
  }
}

namespace {

// Marks the atom whose text the viewer's value makes, when the policy has it.
struct marker {
  const compiled_policy& p;
  std::vector<uint8_t>& matched;
  std::string text;
  void operator()(atom_kind kind, std::string_view value = {}, std::string_view key = {}) {
    atom_text(kind, key, value, text);
    auto it = p.atom_by_text.find(text);
    if (it != p.atom_by_text.end()) matched[it->second] = 1;
  }
  void each(atom_kind kind, atom_kind any, const std::vector<std::string>& values) {
    for (const std::string& x : values) (*this)(kind, x);
    if (!values.empty()) (*this)(any);
  }
};

// domain:*.X matches the domain X itself and every domain ending in ".X"
// with a label before it: so the domain and each suffix after one of its
// dots (not a leading one) name the tree atoms it can match.
void mark_domain_trees(marker& mark, const std::string& d) {
  mark(atom_kind::domain_tree, d);
  for (size_t dot = d.find('.', 1); dot != std::string::npos; dot = d.find('.', dot + 1))
    if (dot + 1 < d.size()) mark(atom_kind::domain_tree, std::string_view(d).substr(dot + 1));
}

}  // namespace

void match_atoms(const compiled_policy& p, const viewer& v, std::vector<uint8_t>& matched) {
  matched.assign(p.atoms.size(), 0);
  if (p.atoms.empty()) return;
  marker mark{p, matched, {}};
  mark(atom_kind::everyone);
  mark(v.signed_in ? atom_kind::signed_in : atom_kind::anonymous);
  if (v.signed_in) mark(atom_kind::user, v.sub);
  bool verified = v.signed_in && v.email_verified;
  if (verified) mark(atom_kind::verified);
  if (v.email_matchable()) mark(atom_kind::email, v.email_lower);
  if (verified && v.has_domain) {
    mark(atom_kind::domain, v.domain);
    mark_domain_trees(mark, v.domain);
  }
  mark.each(atom_kind::group, atom_kind::group_any, v.groups);
  mark.each(atom_kind::org, atom_kind::org_any, v.orgs);
  mark.each(atom_kind::role, atom_kind::role_any, v.roles);
  if (v.has_account) mark(atom_kind::account, v.account);
  for (const auto& [key, values] : v.attrs) {
    // An atom's key ends at its first '=': a claim key holding one can
    // match no atom, and its text would read as another key's.
    if (key.find('=') != std::string::npos) continue;
    for (const std::string& x : values) mark(atom_kind::attr, x, key);
  }
}

}  // namespace keyhole::detail
