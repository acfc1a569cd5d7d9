// The viewer-side atom lookup (atom_lookup.h) against the rule it stands for,
// atom_matches() over every atom: for policies naming atoms of every kind with
// awkward values ('*', '=', ':', dots, case, suffixes) and viewers built from
// the same values, the two must mark exactly the same atoms. A wrong mark
// would show or hide whatever the atom guards.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "atom_lookup.h"
#include "audience.h"
#include "json_tree.h"
#include "keyhole/keyhole.h"
#include "viewer.h"

namespace {

using namespace keyhole::detail;

const std::vector<std::string> kValues = {"staff", "Staff", "*", "a=b", "a", "b=c", "x:y", "acme.example",
                                          "eng.acme.example", "example", ".example", "example.", "", "gold"};
const std::vector<std::string> kDomains = {"acme.example", "eng.acme.example", "example", "x.eng.acme.example",
                                           "ACME.example", "acme.example.", ".acme.example", "a..example"};

std::string json_str(const std::string& s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

std::string pick(std::mt19937& rng, const std::vector<std::string>& xs) { return xs[rng() % xs.size()]; }

// A policy whose `everyone` audience lists `n` random atoms of every kind
// (those the compiler rejects, such as a '*' in user:, are left out).
keyhole::policy random_policy(std::mt19937& rng, int n) {
  static const std::vector<std::string> kPrefixes = {"user:", "email:", "domain:", "domain:*.", "group:", "org:",
                                                     "role:", "account:", "attr:"};
  std::string items = "\"everyone\",\"anonymous\",\"signed-in\",\"verified\"";
  for (int i = 0; i < n; ++i) {
    std::string prefix = pick(rng, kPrefixes), value;
    if (prefix == "attr:") value = pick(rng, kValues) + "=" + pick(rng, kValues);
    else if (prefix == "email:") value = pick(rng, kValues) + "@" + pick(rng, kDomains);
    else if (prefix.rfind("domain", 0) == 0) value = pick(rng, kDomains);
    else value = pick(rng, kValues);
    std::string text = json_str(prefix + value);
    keyhole::status st;
    keyhole::policy::compile("{\"keyhole\":1,\"audiences\":{\"a\":[" + text + "]}}", st);
    if (st.ok()) items += "," + text;
  }
  keyhole::status st;
  keyhole::policy p = keyhole::policy::compile("{\"keyhole\":1,\"audiences\":{\"every\":[" + items + "]}}", st);
  EXPECT_TRUE(st.ok()) << st.message;
  return p;
}

std::string random_list(std::mt19937& rng) {
  std::string out = "[";
  for (int i = 0, n = int(rng() % 3); i < n; ++i) out += (i ? "," : "") + json_str(pick(rng, kValues));
  return out + "]";
}

std::string random_claims(std::mt19937& rng) {
  if (rng() % 6 == 0) return "{}";
  std::string c = "{\"sub\":" + json_str(pick(rng, kValues));
  if (rng() % 4) c += ",\"email\":" + json_str(pick(rng, kValues) + "@" + pick(rng, kDomains));
  if (rng() % 4) c += std::string(",\"email_verified\":") + (rng() % 3 ? "true" : "false");
  c += ",\"groups\":" + random_list(rng) + ",\"orgs\":" + random_list(rng) + ",\"roles\":" + random_list(rng);
  if (rng() % 2) c += ",\"account\":" + json_str(pick(rng, kValues));
  if (rng() % 2) c += ",\"attrs\":{" + json_str(pick(rng, kValues)) + ":" + random_list(rng) + "}";
  return c + "}";
}

TEST(AtomLookup, MarksExactlyTheAtomsAtomMatchesDoes) {
  std::mt19937 rng(1301);
  int viewers = 0, marked = 0;
  for (int round = 0; round < 60; ++round) {
    keyhole::policy p = random_policy(rng, 40);
    const keyhole::compiled_policy& cp = *p.impl();
    for (int k = 0; k < 40; ++k) {
      std::string claims = random_claims(rng), buf, pointer, message;
      json_parser parser;
      json_tree tree;
      parse_error err;
      viewer v;
      if (!parse_copy(parser, buf, claims, 64, tree, err) || !parse_viewer(tree, v, pointer, message)) continue;
      ++viewers;
      std::vector<uint8_t> matched;
      match_atoms(cp, v, matched);
      ASSERT_EQ(matched.size(), cp.atoms.size());
      for (size_t i = 0; i < cp.atoms.size(); ++i) {
        marked += matched[i];
        ASSERT_EQ(matched[i] != 0, atom_matches(cp.atoms[i], v)) << "atom " << cp.atoms[i].text << " claims " << claims;
      }
    }
  }
  EXPECT_GT(viewers, 1500);  // most claims parse
  EXPECT_GT(marked, 3000);   // and many atoms match, so equality is not all zeros
}

TEST(AtomLookup, DomainTreesMatchTheDomainAndItsSuffixesOnly) {
  keyhole::status st;
  keyhole::policy p = keyhole::policy::compile(
      R"({"keyhole":1,"audiences":{"a":["domain:*.acme.example","domain:*.example","domain:*.eng.acme.example","domain:*.cme.example"]}})",
      st);
  ASSERT_TRUE(st.ok()) << st.message;
  viewer v;
  v.signed_in = v.email_verified = v.has_domain = true;
  v.domain = "eng.acme.example";
  std::vector<uint8_t> matched;
  match_atoms(*p.impl(), v, matched);
  std::vector<std::string> hit;
  for (size_t i = 0; i < matched.size(); ++i)
    if (matched[i]) hit.push_back(p.impl()->atoms[i].text);
  std::sort(hit.begin(), hit.end());
  EXPECT_EQ(hit, (std::vector<std::string>{"domain:*.acme.example", "domain:*.eng.acme.example", "domain:*.example"}));
}

}  // namespace
