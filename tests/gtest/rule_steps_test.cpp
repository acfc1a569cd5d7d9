// Each rule is evaluated at most once per call (rule_steps, audience.h): the
// filters run here as keyhole.cpp runs them, and the call's count of rules
// evaluated is read afterwards. KB review round 12, F4: a rule's inline atoms
// were evaluated again for every item (policy atoms × items); a memo keyed by
// anything per item (a level, a page) would count once per item here.
#include <gtest/gtest.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "field_table.h"
#include "filter_context.h"
#include "json_tree.h"
#include "keyhole/keyhole.h"
#include "viewer.h"

namespace {

using namespace keyhole::detail;

struct parsed {
  std::string text;  // the JSON and the parser's padding
  json_parser parser;
  json_tree tree;
  parsed(const std::string& json, const field_table* names) : text(json) {
    text.append(json_parser::padding(), ' ');
    parse_error err;
    EXPECT_TRUE(tree.build(parser, text.data(), json.size(), 1024, err, names)) << err.message;
  }
};

// One call of the knowledge-base (or status) filter.
struct one_call {
  size_t evaluated = 0;   // rules the call evaluated
  size_t dropped = 0;     // list items removed (knowledge base)
  std::vector<explained> log;
  outcome result = outcome::rejected;
};

one_call run(const std::string& policy_json, const std::string& claims_json, const std::string& payload_json,
             bool status, bool explaining) {
  keyhole::status st;
  keyhole::policy p = keyhole::policy::compile(policy_json, st);
  EXPECT_TRUE(st.ok()) << st.message;
  one_call out;
  if (!st.ok()) return out;
  parsed claims(claims_json, nullptr);
  viewer who;
  std::string pointer, message;
  EXPECT_TRUE(parse_viewer(claims.tree, who, pointer, message)) << message;
  matcher m;
  m.reset(*p.impl(), who);
  parsed payload(payload_json, status ? &field_table::api() : nullptr);
  std::vector<edit_mark> marks(payload.tree.size(), edit_mark::keep);
  std::unordered_map<uint32_t, std::string> replacement;
  std::vector<key_state> key_check(payload.tree.size(), key_state::unchecked);
  std::vector<uint32_t> edited;
  filter_context c{.t = payload.tree, .policy = *p.impl(), .m = m, .tracing = explaining,
                   .log = explaining ? &out.log : nullptr, .marks = marks, .replacement = replacement,
                   .key_check = key_check, .edited = edited};
  std::string written;
  if (status) c.out = &written;
  out.result = status ? filter_statuspage(c) : filter_knowledge_base(c);
  out.evaluated = c.steps.evaluated();
  if (!status) {
    uint32_t list = payload.tree.member(0, "results");
    for (uint32_t e = payload.tree.first_child(list); e != npos; e = payload.tree.next_sibling(list, e))
      out.dropped += c.dropped(e) ? 1 : 0;
  }
  return out;
}

std::string atoms(const char* prefix, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += (i ? ",\"" : "\"") + std::string(prefix) + std::to_string(i) + "\"";
  return s;
}

// The default, a space (named by key and by id: two rules in one level), a
// label on every item (each item's page level merges it), a page rule, and
// a carried ancestor with a label of its own: six rules, whatever the
// number of items.
std::string kb_policy() {
  return "{\"keyhole\":1,\"articles\":{\"default\":{\"allow\":[" + atoms("user:u", 500) + ",\"signed-in\"]},"
         "\"spaces\":{\"KB\":{\"deny\":[" + atoms("user:x", 300) + "]},\"77\":{\"allow\":[" + atoms("group:g", 300) + "]}},"
         "\"labels\":{\"kb\":{\"deny\":[" + atoms("user:y", 300) + "]},\"top\":{\"allow\":[" + atoms("org:o", 300) + "]}},"
         "\"pages\":{\"7\":{\"deny\":[\"user:me\"]}},\"embedded-restrictions\":false}}";
}

std::string kb_payload(int items) {
  std::string results;
  for (int i = 1; i <= items; ++i)
    results += std::string(i > 1 ? "," : "") + "{\"id\":\"" + std::to_string(i) +
               "\",\"type\":\"page\",\"title\":\"t\",\"space\":{\"key\":\"KB\",\"id\":77},"
               "\"metadata\":{\"labels\":{\"results\":[{\"name\":\"kb\"}]}},"
               "\"ancestors\":[{\"id\":\"100000\",\"metadata\":{\"labels\":{\"results\":[{\"name\":\"top\"}]}}}]}";
  return "{\"results\":[" + results + "],\"size\":" + std::to_string(items) + "}";
}

TEST(RuleSteps, KnowledgeBaseEvaluatesEachRuleOncePerCall) {
  const std::string claims = "{\"sub\":\"me\"}";
  for (int items : {10, 2000}) {
    one_call f = run(kb_policy(), claims, kb_payload(items), false, false);
    ASSERT_EQ(f.result, outcome::ok);
    EXPECT_EQ(f.evaluated, 6u) << items << " items";  // not 6 × items
    EXPECT_EQ(f.dropped, 1u) << items << " items";    // page 7 denies `me`; every other item is shown
  }
}

TEST(RuleSteps, ExplainingEvaluatesEachRuleOncePerCallAndTracesEveryItem) {
  one_call f = run(kb_policy(), "{\"sub\":\"me\"}", kb_payload(500), false, true);
  ASSERT_EQ(f.result, outcome::ok);
  EXPECT_EQ(f.evaluated, 6u);
  size_t articles = 0, shown = 0;
  for (const explained& e : f.log) {
    if (e.kind != "article") continue;
    ++articles;
    shown += e.shown ? 1 : 0;
    // default, space:KB (two rules), the ancestor's level, the page's own
    ASSERT_EQ(e.d.trace.size(), 4u) << e.id;
    EXPECT_EQ(e.d.trace[0].name, "default");
    EXPECT_EQ(e.d.trace[0].allow_items, std::vector<std::string>{"signed-in"});
    EXPECT_EQ(e.d.trace[1].name, "space:KB");
    EXPECT_EQ(e.d.trace[3].name, "page:" + e.id);
    EXPECT_EQ(e.d.trace[3].deny, e.id == "7") << e.id;
    EXPECT_EQ(e.d.trace[3].deny_items, e.id == "7" ? std::vector<std::string>{"user:me"} : std::vector<std::string>{});
  }
  EXPECT_EQ(articles, 500u);
  EXPECT_EQ(shown, 499u);
}

TEST(RuleSteps, StatusEvaluatesEachRuleOncePerCall) {
  // 1,000 components in 10 groups; the default, two group rules and one
  // component's rule; incidents without components go by the default too.
  std::string comps, incidents;
  for (int g = 0; g < 10; ++g) {
    comps += std::string(g ? "," : "") + "{\"id\":\"g" + std::to_string(g) + "\",\"name\":\"G\",\"status\":\"operational\","
             "\"group\":true,\"components\":[";
    for (int k = 0; k < 100; ++k) comps += std::string(k ? "," : "") + "\"c" + std::to_string(g * 100 + k) + "\"";
    comps += "]}";
    for (int k = 0; k < 100; ++k)
      comps += ",{\"id\":\"c" + std::to_string(g * 100 + k) + "\",\"name\":\"C\",\"status\":\"operational\",\"group_id\":\"g" +
               std::to_string(g) + "\"}";
  }
  for (int i = 0; i < 200; ++i)
    incidents += std::string(i ? "," : "") + "{\"id\":\"i" + std::to_string(i) + "\",\"name\":\"N\",\"status\":\"resolved\","
                 "\"impact\":\"none\",\"components\":[],\"incident_updates\":[]}";
  std::string policy = "{\"keyhole\":1,\"status\":{\"default\":{\"allow\":[" + atoms("user:u", 500) + ",\"everyone\"]},"
                       "\"components\":{\"g1\":{\"deny\":[" + atoms("user:x", 300) + "]},\"g2\":{\"allow\":[\"anonymous\"],"
                       "\"inherit\":false},\"c5\":{\"deny\":[\"everyone\"]}}}}";
  std::string payload = "{\"components\":[" + comps + "],\"incidents\":[" + incidents + "]}";
  for (bool explaining : {false, true}) {
    one_call f = run(policy, "{\"sub\":\"me\"}", payload, true, explaining);
    ASSERT_EQ(f.result, outcome::ok) << explaining;
    EXPECT_EQ(f.evaluated, 4u) << explaining;  // default, g1, g2, c5
  }
}

}  // namespace
