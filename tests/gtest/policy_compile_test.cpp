// Policy compile: rules spelt alike are compiled once (policy_compile.cpp,
// spelled_rule). What they decide is checked by the conformance cases
// rules/rules-spelt-alike-*, where a bad repeated rule is reported by
// policy/repeated-*; here, that the sharing happens, that only the same text
// shares, and that every rule still decides apart.
#include <gtest/gtest.h>

#include <string>

#include "keyhole/keyhole.h"
#include "policy_model.h"

namespace {

using keyhole::detail::rule;

// A policy of `n` components c0, c1, ... whose rules are `spelling(i)`.
template <class Spelling>
std::string policy_of(int n, Spelling spelling) {
  std::string comps;
  for (int i = 0; i < n; ++i) comps += (i ? "," : "") + std::string("\"c") + std::to_string(i) + "\":" + spelling(i);
  return R"({"keyhole":1,"audiences":{"customer":["org:*"]},"status":{"components":{)" + comps + "}}}";
}

keyhole::policy compile(const std::string& text) {
  keyhole::status st;
  keyhole::policy p = keyhole::policy::compile(text, st);
  EXPECT_TRUE(st.ok()) << st.pointer << ": " << st.message;
  return p;
}

// 0 for a policy that did not compile (the test has failed already).
size_t expressions(const keyhole::policy& p) { return p.valid() ? p.impl()->exprs.size() : 0; }

TEST(PolicyCompile, RulesSpeltAlikeShareTheirExpressions) {
  auto alike = [](int) { return std::string(R"({"allow":["@customer"],"inherit":false})"); };
  keyhole::policy one = compile(policy_of(1, alike));
  keyhole::policy many = compile(policy_of(3900, alike));
  ASSERT_TRUE(one.valid() && many.valid());
  EXPECT_EQ(expressions(many), expressions(one));  // 3,900 rules, one spelling: its expressions once
  EXPECT_EQ(many.impl()->status.components.size(), 3900u);
  // And keeps no room it does not use (it once kept an expression per node of the policy's
  // text: 80 bytes a node, 2.8 MB of wasm memory for 3,900 rules).
  EXPECT_EQ(many.impl()->exprs.capacity(), many.impl()->exprs.size());
  EXPECT_LE(many.impl()->kid_pool.capacity(), 2 * many.impl()->kid_pool.size());
  // Two spellings alternating: two rules' worth of expressions.
  auto two = [](int i) { return std::string(i % 2 ? R"({"allow":["@customer"]})" : R"({"deny":["anonymous"]})"); };
  EXPECT_EQ(expressions(compile(policy_of(1000, two))), expressions(compile(policy_of(2, two))));
}

TEST(PolicyCompile, OnlyTheSameTextShares) {
  // The same rule with its spaces moved, and rules that differ in one member.
  const std::string spellings[] = {R"({"allow":["@customer"],"inherit":false})",
                                   R"({ "allow": ["@customer"], "inherit": false })",
                                   R"({"allow":["@customer"]})", R"({"allow":["@customer"],"inherit":true})",
                                   R"({"deny":["@customer"],"inherit":false})"};
  const size_t n = std::size(spellings);
  keyhole::policy each_once = compile(policy_of(int(n), [&](int i) { return spellings[i]; }));
  keyhole::policy each_twice = compile(policy_of(int(2 * n), [&](int i) { return spellings[i % n]; }));
  ASSERT_TRUE(each_once.valid() && each_twice.valid());
  EXPECT_EQ(expressions(each_twice), expressions(each_once));
  // No two of the spellings share: together they hold what each compiles to alone (beyond
  // the policy's own audience, which every one of these policies compiles once).
  size_t base = expressions(compile(policy_of(0, [](int) { return std::string(); })));
  size_t apart = base;
  for (const std::string& spelling : spellings)
    apart += expressions(compile(policy_of(1, [&](int) { return spelling; }))) - base;
  EXPECT_EQ(expressions(each_once), apart);
  // Each rule keeps its own members although expressions are shared.
  const auto& comps = each_twice.impl()->status.components;
  for (size_t i = 0; i < 2 * n; ++i) {
    const rule* r = comps.find("c" + std::to_string(i));
    ASSERT_NE(r, nullptr);
    bool inherit = (i % n) == 2 || (i % n) == 3;
    bool has_allow = (i % n) != 4;
    EXPECT_EQ(r->inherit, inherit) << i;
    EXPECT_EQ(r->allow != keyhole::detail::no_expr, has_allow) << i;
    EXPECT_EQ(r->deny != keyhole::detail::no_expr, !has_allow) << i;
  }
}

// What a viewer is shown does not depend on which rule's compile a spelling
// shares: customers and anonymous viewers against 200 components whose rules
// alternate between three spellings, checked one by one.
TEST(PolicyCompile, SharedRulesDecideEachComponent) {
  const std::string spellings[] = {R"({"allow":["@customer"],"inherit":false})", R"({"deny":["@customer"]})",
                                   R"({"allow":["everyone"]})"};
  const int n = 200;
  keyhole::policy p = compile(policy_of(n, [&](int i) { return spellings[i % 3]; }));
  std::string payload = R"({"page":{"id":"pg01","name":"Acme"},"components":[)";
  for (int i = 0; i < n; ++i)
    payload += (i ? "," : "") + std::string(R"({"id":"c)") + std::to_string(i) + R"(","name":"n","status":"operational"})";
  payload += "]}";
  for (bool customer : {true, false}) {
    keyhole::filter f;
    keyhole::status st = f.run(p, customer ? R"({"sub":"u","orgs":["globex"]})" : "{}", payload.data(), payload.size(),
                               payload.size(), keyhole::payload_format::automatic);
    ASSERT_TRUE(st.ok()) << st.message;
    std::string out(f.output());
    for (int i = 0; i < n; ++i) {
      // No default: a component is shown only when its own rule allows.
      bool shown = i % 3 == 0 ? customer : i % 3 == 2;
      std::string id = "\"id\":\"c" + std::to_string(i) + "\"";
      EXPECT_EQ(out.find(id) != std::string::npos, shown) << "c" << i << (customer ? " customer" : " anonymous");
    }
  }
}

// A rule spelt alike in two sections shares its expressions across them, and
// each section still counts its atoms (what a viewer is matched against).
TEST(PolicyCompile, SpellingsAreSharedAcrossSections) {
  const char* text = R"({"keyhole":1,"status":{"components":{"c1":{"allow":["group:ops"]}}},
    "articles":{"spaces":{"KB":{"allow":["group:ops"]}},"labels":{"ops-only":{"allow":["group:ops"]}}}})";
  keyhole::policy p = compile(text);
  ASSERT_TRUE(p.valid());
  const keyhole::compiled_policy& c = *p.impl();
  EXPECT_EQ(c.exprs.size(), 2u);  // one `any` and its atom, for all three rules
  ASSERT_EQ(c.status_atoms.size(), 1u);
  EXPECT_EQ(c.status_atoms, c.article_atoms);
  const rule* component = c.status.components.find("c1");
  const rule* space = c.articles.spaces.find("KB");
  ASSERT_TRUE(component && space);
  EXPECT_EQ(component->allow, space->allow);
}

