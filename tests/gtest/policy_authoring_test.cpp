// The policy authoring runner (core/cli/policy_tests.*, policy_diff.*, explain_text.*) and
// the did-you-mean suggestions of policy errors.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "explain_text.h"
#include "keyhole/keyhole.h"
#include "policy_diff.h"
#include "policy_tests.h"

namespace {

using files = std::map<std::string, std::string>;

keyhole_cli::read_fn reader(const files& f) {
  return [&f](const std::string& path, std::string& bytes, std::string& error) {
    auto it = f.find(path);
    if (it == f.end()) return error = "no such file", false;
    bytes = it->second;
    return true;
  };
}

const char* kPolicy = R"({"keyhole":1,"status":{"default":{"allow":["everyone"]},"components":{"s":{"allow":["group:staff"],"inherit":false}}}})";
const char* kPayload = R"({"components":[{"id":"p","name":"Public","status":"operational"},{"id":"s","name":"Secret","status":"major_outage"}],"status":{"indicator":"major","description":"x"}})";

std::string message_of(const std::string& policy) {
  keyhole::status st;
  keyhole::policy::compile(policy, st);
  return st.pointer + " " + st.message;
}

TEST(DidYouMean, SuggestsTheNearestNameAndKeepsThePointer) {
  EXPECT_EQ(message_of(R"({"keyhole":1,"status":{"default":{"allow":["everyon"]}}})"),
            "/status/default/allow/0 unknown atom 'everyon' \u2014 did you mean 'everyone'?");
  EXPECT_EQ(message_of(R"({"keyhole":1,"status":{"default":{"allow":["rol:admin"]}}})"),
            "/status/default/allow/0 unknown atom 'rol:admin' \u2014 did you mean 'role:admin'?");
  EXPECT_EQ(message_of(R"({"keyhole":1,"audiences":{"customer":[]},"status":{"default":{"allow":["@custmer"]}}})"),
            "/status/default/allow/0 unknown audience '@custmer' \u2014 did you mean '@customer'?");
  EXPECT_EQ(message_of(R"({"keyhole":1,"articles":{"labls":{}}})"),
            "/articles/labls unknown articles member 'labls' (default, spaces, pages, labels, parents, embedded-restrictions, disclose) \u2014 did you mean 'labels'?");
  EXPECT_EQ(message_of(R"({"keyhole":1,"status":{"default":{"allow":["zzzzzz"]}}})"), "/status/default/allow/0 unknown atom 'zzzzzz'");
}

TEST(PolicyTests, CountsChecksAndNamesFailures) {
  files f{{"t/policy.json", kPolicy}, {"t/s.json", kPayload},
          {"t/a.test.json", R"({"keyhole-test":1,"policy":"policy.json","payloads":{"s.json":"s.json"},"viewers":{"anon":{}},
            "expect":[{"visible":{"component":["p","s"]},"indicator":"none","excludes":["Secret"]}]})"}};
  keyhole_cli::test_report r;
  keyhole_cli::run_test_file("t/a.test.json", reader(f), r);
  EXPECT_EQ(r.passed, 3u);
  EXPECT_EQ(r.failed, 1u);
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_EQ(r.failures[0].message, "component s hidden, expected visible");
  EXPECT_EQ(keyhole_cli::report_exit(r), 1);
  EXPECT_NE(keyhole_cli::report_text(r).find("FAIL viewer anon on s.json: component s hidden, expected visible (t/a.test.json)\n3 passed, 1 failed\n"), std::string::npos);
}

TEST(PolicyTests, MalformedIsAnErrorWithItsPointer) {
  files f{{"policy.json", kPolicy}, {"s.json", kPayload},
          {"a.test.json", R"({"keyhole-test":1,"policy":"policy.json","payloads":{"s":"s.json"},"viewers":{"v":{"sub":"x","roles":[1]}},"expect":[{"exit":0}]})"},
          {"b.test.json", R"({"keyhole-test":1,"policy":"policy.json","payloads":{"s":"s.json"},"viewers":{"v":{}},"expect":[{"hidden":{"component":"s"},"exitt":0}]})"},
          {"c.test.json", R"({"keyhole-test":1,"policy":"policy.json","payloads":{"s":"s.json"},"viewers":{"v":{}}})"}};
  keyhole_cli::test_report a, b, c;
  keyhole_cli::run_test_file("a.test.json", reader(f), a);
  ASSERT_EQ(a.errors.size(), 1u);
  EXPECT_EQ(a.errors[0].pointer, "/viewers/v/roles/0");
  keyhole_cli::run_test_file("b.test.json", reader(f), b);
  ASSERT_EQ(b.errors.size(), 1u);
  EXPECT_EQ(b.errors[0].pointer, "/expect/0/exitt");
  EXPECT_EQ(keyhole_cli::report_exit(b), 2);
  keyhole_cli::run_test_file("c.test.json", reader(f), c);
  EXPECT_EQ(c.failed, 1u);
  EXPECT_EQ(c.failures[0].message, "no expectations");
}

TEST(PolicyDiff, ARevealIsExitOne) {
  std::string opened = kPolicy;
  opened.replace(opened.find("group:staff"), 11, "everyone");
  files f{{"old", kPolicy}, {"new", opened}, {"anon", "{}"}, {"s.json", kPayload}};
  keyhole_cli::diff_request req{"old", "new", {{"anon", "anon"}}, {{"s.json", "s.json"}}, "auto"};
  keyhole_cli::diff_report r;
  keyhole_cli::run_diff(req, reader(f), r);
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes[0].id, "s");
  EXPECT_EQ(r.changes[0].name, "Secret");
  EXPECT_TRUE(r.changes[0].visible);
  EXPECT_EQ(keyhole_cli::diff_exit(r), 1);
}

TEST(ExplainText, OneLinePerResourceWithTheDecidingStep) {
  keyhole::status st;
  keyhole::policy p = keyhole::policy::compile(kPolicy, st);
  keyhole::filter f;
  std::string payload = kPayload;
  ASSERT_TRUE(f.explain(p, "{}", payload.data(), payload.size(), payload.size(), keyhole::payload_format::automatic).ok());
  keyhole_cli::explanation e;
  std::string why;
  ASSERT_TRUE(keyhole_cli::read_explanation(f.output(), e, why)) << why;
  EXPECT_EQ(keyhole_cli::explain_text(e, keyhole_cli::collect_names(payload)),
            "component p \"Public\" shown: allow at default (everyone)\n"
            "component s \"Secret\" hidden: not allowed after inherit: false at component s\n");
}

}  // namespace
