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

size_t expressions(const keyhole::policy& p) { return p.impl()->exprs.size(); }

TEST(PolicyCompile, RulesSpeltAlikeShareTheirExpressions) {
  auto alike = [](int) { return std::string(R"({"allow":["@customer"],"inherit":false})"); };
  keyhole::policy one = compile(policy_of(1, alike));
  keyhole::policy many = compile(policy_of(3900, alike));
  ASSERT_TRUE(one.impl() && many.impl());
  EXPECT_EQ(expressions(many), expressions(one));  // 3,900 rules, one spelling: its expressions once
  EXPECT_EQ(many.impl()->status.components.size(), 3900u);
  // And keeps no room for expressions it did not make (it once kept one per node of the
  // policy's text: 80 bytes a node, 2.8 MB of wasm memory for 3,900 rules).
  EXPECT_LE(many.impl()->exprs.capacity(), 2 * expressions(one) + 16);
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
  EXPECT_EQ(expressions(each_twice), expressions(each_once));
  keyhole::policy first = compile(policy_of(1, [&](int) { return spellings[0]; }));
  EXPECT_GT(expressions(each_once), expressions(first));
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

}  // namespace