// Rule names are views into the policy's own text (name_map::emplace_lasting);
// a name written with an escape is not in it and is copied. Both must still be
// found once the parse that read them is gone, from a policy given as a view
// (copied) or as a string it keeps.
TEST(PolicyCompile, RuleNamesOutliveTheParse) {
  const std::string text = R"({"keyhole":1,"status":{"components":{"plain":{"allow":["everyone"]},"c\u0031":{"allow":["everyone"]}}}})";
  keyhole::status st;
  keyhole::policy viewed = keyhole::policy::compile(std::string_view(text), st);
  ASSERT_TRUE(st.ok()) << st.message;
  std::string owned = text;
  owned.reserve(owned.size() + keyhole::policy::padding_bytes());
  const char* owned_bytes = owned.data();
  keyhole::policy kept = keyhole::policy::compile(std::move(owned), st);
  ASSERT_TRUE(st.ok()) << st.message;
  EXPECT_EQ(kept.impl()->source.data(), owned_bytes);  // its capacity had room: no copy
  for (const keyhole::policy* p : {&viewed, &kept}) {
    EXPECT_NE(p->impl()->status.components.find("plain"), nullptr);
    EXPECT_NE(p->impl()->status.components.find("c1"), nullptr);
    EXPECT_EQ(p->impl()->status.components.find("c\\u0031"), nullptr);
    EXPECT_EQ(p->impl()->canonical_hash(), viewed.impl()->canonical_hash());
  }
}

}  // namespace
